"""The export files: CSV rows, typed Excel cells, and a readable PDF record."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import openpyxl
import pytest
from pypdf import PdfReader

from dashboard import exports, queries
from database.connection import DatabaseManager
from database.models import ApplicationStatus
from database.utilities import DatabaseUtils


@pytest.fixture
def owner(db: DatabaseManager) -> int:
    user = DatabaseUtils.create_user("ann@example.com", first_name="Ann", location="Porto")
    first = DatabaseUtils.add_job_application(
        user.id, "Data Engineer", "Insight Co", salary_min=50000, match_score=81.5,
        application_date=datetime(2026, 1, 5, 9, 30, tzinfo=UTC), source="linkedin",
    )  # fmt: skip
    DatabaseUtils.update_application_status(first.id, "screening", notes="Recruiter called")
    DatabaseUtils.add_job_application(
        user.id, "=HYPERLINK(\"x\")", "Évora Ltd", is_remote=True,
        application_date=datetime(2026, 2, 1, tzinfo=UTC),
    )  # fmt: skip
    return user.id


def _all(user_id: int) -> list[object]:
    return list(queries.iter_applications(user_id, queries.ApplicationFilter()))


def test_csv_has_a_header_and_one_row_per_application(owner: int) -> None:
    text = exports.applications_csv(_all(owner)).decode("utf-8")  # type: ignore[arg-type]
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["company"], r["status"]) for r in rows] == [
        ("Évora Ltd", "applied"),
        ("Insight Co", "screening"),
    ]
    assert rows[1]["application_date"] == "2026-01-05T09:30:00+00:00"
    assert (rows[1]["salary_min"], rows[1]["match_score"], rows[0]["is_remote"]) == (
        "50000",
        "81.5",
        "true",
    )
    # A cell a spreadsheet would run as a formula is kept as text.
    assert rows[0]["job_title"] == '\'=HYPERLINK("x")'


def test_excel_columns_are_typed(owner: int) -> None:
    book = openpyxl.load_workbook(io.BytesIO(exports.applications_xlsx(_all(owner))))  # type: ignore[arg-type]
    sheet = book["Applications"]
    header = [c.value for c in sheet[1]]
    row = {h: c for h, c in zip(header, sheet[3], strict=True)}
    assert row["application_date (UTC)"].value == datetime(2026, 1, 5, 9, 30)
    assert row["application_date (UTC)"].is_date
    assert row["salary_min"].value == 50000 and row["salary_min"].data_type == "n"
    assert row["match_score"].value == 81.5
    assert sheet.cell(2, header.index("is_remote") + 1).value is True
    formula_like = sheet.cell(2, header.index("job_title") + 1)
    assert (formula_like.value, formula_like.data_type) == ('=HYPERLINK("x")', "s")


def test_pdf_is_a_job_search_record(owner: int) -> None:
    rows = _all(owner)
    header = exports.ReportHeader("Ann", "ann@example.com", "Porto", "2026-01-01 to 2026-02-28")
    pdf = exports.applications_pdf(
        header,
        rows,  # type: ignore[arg-type]
        queries.histories([r.id for r in rows]),  # type: ignore[attr-defined]
    )
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    for expected in (
        "Job search record",
        "Ann <ann@example.com>, Porto",
        "Period: 2026-01-01 to 2026-02-28",
        "Applications: 2 to 2 companies",
        "Insight Co - Data Engineer",
        "Applied 2026-01-05",
        "screening - Recruiter called",
        "Évora Ltd",
    ):
        assert expected in text, expected


def test_filters_choose_what_is_exported(owner: int) -> None:
    chosen = queries.ApplicationFilter(
        statuses=(ApplicationStatus.SCREENING,), date_from=date(2026, 1, 1)
    )
    rows = list(queries.iter_applications(owner, chosen))
    assert [r.company for r in rows] == ["Insight Co"]
    assert queries.count_applications(owner, chosen) == 1
    assert chosen.describe() == "2026-01-01 to today"
