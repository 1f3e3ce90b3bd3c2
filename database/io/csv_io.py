"""CSV import and export of a user's applications.

Import reads a CSV file (UTF-8, with a header row), maps its columns to
application fields (by name, by a few common aliases, or by ``column_map``),
checks every row, and adds the valid ones in one transaction through
:mod:`database.domain.bulk`. Rows that break a rule are reported (row number as a
spreadsheet shows it, the header being row 1, and the reason), never half
written. Duplicate postings are skipped by default.

Status dates: a ``status_history`` column (the JSON list of ``{"status",
"at", "notes"}`` the export writes) or, in a hand-made file, one
``<status>_at`` column per status (``applied_at``, ``screening_at``,
``interview_scheduled_at``, ...) dates each move; the row's status must be the
last one. Without either, the history is the status since the application date.
A ``tags`` column holds tag names, comma-separated; each row's tags are added
to the application it becomes (a skipped duplicate keeps its own).

Export writes one row per application with its status history to a file
readable by its owner only. Values round-trip exactly: text cells keep their
spaces and line breaks; a text cell beginning with ``= + - @``, a tab, a
carriage return or an apostrophe gets one more leading apostrophe (so a
spreadsheet shows it as text), and the import removes one leading apostrophe
only when one of those follows it. An empty cell is no value.
"""

from __future__ import annotations

import csv
import json
import os
import re
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from itertools import groupby
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from database.core.column_types import as_utc
from database.domain import duplicates, events, tags, users
from database.domain.bulk import (
    HISTORY_FIELD,
    BulkResult,
    CheckedRow,
    check_resumes,
    check_row,
    write_checked,
)
from database.domain.duplicates import OnDuplicate, parse_on_duplicate
from database.domain.schemas import ApplicationCreate, parse_status
from database.models import (
    ApplicationStatus,
    ApplicationStatusHistory,
    ApplicationTag,
    JobApplication,
    Tag,
)
from utils.errors import ValidationError

Progress = Callable[[int, int], None]
#: ``<status>_at`` columns: when the application entered that status.
STATUS_DATE_COLUMNS = {f"{s.value}_at": s for s in ApplicationStatus}
#: The column of an application's tags: their names, comma-separated.
TAGS_FIELD = "tags"
IMPORT_FIELDS = frozenset(ApplicationCreate.model_fields) | {
    HISTORY_FIELD,
    TAGS_FIELD,
    *STATUS_DATE_COLUMNS,
}
#: Columns an export writes that an import leaves alone (ids belong to one database;
#: the status date is the last move's).
EXPORT_ONLY = frozenset({"id", "status_changed_at", "resume_id"})
ALIASES = {
    "title": "job_title", "position": "job_title", "role": "job_title",
    "employer": "company", "organisation": "company", "organization": "company",
    "url": "job_url", "link": "job_url", "description": "job_description",
    "date": "application_date", "applied": "application_date", "applied_on": "application_date",
    "remote": "is_remote", "score": "match_score", "board": "source",
}  # fmt: skip
EXPORT_COLUMNS = (
    "id", "job_title", "company", "location", "job_url", "source", "status",
    "application_date", "status_changed_at", "salary_min", "salary_max", "salary_currency",
    "job_type", "is_remote", "match_score", "interview_date", "interview_type", "resume_id",
    "notes", "job_description", "status_history", "tags",
)  # fmt: skip
_INTEGERS = {"salary_min", "salary_max", "resume_id"}
_FLOATS = {"match_score"}
_BOOLEANS = {"is_remote"}
_TIMES = {"application_date", "interview_date", *STATUS_DATE_COLUMNS}
#: Cells that are not free text: surrounding spaces are no part of their value.
_TRIMMED = (
    _INTEGERS
    | _FLOATS
    | _BOOLEANS
    | _TIMES
    | {"status", "salary_currency", HISTORY_FIELD, TAGS_FIELD}
)
_TRUE = {"true", "yes", "y", "1", "t"}
_FALSE = {"false", "no", "n", "0", "f"}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_ESCAPED_START = (*_FORMULA_START, "'")
#: Largest cell read, in characters (the csv module's guard against runaway fields).
MAX_FIELD_SIZE = 16 * 1024 * 1024


@dataclass
class RejectedRow:
    """A CSV row that was not imported, and why."""

    row: int
    field: str
    reason: str


@dataclass
class ImportReport:
    """What an import did."""

    added: int = 0
    skipped_duplicates: int = 0
    updated: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The report as plain data."""
        return {
            "added": self.added,
            "skipped_duplicates": self.skipped_duplicates,
            "updated": self.updated,
            "rejected": [vars(r) for r in self.rejected],
            "ignored_columns": list(self.ignored_columns),
        }


def _normal(header: str) -> str:
    return "_".join(header.strip().lower().replace("-", " ").split())


def resolve_columns(
    headers: list[str], column_map: Mapping[str, str] | None
) -> tuple[dict[str, str], list[str]]:
    """CSV header -> field, and the headers left out."""
    if column_map is not None:
        if not isinstance(column_map, Mapping):
            raise ValidationError("column_map", "must map CSV column names to field names")
        for header, target in column_map.items():
            if target not in IMPORT_FIELDS:
                raise ValidationError(
                    "column_map", f"{target!r} is not an application field", header
                )
    mapping: dict[str, str] = {}
    ignored: list[str] = []
    for header in headers:
        mapped = (column_map or {}).get(header)
        if mapped is None:
            normal = _normal(header)
            mapped = ALIASES.get(normal, normal)
            if mapped in EXPORT_ONLY or mapped not in IMPORT_FIELDS:
                ignored.append(header)
                continue
        if mapped in mapping.values():
            raise ValidationError("column_map", f"two columns map to {mapped!r}", header)
        mapping[header] = mapped
    if not {"job_title", "company"} <= set(mapping.values()):
        raise ValidationError("file", "needs columns for job_title and company")
    return mapping, ignored


def _unescape(cell: str) -> str:
    """Undo :func:`_escape`: exactly one apostrophe it added, nothing else."""
    if cell.startswith("'") and cell[1:].startswith(_ESCAPED_START):
        return cell[1:]
    return cell


def _escape(text: str) -> str:
    return "'" + text if text.startswith(_ESCAPED_START) else text


def parse_cell(name: str, cell: str) -> Any:
    """The typed value of a CSV cell for field ``name`` (``None`` when empty).

    Free-text cells keep every character (spaces and line breaks included).
    """
    if name not in _TRIMMED:
        return _unescape(cell) if cell else None
    cell = _unescape(cell.strip())
    if cell == "":
        return None
    if name == HISTORY_FIELD:
        return _history_entries(cell)
    if name == TAGS_FIELD:
        return tags.check_names(tags.split_text(cell), TAGS_FIELD) or None
    if name in _INTEGERS:
        try:
            return int(cell.replace(",", "").replace(" ", ""))
        except ValueError:
            raise ValidationError(name, "must be a whole number", cell) from None
    if name in _FLOATS:
        try:
            return float(cell)
        except ValueError:
            raise ValidationError(name, "must be a number", cell) from None
    if name in _BOOLEANS:
        if cell.lower() in _TRUE | _FALSE:
            return cell.lower() in _TRUE
        raise ValidationError(name, "must be yes/no, true/false or 1/0", cell)
    if name in _TIMES:
        try:
            return datetime.fromisoformat(cell)
        except ValueError:
            raise ValidationError(name, "must be a date like 2024-01-31", cell) from None
    return cell


def _history_entries(cell: str) -> Any:
    try:
        entries = json.loads(cell)
    except (ValueError, RecursionError):  # nesting too deep is no history either
        entries = None
    if not isinstance(entries, list):
        rule = 'must be a JSON list of {"status", "at", "notes"} like the export writes'
        raise ValidationError(HISTORY_FIELD, rule, cell[:100])
    return entries or None


def _with_history(values: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """``values`` with the ``<status>_at`` columns as a ``status_history``, and the
    column of each entry (to name it in a rejection)."""
    dated = {name: values.pop(name) for name in STATUS_DATE_COLUMNS if name in values}
    if not dated:
        return values, [HISTORY_FIELD] * len(values.get(HISTORY_FIELD) or ())
    if HISTORY_FIELD in values:
        raise ValidationError(HISTORY_FIELD, "give status_history or <status>_at columns, not both")
    order = list(STATUS_DATE_COLUMNS)  # same day: pipeline order
    columns = sorted(dated, key=lambda c: (as_utc(dated[c]), order.index(c)))
    values[HISTORY_FIELD] = [{"status": STATUS_DATE_COLUMNS[c], "at": dated[c]} for c in columns]
    return values, columns


def _check(values: dict[str, Any]) -> CheckedRow:
    """One parsed row checked; a rejected move names its own CSV column."""
    values, columns = _with_history(values)
    try:
        return check_row(values)
    except ValidationError as exc:
        match = re.match(rf"{HISTORY_FIELD}\[(\d+)\]", exc.field)
        if match is None:
            raise
        raise ValidationError(columns[int(match.group(1))], exc.rule, exc.value) from None


def _open_csv(path: Path | str) -> Iterator[dict[str, str]]:
    file = Path(path)
    if not file.is_file():
        raise ValidationError("path", "must name an existing CSV file", str(file))
    csv.field_size_limit(MAX_FIELD_SIZE)
    with file.open(newline="", encoding="utf-8-sig") as handle:
        try:
            yield from csv.DictReader(handle)
        except (csv.Error, UnicodeDecodeError) as exc:
            raise ValidationError("file", f"is not a readable UTF-8 CSV file ({exc})") from None


def read_rows(
    path: Path | str, column_map: Mapping[str, str] | None
) -> tuple[list[tuple[int, dict[str, Any] | RejectedRow]], list[str]]:
    """Each data row as field values (or its rejection), with the ignored columns."""
    rows: list[tuple[int, dict[str, Any] | RejectedRow]] = []
    mapping: dict[str, str] | None = None
    ignored: list[str] = []
    for number, record in enumerate(_open_csv(path), start=2):
        if mapping is None:
            mapping, ignored = resolve_columns(list(record), column_map)
        if None in record:
            rows.append((number, RejectedRow(number, "row", "has more cells than the header")))
            continue
        try:
            values = {
                name: parse_cell(name, record.get(header) or "") for header, name in mapping.items()
            }
        except ValidationError as exc:
            rows.append((number, RejectedRow(number, exc.field, exc.rule)))
            continue
        rows.append((number, {k: v for k, v in values.items() if v is not None}))
    if mapping is None:
        raise ValidationError("file", "has no data rows (a header row and at least one row)")
    return rows, ignored


def import_csv(
    session: Session,
    user_id: int,
    path: Path | str,
    column_map: Mapping[str, str] | None = None,
    on_duplicate: OnDuplicate | str = OnDuplicate.SKIP,
    progress: Progress | None = None,
) -> ImportReport:
    """Import the CSV at ``path`` into the user's applications (see the module docstring)."""
    policy = parse_on_duplicate(on_duplicate)
    users.ensure_exists(session, user_id)
    rows, ignored = read_rows(path, column_map)
    report = ImportReport(ignored_columns=ignored)
    valid: list[CheckedRow] = []
    numbers: list[int] = []  # the CSV row of each valid row
    row_tags: list[list[str]] = []  # the tags of each valid row
    for done, (number, values) in enumerate(rows, start=1):
        if isinstance(values, RejectedRow):
            report.rejected.append(values)
        else:
            try:
                names = values.pop(TAGS_FIELD, None) or []
                checked = _check(values)
                check_resumes(session, user_id, [checked.data])
                valid.append(checked)
                numbers.append(number)
                row_tags.append(names)
            except ValidationError as exc:
                report.rejected.append(RejectedRow(number, exc.field.split(".")[-1], exc.rule))
        if progress is not None and (done % 1000 == 0 or done == len(rows)):
            progress(done, len(rows))
    keep_own = policy is OnDuplicate.SKIP and any(row_tags)
    skipped = _existing_ids(session, user_id) if keep_own else set()
    try:
        result: BulkResult = write_checked(session, user_id, valid, policy)
    except ValidationError as exc:  # on_duplicate="fail": name the CSV row
        match = re.match(r"rows\[(\d+)\]\.", exc.field)
        if match is None:
            raise
        row = numbers[int(match.group(1))]
        rule = f"row {row} is a posting already tracked or repeats an earlier row"
        raise ValidationError("file", rule) from None
    _tag_rows(session, result, row_tags, skipped)
    report.added, report.skipped_duplicates, report.updated = (
        result.added,
        result.skipped,
        result.updated,
    )
    events.imported(session, user_id, result, "csv", rejected=len(report.rejected))
    return report


def _existing_ids(session: Session, user_id: int) -> set[int]:
    """The ids of the user's applications a skipped duplicate row may name."""
    return set(duplicates.existing_keys(session, user_id).values())


def _tag_rows(
    session: Session, result: BulkResult, row_tags: list[list[str]], skipped: set[int]
) -> None:
    """Add each row's tags to the application it became (a skipped duplicate keeps its own)."""
    for application_id, names in zip(result.ids, row_tags, strict=True):
        if names and application_id not in skipped:
            tags.add_tags(session, application_id, names)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return as_utc(value).isoformat()
    if isinstance(value, ApplicationStatus):
        return value.value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return _escape(value)
    return str(value)  # numbers: repr-exact, and never negative


def _history_json(rows: list[Any]) -> str:
    entries = [
        {"status": ApplicationStatus(r.to_status).value, "at": as_utc(r.changed_at).isoformat(),
         "notes": r.notes}
        for r in rows
        if r.to_status is not None
    ]  # fmt: skip
    return json.dumps(entries, ensure_ascii=False)


def export_csv(
    session: Session,
    user_id: int,
    path: Path | str,
    status: ApplicationStatus | str | None = None,
) -> int:
    """Write the user's applications (oldest first) with their history; returns the row count.

    The file is created with mode 0600 and replaced atomically.
    """
    wanted = parse_status(status) if status is not None else None
    users.ensure_exists(session, user_id)
    target = Path(path)
    if not target.parent.is_dir():
        raise ValidationError("path", "must be in an existing folder", str(target))
    app, history = JobApplication, ApplicationStatusHistory
    query = (
        select(app, history.to_status, history.changed_at, history.notes.label("h_notes"))
        .outerjoin(history, history.application_id == app.id)
        .where(app.user_id == user_id)
        .order_by(app.id, history.changed_at, history.id)
    )
    if wanted is not None:
        query = query.where(app.status == wanted)
    tagged = _tag_cells(session, user_id)
    fd, temp_name = tempfile.mkstemp(prefix=".export-", suffix=".csv", dir=target.parent)
    count = 0
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(EXPORT_COLUMNS)
            result = session.execute(query.execution_options(yield_per=1000))
            for application, group in groupby(result, key=lambda r: r[0]):
                entries = [_HistoryRow(r.to_status, r.changed_at, r.h_notes) for r in group]
                values = [getattr(application, c, None) for c in EXPORT_COLUMNS[:-2]]
                history_cell = _history_json(entries)
                writer.writerow([*map(_cell, values), history_cell, tagged.get(application.id, "")])
                session.expunge(application)
                count += 1
        os.replace(temp_name, target)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    return count


def _tag_cells(session: Session, user_id: int) -> dict[int, str]:
    """The tags cell of each of the user's tagged applications: names, comma-separated."""
    rows = session.execute(
        select(ApplicationTag.application_id, Tag.name)
        .join(Tag, Tag.id == ApplicationTag.tag_id)
        .where(ApplicationTag.user_id == user_id)
        .order_by(ApplicationTag.application_id, Tag.name_key)
    )
    return {
        application_id: _escape(", ".join(name for _, name in group))
        for application_id, group in groupby(rows, key=lambda r: r[0])
    }


@dataclass
class _HistoryRow:
    to_status: Any
    changed_at: Any
    notes: str | None
