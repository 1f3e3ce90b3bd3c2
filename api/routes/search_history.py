"""``/search-history``: the job searches the signed-in person ran; theirs alone.

Who may do what is decided in :mod:`database.services.tenancy.profile`:
another person's entry is a 404, a write with a read-only API key a 403.
"""

from __future__ import annotations

from fastapi import APIRouter, Response, status
from starlette.exceptions import HTTPException

from api.deps import CurrentActor, Session
from api.idempotency import Created, Idempotency, respond
from api.paging import DEFAULT_LIMIT, TOTAL_HEADER, Limit, Offset
from api.schemas_profile import SearchNew, SearchRead
from database.services.tenancy import profile

router = APIRouter(prefix="/search-history", tags=["search history"])

NOT_FOUND = "no such search"


@router.get("", response_model=list[SearchRead])
def list_searches(
    actor: CurrentActor,
    session: Session,
    response: Response,
    limit: Limit = DEFAULT_LIMIT,
    offset: Offset = 0,
) -> list[SearchRead]:
    """One's own searches, newest first; how many there are in ``X-Total-Count``."""
    found, total = profile.list_searches(session, actor, limit, offset)
    response.headers[TOTAL_HEADER] = str(total)
    return [SearchRead.model_validate(entry) for entry in found]


@router.post("", response_model=SearchRead, status_code=status.HTTP_201_CREATED)
def record_search(
    body: SearchNew, actor: CurrentActor, session: Session, idempotency: Idempotency
) -> Response:
    """Record a search one ran (with an ``Idempotency-Key``, a retry records nothing more)."""

    def create() -> Created:
        return Created(
            SearchRead.model_validate(profile.record_search(session, actor, body.fields()))
        )

    return respond(session, actor, idempotency, create)


@router.delete("/{search_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_search(search_id: int, actor: CurrentActor, session: Session) -> Response:
    """Delete one of one's own recorded searches."""
    if not profile.delete_search(session, actor, search_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, NOT_FOUND)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
