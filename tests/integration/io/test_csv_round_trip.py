"""Our own CSV export re-imports to exactly the same values, hostile text included."""

from __future__ import annotations

import csv
from datetime import timedelta
from itertools import cycle, islice
from pathlib import Path
from typing import Any

import pytest

from database.connection import DatabaseManager
from database.core.column_types import utcnow
from database.models import JobApplication
from database.utilities import DatabaseUtils

#: Text a spreadsheet or a careless import would change: padding, line breaks,
#: apostrophes, formula starts, separators, quotes.
HOSTILE = (
    "  padded both sides  ",
    "\nleading newline",
    "trailing newline\n",
    "multi\nline\r\nwith CRLF\rand CR",
    "'quoted",
    "'",
    "''",
    "'=already escaped",
    "'hello",
    "=SUM(A1:A3)",
    "+27 21 555 0100",
    "-minus first",
    "@handle",
    "\ttab first",
    "\rcarriage return first",
    "\u2028line separator\x85next line\x0bvt\x0cff",
    'comma, "double quotes", semicolon;',
    "émoji 👩‍💻 and RTL \u202eabc\u202c",
    "   ",
    "trailing spaces   ",
)
TEXT_LIMITS = {
    "job_title": 200, "company": 200, "location": 200, "job_url": 2048, "source": 50,
    "job_type": 50, "interview_type": 50, "notes": None,
}  # fmt: skip
COMPARED = (
    "job_title", "company", "location", "job_description", "job_url", "source", "status",
    "application_date", "status_changed_at", "salary_min", "salary_max", "salary_currency",
    "job_type", "is_remote", "match_score", "notes", "interview_date", "interview_type",
    "url_key", "posting_key",
)  # fmt: skip
SCORES = (0.0, 100.0, 0.30000000000000004, 1 / 3, 1e-300, 99.99999999999999, 71.5)
#: Web addresses as awkward as one can be: quotes, commas, formula starts, non-Latin text.
HOSTILE_URLS = (
    'https://example.com/jobs/1?q="a,b";c=d',
    "https://例え.jp/職/データ?名前=値#段落",
    "http://[::1]:8080/=cmd|'/c%20calc'!A0",
    "https://x.org/émoji/👩‍💻/\u202eabc\u202c",
    "HTTPS://UPPER.EXAMPLE/Path%20With%20Escapes",
)
BIG = "=" + "a long line, é ünïcode\n" * 45_000 + "   "  # over 1,000,000 characters


def _text(field: str, start: int) -> str:
    value = HOSTILE[start % len(HOSTILE)]
    if field in ("job_title", "company") and not value.strip():
        value = "\n" + value + "x"  # required fields must not be blank
    limit = TEXT_LIMITS[field]
    return value if limit is None else value[:limit]


def hostile_rows(count: int) -> list[dict[str, object]]:
    now = utcnow()
    rows = []
    scores = cycle(SCORES)
    for i in range(count):
        applied = now - timedelta(days=60 - i, microseconds=123_457 + i)
        moves = [
            {"status": "applied", "at": applied, "notes": None},
            {"status": "screening", "at": applied + timedelta(days=2, microseconds=1),
             "notes": _text("notes", i + 3)},
            {"status": "rejected", "at": applied + timedelta(days=9, seconds=7),
             "notes": "  " + _text("notes", i + 5) + "\n"},
        ][: 1 + i % 3]  # fmt: skip
        row: dict[str, object] = {name: _text(name, i + k) for k, name in enumerate(TEXT_LIMITS)}
        row["job_url"] = HOSTILE_URLS[i % len(HOSTILE_URLS)]
        row.update(
            job_description=BIG if i == 0 else "\n".join(islice(cycle(HOSTILE), i, i + 6)),
            salary_min=i * 1000,
            salary_max=2_000_000_000 if i % 2 else i * 1000,
            salary_currency=("EUR", "usd", "ZAR")[i % 3],
            is_remote=bool(i % 2),
            match_score=next(scores),
            interview_date=now + timedelta(days=3, microseconds=999_999 - i),
            application_date=applied,
            status_history=moves,
        )
        rows.append(row)
    return rows


def fields_of(application: JobApplication) -> dict[str, Any]:
    return {name: getattr(application, name) for name in COMPARED}


def history_of(application_id: int) -> list[tuple[Any, ...]]:
    return [
        (h.from_status, h.to_status, h.changed_at, h.notes)
        for h in DatabaseUtils.get_application_history(application_id)
    ]


def snapshot(user_id: int) -> list[tuple[dict[str, Any], list[tuple[Any, ...]]]]:
    apps = sorted(DatabaseUtils.get_user_applications(user_id), key=lambda a: a.id)
    return [(fields_of(a), history_of(a.id)) for a in apps]


@pytest.fixture
def owner(db: DatabaseManager) -> int:
    return DatabaseUtils.create_user(email="owner@example.com").id


def test_every_exported_value_re_imports_exactly(owner: int, tmp_path: Path) -> None:
    DatabaseUtils.bulk_add_job_applications(owner, hostile_rows(len(HOSTILE) + 3))
    made = DatabaseUtils.add_job_application(
        owner, '\'=HYPERLINK("x")', "  Co  ", notes="'@note\n", job_description="\r\n"
    )
    DatabaseUtils.update_application_status(made.id, "screening", notes="\t=1+1 ")
    out = tmp_path / "export.csv"
    assert DatabaseUtils.export_applications_csv(owner, out) == len(HOSTILE) + 4

    copy = DatabaseUtils.create_user(email="copy@example.com").id
    report = DatabaseUtils.import_applications_csv(copy, out, on_duplicate="allow")
    assert (report.added, report.rejected) == (len(HOSTILE) + 4, [])

    original, copied = snapshot(owner), snapshot(copy)
    assert len(copied) == len(original)
    for (fields, history), (copy_fields, copy_history) in zip(original, copied, strict=True):
        assert copy_fields == fields
        assert copy_history == history
    assert copied[0][0]["job_description"] == BIG
    assert copied[-1][0]["job_title"] == '\'=HYPERLINK("x")'


def test_re_exporting_an_import_gives_the_same_file(owner: int, tmp_path: Path) -> None:
    DatabaseUtils.bulk_add_job_applications(owner, hostile_rows(8))
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    DatabaseUtils.export_applications_csv(owner, first)
    copy = DatabaseUtils.create_user(email="copy@example.com").id
    DatabaseUtils.import_applications_csv(copy, first, on_duplicate="allow")
    DatabaseUtils.export_applications_csv(copy, second)

    def cells(path: Path) -> list[dict[str, str]]:
        with path.open(newline="", encoding="utf-8") as handle:
            return [{k: v for k, v in r.items() if k not in ("id", "resume_id")}
                    for r in csv.DictReader(handle)]  # fmt: skip

    assert cells(second) == cells(first)


def test_export_defuses_formulas_and_apostrophes(owner: int, tmp_path: Path) -> None:
    for title in ("=cmd|' /C calc'!A0", "'quoted", "plain 'inner'", "+1", "@SUM(1)"):
        DatabaseUtils.add_job_application(owner, title, "Co")
    out = tmp_path / "out.csv"
    DatabaseUtils.export_applications_csv(owner, out)
    with out.open(newline="", encoding="utf-8") as handle:
        titles = [r["job_title"] for r in csv.DictReader(handle)]
    assert titles == ["'=cmd|' /C calc'!A0", "''quoted", "plain 'inner'", "'+1", "'@SUM(1)"]


def test_hand_made_cells_keep_what_was_written(owner: int, tmp_path: Path) -> None:
    path = tmp_path / "mine.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["job_title", "company", "location", "notes", "salary_min", "status",
                         "is_remote", "application_date"])  # fmt: skip
        writer.writerow(["'hello", "  Acme  ", "\n", "'=1+1", " 60000 ", " Screening ",
                         " yes ", " 2024-03-01 "])  # fmt: skip
        writer.writerow(["''twice", "Co", "", "line\n  indented\n", "", "", "", ""])
        writer.writerow(["   ", "Blank title Inc", "", "", "", "", "", ""])
    report = DatabaseUtils.import_applications_csv(owner, path)
    assert report.added == 2
    assert [(r.row, r.field) for r in report.rejected] == [(4, "job_title")]
    by_title = {a.job_title: a for a in DatabaseUtils.get_user_applications(owner)}
    hello = by_title["'hello"]
    assert (hello.company, hello.location, hello.notes) == ("  Acme  ", "\n", "=1+1")
    assert (hello.salary_min, hello.status.value, hello.is_remote) == (60000, "screening", True)
    assert hello.application_date.isoformat() == "2024-03-01T00:00:00+00:00"
    twice = by_title["'twice"]
    assert (twice.notes, twice.location) == ("line\n  indented\n", None)


def test_an_application_date_edited_after_its_first_move_re_imports(
    owner: int, tmp_path: Path
) -> None:
    made = DatabaseUtils.add_job_application(owner, "Analyst", "Initech")
    DatabaseUtils.update_application_status(made.id, "screening")
    DatabaseUtils.update_application(made.id, application_date=utcnow() + timedelta(seconds=1))
    out = tmp_path / "export.csv"
    DatabaseUtils.export_applications_csv(owner, out)

    copy = DatabaseUtils.create_user(email="copy@example.com").id
    report = DatabaseUtils.import_applications_csv(copy, out)
    assert (report.added, report.rejected) == (1, [])
    assert snapshot(copy) == snapshot(owner)
