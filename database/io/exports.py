"""Exports of a user's applications as files: CSV, Excel (typed columns) and a PDF report.

Each builder takes the applications already chosen by the caller (the
dashboard's or the API's filters) and returns the file's bytes. Below both
entry points, so that the dashboard's downloads and the API's exports are the
same files.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from database.core.column_types import utcnow
from database.io.pdf_fonts import DocumentFonts, FontSet
from database.models import ApplicationStatus, ApplicationStatusHistory, Contact, JobApplication

# Spreadsheet programs run a cell that starts with one of these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def status_label(status: ApplicationStatus | str) -> str:
    """A status as people read it: "interview scheduled"."""
    return ApplicationStatus(status).value.replace("_", " ")


@dataclass(frozen=True)
class Column:
    """One exported column: its header, how to read it and its spreadsheet type."""

    name: str
    read: Callable[[JobApplication], Any]
    kind: str  # "text", "int", "float", "bool", "datetime"


COLUMNS: tuple[Column, ...] = (
    Column("id", lambda a: a.id, "int"),
    Column("job_title", lambda a: a.job_title, "text"),
    Column("company", lambda a: a.company, "text"),
    Column("location", lambda a: a.location, "text"),
    Column("status", lambda a: a.status.value, "text"),
    Column("source", lambda a: a.source, "text"),
    Column("application_date", lambda a: a.application_date, "datetime"),
    Column("status_changed_at", lambda a: a.status_changed_at, "datetime"),
    Column("interview_date", lambda a: a.interview_date, "datetime"),
    Column("interview_type", lambda a: a.interview_type, "text"),
    Column("salary_min", lambda a: a.salary_min, "int"),
    Column("salary_max", lambda a: a.salary_max, "int"),
    Column("salary_currency", lambda a: a.salary_currency, "text"),
    Column("job_type", lambda a: a.job_type, "text"),
    Column("is_remote", lambda a: a.is_remote, "bool"),
    Column("match_score", lambda a: a.match_score, "float"),
    Column("resume_id", lambda a: a.resume_id, "int"),
    Column("job_url", lambda a: a.job_url, "text"),
    Column("notes", lambda a: a.notes, "text"),
    # The listings load every application's tags with it (one query per page).
    Column("tags", lambda a: ", ".join(t.name for t in a.tags), "text"),
)


#: The columns of a contacts export: (attribute, kind), as :data:`COLUMNS` for applications.
CONTACT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "int"), ("name", "text"), ("company", "text"), ("role", "text"), ("email", "text"),
    ("phone", "text"), ("linkedin_url", "text"), ("last_contacted_at", "datetime"),
    ("notes", "text"),
)  # fmt: skip


def _safe_text(value: str) -> str:
    """Text a spreadsheet shows as text, never runs as a formula."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return _safe_text(value)
    return str(value)


def applications_csv(applications: Iterable[JobApplication]) -> bytes:
    """A UTF-8 CSV with a header row and one row per application."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([c.name for c in COLUMNS])
    for application in applications:
        writer.writerow([_csv_value(c.read(application)) for c in COLUMNS])
    return buffer.getvalue().encode("utf-8")


def contacts_csv(contacts: Iterable[Contact]) -> bytes:
    """A UTF-8 CSV of contacts: a header row, one row per contact (times in UTC)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([name for name, _ in CONTACT_COLUMNS])
    for contact in contacts:
        writer.writerow([_csv_value(getattr(contact, name)) for name, _ in CONTACT_COLUMNS])
    return buffer.getvalue().encode("utf-8")


def _xlsx_cell(sheet: WriteOnlyWorksheet, value: Any, kind: str) -> Cell:
    if kind == "datetime" and value is not None:
        # Excel has no time zones: the values are UTC, as the header says.
        cell = WriteOnlyCell(sheet, value=value.replace(tzinfo=None))
        cell.number_format = "yyyy-mm-dd hh:mm"
        return cell
    cell = WriteOnlyCell(sheet, value=value)
    if kind == "text" and value is not None:
        cell.data_type = "s"  # never a formula, whatever the text starts with
    return cell


#: The most characters of text an Excel cell holds.
XLSX_CELL_CHARS = 32_767
#: The most characters of a cover letter the PDF record prints.
PDF_LETTER_CHARS = 5_000


def _clipped(text: str, limit: int) -> str:
    """``text``, or its first characters and how many more there are, within ``limit``."""
    if len(text) <= limit:
        return text
    kept = text[: limit - 60]
    return f"{kept}\n[... {len(text) - len(kept)} more characters in the application]"


def _letters_sheet(sheet: WriteOnlyWorksheet, letters: list[tuple[int, str, str, str]]) -> None:
    sheet.append(["application_id", "company", "job_title", "cover_letter"])
    for application_id, company, job_title, text in letters:
        texts = (company, job_title, _clipped(text, XLSX_CELL_CHARS))
        sheet.append([application_id, *(_xlsx_cell(sheet, t, "text") for t in texts)])


def applications_xlsx(
    applications: Iterable[JobApplication],
    contacts: Iterable[Contact] | None = None,
    cover_letters: Mapping[int, str] | None = None,
) -> bytes:
    """An Excel workbook: typed columns (numbers, booleans, dates in UTC).

    The "Applications" sheet, and a "Contacts" sheet when ``contacts`` are given.
    ``cover_letters`` (application id -> the letter's text) adds a "Cover
    letters" sheet: the letter of each exported application that has one,
    clipped to what a cell holds.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Applications")
    sheet.append([c.name + (" (UTC)" if c.kind == "datetime" else "") for c in COLUMNS])
    letters: list[tuple[int, str, str, str]] = []
    for application in applications:
        sheet.append([_xlsx_cell(sheet, c.read(application), c.kind) for c in COLUMNS])
        letter = (cover_letters or {}).get(application.id)
        if letter is not None:
            letters.append((application.id, application.company, application.job_title, letter))
    if cover_letters is not None:
        _letters_sheet(workbook.create_sheet("Cover letters"), letters)
    if contacts is not None:
        people = workbook.create_sheet("Contacts")
        people.append([n + (" (UTC)" if k == "datetime" else "") for n, k in CONTACT_COLUMNS])
        for contact in contacts:
            people.append([_xlsx_cell(people, getattr(contact, n), k) for n, k in CONTACT_COLUMNS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@dataclass(frozen=True)
class ReportHeader:
    """Who the PDF report is about and which period it covers."""

    name: str
    email: str
    location: str | None
    period: str


class _Report(FPDF):
    def __init__(self, fonts: FontSet | None = None) -> None:
        super().__init__(format="A4")
        self.set_auto_page_break(auto=True, margin=15)
        # DejaVu Sans, then the fallbacks the text needs (see database.io.pdf_fonts).
        self.text_fonts = DocumentFonts(self, fonts)
        self.unicode = self.text_fonts.unicode
        self.family = self.text_fonts.family

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(self.family, "", 8)
        self.cell(0, 8, f"Job search record - page {self.page_no()}", align="C")

    def text_of(self, value: str) -> str:
        # A character no font has becomes a visible mark, never a silent gap.
        return self.text_fonts.text(value)

    def paragraph(self, text: str, size: float = 10, bold: bool = False, indent: float = 0) -> None:
        self.set_font(self.family, "B" if bold else "", size)
        self.set_x(self.l_margin + indent)
        text = self.text_of(text)
        room = self.w - self.r_margin - self.get_x() - 2 * self.c_margin
        if self.get_string_width(text) <= room:
            # One line: cell() is many times faster than multi_cell's line breaking.
            self.cell(0, size * 0.5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        else:
            self.multi_cell(0, size * 0.5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _day(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d") if value is not None else "-"


def _summary_lines(applications: Sequence[JobApplication]) -> list[str]:
    counts: dict[str, int] = {}
    for application in applications:
        counts[application.status.value] = counts.get(application.status.value, 0) + 1
    companies = len({a.company.strip().lower() for a in applications})
    lines = [f"Applications: {len(applications)} to {companies} companies"]
    if applications:
        first = min(a.application_date for a in applications)
        last = max(a.application_date for a in applications)
        lines.append(f"First application: {_day(first)}; latest: {_day(last)}")
    lines += [f"{status_label(status)}: {n}" for status, n in sorted(counts.items())]
    return lines


def _timeline_lines(entries: Sequence[ApplicationStatusHistory]) -> list[str]:
    lines = []
    for entry in entries:
        move = status_label(entry.to_status)
        note = f" - {entry.notes}" if entry.notes else ""
        lines.append(f"{_day(entry.changed_at)}  {move}{note}")
    return lines


def applications_pdf(
    header: ReportHeader,
    applications: Sequence[JobApplication],
    timelines: Mapping[int, Sequence[ApplicationStatusHistory]],
    cover_letters: Mapping[int, str] | None = None,
) -> bytes:
    """A readable job search record: profile, period, summary, each application.

    ``cover_letters`` (application id -> text) prints each application's letter
    under it, its first :data:`PDF_LETTER_CHARS` characters.
    """
    pdf = _Report()
    pdf.add_page()
    pdf.paragraph("Job search record", size=18, bold=True)
    where = f", {header.location}" if header.location else ""
    pdf.paragraph(f"{header.name} <{header.email}>{where}")
    pdf.paragraph(f"Period: {header.period}")
    pdf.paragraph(f"Generated: {utcnow().strftime('%Y-%m-%d %H:%M')} UTC")
    pdf.ln(3)
    pdf.paragraph("Summary", size=13, bold=True)
    for text in _summary_lines(applications):
        pdf.paragraph(text, indent=4)
    pdf.ln(3)
    pdf.paragraph("Applications", size=13, bold=True)
    for application in applications:
        pdf.ln(1.5)
        pdf.paragraph(f"{application.company} - {application.job_title}", size=11, bold=True)
        details = [
            f"Applied {_day(application.application_date)}",
            f"status {status_label(application.status)}",
        ]
        if application.location:
            details.append(application.location)
        if application.source:
            details.append(f"via {application.source}")
        if application.interview_date:
            details.append(f"interview {_day(application.interview_date)}")
        pdf.paragraph(", ".join(details), size=9, indent=4)
        for text in _timeline_lines(timelines.get(application.id, ())):
            pdf.paragraph(text, size=9, indent=8)
        letter = (cover_letters or {}).get(application.id)
        if letter:
            pdf.paragraph("Cover letter", size=9, bold=True, indent=4)
            for line in _clipped(letter, PDF_LETTER_CHARS).splitlines():
                pdf.paragraph(line or " ", size=9, indent=8)
    content = bytes(pdf.output())
    pdf.text_fonts.log_replacements()
    return content
