"""The same work done with the raw drivers (``sqlite3``, ``psycopg``): the baseline.

Each operation is the best a hand-written program could do with the driver for
the same result, in the same transaction shape and at the same durability: one
add is the application row and its first history row in one committed
transaction (SQLite: ``BEGIN IMMEDIATE`` on a WAL database at the caller's
``synchronous``; PostgreSQL: both rows in one statement, so one round trip plus
the commit); statistics are one hand-tuned statement in one read transaction
and the result dict built from its rows. Parameters are converted before the
clock starts; nothing is validated.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg

from database.domain.bulk import APP_COLUMNS
from database.models import INTERVIEW_STATUSES, ApplicationStatus

COLUMNS = tuple(c for c in APP_COLUMNS if c != "id")
_SQLITE_TIME = "%Y-%m-%d %H:%M:%S.%f"
_STATUS, _CHANGED_AT = COLUMNS.index("status"), COLUMNS.index("status_changed_at")
_USER = COLUMNS.index("user_id")
_INSERT_HISTORY = (
    "INSERT INTO application_status_history (application_id, user_id, to_status, changed_at) "
)
_STATUSES = tuple(s.value for s in ApplicationStatus)
_INTERVIEWS = ", ".join(f"'{s.value}'" for s in sorted(INTERVIEW_STATUSES))


def statistics_sql(mark: str) -> str:
    """Statistics in one statement: the breakdown and the recent interviews.

    ``mark`` is the driver's placeholder; the parameters are
    (cutoff, cutoff, cutoff, user_id, cutoff, user_id). Both parts read
    covering indexes only: (user_id, status, application_date, match_score)
    for the breakdown, and (user_id, application_date, id) with the history's
    (application_id, ..., to_status) for the interviews.
    """
    recent = f"application_date >= {mark}"
    return (
        f"SELECT status, count(*), count(CASE WHEN {recent} THEN 1 END), "
        f"sum(CASE WHEN {recent} THEN match_score END), "
        f"count(CASE WHEN {recent} THEN match_score END), "
        "(SELECT count(*) FROM job_applications AS a "
        f"WHERE a.user_id = {mark} AND a.application_date >= {mark} AND EXISTS ("
        "SELECT 1 FROM application_status_history AS h "
        f"WHERE h.application_id = a.id AND h.to_status IN ({_INTERVIEWS}))) "
        f"FROM job_applications WHERE user_id = {mark} GROUP BY status"
    )


def statistics_dict(rows: Sequence[Sequence[Any]], days: int) -> dict[str, Any]:
    """The result dict of ``get_application_statistics`` from the statement's rows."""
    breakdown = dict.fromkeys(_STATUSES, 0)
    total = recent = scored = 0
    score_sum = 0.0
    for status, count, recent_count, status_score_sum, status_scored, _ in rows:
        breakdown[status] = count
        total += count
        recent += recent_count
        score_sum += status_score_sum or 0.0
        scored += status_scored
    interviews = rows[0][5] if rows else 0
    return {
        "total_applications": total,
        "recent_applications": recent,
        "status_breakdown": breakdown,
        "interview_count": interviews,
        "interview_rate": round(100.0 * interviews / recent, 1) if recent else 0.0,
        "average_match_score": round(score_sum / scored, 1) if scored else 0.0,
        "period_days": days,
    }


def app_tuple(user_id: int, row: dict[str, Any], now: datetime, sqlite: bool) -> tuple[Any, ...]:
    """A ready-made parameter tuple for one application (conversion is not timed)."""
    values = {
        **row,
        "user_id": user_id,
        "status_changed_at": now,
        "created_at": now,
        "updated_at": now,
    }
    out = []
    for name in COLUMNS:
        value = values.get(name)
        if sqlite and isinstance(value, datetime):
            value = value.replace(tzinfo=None).strftime(_SQLITE_TIME)
        out.append(value)
    return tuple(out)


class RawSQLite:
    """A plain ``sqlite3`` connection with the project's pragmas."""

    def __init__(self, path: str, synchronous: str) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        for pragma in ("foreign_keys = ON", "busy_timeout = 30000", "journal_mode = WAL",
                       f"synchronous = {synchronous}"):  # fmt: skip
            self.conn.execute(f"PRAGMA {pragma}")
        marks = ", ".join("?" for _ in COLUMNS)
        self.insert_app = f"INSERT INTO job_applications ({', '.join(COLUMNS)}) VALUES ({marks})"
        self.statistics_sql = statistics_sql("?")

    def bulk(self, rows: Sequence[tuple[Any, ...]]) -> None:
        """executemany of the applications, then their history rows by INSERT ... SELECT."""
        c = self.conn
        c.execute("BEGIN IMMEDIATE")
        (last,) = c.execute("SELECT coalesce(max(id), 0) FROM job_applications").fetchone()
        c.executemany(self.insert_app, rows)
        c.execute(
            _INSERT_HISTORY
            + "SELECT id, user_id, status, status_changed_at FROM job_applications WHERE id > ?",
            (last,),
        )
        c.execute("COMMIT")

    def add_one(self, row: tuple[Any, ...]) -> int:
        """One application and its history row, committed; returns the new id."""
        c = self.conn
        c.execute("BEGIN IMMEDIATE")
        new_id = c.execute(self.insert_app, row).lastrowid
        c.execute(
            _INSERT_HISTORY + "VALUES (?, ?, ?, ?)",
            (new_id, row[_USER], row[_STATUS], row[_CHANGED_AT]),
        )
        c.execute("COMMIT")
        return int(new_id or 0)

    def statistics(self, user_id: int, days: int) -> dict[str, Any]:
        """``get_application_statistics`` in one read transaction."""
        cutoff = (datetime.now(UTC) - timedelta(days=days)).replace(tzinfo=None)
        at = cutoff.strftime(_SQLITE_TIME)
        c = self.conn
        c.execute("BEGIN")
        rows = c.execute(self.statistics_sql, (at, at, at, user_id, at, user_id)).fetchall()
        c.execute("COMMIT")
        return statistics_dict(rows, days)

    def run(self, statement: str, parameters: Any) -> list[Any]:
        """A read statement with its parameters, all rows fetched."""
        return self.conn.execute(statement, parameters).fetchall()

    def close(self) -> None:
        self.conn.close()


class RawPostgres:
    """A plain ``psycopg`` connection."""

    def __init__(self, url: str) -> None:
        self.conn = psycopg.connect(url)
        marks = ", ".join("%s" for _ in COLUMNS)
        self.insert_app = (
            f"INSERT INTO job_applications ({', '.join(COLUMNS)}) VALUES ({marks}) RETURNING id"
        )
        # Both rows in one statement: one round trip, as the API does.
        self.insert_both = (
            f"WITH new_application AS ({self.insert_app}, user_id, status, status_changed_at) "
            + _INSERT_HISTORY
            + "SELECT id, user_id, status, status_changed_at FROM new_application"
            " RETURNING application_id"
        )
        self.statistics_sql = statistics_sql("%s")

    def bulk(self, rows: Sequence[tuple[Any, ...]]) -> None:
        """COPY of the applications (executemany where row-level security forbids COPY),
        then their history rows by INSERT ... SELECT."""
        with self.conn.cursor() as cur:
            cur.execute("SELECT coalesce(max(id), 0) FROM job_applications")
            (last,) = cur.fetchone() or (0,)
            cur.execute("SELECT row_security_active('job_applications')")
            (secured,) = cur.fetchone() or (False,)
            if secured:
                cur.executemany(self.insert_app.removesuffix(" RETURNING id"), rows)
            else:
                with cur.copy(f"COPY job_applications ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            since = (
                "SELECT id, user_id, status, status_changed_at FROM job_applications WHERE id > %s"
            )
            cur.execute(_INSERT_HISTORY + since, (last,))
        self.conn.commit()

    def add_one(self, row: tuple[Any, ...]) -> int:
        """One application and its history row, committed; returns the new id."""
        with self.conn.cursor() as cur:
            cur.execute(self.insert_both, row)
            (new_id,) = cur.fetchone() or (0,)
        self.conn.commit()
        return int(new_id)

    def statistics(self, user_id: int, days: int) -> dict[str, Any]:
        """``get_application_statistics`` in one read transaction."""
        cutoff = datetime.now(UTC) - timedelta(days=days)
        params = (cutoff, cutoff, cutoff, user_id, cutoff, user_id)
        with self.conn.cursor() as cur:
            rows = cur.execute(self.statistics_sql, params).fetchall()
        self.conn.commit()
        return statistics_dict(rows, days)

    def run(self, statement: str, parameters: Any) -> list[Any]:
        """A read statement with its parameters, all rows fetched."""
        with self.conn.cursor() as cur:
            cur.execute(statement, parameters)
            rows = cur.fetchall()
        self.conn.rollback()
        return rows

    def close(self) -> None:
        self.conn.close()
