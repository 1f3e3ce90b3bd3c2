"""Two large backups, A and B, that differ in every table; and a fingerprint to tell them apart.

Most rows are status history (four moves per application), as in a tracker used
for a while.

The data is bulk-inserted into a throwaway SQLite file with SQLAlchemy Core
(fast), then backed up with :class:`BackupManager`; the same files are restored
into every engine. A :func:`fingerprint` (rows and id sum per table, plus a
marker setting) read in one transaction shows whether a database holds exactly
A, exactly B, or a mix.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Connection

from database.connection import DatabaseManager
from database.core.config import DatabaseConfig, parse_url
from database.io.backup import BackupManager
from database.io.backup.format import BACKUP_TABLES
from database.migrations import MigrationManager
from database.models import (
    AIAnalysisCache,
    ApplicationStatusHistory,
    JobApplication,
    Resume,
    SearchHistory,
    SystemSetting,
    User,
    UserPreferences,
)

MARKER = "reliability_dataset"
USERS = 100
# Each application moved through these statuses: one history row per move.
MOVES = ("applied", "screening", "interview_scheduled", "interviewed")
Fingerprint = dict[str, Any]


@dataclass(frozen=True)
class BigBackups:
    """Backup files A and B, their fingerprints and their sizes in rows."""

    a: Path
    b: Path
    fingerprints: dict[str, Fingerprint]
    rows: dict[str, int]

    def which(self, found: Fingerprint) -> str | None:
        """``"a"``, ``"b"`` or ``None`` (a mix, or something else)."""
        for name, expected in self.fingerprints.items():
            if found == expected:
                return name
        return None


def fingerprint(manager: DatabaseManager) -> Fingerprint:
    """Rows and id sum of every table, and the marker, read in one transaction."""
    with manager.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            return _fingerprint(conn)


def _fingerprint(conn: Connection) -> Fingerprint:
    found: Fingerprint = {}
    for table in BACKUP_TABLES:
        count, id_sum = conn.execute(
            select(func.count(), func.coalesce(func.sum(table.c.id), 0))
        ).one()
        found[table.name] = (int(count), int(id_sum))
    found[MARKER] = conn.scalar(
        select(SystemSetting.setting_value).where(SystemSetting.setting_key == MARKER)
    )
    return found


def _users(conn: Connection, first: int, count: int, when: datetime) -> None:
    ids = range(first, first + count)
    conn.execute(
        insert(User),
        [{"id": i, "email": f"user{i}@example.com", "password_hash": f"scrypt$00${i:064x}",
          "first_name": f"User {i}", "skills": ["Python", "SQL"], "created_at": when,
          "updated_at": when} for i in ids],
    )  # fmt: skip
    conn.execute(
        insert(UserPreferences),
        [{"user_id": i, "preferred_locations": ["Remote"], "salary_min": 1000 * (i % 90)}
         for i in ids],
    )  # fmt: skip


def _fill(conn: Connection, applications: int) -> None:
    when = datetime(2024, 1, 1, tzinfo=UTC)
    _users(conn, 1, USERS, when)
    conn.execute(
        insert(Resume),
        [{"user_id": u, "filename": f"cv{u}.pdf", "file_path": f"/r/cv{u}.pdf",
          "parsed_text": "Python developer with SQL"} for u in range(1, USERS + 1)],
    )  # fmt: skip
    _applications(conn, 1, applications, when)
    conn.execute(
        insert(SearchHistory),
        [{"user_id": u, "job_title": "Python", "sources_searched": ["linkedin"]}
         for u in range(1, USERS + 1)],
    )  # fmt: skip
    conn.execute(
        insert(AIAnalysisCache),
        [{"cache_key": f"k{i}", "analysis_type": "match", "results": {"score": i},
          "expires_at": when + timedelta(days=365 * 10)} for i in range(50)],
    )  # fmt: skip
    conn.execute(insert(SystemSetting).values(setting_key=MARKER, setting_value="A"))


def _applications(conn: Connection, first: int, count: int, when: datetime) -> None:
    apps = []
    history = []
    for i in range(first, first + count):
        applied = when + timedelta(minutes=i)
        user = 1 + i % USERS
        apps.append(
            {"id": i, "user_id": user, "resume_id": user if user % 7 else None,
             "job_title": f"Engineer {i % 500}", "company": f"Company {i % 2000}",
             "location": "Cape Town",
             "job_description": "Build and run data systems in Python. " * 3,
             "status": MOVES[-1], "application_date": applied, "status_changed_at": applied,
             "salary_min": 50_000, "salary_max": 90_000, "match_score": (i % 1000) / 10,
             "created_at": applied, "updated_at": applied}
        )  # fmt: skip
        for step, status in enumerate(MOVES):
            history.append(
                {"application_id": i, "user_id": user,
                 "from_status": MOVES[step - 1] if step else None,
                 "to_status": status, "changed_at": applied + timedelta(days=step)}
            )  # fmt: skip
    conn.execute(insert(JobApplication), apps)
    conn.execute(insert(ApplicationStatusHistory), history)


def _change_every_table(conn: Connection, applications: int) -> None:
    _users(conn, USERS + 1, 20, datetime(2024, 6, 1, tzinfo=UTC))
    conn.execute(delete(Resume).where(Resume.id % 7 == 0))
    conn.execute(delete(JobApplication).where(JobApplication.id % 10 == 0))
    # More added than deleted, so that B is as large as A.
    _applications(conn, applications + 1, applications // 8, datetime(2024, 6, 1, tzinfo=UTC))
    conn.execute(delete(SearchHistory).where(SearchHistory.id % 5 == 0))
    conn.execute(delete(AIAnalysisCache).where(AIAnalysisCache.id % 2 == 0))
    conn.execute(
        update(SystemSetting).where(SystemSetting.setting_key == MARKER).values(setting_value="B")
    )


def build_big_backups(folder: Path, rows: int) -> BigBackups:
    """Backups A (at least ``rows`` rows) and B (A changed in every table)."""
    config = DatabaseConfig(
        environment="development",
        url=parse_url(f"sqlite:///{folder / 'source.db'}"),
        sqlite_synchronous="OFF",
    )
    manager = DatabaseManager(config)
    try:
        MigrationManager(manager).migrate_to_latest()
        backups = BackupManager(folder, database_manager=manager)
        applications = rows // (1 + len(MOVES))
        with manager.engine.begin() as conn:
            _fill(conn, applications)
        prints = {"a": fingerprint(manager)}
        a = Path(backups.create_backup("a.json"))
        with manager.engine.begin() as conn:
            _change_every_table(conn, applications)
        prints["b"] = fingerprint(manager)
        b = Path(backups.create_backup("b.json"))
    finally:
        manager.close()
    sizes = {k: sum(v[0] for n, v in p.items() if n != MARKER) for k, p in prints.items()}
    return BigBackups(a, b, prints, sizes)
