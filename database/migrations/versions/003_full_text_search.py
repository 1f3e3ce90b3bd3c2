"""Full-text search support

Applications (job title, company, location, description, notes) and resumes
(file name, parsed text) become searchable. SQLite: FTS5 tables with external
content, kept in sync by triggers; the owner's id is indexed too so that a
user's search never walks other users' matches. PostgreSQL: a ``tsvector``
column filled by a trigger (only when a searched column changes) and a GIN
index. The upgrade indexes the rows already there. Also adds the duplicate
posting keys of applications (the rules of ``database.core.keys`` at this
revision, frozen below), filled for existing rows, and covering indexes for
one user's analytics (applications by user and date with the columns the
analytics read; the status history index of 002 extended with the id and the
status entered).

Revision ID: 003
Revises: 002
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "003"
down_revision = "002"
branch_labels = None
depends_on = None

#: table -> (searched columns, PostgreSQL weight of each)
SEARCHED = {
    "job_applications": (
        ("job_title", "A"),
        ("company", "B"),
        ("location", "C"),
        ("job_description", "D"),
        ("notes", "D"),
    ),
    "resumes": (("filename", "A"), ("parsed_text", "B")),
}
KEY_INDEXES = (
    ("ix_job_applications_user_url_key", ["user_id", "url_key"]),
    ("ix_job_applications_user_posting_key", ["user_id", "posting_key"]),
)
# Covering indexes for one user's analytics: no reads of the wide application rows.
ACTIVITY_INDEX = (
    "ix_job_applications_user_activity",
    ["user_id", "application_date", "id", "status", "source", "resume_id", "status_changed_at"],
)
HISTORY_INDEX = "ix_application_status_history_application"
HISTORY_COLUMNS_002 = ["application_id", "changed_at"]
HISTORY_COLUMNS_003 = ["application_id", "changed_at", "id", "to_status"]
FTS_TOKENIZER = "porter unicode61 remove_diacritics 2"
PG_CONFIG = "english"
# The SQL below is assembled from the constant table and column names above only.


def upgrade() -> None:
    _add_posting_keys()
    op.create_index(ACTIVITY_INDEX[0], "job_applications", ACTIVITY_INDEX[1])
    op.drop_index(HISTORY_INDEX, table_name="application_status_history")
    op.create_index(HISTORY_INDEX, "application_status_history", HISTORY_COLUMNS_003)
    if op.get_bind().dialect.name == "sqlite":
        for table, columns in SEARCHED.items():
            _create_sqlite_index(table, [name for name, _ in columns])
    else:
        for table, columns in SEARCHED.items():
            _create_postgresql_index(table, columns)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table in SEARCHED:
            for suffix in ("ai", "ad", "au"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_fts_{suffix}")
            op.execute(f"DROP TABLE IF EXISTS {table}_fts")
    else:
        for table in SEARCHED:
            op.execute(f"DROP INDEX IF EXISTS ix_{table}_search_vector")
            op.execute(f"DROP TRIGGER IF EXISTS aa_{table}_search_vector ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS aa_{table}_search_vector()")
            op.drop_column(table, "search_vector")
    op.drop_index(HISTORY_INDEX, table_name="application_status_history")
    op.create_index(HISTORY_INDEX, "application_status_history", HISTORY_COLUMNS_002)
    op.drop_index(ACTIVITY_INDEX[0], table_name="job_applications")
    for name, _columns in reversed(KEY_INDEXES):
        op.drop_index(name, table_name="job_applications")
    with op.batch_alter_table("job_applications") as batch:
        batch.drop_column("posting_key")
        batch.drop_column("url_key")


def _add_posting_keys() -> None:
    op.add_column("job_applications", sa.Column("url_key", sa.String(length=32), nullable=True))
    op.add_column("job_applications", sa.Column("posting_key", sa.String(length=32), nullable=True))
    apps = sa.table(
        "job_applications",
        sa.column("id", sa.Integer),
        sa.column("job_url", sa.String),
        sa.column("company", sa.String),
        sa.column("job_title", sa.String),
        sa.column("location", sa.String),
        sa.column("url_key", sa.String),
        sa.column("posting_key", sa.String),
    )
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(apps.c.id, apps.c.job_url, apps.c.company, apps.c.job_title, apps.c.location)
    ).mappings()
    updates = [{"row_id": row["id"], **_keys_for(dict(row))} for row in rows]
    if updates:
        bind.execute(
            apps.update()
            .where(apps.c.id == sa.bindparam("row_id"))
            .values(url_key=sa.bindparam("url_key"), posting_key=sa.bindparam("posting_key")),
            updates,
        )
    for name, columns in KEY_INDEXES:
        op.create_index(name, "job_applications", columns)


def _create_sqlite_index(table: str, columns: list[str]) -> None:
    fts = f"{table}_fts"
    indexed = [*columns, "user_id"]
    names = ", ".join(indexed)
    new = ", ".join(f"new.{c}" for c in indexed)
    old = ", ".join(f"old.{c}" for c in indexed)
    op.execute(
        f"CREATE VIRTUAL TABLE {fts} USING fts5({names}, content='{table}', "
        f"content_rowid='id', tokenize='{FTS_TOKENIZER}')"
    )
    op.execute(
        f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {table} BEGIN "  # noqa: S608
        f"INSERT INTO {fts}(rowid, {names}) VALUES (new.id, {new}); END"
    )
    op.execute(
        f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {table} BEGIN "  # noqa: S608
        f"INSERT INTO {fts}({fts}, rowid, {names}) VALUES ('delete', old.id, {old}); END"
    )
    # Only a change to an indexed column touches the index (not a status change).
    op.execute(
        f"CREATE TRIGGER {fts}_au AFTER UPDATE OF {names} ON {table} BEGIN "  # noqa: S608
        f"INSERT INTO {fts}({fts}, rowid, {names}) VALUES ('delete', old.id, {old}); "
        f"INSERT INTO {fts}(rowid, {names}) VALUES (new.id, {new}); END"
    )
    op.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")  # noqa: S608


def _create_postgresql_index(table: str, columns: tuple[tuple[str, str], ...]) -> None:
    function = f"aa_{table}_search_vector"
    vector = " || ".join(
        f"setweight(to_tsvector('{PG_CONFIG}', {_pg_text(name)}), '{weight}')"
        for name, weight in columns
    )
    names = ", ".join(name for name, _ in columns)
    op.add_column(table, sa.Column("search_vector", postgresql.TSVECTOR()))
    op.execute(
        f"CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN NEW.search_vector := {vector}; RETURN NEW; END $$"
    )
    op.execute(
        f"CREATE TRIGGER {function} BEFORE INSERT OR UPDATE OF {names} ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {function}()"
    )
    backfill = vector.replace("NEW.", "")
    op.execute(f"UPDATE {table} SET search_vector = {backfill}")  # noqa: S608
    op.execute(f"CREATE INDEX ix_{table}_search_vector ON {table} USING gin (search_vector)")


def _pg_text(name: str) -> str:
    # PostgreSQL's parser reads "backend_cv.pdf" as one file-name token; split it
    # into words so a search for "backend" finds it, as on SQLite.
    if name == "filename":
        return "regexp_replace(coalesce(NEW.filename, ''), '[^[:alnum:]]+', ' ', 'g')"
    return f"coalesce(NEW.{name}, '')"


# Frozen copy of the posting-key rules of this revision (database.core.keys may change
# later; re-running this revision must write the keys it wrote the first time).
_TRACKING_PARAMETERS = frozenset(
    {"fbclid", "gclid", "mc_cid", "mc_eid", "ref", "refid", "referrer", "src", "source", "trk"}
)
_KEY_LENGTH = 32


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:_KEY_LENGTH]


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = "".join(c if c.isalnum() else " " for c in decomposed if not unicodedata.combining(c))
    return " ".join(kept.split())


def _normalise_url(url: str | None) -> str | None:
    if not url or not url.strip():
        return None
    raw = url.strip()
    try:
        parts = urlsplit(raw if "://" in raw else f"//{raw}")
        host = (parts.hostname or "").removeprefix("www.")
        port_number = parts.port
    except ValueError:
        return raw.casefold()
    if not host:
        return raw.casefold()
    port = f":{port_number}" if port_number and port_number not in (80, 443) else ""
    path = parts.path.rstrip("/")
    query = sorted(
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k.lower() not in _TRACKING_PARAMETERS and not k.lower().startswith("utm_")
    )
    suffix = f"?{urlencode(query)}" if query else ""
    return f"{host}{port}{path}{suffix}"


def _keys_for(fields: Mapping[str, Any]) -> dict[str, str | None]:
    normal = _normalise_url(fields.get("job_url"))
    company, title = fields.get("company"), fields.get("job_title")
    posting = None
    if company and title:
        parts = (company, title, fields.get("location"))
        posting = _digest("\x1f".join(_fold(part or "") for part in parts))
    return {"url_key": None if normal is None else _digest(normal), "posting_key": posting}
