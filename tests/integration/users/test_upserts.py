"""Insert-or-update calls are one atomic statement: concurrent writers of one key all succeed."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy import func, select

from database.connection import DatabaseManager, db_session_scope
from database.models import AIAnalysisCache, SettingType, SystemSetting
from database.utilities import DatabaseUtils
from tests.support.checks import existing

WRITERS = 16
ROUNDS = 4


def run_at_once(call: Callable[[int], Any]) -> list[BaseException]:
    """Run ``call(i)`` for WRITERS threads released together; the exceptions raised."""
    barrier = threading.Barrier(WRITERS)
    errors: list[BaseException] = []

    def writer(i: int) -> None:
        barrier.wait()
        try:
            call(i)
        except BaseException as exc:
            errors.append(exc)

    with ThreadPoolExecutor(WRITERS) as pool:
        list(pool.map(writer, range(WRITERS)))
    return errors


def count(model: type[Any]) -> int:
    with db_session_scope() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_concurrent_set_setting_of_one_key_all_succeed(db: DatabaseManager) -> None:
    for round_ in range(ROUNDS):
        key = f"shared.key.{round_}"
        errors = run_at_once(functools.partial(DatabaseUtils.set_setting, key))
        assert errors == []
        assert DatabaseUtils.get_setting(key) in range(WRITERS)
    assert count(SystemSetting) == ROUNDS


def test_concurrent_cache_writes_of_one_key_all_succeed(db: DatabaseManager) -> None:
    for round_ in range(ROUNDS):
        key = f"job:{round_}"

        def write(i: int, key: str = key) -> None:
            DatabaseUtils.cache_ai_analysis(key, "match", {"writer": i})

        errors = run_at_once(write)
        assert errors == []
        assert existing(DatabaseUtils.get_cached_analysis(key))["writer"] in range(WRITERS)
    assert count(AIAnalysisCache) == ROUNDS


def test_updating_a_setting_keeps_its_creation_time_and_description(db: DatabaseManager) -> None:
    first = DatabaseUtils.set_setting("theme", "light")
    with db_session_scope() as session:
        existing(session.get(SystemSetting, first.id)).description = "Colour scheme"
    second = DatabaseUtils.set_setting("theme", "dark")
    assert second.id == first.id
    assert second.created_at == first.created_at
    assert second.updated_at >= first.updated_at
    assert second.description == "Colour scheme"
    assert second.setting_type is SettingType.STRING
    assert DatabaseUtils.get_setting("theme") == "dark"


def test_cache_entry_replaced_in_place(db: DatabaseManager) -> None:
    DatabaseUtils.cache_ai_analysis("job:9", "match", [1], expiry_hours=1)
    DatabaseUtils.cache_ai_analysis("job:9", "summary", None, expiry_hours=2)
    with db_session_scope() as session:
        (entry,) = session.scalars(select(AIAnalysisCache)).all()
        assert entry.analysis_type == "summary"
        assert entry.results is None
