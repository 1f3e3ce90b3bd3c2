"""``POST /applications/import-posting``: a new application from a job posting's page.

The page is fetched (or the pasted HTML read) before any transaction opens:
the actor is checked in a short transaction of its own
(:data:`~api.deps.StandaloneActor`), a read-only credential is refused before
anything is fetched, and the application is then created in one transaction
bound to the actor, with ``Idempotency-Key`` as ``POST /applications`` has it.
Who may import is decided in :mod:`database.services.tenancy.postings`.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status

from api.deps import StandaloneActor
from api.idempotency import Created, Idempotency, respond
from api.responses import location_of
from api.schemas_applications import ApplicationRead
from api.schemas_postings import PostingImport
from database.connection import get_database_manager
from database.core.tenant import bind_actor
from database.services.posting_calls import IMPORTED_STATUS
from database.services.tenancy import postings as tenancy

router = APIRouter(tags=["posting import"])


@router.post(
    "/applications/import-posting",
    response_model=ApplicationRead,
    status_code=status.HTTP_201_CREATED,
)
def import_posting(
    body: PostingImport, actor: StandaloneActor, request: Request, idempotency: Idempotency
) -> Response:
    """Create the actor's application from the schema.org ``JobPosting`` at ``url`` or in ``html``.

    A page that cannot be fetched (refused address, timeout, too large, an
    HTTP error) or holds no posting is a 422 naming ``url`` or ``html``.
    """
    fields = tenancy.read_for_import(actor, body.url, body.html, body.status or IMPORTED_STATUS)
    with get_database_manager().session_scope() as session:
        bind_actor(session, actor.user_id)

        def create() -> Created:
            application = tenancy.create_imported(session, actor, fields)
            location = location_of(request, "read_application", application_id=str(application.id))
            return Created(ApplicationRead.model_validate(application), location=location)

        return respond(session, actor, idempotency, create)
