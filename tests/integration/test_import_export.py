"""Bulk add, CSV import and export, and the import command line."""

from __future__ import annotations

import csv
import json
import stat

import pytest

from database import import_cli
from database.connection import cleanup_database, init_database
from database.utilities import DatabaseUtils
from utils.errors import ValidationError


@pytest.fixture
def user(db):
    return DatabaseUtils.create_user(email="bulk@example.com").id


def rows(n, **extra):
    return [
        {"job_title": f"Engineer {i}", "company": f"Co {i}", "job_description": "Rust and Go",
         "salary_min": 1000 * i, "status": "applied" if i % 2 else "screening", **extra}
        for i in range(n)
    ]  # fmt: skip


def write_csv(path, header, *records):
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(records)
    return path


def test_bulk_add_writes_applications_and_history(user):
    ids = DatabaseUtils.bulk_add_job_applications(user, rows(50))
    assert len(ids) == len(set(ids)) == 50
    apps = DatabaseUtils.get_user_applications(user)
    assert len(apps) == 50
    app = DatabaseUtils.get_application(ids[4])
    assert (app.job_title, app.salary_min, app.status.value) == ("Engineer 4", 4000, "screening")
    assert app.application_date.tzinfo is not None and app.posting_key
    history = DatabaseUtils.get_application_history(ids[4])
    assert [(h.from_status, h.to_status.value) for h in history] == [(None, "screening")]


def test_bulk_added_rows_are_searchable_and_ids_keep_counting(user):
    ids = DatabaseUtils.bulk_add_job_applications(user, rows(3))
    assert len(DatabaseUtils.search_applications(user, "rust")) == 3
    later = DatabaseUtils.add_job_application(user, "Later", "Co")
    assert later.id > max(ids)
    stats = DatabaseUtils.get_application_statistics(user)
    assert stats["total_applications"] == 4


def test_one_bad_row_rejects_the_batch(user):
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
def test_bad_rows_name_row_and_field(user, batch, field):
    with pytest.raises(ValidationError) as caught:
        DatabaseUtils.bulk_add_job_applications(user, batch)
    assert caught.value.field == field


def test_bulk_refuses_another_users_resume(user):
    other = DatabaseUtils.create_user(email="o@example.com").id
    resume = DatabaseUtils.add_resume(other, "cv.pdf", "/cv.pdf").id
    with pytest.raises(ValidationError) as caught:
        DatabaseUtils.bulk_add_job_applications(user, rows(1, resume_id=resume))
    assert caught.value.field == "rows[0].resume_id"


def test_import_reports_added_skipped_and_rejected_rows(user, tmp_path):
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


def test_import_with_column_map_and_update_policy(user, tmp_path):
    first = DatabaseUtils.add_job_application(user, "Dev", "Acme", salary_min=1)
    path = write_csv(tmp_path / "m.csv", ["Role", "Firm", "Pay"], ["Dev", "Acme", "9000"])
    report = DatabaseUtils.import_applications_csv(
        user, path, column_map={"Firm": "company", "Pay": "salary_min"}, on_duplicate="update"
    )
    assert (report.added, report.updated) == (0, 1)
    assert DatabaseUtils.get_application(first.id).salary_min == 9000


@pytest.mark.parametrize(
    ("header", "column_map", "field"),
    [(["Company"], None, "file"), (["Title", "Company"], {"Title": "salary"}, "column_map"),
     (["Title", "Company"], {"Title": "company"}, "column_map")],
)  # fmt: skip
def test_unusable_columns_are_a_validation_error(user, tmp_path, header, column_map, field):
    path = write_csv(tmp_path / "bad.csv", header, ["a"] * len(header))
    with pytest.raises(ValidationError) as caught:
        DatabaseUtils.import_applications_csv(user, path, column_map=column_map)
    assert caught.value.field == field


def test_missing_or_empty_file_is_a_validation_error(user, tmp_path):
    with pytest.raises(ValidationError) as caught:
        DatabaseUtils.import_applications_csv(user, tmp_path / "none.csv")
    assert caught.value.field == "path"
    (tmp_path / "empty.csv").write_text("job_title,company\n")
    with pytest.raises(ValidationError) as caught:
        DatabaseUtils.import_applications_csv(user, tmp_path / "empty.csv")
    assert caught.value.field == "file"


def test_export_writes_history_owner_only_and_round_trips(user, tmp_path):
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
    assert set(report.ignored_columns) == {"id", "status_changed_at", "status_history",
                                           "resume_id"}  # fmt: skip
    copy = next(a for a in DatabaseUtils.get_user_applications(other) if a.job_title == "Analyst")
    assert (copy.salary_min, copy.is_remote, copy.match_score, copy.status.value) == (
        50000, True, 71.5, "screening",
    )  # fmt: skip
    assert copy.job_description == 'Line one\nline "two", and =SUM(A1)'


def test_export_of_one_status(user, tmp_path):
    app = DatabaseUtils.add_job_application(user, "A", "B")
    DatabaseUtils.add_job_application(user, "C", "D")
    DatabaseUtils.update_application_status(app.id, "rejected")
    assert DatabaseUtils.export_applications_csv(user, tmp_path / "r.csv", status="rejected") == 1


def test_command_line_imports_with_a_summary(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    init_database("development")
    user = DatabaseUtils.create_user(email="cli@example.com").id
    cleanup_database()
    path = write_csv(tmp_path / "in.csv", ["job_title", "company", "salary_min"],
                     ["Dev", "Acme", "100"], ["QA", "Umbrella", "x"])  # fmt: skip
    assert import_cli.main(["import", str(path), "--user", "cli@example.com"]) == 0
    out = capsys.readouterr().out
    assert "CSV import" in out and "salary_min" in out
    assert import_cli.main(["export", str(tmp_path / "out.csv"), "-u", "cli@example.com"]) == 0
    init_database("development")
    assert len(DatabaseUtils.get_user_applications(user)) == 1


def test_command_line_error_is_one_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    code = import_cli.main(["import", str(tmp_path / "x.csv"), "--user", "nobody@example.com"])
    err = capsys.readouterr().err
    assert code == 1
    assert err.count("\n") == 1 and err.startswith("import_cli: error: --user")


def test_import_with_fail_policy_names_the_csv_row(user, tmp_path):
    DatabaseUtils.add_job_application(user, "Dev", "Acme")
    path = write_csv(tmp_path / "f.csv", ["job_title", "company"], ["New", "Co"], ["dev", "ACME"])
    with pytest.raises(ValidationError) as caught:
        DatabaseUtils.import_applications_csv(user, path, on_duplicate="fail")
    assert caught.value.field == "file" and "row 3" in caught.value.rule
    assert len(DatabaseUtils.get_user_applications(user)) == 1
