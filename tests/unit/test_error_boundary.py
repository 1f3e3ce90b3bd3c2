"""The error boundary: driver exceptions become the project's errors in one place.

Library code wraps its driver calls in ``database.core.errors.translated()``;
only ``database/core/errors.py`` itself calls ``translate``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Column, Engine, Integer, MetaData, String, Table, create_engine, insert, text
from sqlalchemy.exc import IntegrityError, OperationalError

from database.core.errors import translated
from utils.errors import AutoApplyerError, DatabaseError, ValidationError

ROOT = Path(__file__).resolve().parents[2]
LIBRARY = ("database", "cli", "dashboard")
BOUNDARY = Path("database/core/errors.py")
ERRORS_MODULE = "database.core.errors"


def _translate_calls(tree: ast.Module) -> list[int]:
    """Lines that import or call ``database.core.errors.translate`` (under any alias)."""
    names = {"translate"}  # a bare call, however it got here
    modules: set[str] = set()
    lines: list[int] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == ERRORS_MODULE:
            for alias in node.names:
                if alias.name == "translate":
                    names.add(alias.asname or alias.name)
                    lines.append(node.lineno)
        elif isinstance(node, ast.ImportFrom) and node.module == "database.core":
            modules.update(a.asname or a.name for a in node.names if a.name == "errors")
        elif isinstance(node, ast.Import):
            modules.update(a.asname for a in node.names if a.name == ERRORS_MODULE and a.asname)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        bare = isinstance(func, ast.Name) and func.id in names
        qualified = (
            isinstance(func, ast.Attribute)
            and func.attr == "translate"
            and ast.unparse(func.value) in modules | {ERRORS_MODULE}
        )
        if bare or qualified:
            lines.append(node.lineno)
    return lines


def _library_modules() -> Iterator[Path]:
    for package in LIBRARY:
        yield from sorted((ROOT / package).rglob("*.py"))


def test_only_the_error_module_calls_translate() -> None:
    offenders = []
    for path in _library_modules():
        relative = path.relative_to(ROOT)
        if relative == BOUNDARY:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(relative))
        offenders += [f"{relative}:{line}" for line in _translate_calls(tree)]
    assert offenders == [], "use database.core.errors.translated() instead of translate()"


def test_the_scan_sees_every_way_of_calling_translate() -> None:
    source = (
        "from database.core.errors import translate as t\n"
        "from database.core import errors as e\n"
        "import database.core.errors\n"
        "t(x)\n"
        "e.translate(x)\n"
        "database.core.errors.translate(x)\n"
        "'abc'.translate(table)\n"  # str.translate is not the boundary
    )
    assert _translate_calls(ast.parse(source)) == [1, 4, 5, 6]


@pytest.fixture
def engine() -> Iterator[Engine]:
    engine = create_engine("sqlite://")
    yield engine
    engine.dispose()


def _codes(engine: Engine) -> Table:
    table = Table(
        "codes",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("code", String, unique=True),
    )
    table.metadata.create_all(engine)
    return table


def test_a_unique_violation_becomes_a_validation_error_on_its_column(engine: Engine) -> None:
    codes = _codes(engine)
    with engine.begin() as conn:
        conn.execute(insert(codes).values(code="A"))
    with pytest.raises(ValidationError) as info, translated(), engine.begin() as conn:
        conn.execute(insert(codes).values(code="A"))
    assert (info.value.field, info.value.rule) == ("code", "must be unique")
    assert isinstance(info.value.__cause__, IntegrityError)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM codes")).scalar() == 1


def test_an_operational_error_becomes_a_database_error(engine: Engine) -> None:
    with pytest.raises(DatabaseError) as info, translated(), engine.connect() as conn:
        conn.execute(text("SELECT * FROM no_such_table"))
    assert "no such table" in str(info.value)
    assert isinstance(info.value.__cause__, OperationalError)


def test_a_project_error_passes_unchanged() -> None:
    error = ValidationError("limit", "must be a positive integer or None", 0)
    with pytest.raises(ValidationError) as info, translated():
        raise error
    assert info.value is error
    assert info.value.__cause__ is None


def test_other_exceptions_pass_unchanged() -> None:
    with pytest.raises(KeyError), translated():
        raise KeyError("not a driver error")


def test_reword_says_what_failed_and_keeps_the_driver_cause(engine: Engine) -> None:
    def reword(error: AutoApplyerError) -> AutoApplyerError:
        return DatabaseError(f"while counting: {error}")

    with (
        pytest.raises(DatabaseError, match=r"^while counting: Database") as info,
        translated(reword),
        engine.connect() as conn,
    ):
        conn.execute(text("SELECT * FROM no_such_table"))
    assert isinstance(info.value.__cause__, OperationalError)


def test_reword_is_not_applied_to_project_errors() -> None:
    error = DatabaseError("already the project's")
    with pytest.raises(DatabaseError) as info, translated(lambda e: DatabaseError("reworded")):
        raise error
    assert info.value is error
