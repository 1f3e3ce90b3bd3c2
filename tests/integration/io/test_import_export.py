"""Bulk add, CSV import and export, and the import command line."""

from __future__ import annotations

import csv
import json
import stat
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from cli import import_csv as import_cli
from database.connection import DatabaseManager, cleanup_database, init_database
from database.core.column_types import utcnow
from database.utilities import DatabaseUtils
from tests.support.checks import existing
from utils.errors import ValidationError


@pytest.fixture
def user(db: DatabaseManager) -> int:
    return DatabaseUtils.create_user(email="bulk@example.com").id


def rows(n: int, **extra: Any) -> list[dict[str, Any]]:
    return [
        {"job_title": f"Engineer {i}", "company": f"Co {i}", "job_description": "Rust and Go",
         "salary_min": 1000 * i, "status": "applied" if i % 2 else "screening", **extra}
        for i in range(n)
    ]  # fmt: skip


def write_csv(path: Path, header: list[str], *records: list[str]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(records)
    return path


def test_bulk_add_writes_applications_and_history(user: int) -> None:
    ids = DatabaseUtils.bulk_add_job_applications(user, rows(50))
    assert len(ids) == len(set(ids)) == 50
    apps = DatabaseUtils.get_user_applications(user)
    assert len(apps) == 50
    app = existing(DatabaseUtils.get_application(ids[4]))
    assert (app.job_title, app.salary_min, app.status.value) == ("Engineer 4", 4000, "screening")
    assert app.application_date.tzinfo is not None and app.posting_key
    history = DatabaseUtils.get_application_history(ids[4])
    assert [(h.from_status, h.to_status.value) for h in history] == [(None, "screening")]


def test_bulk_added_rows_are_searchable_and_ids_keep_counting(user: int) -> None:
    ids = DatabaseUtils.bulk_add_job_applications(user, rows(3))
    assert len(DatabaseUtils.search_applications(user, "rust")) == 3
    later = DatabaseUtils.add_job_application(user, "Later", "Co")
    assert later.id > max(ids)
    stats = DatabaseUtils.get_application_statistics(user)
    assert stats["total_applications"] == 4


def test_one_bad_row_rejects_the_batch(user: int) -> None:
    batch = rows(3)
    batch[1]["salary_min"] = -5
    with pytest.raises(ValidationError) as caught:
        DatabaseUtils.bulk_add_job_applications(user, batch)
    assert caught.value.field == "rows[1].salary_min"
    assert DatabaseUtils.get_user_applications(user) == []


@pytest.mark.parametrize(
    ("batch", "field"),
    [([{"company": "x"}], "rows[0].job_title"), ([{"job_title": "a", "company": "b", "id": 4}],
      "rows[0].id"), ([{"job_title": "a", "company": "b", "status": "nope"}], "rows[0].status"),
     (["not a mapping"], "rows[0].row"), ("text", "rows")],
)  # fmt: skip
def test_bad_rows_name_row_and_field(user: int, batch: Any, field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        DatabaseUtils.bulk_add_job_applications(user, batch)
    assert caught.value.field == field


def test_bulk_refuses_another_users_resume(user: int) -> None:
    other = DatabaseUtils.create_user(email="o@example.com").id
    resume = DatabaseUtils.add_resume(other, "cv.pdf", "/cv.pdf").id
    with pytest.raises(ValidationError) as caught:
        DatabaseUtils.bulk_add_job_applications(user, rows(1, resume_id=resume))
    assert caught.value.field == "rows[0].resume_id"


def test_import_reports_added_skipped_and_rejected_rows(user: int, tmp_path: Path) -> None:
    DatabaseUtils.add_job_application(user, "Platform Engineer", "Hooli", location="Remote")
    path = write_csv(
        tmp_path / "jobs.csv",
        ["Title", "Company", "Location", "Salary Min", "Remote", "Date", "Status", "Notes"],
        ["Data Analyst", "Initech", "Austin", "60,000", "yes", "2024-03-01", "applied", ""],
        ["Platform Engineer", "hooli", "remote", "", "no", "", "", ""],
        ["QA Lead", "Umbrella", "", "lots", "", "", "", ""],
        ["", "NoTitle Inc", "", "", "", "", "", ""],
        ["ML Engineer", "Globex", "", "", "", "2024-02-30", "", ""],
        ["SRE", "Massive", "", "", "", "", "interviewed", "'=1+1"],
    )
    report = DatabaseUtils.import_applications_csv(user, path)
    assert (report.added, report.skipped_duplicates, report.updated) == (2, 1, 0)
    assert [(r.row, r.field) for r in report.rejected] == [
        (4, "salary_min"), (5, "job_title"), (6, "application_date"),
    ]  # fmt: skip
    assert all(r.reason for r in report.rejected)
    by_title = {a.job_title: a for a in DatabaseUtils.get_user_applications(user)}
    analyst = by_title["Data Analyst"]
    assert (analyst.salary_min, analyst.is_remote) == (60000, True)
    assert analyst.application_date.date().isoformat() == "2024-03-01"
    assert by_title["SRE"].status.value == "interviewed" and by_title["SRE"].notes == "=1+1"


def test_import_with_column_map_and_update_policy(user: int, tmp_path: Path) -> None:
    first = DatabaseUtils.add_job_application(user, "Dev", "Acme", salary_min=1)
    path = write_csv(tmp_path / "m.csv", ["Role", "Firm", "Pay"], ["Dev", "Acme", "9000"])
    report = DatabaseUtils.import_applications_csv(
        user, path, column_map={"Firm": "company", "Pay": "salary_min"}, on_duplicate="update"
    )
    assert (report.added, report.updated) == (0, 1)
    assert existing(DatabaseUtils.get_application(first.id)).salary_min == 9000


@pytest.mark.parametrize(
    ("header", "column_map", "field"),
    [(["Company"], None, "file"), (["Title", "Company"], {"Title": "salary"}, "column_map"),
     (["Title", "Company"], {"Title": "company"}, "column_map")],
)  # fmt: skip
def test_unusable_columns_are_a_validation_error(
    user: int, tmp_path: Path, header: list[str], column_map: dict[str, str] | None, field: str
) -> None:
    path = write_csv(tmp_path / "bad.csv", header, ["a"] * len(header))
    with pytest.raises(ValidationError) as caught:
        DatabaseUtils.import_applications_csv(user, path, column_map=column_map)
    assert caught.value.field == field


def test_missing_or_empty_file_is_a_validation_error(user: int, tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as caught:
        DatabaseUtils.import_applications_csv(user, tmp_path / "none.csv")
    assert caught.value.field == "path"
    (tmp_path / "empty.csv").write_text("job_title,company\n")
    with pytest.raises(ValidationError) as caught:
        DatabaseUtils.import_applications_csv(user, tmp_path / "empty.csv")
    assert caught.value.field == "file"


def test_export_writes_history_owner_only_and_round_trips(user: int, tmp_path: Path) -> None:
    app = DatabaseUtils.add_job_application(
        user, "Analyst", "Initech", location="Austin", salary_min=50000, is_remote=True,
        job_description='Line one\nline "two", and =SUM(A1)', match_score=71.5,
    )  # fmt: skip
    DatabaseUtils.update_application_status(app.id, "screening", notes="phone call")
    DatabaseUtils.add_job_application(user, "Other", "Co")
    out = tmp_path / "export.csv"
    assert DatabaseUtils.export_applications_csv(user, out) == 2
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    with out.open(newline="", encoding="utf-8") as handle:
        records = list(csv.DictReader(handle))
    first = records[0]
    assert first["job_description"].startswith("Line one\n")
    history = json.loads(first["status_history"])
    assert [h["status"] for h in history] == ["applied", "screening"]
    assert history[1]["notes"] == "phone call"

    other = DatabaseUtils.create_user(email="copy@example.com").id
    report = DatabaseUtils.import_applications_csv(other, out)
    assert (report.added, report.rejected) == (2, [])
    assert set(report.ignored_columns) == {"id", "status_changed_at", "resume_id"}
    copy = next(a for a in DatabaseUtils.get_user_applications(other) if a.job_title == "Analyst")
    assert (copy.salary_min, copy.is_remote, copy.match_score, copy.status.value) == (
        50000, True, 71.5, "screening",
    )  # fmt: skip
    assert copy.job_description == 'Line one\nline "two", and =SUM(A1)'


def test_export_of_one_status(user: int, tmp_path: Path) -> None:
    app = DatabaseUtils.add_job_application(user, "A", "B")
    DatabaseUtils.add_job_application(user, "C", "D")
    DatabaseUtils.update_application_status(app.id, "rejected")
    assert DatabaseUtils.export_applications_csv(user, tmp_path / "r.csv", status="rejected") == 1


def test_command_line_imports_with_a_summary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    init_database("development")
    user = DatabaseUtils.create_user(email="cli@example.com").id
    cleanup_database()
    path = write_csv(tmp_path / "in.csv", ["job_title", "company", "salary_min"],
                     ["Dev", "Acme", "100"], ["QA", "Umbrella", "x"])  # fmt: skip
    assert import_cli.main(["import", str(path), "--user", "cli@example.com"]) == 3
    captured = capsys.readouterr()
    assert "CSV import" in captured.out and "salary_min" in captured.out
    assert captured.err == "import_cli: 1 row was rejected\n"
    clean = write_csv(tmp_path / "clean.csv", ["job_title", "company"], ["Ops", "Initech"])
    assert import_cli.main(["import", str(clean), "--user", "cli@example.com"]) == 0
    assert capsys.readouterr().err == ""
    assert import_cli.main(["export", str(tmp_path / "out.csv"), "-u", "cli@example.com"]) == 0
    init_database("development")
    assert len(DatabaseUtils.get_user_applications(user)) == 2


def test_command_line_error_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    code = import_cli.main(["import", str(tmp_path / "x.csv"), "--user", "nobody@example.com"])
    err = capsys.readouterr().err
    assert code == 1
    assert err.count("\n") == 1 and err.startswith("import_cli: error: --user")


def test_import_with_fail_policy_names_the_csv_row(user: int, tmp_path: Path) -> None:
    DatabaseUtils.add_job_application(user, "Dev", "Acme")
    path = write_csv(tmp_path / "f.csv", ["job_title", "company"], ["New", "Co"], ["dev", "ACME"])
    with pytest.raises(ValidationError) as caught:
        DatabaseUtils.import_applications_csv(user, path, on_duplicate="fail")
    assert caught.value.field == "file" and "row 3" in caught.value.rule
    assert len(DatabaseUtils.get_user_applications(user)) == 1


# -- status dates -----------------------------------------------------------------


def iso(moment: datetime) -> str:
    return moment.isoformat()


def history(app_id: int) -> list[tuple[str | None, str, datetime, str | None]]:
    return [(h.from_status and h.from_status.value, h.to_status.value, h.changed_at, h.notes)
            for h in DatabaseUtils.get_application_history(app_id)]  # fmt: skip


def test_import_dates_each_move_from_status_columns(user: int, tmp_path: Path) -> None:
    now = utcnow()
    applied, screened, rejected = (now - timedelta(days=d) for d in (30, 20, 10))
    path = write_csv(
        tmp_path / "dated.csv",
        ["Title", "Company", "Applied At", "screening_at", "rejected_at"],
        ["Dev", "Acme", iso(applied), iso(screened), iso(rejected)],
        ["QA", "Umbrella", "2024-03-01", "2024-03-01", ""],
    )
    report = DatabaseUtils.import_applications_csv(user, path)
    assert (report.added, report.rejected, report.ignored_columns) == (2, [], [])
    by_title = {a.job_title: a for a in DatabaseUtils.get_user_applications(user)}
    dev = by_title["Dev"]
    assert (dev.status.value, dev.status_changed_at, dev.application_date) == (
        "rejected", rejected, applied,
    )  # fmt: skip
    assert history(dev.id) == [
        (None, "applied", applied, None),
        ("applied", "screening", screened, None),
        ("screening", "rejected", rejected, None),
    ]
    qa = by_title["QA"]  # the same day: pipeline order
    assert [h[1] for h in history(qa.id)] == ["applied", "screening"]
    assert qa.status.value == "screening"


def test_import_reads_the_status_history_the_export_writes(user: int, tmp_path: Path) -> None:
    now = utcnow()
    moves = [
        {"status": "applied", "at": iso(now - timedelta(days=9)), "notes": None},
        {"status": "interviewed", "at": iso(now - timedelta(days=2)), "notes": " ok\n"},
    ]
    path = write_csv(tmp_path / "h.csv", ["job_title", "company", "status", "status_history"],
                     ["Dev", "Acme", "interviewed", json.dumps(moves)])  # fmt: skip
    assert DatabaseUtils.import_applications_csv(user, path).added == 1
    (app,) = DatabaseUtils.get_user_applications(user)
    assert history(app.id) == [
        (None, "applied", now - timedelta(days=9), None),
        ("applied", "interviewed", now - timedelta(days=2), " ok\n"),
    ]
    assert app.status_changed_at == now - timedelta(days=2)
    assert app.application_date == now - timedelta(days=9)


def test_without_status_dates_the_history_starts_on_the_application_date(
    user: int, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "plain.csv", ["job_title", "company", "status", "date"],
                     ["Dev", "Acme", "screening", "2024-02-10T09:30:00+02:00"],
                     ["QA", "Umbrella", "", ""])  # fmt: skip
    before = utcnow()
    assert DatabaseUtils.import_applications_csv(user, path).added == 2
    by_title = {a.job_title: a for a in DatabaseUtils.get_user_applications(user)}
    dev = by_title["Dev"]
    assert dev.status_changed_at.isoformat() == "2024-02-10T07:30:00+00:00"
    assert history(dev.id) == [(None, "screening", dev.application_date, None)]
    qa = by_title["QA"]
    assert qa.application_date >= before and qa.status_changed_at == qa.application_date


def test_bad_status_dates_reject_the_row_naming_the_column(user: int, tmp_path: Path) -> None:
    now = utcnow()
    late, early = iso(now + timedelta(days=2)), iso(now - timedelta(days=40))
    unordered = json.dumps(
        [
            {"status": "applied", "at": iso(now - timedelta(days=1))},
            {"status": "screening", "at": iso(now - timedelta(days=3))},
        ]
    )
    path = write_csv(
        tmp_path / "bad.csv",
        ["job_title", "company", "status", "application_date", "applied_at", "screening_at",
         "status_history"],
        ["Future", "A", "", "", iso(now - timedelta(days=5)), late, ""],
        ["Early", "B", "", iso(now - timedelta(days=10)), early, "", ""],  # kept: dates get edited
        ["Unordered", "C", "", "", "", "", unordered],
        ["Mismatch", "D", "rejected", "", early, iso(now - timedelta(days=30)), ""],
        ["Both", "E", "", "", early, "", unordered],
        ["Garbage", "F", "", "", "", "", "not json"],
        ["Deep", "F", "", "", "", "", "[" * 100_000],
        ["Bad date", "G", "", "", "", "yesterday", ""],
        ["Fine", "H", "", "", early, "", ""],
    )  # fmt: skip
    report = DatabaseUtils.import_applications_csv(user, path)
    assert report.added == 2
    assert [(r.row, r.field) for r in report.rejected] == [
        (2, "screening_at"), (4, "status_history"), (5, "status"),
        (6, "status_history"), (7, "status_history"), (8, "status_history"), (9, "screening_at"),
    ]  # fmt: skip
    reasons = [r.reason for r in report.rejected]
    assert "future" in reasons[0] and "previous move" in reasons[1]
    assert "screening" in reasons[2]
    titles = {a.job_title for a in DatabaseUtils.get_user_applications(user)}
    assert titles == {"Early", "Fine"}


def test_bulk_add_writes_the_dated_history(user: int) -> None:
    now = utcnow()
    moves = [
        {"status": "applied", "at": now - timedelta(days=7, microseconds=5)},
        {"status": "screening", "at": now - timedelta(days=3), "notes": "call"},
    ]
    ids = DatabaseUtils.bulk_add_job_applications(
        user, [{"job_title": "Dev", "company": "Acme", "status_history": moves}, *rows(2)]
    )
    app = existing(DatabaseUtils.get_application(ids[0]))
    assert (app.status.value, app.application_date, app.status_changed_at) == (
        "screening", now - timedelta(days=7, microseconds=5), now - timedelta(days=3),
    )  # fmt: skip
    assert history(ids[0]) == [
        (None, "applied", now - timedelta(days=7, microseconds=5), None),
        ("applied", "screening", now - timedelta(days=3), "call"),
    ]


@pytest.mark.parametrize(
    ("moves", "field"),
    [([{"status": "applied", "at": "soon"}], "rows[1].status_history[0].at"),
     ([{"status": "nope", "at": "2024-01-01"}], "rows[1].status_history[0].status"),
     ([{"status": "applied"}], "rows[1].status_history[0].at"),
     ([{"status": "applied", "at": "2024-01-01", "by": "me"}], "rows[1].status_history[0].by"),
     (["applied"], "rows[1].status_history[0]"), ("applied", "rows[1].status_history"),
     ([{"status": "applied", "at": "2024-01-02"}, {"status": "rejected", "at": "2024-01-01"}],
      "rows[1].status_history[1].at"),
     ([{"status": "applied", "at": "2999-01-01"}], "rows[1].status_history[0].at")],
)  # fmt: skip
def test_bulk_add_refuses_bad_moves(user: int, moves: Any, field: str) -> None:
    batch = rows(2)
    batch[1]["status_history"] = moves
    with pytest.raises(ValidationError) as caught:
        DatabaseUtils.bulk_add_job_applications(user, batch)
    assert caught.value.field == field
    assert DatabaseUtils.get_user_applications(user) == []


def test_imported_dates_drive_time_in_stage_and_follow_ups(user: int, tmp_path: Path) -> None:
    now = utcnow()

    def ago(days: int) -> str:
        return iso(now - timedelta(days=days))

    path = write_csv(
        tmp_path / "pipeline.csv",
        ["job_title", "company", "status", "application_date", "applied_at", "screening_at",
         "interview_scheduled_at", "rejected_at"],
        ["A", "A", "", "", ago(30), ago(20), ago(16), ago(10)],
        ["B", "B", "", "", ago(25), ago(21), "", ""],
        ["C", "C", "", "", ago(12), "", "", ""],
        ["D", "D", "interviewed", ago(40), "", "", "", ""],
    )  # fmt: skip
    assert DatabaseUtils.import_applications_csv(user, path).added == 4
    stays = {s["status"]: s for s in DatabaseUtils.get_time_in_stage(user)}
    assert set(stays) == {"applied", "screening", "interview_scheduled", "interviewed"}
    # applied: A 10 days, B 4, C 12 so far; screening: A 4, B 21 so far.
    assert (stays["applied"]["median_days"], stays["applied"]["p75_days"]) == (10.0, 11.0)
    assert (stays["applied"]["applications"], stays["applied"]["current"]) == (3, 1)
    assert (stays["screening"]["median_days"], stays["screening"]["p75_days"]) == (12.5, 16.8)
    assert stays["interview_scheduled"]["median_days"] == 6.0
    assert stays["interviewed"]["median_days"] == 40.0
    stale = DatabaseUtils.get_stale_applications(user, days=14)
    assert [(s["job_title"], s["status"], s["days_since_change"]) for s in stale] == [
        ("D", "interviewed", 40), ("B", "screening", 21),
    ]  # fmt: skip
    response = DatabaseUtils.get_response_stats(user)
    # A 10 days, B 4, D 0: its only known status (a response) is dated on the application.
    assert response["median_days_to_first_response"] == 4.0
