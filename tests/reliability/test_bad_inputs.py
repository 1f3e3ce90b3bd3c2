"""Property-based bad inputs: at least 1,000 per public ``DatabaseUtils`` function.

Every public function is found at run time and called with the right number of
arguments, each drawn from a pool of hostile values (wrong types, huge and
negative numbers, NaN, SQL fragments, NUL, naive datetimes, nested junk,
unknown and protected field names). Each call gets at least one argument of a
type its annotation does not allow, so every call is a bad input. Whatever the
function does, it may only raise the project's own errors; after a rejected
call the database must be unchanged: no transaction may have committed during
the call, and a fingerprint of every table (rows, id sums, last update) taken
every 50 calls and after each function must equal the one before.

Functions without parameters have no bad input and are left out. Paths given
to file functions are kept inside the test's own folder.
"""

from __future__ import annotations

import inspect
import math
import os
import types
import typing
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event

from database.connection import DatabaseManager, cleanup_database, init_database
from database.core.config import DatabaseConfig
from database.models import TABLES, ApplicationStatus
from database.utilities import DatabaseUtils
from tests.support.backup_files import fill_sample_data
from tests.support.engines import truncate_all
from tests.support.processes import on_each_engine
from tests.support.reliability import engine_configs, report
from tests.support.snapshot import table_fingerprint
from utils.errors import AutoApplyerError, ValidationError

CALLS = 500
BATCH = 25  # calls per Hypothesis example: its own overhead is paid once per batch
CHECK_EVERY = 50
HOSTILE_TEXT = [
    "'; DROP TABLE users; --", '" OR "1"="1', "\x00", "a\x00b", "\u202eevil", "😀" * 3,
    "x" * 5000, "", " ", "%", "_", "\\", "NULL", "null", "applied ", "APPLIED", "-1", "1e309",
    "../../etc/passwd", "<script>", "\ud7ff", "\ufeff",
]  # fmt: skip
# Fixed hostile values; Hypothesis' own integers, floats and text add variety
# (kept flat: nested strategies cost more to draw than the calls they test).
POOL: list[Any] = [
    *HOSTILE_TEXT, None, True, False, 0, -1, -(2**31), 2**31, 2**63, 10**30, 1.5, -0.0,
    math.nan, math.inf, -math.inf, 1e308, b"", b"\x00\xff", bytearray(b"x"),
    datetime(2024, 1, 1), datetime(1, 1, 1, tzinfo=UTC), datetime(9999, 12, 31, tzinfo=UTC),
    ApplicationStatus.APPLIED, object(), Ellipsis, 1j, frozenset({1}), [], [None], [1, "a"],
    [[]], ["x" * 300] * 3, {}, {"": None}, {"id": 1}, {"statuses": ["nope"]}, (1, 2),
]  # fmt: skip
SCALARS = st.one_of(
    st.sampled_from(POOL),
    st.integers(),
    st.floats(),
    st.text(max_size=20),
)
GARBAGE = st.one_of(
    SCALARS,
    st.lists(SCALARS, max_size=3),
    st.dictionaries(st.text(max_size=8), SCALARS, max_size=2),
)
Call = tuple[tuple[Any, ...], dict[str, Any]]
FIELD_NAMES = sorted(
    {c.name for t in TABLES for c in t.columns} | {"password", "statuses", "text", "x", ""}
)


def public_functions() -> list[str]:
    """The public functions of ``DatabaseUtils`` that take arguments."""
    return [
        name
        for name, member in inspect.getmembers(DatabaseUtils)
        if not name.startswith("_") and callable(member) and inspect.signature(member).parameters
    ]


def _allowed_types(hint: Any) -> tuple[type, ...] | None:
    """Python types a parameter accepts, or ``None`` if anything goes."""
    if hint is Any or hint is object:
        return None
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        parts = [_allowed_types(arg) for arg in typing.get_args(hint)]
        if any(p is None for p in parts):
            return None
        return tuple(t for p in parts if p for t in p)
    if hint is type(None):
        return (type(None),)
    if hint is float:
        return (int, float)
    if origin is not None:
        return (origin,) if isinstance(origin, type) else None
    return (hint,) if isinstance(hint, type) else None


def _is_wrong(value: Any, allowed: tuple[type, ...]) -> bool:
    if isinstance(value, bool):
        return bool not in allowed and int not in allowed
    return not isinstance(value, allowed)


def _wrong_for(allowed: tuple[type, ...]) -> st.SearchStrategy[Any]:
    """Values of a type ``allowed`` does not include (no filtering at draw time)."""
    options: list[st.SearchStrategy[Any]] = [
        st.sampled_from([v for v in POOL if _is_wrong(v, allowed)])
    ]
    for sample, strategy in (
        (0, st.integers()),
        (0.5, st.floats()),
        ("", st.text(max_size=20)),
        ([], st.lists(SCALARS, max_size=3)),
    ):
        if _is_wrong(sample, allowed):
            options.append(strategy)
    return st.one_of(options)


def call_strategy(name: str, folder: Path) -> st.SearchStrategy[list[Call]]:
    """Batches of ``BATCH`` calls to ``name``, each with one argument of a wrong type."""
    function = getattr(DatabaseUtils, name)
    signature = inspect.signature(function)
    hints = typing.get_type_hints(function)
    slots: list[tuple[str, inspect.Parameter, tuple[type, ...] | None]] = []
    for param in signature.parameters.values():
        if param.kind is inspect.Parameter.VAR_KEYWORD:
            continue
        allowed = _allowed_types(hints.get(param.name, Any))
        slots.append((param.name, param, allowed))
    has_fields = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in signature.parameters.values())
    poisonable = [i for i, (_, _, allowed) in enumerate(slots) if allowed is not None]
    assert poisonable or has_fields, f"{name}: no argument can be of a wrong type"

    optional = [i for i, (_, p, _) in enumerate(slots) if p.default is not p.empty]
    paths = st.sampled_from([folder / "missing" / "x.csv", folder, 5, None, b"x"])
    wrong = {i: _wrong_for(slots[i][2] or ()) for i in poisonable}

    @st.composite
    def calls(draw: st.DrawFn) -> tuple[tuple[Any, ...], dict[str, Any]]:
        args: list[Any] = []
        kwargs: dict[str, Any] = {}
        poison = draw(st.sampled_from(poisonable)) if poisonable else None
        # Optional parameters: a few of them get garbage, the rest their default.
        chosen = draw(st.sets(st.sampled_from(optional), max_size=2)) if optional else set()
        for index, (param_name, param, _allowed) in enumerate(slots):
            if "path" in param_name:
                value = draw(paths)
            elif index == poison:
                value = draw(wrong[index])
            elif index in optional and index not in chosen:
                continue
            else:
                value = draw(GARBAGE)
            if param.kind in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.VAR_POSITIONAL):
                args.append(value)
            else:  # by name, so that a left-out default never shifts the others
                kwargs[param_name] = value
        if has_fields:
            extra = draw(
                st.dictionaries(st.sampled_from(FIELD_NAMES), SCALARS, min_size=1, max_size=2)
            )
            names = {s[0] for s in slots}
            kwargs.update({k: v for k, v in extra.items() if k not in names})
        return tuple(args), kwargs

    return st.lists(calls(), min_size=BATCH, max_size=BATCH)


class Probe:
    """Runs the Hypothesis examples of one function and keeps its counts."""

    def __init__(self, name: str, engine: Any, folder: Path) -> None:
        self.name = name
        self.function = getattr(DatabaseUtils, name)
        self.engine = engine
        self.folder = folder
        self.stats: Counter[str] = Counter()
        self.commits = 0
        self.expected = self.fingerprint()

    def fingerprint(self) -> tuple[Any, ...]:
        with self.engine.connect() as conn:
            return table_fingerprint(conn)

    def call(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        before = self.commits
        try:
            self.function(*args, **kwargs)
        except AutoApplyerError:
            self.stats["rejected"] += 1
            assert self.commits == before, f"{self.name} committed, then failed"
        except BaseException as exc:
            shown = f"{self.name}(*{args!r:.150}, **{kwargs!r:.300})"
            raise AssertionError(f"{shown} raised {type(exc).__name__}: {exc}") from exc
        else:
            self.stats["accepted"] += 1
            if self.commits != before:
                self.expected = self.fingerprint()
                return
        if sum(self.stats.values()) % CHECK_EVERY == 0:
            self.check_unchanged()

    def check_unchanged(self) -> None:
        assert self.fingerprint() == self.expected, f"{self.name}: a rejected call changed data"

    def run(self) -> None:
        @settings(
            max_examples=CALLS // BATCH,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        @given(batch=call_strategy(self.name, self.folder))
        def examples(batch: list[Call]) -> None:
            for args, kwargs in batch:
                self.call(args, kwargs)

        examples()
        self.check_unchanged()
        assert sum(self.stats.values()) >= CALLS, (self.name, self.stats)


def probe_every_function(engine: str, config: DatabaseConfig, folder: Path) -> dict[str, Any]:
    """All probes on one engine, in a worker process; returns counts and failures."""
    os.environ["DATABASE_URL"] = config.url.render_as_string(hide_password=False)
    os.chdir(folder)  # anything a function writes stays here
    manager = init_database(config.environment)
    if config.database_type == "postgresql":
        truncate_all(manager)
    fill_sample_data()
    totals: dict[str, Counter[str]] = {}
    failures: dict[str, str] = {}
    probes: list[Probe] = []

    def count_commit(_conn: Any) -> None:
        for probe in probes:
            probe.commits += 1

    event.listen(manager.engine, "commit", count_commit)
    for name in public_functions():
        probe = Probe(name, manager.engine, folder)
        probes[:] = [probe]
        try:
            probe.run()
        except AssertionError as exc:
            failures[name] = str(exc).splitlines()[0]
        totals[name] = probe.stats
    cleanup_database()
    return {"totals": totals, "failures": failures}


def test_bad_inputs_raise_only_project_errors_and_change_nothing(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """Both engines side by side, each in a worker process with its own global database."""
    configs = engine_configs(request, tmp_path)
    for engine in configs:
        (tmp_path / f"files_{engine}").mkdir()
    args = {e: (config, tmp_path / f"files_{e}") for e, config in configs.items()}
    for engine, result in on_each_engine(probe_every_function, args).items():
        failures, totals = result["failures"], result["totals"]
        assert failures == {}, "\n".join(f"[{engine}] {n}: {f}" for n, f in failures.items())
        rejected = sum(s["rejected"] for s in totals.values())
        accepted = sum(s["accepted"] for s in totals.values())
        report(
            f"bad inputs [{engine}]: {len(totals)} public functions x >= {CALLS} "
            f"Hypothesis-made calls = {rejected + accepted:,}; {rejected:,} rejected with the "
            f"project's errors, {accepted:,} tolerated (e.g. an unknown id read as None), "
            f"0 other exceptions, database unchanged after every rejected call"
        )
        lenient = {n: s["accepted"] for n, s in totals.items() if s["accepted"]}
        if lenient:
            report(f"    tolerated per function: {lenient}")


def test_application_histories_of_a_non_list_is_a_validation_error(rdb: DatabaseManager) -> None:
    bad: Any  # deliberately not a list of ids
    for bad in (None, 5, "12", {"a": 1}):
        with pytest.raises(ValidationError) as info:
            DatabaseUtils.get_application_histories(bad)
        assert info.value.field == "application_ids"


def test_the_notes_log_and_timeline_calls_are_probed() -> None:
    probed = set(public_functions())
    assert {
        "add_application_note",
        "get_application_note",
        "get_application_notes",
        "update_application_note",
        "delete_application_note",
        "get_application_timeline",
    } <= probed
