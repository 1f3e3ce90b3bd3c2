"""Migration revisions are frozen: they import SQLAlchemy, Alembic and the standard library only.

A revision that imported the project's live code (its models, key rules or
helpers) would do something else when re-run after that code changed; each
revision carries a private copy of what it needs instead.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

from tests.support.engines import ROOT

VERSIONS = ROOT / "database" / "migrations" / "versions"
ALLOWED = frozenset({"sqlalchemy", "alembic", "__future__"}) | sys.stdlib_module_names
#: Calls that import a module named by a string.
DYNAMIC_IMPORTS = frozenset({"import_module", "__import__"})


def _called_name(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def forbidden_imports(source: str) -> list[str]:
    """Each import of ``source`` (anywhere in it) that is not SQLAlchemy, Alembic or stdlib."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            # A relative import reaches into the project's own packages.
            names = ["." * node.level + (node.module or "")] if node.level else [node.module or ""]
        elif isinstance(node, ast.Call) and _called_name(node) in DYNAMIC_IMPORTS:
            names = [f"{_called_name(node)}(...)"]
        else:
            continue
        found += [f"line {node.lineno}: {name}" for name in names
                  if name.split(".")[0] not in ALLOWED]  # fmt: skip
    return found


def revision_files() -> list[Path]:
    return sorted(VERSIONS.glob("*.py"))


def test_the_scan_sees_every_revision() -> None:
    names = {path.stem for path in revision_files()}
    assert {"001_initial", "003_full_text_search", "003_1_data_integrity"} <= names


@pytest.mark.parametrize("path", revision_files(), ids=lambda path: path.stem)
def test_a_revision_imports_nothing_from_the_project(path: Path) -> None:
    assert forbidden_imports(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    "source",
    [
        "from database.core.keys import email_key",
        "import utils.errors",
        "import dashboard",
        "from cli import runner",
        "def upgrade():\n    from database.domain.duplicates import keys_for",
        "from ..models import User",
        "import importlib\nimportlib.import_module('database.models')",
        "import pydantic",
    ],
)
def test_the_scan_reports_a_project_or_foreign_import(source: str) -> None:
    assert len(forbidden_imports(source)) == 1


def test_the_scan_allows_sqlalchemy_alembic_and_the_standard_library() -> None:
    source = (
        "from __future__ import annotations\nimport hashlib\nimport sqlalchemy as sa\n"
        "from alembic import op\nfrom sqlalchemy.dialects import postgresql\n"
        "from urllib.parse import urlsplit\n"
    )
    assert forbidden_imports(source) == []
