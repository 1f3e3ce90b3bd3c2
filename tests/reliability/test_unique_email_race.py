"""50 concurrent create_user calls with one email: exactly one succeeds."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from database.connection import DatabaseManager, db_session_scope
from database.models import User
from database.utilities import DatabaseUtils
from tests.support.reliability import report
from utils.errors import AutoApplyerError, ValidationError

CALLS = 50


def race(emails: list[str]) -> tuple[list[int], list[BaseException]]:
    """Call create_user once per email, all threads released at the same moment."""
    barrier = threading.Barrier(len(emails))
    created: list[int] = []
    failures: list[BaseException] = []
    lock = threading.Lock()

    def call(email: str) -> None:
        barrier.wait()
        try:
            user = DatabaseUtils.create_user(email=email, first_name="Racer")
        except BaseException as exc:
            with lock:
                failures.append(exc)
        else:
            with lock:
                created.append(user.id)

    threads = [threading.Thread(target=call, args=(e,)) for e in emails]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return created, failures


def test_fifty_concurrent_signups_with_one_email_create_one_user(
    rdb: DatabaseManager, reliability_engine: str
) -> None:
    # The same address in several letter cases: emails are case-insensitive.
    emails = [
        "race@example.com" if i % 3 else f"Race@{'EXAMPLE' if i % 2 else 'example'}.com"
        for i in range(CALLS)
    ]
    created, failures = race(emails)
    assert len(created) == 1
    assert len(failures) == CALLS - 1
    assert all(isinstance(f, ValidationError) and f.field == "email" for f in failures), {
        f"{type(f).__name__}: {f}" for f in failures if not isinstance(f, ValidationError)
    }
    with db_session_scope() as session:
        rows = session.scalar(
            select(func.count()).where(func.lower(User.email) == "race@example.com")
        )
    assert rows == 1
    kinds = {str(f) for f in failures if isinstance(f, AutoApplyerError)}
    report(
        f"{CALLS} concurrent create_user, one email [{reliability_engine}]: 1 created, "
        f"{len(failures)} ValidationError ({'; '.join(sorted(kinds))}), 1 row"
    )
