"""API rate limits on every engine: a window's limit holds over several workers, then resets."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from database.connection import DatabaseManager
from database.models import RateLimit
from database.services.rate_limits import RateLimiter, RateLimitPolicy
from database.utilities import DatabaseUtils
from utils.errors import ThrottledError

START = 1_800_000_000.0  # a moment at the start of a 60-second window


class Clock:
    """A clock the test moves."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> float:
        return self.now


def admitted(db: DatabaseManager, limiter: RateLimiter, user_id: int, requests: int) -> int:
    """How many of ``requests`` requests of ``user_id`` ``limiter`` lets through."""
    count = 0
    for _ in range(requests):
        try:
            with db.session_scope() as session:
                limiter.admit(session, user_id)
        except ThrottledError:
            continue
        count += 1
    return count


@pytest.fixture
def person(db: DatabaseManager) -> int:
    return DatabaseUtils.create_user("ann@example.com").id


def test_requests_over_the_limit_are_refused_until_the_next_window(
    db: DatabaseManager, person: int
) -> None:
    clock = Clock()
    limiter = RateLimiter(RateLimitPolicy(requests=40, window_seconds=60), clock)
    assert admitted(db, limiter, person, 50) == 40
    clock.now += 45
    with pytest.raises(ThrottledError) as refused, db.session_scope() as session:
        limiter.admit(session, person)
    assert refused.value.retry_after == 15
    assert "too many requests" in str(refused.value)
    clock.now += 15
    assert admitted(db, limiter, person, 50) == 40


def test_workers_together_admit_no_more_than_the_limit(db: DatabaseManager, person: int) -> None:
    clock = Clock()
    policy = RateLimitPolicy(requests=100, window_seconds=60)
    workers = [RateLimiter(policy, clock) for _ in range(3)]
    total = sum(admitted(db, worker, person, 30) for worker in workers)
    total += sum(admitted(db, worker, person, 30) for worker in workers)
    # Each worker spends the chunks it took; what it holds unspent nobody else may use.
    assert policy.requests - (len(workers) - 1) * policy.chunk <= total <= policy.requests
    with db.session_scope() as session:
        granted = session.scalar(select(RateLimit.granted).where(RateLimit.user_id == person))
    assert granted == policy.requests


def test_concurrent_workers_never_admit_more_than_the_limit(
    db: DatabaseManager, person: int
) -> None:
    clock = Clock()
    policy = RateLimitPolicy(requests=60, window_seconds=60)
    workers = [RateLimiter(policy, clock) for _ in range(4)]
    with ThreadPoolExecutor(4) as pool:
        counts = list(pool.map(lambda w: admitted(db, w, person, 40), workers))
    assert sum(counts) <= policy.requests
    assert sum(counts) >= policy.requests - (len(workers) - 1) * policy.chunk


def test_one_persons_limit_leaves_another_person_alone(db: DatabaseManager, person: int) -> None:
    other = DatabaseUtils.create_user("bob@example.com").id
    limiter = RateLimiter(RateLimitPolicy(requests=20, window_seconds=60), Clock())
    assert admitted(db, limiter, person, 25) == 20
    assert admitted(db, limiter, other, 25) == 20


def test_a_worker_takes_the_allowance_in_chunks_not_per_request(
    db: DatabaseManager, person: int
) -> None:
    limiter = RateLimiter(RateLimitPolicy(requests=200, window_seconds=60), Clock())
    assert admitted(db, limiter, person, 15) == 15
    with db.session_scope() as session:
        granted = session.scalar(select(RateLimit.granted).where(RateLimit.user_id == person))
    assert granted == 2 * limiter.policy.chunk  # 10 each: the first chunk, then the second


def test_no_limit_writes_nothing(db: DatabaseManager, person: int) -> None:
    limiter = RateLimiter(RateLimitPolicy(), Clock())
    assert admitted(db, limiter, person, 5) == 5
    with db.session_scope() as session:
        assert session.scalar(select(RateLimit.user_id)) is None


def test_a_chunk_taken_by_a_rolled_back_transaction_is_not_spent(
    db: DatabaseManager, person: int
) -> None:
    limiter = RateLimiter(RateLimitPolicy(requests=40, window_seconds=60), Clock())
    with pytest.raises(RuntimeError), db.session_scope() as session:
        limiter.admit(session, person)
        raise RuntimeError("the request failed")
    # Its chunk went back to the database with the rollback, and out of the worker's hands.
    assert admitted(db, limiter, person, 50) == 40
