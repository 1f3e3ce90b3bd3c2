"""The specification's connection API: set a database up, open transactions on it.

>>> from database.connection import init_database, db_session_scope
>>> manager = init_database("testing")
>>> with db_session_scope() as session:
...     ...

The code lives in :mod:`database.core.session` (sessions, transactions) and
:mod:`database.bootstrap` (connect + migrate); this module is their public face.
"""

from database.bootstrap import init_database
from database.core.session import (
    DatabaseManager,
    cleanup_database,
    db_connection_scope,
    db_session_scope,
    get_database_manager,
    get_db_session,
)
from database.core.statements import DriverStatement, fetch_rows, sqlite_time
from utils.errors import AutoApplyerError

__all__ = [
    "AutoApplyerError",
    "DatabaseManager",
    "DriverStatement",
    "cleanup_database",
    "db_connection_scope",
    "db_session_scope",
    "fetch_rows",
    "get_database_manager",
    "get_db_session",
    "init_database",
    "sqlite_time",
]
