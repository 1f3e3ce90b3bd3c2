"""Comparing the models with the migrated schema (the check pytest-alembic calls
``model_definitions_match_ddl``), used by the tests and by ``alembic check``."""

from __future__ import annotations

import warnings
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Connection

from database.models import Base

#: Objects that live only in the database, by design: Alembic's own table and the
#: full-text search machinery (virtual tables, their shadow tables, tsvector columns).
_DATABASE_ONLY_MARKERS = ("alembic_version", "_fts", "fts_", "search_vector", "tsv")


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """Alembic ``include_object`` hook: leave out database-only search objects."""
    if reflected and compare_to is None and name:
        return not any(marker in name for marker in _DATABASE_ONLY_MARKERS)
    return True


def schema_differences(connection: Connection) -> list[Any]:
    """What Alembic would change to make the database match the models ([] if equal)."""
    context = MigrationContext.configure(
        connection,
        opts={"compare_type": True, "include_object": include_object},
    )
    with warnings.catch_warnings():
        # Expression indexes (lower(email)) cannot be reflected on SQLite; their
        # presence is checked from the catalog by the migration tests instead.
        warnings.filterwarnings("ignore", message=".*expression-based index")
        return list(compare_metadata(context, Base.metadata))
