"""8 writer processes for 10 seconds on one SQLite file, through the public API.

SQLite only: "database is locked" is SQLite's way of failing concurrent writers
(one writer at a time per file); PostgreSQL locks rows, not the database, and
its concurrency is covered by the unique-email race on both engines.

No "database is locked" (nor any other error) may reach a caller, and every
write a writer saw committed must be in the database: each writer counts its
applications and status changes, and the database must hold exactly those.
"""

from __future__ import annotations

import time
from multiprocessing.queues import Queue
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from database.connection import cleanup_database, init_database
from database.models import ApplicationStatus, ApplicationStatusHistory, JobApplication
from database.utilities import DatabaseUtils
from tests.support.processes import FORK
from tests.support.reliability import report

WRITERS = 8
SECONDS = 10.0


def writer(number: int, user_id: int, start_at: float, results: Queue[Any]) -> None:
    init_database("development")
    applications = changes = locked = 0
    errors: list[str] = []
    while time.time() < start_at:
        time.sleep(0.001)
    deadline = start_at + SECONDS
    while time.time() < deadline:
        try:
            app = DatabaseUtils.add_job_application(
                user_id, f"Job {applications}", f"Writer {number}", notes="x" * 200
            )
            applications += 1
            if applications % 3 == 0:
                DatabaseUtils.update_application_status(app.id, ApplicationStatus.SCREENING)
                changes += 1
        except Exception as exc:
            if "locked" in str(exc).lower():
                locked += 1
            else:
                errors.append(f"{type(exc).__name__}: {exc}")
    cleanup_database()
    results.put((number, applications, changes, locked, errors[:3]))


def test_eight_writer_processes_lose_nothing_and_never_see_locked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'writers.db'}")
    init_database("development")
    users = [DatabaseUtils.create_user(email=f"w{i}@example.com").id for i in range(WRITERS)]
    cleanup_database()
    results = FORK.Queue()
    start_at = time.time() + 1.0
    children = [
        FORK.Process(target=writer, args=(i, users[i], start_at, results)) for i in range(WRITERS)
    ]
    for child in children:
        child.start()
    reports = [results.get(timeout=SECONDS + 60) for _ in children]
    for child in children:
        child.join(30)
    manager = init_database("development")
    with manager.session_scope() as session:
        for number, applications, changes, locked, errors in reports:
            assert errors == [] and locked == 0, (number, errors, locked)
            user_id = users[number]
            stored = session.scalar(select(func.count()).where(JobApplication.user_id == user_id))
            history = session.scalar(
                select(func.count())
                .select_from(ApplicationStatusHistory)
                .join(JobApplication)
                .where(JobApplication.user_id == user_id)
            )
            assert stored == applications, f"writer {number} lost applications"
            assert history == applications + changes, f"writer {number} lost status changes"
    total = sum(r[1] + r[2] for r in reports)
    report(
        f"{WRITERS} writer processes x {SECONDS:.0f} s on one SQLite file: {total:,} committed "
        f"writes ({total / SECONDS:,.0f}/s), 0 'database is locked', 0 lost writes "
        f"(per writer: {', '.join(str(r[1] + r[2]) for r in sorted(reports))})"
    )
