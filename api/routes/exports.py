"""``/exports/applications.{csv,xlsx,pdf}``: the actor's own applications as files.

The CSV is the import's format (every column, the status history as JSON), so
that it comes back in through ``POST /imports/applications``; Excel and PDF
take the filters of the application listing.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response
from fastapi.responses import FileResponse
from sqlalchemy.orm import Session as OrmSession
from starlette.background import BackgroundTask

from api.deps import CurrentActor, Session
from database.core.column_types import utcnow
from database.domain.accounts import Actor
from database.services.tenancy import records
from utils.errors import ValidationError

router = APIRouter(prefix="/exports", tags=["exports"])

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF_MEDIA_TYPE = "application/pdf"

#: The domain's filter names, as the query names them.
QUERY_NAMES = {"statuses": "status", "text": "q", "sources": "source"}
Statuses = Annotated[list[str] | None, Query(alias="status")]
Sources = Annotated[list[str] | None, Query(alias="source")]


def _filters(
    statuses: Statuses = None,
    q: str = "",
    sources: Sources = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> dict[str, Any]:
    """The listing's filters, from the query (``status`` and ``source`` repeatable)."""
    return {
        "statuses": tuple(statuses or ()),
        "text": q,
        "sources": tuple(sources or ()),
        "date_from": date_from,
        "date_to": date_to,
    }


@contextmanager
def _query_names() -> Iterator[None]:
    """A filter the domain refuses, named as the client sent it."""
    try:
        yield
    except ValidationError as exc:
        field = QUERY_NAMES.get(exc.field, exc.field)
        raise ValidationError(field, exc.rule, exc.value) from exc


Filters = Annotated[dict[str, Any], Depends(_filters)]


def _attachment(stem: str, suffix: str) -> dict[str, str]:
    name = f"{stem}-{utcnow():%Y%m%d}.{suffix}"
    return {"Content-Disposition": f'attachment; filename="{name}"'}


def _file(description: str, media_type: str) -> dict[int | str, dict[str, Any]]:
    return {200: {"description": description, "content": {media_type: {}}}}


@router.get(
    "/applications.csv",
    response_class=FileResponse,
    responses=_file("The applications as CSV, with their status history.", "text/csv"),
)
def export_csv(actor: CurrentActor, session: Session, status: str | None = None) -> FileResponse:
    """The actor's applications (optionally of one ``status``) as the CSV the import reads."""
    folder = Path(tempfile.mkdtemp(prefix="export-"))
    try:
        path = folder / "applications.csv"
        records.export_csv(session, actor, path, status)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return FileResponse(
        path,
        media_type=CSV_MEDIA_TYPE,
        headers=_attachment("applications", "csv"),
        background=BackgroundTask(shutil.rmtree, folder, ignore_errors=True),
    )


def _built(
    build: Callable[[OrmSession, Actor, dict[str, Any]], bytes],
    session: OrmSession,
    actor: Actor,
    filters: dict[str, Any],
    media_type: str,
    stem: str,
) -> Response:
    """The file ``build`` makes of the actor's matching applications, as an attachment."""
    with _query_names():
        content = build(session, actor, filters)
    suffix = "xlsx" if media_type == XLSX_MEDIA_TYPE else "pdf"
    return Response(content, media_type=media_type, headers=_attachment(stem, suffix))


@router.get(
    "/applications.xlsx",
    response_class=Response,
    responses=_file("The applications as an Excel workbook.", XLSX_MEDIA_TYPE),
)
def export_xlsx(actor: CurrentActor, session: Session, filters: Filters) -> Response:
    """The actor's matching applications as an Excel workbook (typed columns, UTC dates)."""
    return _built(records.export_xlsx, session, actor, filters, XLSX_MEDIA_TYPE, "applications")


@router.get(
    "/applications.pdf",
    response_class=Response,
    responses=_file("The job search record as a PDF.", PDF_MEDIA_TYPE),
)
def export_pdf(actor: CurrentActor, session: Session, filters: Filters) -> Response:
    """The actor's job search record (profile, period, summary, each application) as a PDF."""
    return _built(records.export_pdf, session, actor, filters, PDF_MEDIA_TYPE, "job-search-record")
