"""Row-level security from the application's side: binding the actor, granting the app role.

On PostgreSQL (revision 003.5) a role that does not own the tables sees only
the rows its transaction is bound to. A binding is ``set_config(..., true)``,
local to the current transaction: it ends with the commit or rollback, so a
connection handed to the next request by a pool, or by a transaction-pooling
proxy such as PgBouncer, carries nothing over. Bind at the start of each
transaction, before the first statement that reads a person's data.

SQLite has no row-level security: every function here does nothing there.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress

from sqlalchemy import exc as sa_exc
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from database.core.config import owner_config
from database.core.errors import translated
from database.core.keys import email_key
from database.core.session import DatabaseManager, get_database_manager
from database.core.tokens import digest
from utils.errors import ValidationError

log = logging.getLogger(__name__)

#: The settings the policies read (see revision 003.5).
ACTOR_SETTING = "auto_applyer.user_id"
TOKEN_SETTING = "auto_applyer.token_hash"  # noqa: S105 (a setting's name)
EMAIL_SETTING = "auto_applyer.email_key"
#: Tables the application role may read but never change.
READ_ONLY_TABLES = ("alembic_version", "schema_migrations")
_ROLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]{0,62}$")
_BIND = text("SELECT set_config(:name, :value, true)")


def _bind(session: Session | Connection, name: str, value: str) -> None:
    dialect = session.dialect if isinstance(session, Connection) else session.get_bind().dialect
    if dialect.name == "postgresql":
        session.execute(_BIND, {"name": name, "value": value})


def bind_actor(session: Session | Connection, user_id: int) -> None:
    """Make ``user_id`` the acting user of the current transaction."""
    if type(user_id) is not int or user_id < 1:
        raise ValidationError("user_id", "must be a positive integer", user_id)
    _bind(session, ACTOR_SETTING, str(user_id))


def bind_credential(session: Session | Connection, raw_token: str) -> None:
    """Claim the credential ``raw_token`` for this transaction (before an actor is known).

    The transaction then sees the token's row (by its SHA-256, as stored) and
    its account, which is what authenticating it needs, and nothing else.
    """
    _bind(session, TOKEN_SETTING, digest(raw_token))


def bind_account(session: Session | Connection, email: str) -> None:
    """Claim the account of ``email`` for this transaction: signing up, in, or a reset request.

    The transaction then sees that account (existing or being created) and its
    tokens, never anyone's data.
    """
    _bind(session, EMAIL_SETTING, email_key(email) if isinstance(email, str) else "")


def trusted_manager() -> DatabaseManager:
    """The global database reached as the tables' owner, for whole-database work.

    That is the global manager itself unless ``$DATABASE_OWNER_URL`` names the
    owner (``DATABASE_URL`` then being the application role); the owner's
    manager is made once per URL.
    """
    manager = get_database_manager()
    config = owner_config(manager.config)
    if config is manager.config:
        return manager
    key = config.url.render_as_string(hide_password=False)
    with _trusted_lock:
        trusted = _trusted.get(key)
        if trusted is None:
            for stale in _trusted.values():
                stale.close()
            _trusted.clear()
            trusted = _trusted[key] = DatabaseManager(config)
        return trusted


_trusted: dict[str, DatabaseManager] = {}
_trusted_lock = threading.Lock()


def copy_allowed(conn: Connection, table: str) -> bool:
    """Whether ``COPY ... FROM`` may load ``table`` here (PostgreSQL).

    PostgreSQL refuses it wherever row-level security applies, which, forced,
    includes the tables' owner unless it is a superuser (see
    :func:`owner_copy`): other roles' loaders fall back to batched ``INSERT``
    statements, which the policies check.
    """
    if conn.dialect.name != "postgresql":
        return False
    return not conn.scalar(text("SELECT row_security_active(:table)"), {"table": table})


@contextmanager
def owner_copy(conn: Connection, tables: Sequence[str]) -> Iterator[None]:
    """Let the tables' owner ``COPY`` into ``tables`` within the current transaction.

    Forced row-level security refuses ``COPY ... FROM`` even to the owner, whose
    policy admits every row anyway. So, where the current role owns a forced
    table, this lifts the force for the block and sets it again before
    returning, all inside a savepoint: the DDL is transactional, so a failure
    or a killed process leaves the table forced, and its ACCESS EXCLUSIVE
    lock, held to the end of the transaction, means no other session ever
    sees it unforced (they wait, as they would for the rows being written).

    That lock cannot be had while another transaction still reads one of the
    tables (one waiting for this transaction's own locks, say): rather than
    wait, or deadlock, the lift gives up after :data:`LIFT_WAIT` and the
    block runs with the tables forced (the loaders then insert in batches).
    Nothing happens on SQLite or for a role that owns nothing.
    """
    if conn.dialect.name != "postgresql":
        yield
        return
    owned = [name for name in tables if conn.scalar(_FORCED_AND_OWNED, {"table": name})]
    if not owned:
        yield
        return
    conn.exec_driver_sql("SAVEPOINT auto_applyer_copy")
    lifted = _lift_force(conn, owned)
    try:
        yield
        if lifted:
            _set_force(conn, owned, "FORCE")
    except BaseException:
        # The enclosing transaction's rollback undoes the DDL too, should this fail.
        with suppress(Exception):
            conn.exec_driver_sql("ROLLBACK TO SAVEPOINT auto_applyer_copy")
        raise
    conn.exec_driver_sql("RELEASE SAVEPOINT auto_applyer_copy")


#: How long lifting forced row-level security waits for its locks (below the
#: server's one-second ``deadlock_timeout``).
LIFT_WAIT = "200ms"


def _lift_force(conn: Connection, tables: Sequence[str]) -> bool:
    """Lift the force on ``tables`` inside the open savepoint; False, undone, if a lock is busy."""
    previous = conn.scalar(text("SELECT current_setting('lock_timeout')"))
    conn.execute(_SET_LOCK_TIMEOUT, {"value": LIFT_WAIT})
    try:
        _set_force(conn, tables, "NO FORCE")
    except sa_exc.DBAPIError as exc:
        if getattr(exc.orig, "sqlstate", None) not in _BUSY:
            raise
        log.info("tables busy: loading %s without lifting row-level security", ", ".join(tables))
        conn.exec_driver_sql("ROLLBACK TO SAVEPOINT auto_applyer_copy")
        return False
    conn.execute(_SET_LOCK_TIMEOUT, {"value": previous})
    return True


def _set_force(conn: Connection, tables: Sequence[str], mode: str) -> None:
    quote = conn.dialect.identifier_preparer.quote
    for name in tables:
        conn.exec_driver_sql(f"ALTER TABLE {quote(name)} {mode} ROW LEVEL SECURITY")


#: lock_not_available (the wait ran out), deadlock_detected (reported at once
#: when a transaction waiting for this one's locks already reads the table).
_BUSY = ("55P03", "40P01")
_SET_LOCK_TIMEOUT = text("SELECT set_config('lock_timeout', :value, true)")
_FORCED_AND_OWNED = text(
    "SELECT c.relforcerowsecurity AND pg_has_role(current_user, c.relowner, 'MEMBER') "
    "FROM pg_class c WHERE c.oid = to_regclass(:table)"
)


def grant_app_role(bind: Engine | Connection, role: str) -> None:
    """Give the existing role ``role`` what the application needs and no more (PostgreSQL).

    Data statements on every table of the current schema (the migration
    records read-only) and the use of its sequences: no DDL, no ownership, so
    row-level security holds for it. Run it as the owner after every migration
    that adds a table.
    """
    if not _ROLE_NAME.match(role):
        raise ValidationError("role", "must be a plain PostgreSQL role name", role)
    if bind.dialect.name != "postgresql":
        return
    quoted = f'"{role}"'  # the pattern above admits no quote
    statements = [
        f"GRANT USAGE ON SCHEMA {{schema}} TO {quoted}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {{schema}} TO {quoted}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {{schema}} TO {quoted}",
        *(
            f"REVOKE INSERT, UPDATE, DELETE ON TABLE {{schema}}.{table} FROM {quoted}"
            for table in READ_ONLY_TABLES
        ),
    ]
    with translated(), _connection(bind) as conn:
        schema = conn.scalar(text("SELECT format('%I', current_schema())"))
        for statement in statements:
            conn.exec_driver_sql(statement.format(schema=schema))


@contextmanager
def _connection(bind: Engine | Connection) -> Iterator[Connection]:
    """The caller's connection as it is, or a transaction of the engine's own."""
    if isinstance(bind, Connection):
        yield bind
        return
    with bind.begin() as conn:
        yield conn
