"""``/imports/applications``: a CSV of applications into the actor's own account.

The file is the CSV export's format or a hand-made one (see
:mod:`database.io.csv_io`); the answer reports every row that was not
imported and why. Valid rows are added in one transaction.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter

from api.deps import CurrentActor, Session
from api.file_bodies import UploadedBytes, file_request_body
from api.schemas_records import ImportReportRead
from database.services.tenancy import records

router = APIRouter(prefix="/imports", tags=["imports"])


@router.post(
    "/applications",
    response_model=ImportReportRead,
    openapi_extra=file_request_body("text/csv"),
)
def import_applications(
    content: UploadedBytes,
    actor: CurrentActor,
    session: Session,
    on_duplicate: Literal["skip", "update", "fail", "allow"] = "skip",
) -> ImportReportRead:
    """Import a CSV (a form's ``file`` field or a ``text/csv`` body) into the actor's account.

    A posting already tracked is skipped (``on_duplicate=skip``), updated
    (``update``) or refuses the whole file (``fail``); ``allow`` adds it again.
    """
    report = records.import_csv(session, actor, content, on_duplicate)
    return ImportReportRead.model_validate(report.as_dict())
