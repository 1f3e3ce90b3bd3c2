"""The session layer's view of the migrations' ledger matches the model of it."""

from __future__ import annotations

from sqlalchemy import Table

from database.core.session import LEDGER
from database.models import SchemaMigration


def test_the_session_ledger_is_the_schema_migrations_table() -> None:
    table = SchemaMigration.__table__
    assert isinstance(table, Table)
    assert LEDGER.name == table.name
    assert set(LEDGER.c.keys()) <= set(table.c.keys())
