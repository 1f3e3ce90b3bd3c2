"""The in-memory database's one connection is lent to one holder at a time."""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from database.core.config import DatabaseConfig
from database.core.engine import CONNECTION_HOLDER, build_engine


@pytest.fixture()
def memory_engine() -> Iterator[Engine]:
    engine = build_engine(DatabaseConfig.for_environment("testing"))
    yield engine
    engine.dispose()


def _as(holder: object) -> contextvars.Context:
    """A context in which ``holder`` borrows the connection."""
    context = contextvars.copy_context()
    context.run(CONNECTION_HOLDER.set, holder)
    return context


def test_a_second_request_on_the_same_thread_waits_for_the_first_to_finish(
    memory_engine: Engine,
) -> None:
    first, second = _as(object()), _as(object())
    # One thread serves both, as a threadpool thread may between two steps of a request.
    with ThreadPoolExecutor(max_workers=1) as thread:
        held: Connection = thread.submit(first.run, memory_engine.connect).result(timeout=5)
        held.begin()
        waiting = thread.submit(second.run, memory_engine.connect)
        with pytest.raises(FutureTimeout):
            waiting.result(timeout=0.3)
        held.rollback()
        held.close()
        lent = waiting.result(timeout=5)
        assert lent.execute(text("select 1")).scalar() == 1
        lent.close()


def test_the_same_request_is_not_kept_waiting_on_another_thread(memory_engine: Engine) -> None:
    request = object()
    with ThreadPoolExecutor(max_workers=2) as threads:
        outer = threads.submit(_as(request).run, memory_engine.connect).result(timeout=5)
        # The route of a request runs on another thread than its dependency did.
        inner = threads.submit(_as(request).run, memory_engine.connect).result(timeout=5)
        inner.close()
        outer.close()
