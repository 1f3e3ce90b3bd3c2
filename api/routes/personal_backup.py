"""``/me/backup``: everything of the actor's own in one file, and that file brought back.

The format is :mod:`database.io.personal_backup`'s (JSON, with a ``version``).
Importing adds the file's records to the actor's account, all or nothing;
whatever ids or owners the file names, they become the actor's.
"""

from __future__ import annotations

import json

from fastapi import APIRouter, Response

from api.deps import CurrentActor, Session
from api.file_bodies import UploadedBytes, file_request_body
from api.schemas_records import BackupImported
from database.core.column_types import utcnow
from database.services.tenancy import records

router = APIRouter(prefix="/me", tags=["me"])

BACKUP_MEDIA_TYPE = "application/json"


@router.get(
    "/backup",
    response_class=Response,
    responses={200: {"description": "The personal backup.", "content": {BACKUP_MEDIA_TYPE: {}}}},
)
def export_backup(actor: CurrentActor, session: Session) -> Response:
    """A file of all the actor's own data: profile, preferences, resumes with their files,
    applications with their history and notes, search history."""
    document = records.export_backup(session, actor)
    name = f"auto-applyer-personal-{utcnow():%Y%m%d}.json"
    return Response(
        json.dumps(document, ensure_ascii=False).encode("utf-8"),
        media_type=BACKUP_MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.post(
    "/backup",
    response_model=BackupImported,
    openapi_extra=file_request_body(BACKUP_MEDIA_TYPE),
)
def import_backup(content: UploadedBytes, actor: CurrentActor, session: Session) -> BackupImported:
    """Add a personal backup (a form's ``file`` field or the JSON body) to the actor's account."""
    counts = records.import_backup(session, actor, content)
    return BackupImported.model_validate(counts)
