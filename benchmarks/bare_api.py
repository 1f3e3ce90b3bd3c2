"""The baseline of ``benchmarks/api.py``: the benchmarked endpoints, bare.

Each endpoint runs the SQL the API sends for the same request, with raw
``psycopg`` from a ``psycopg_pool`` pool as large as the API's engine pool, in
one transaction, and returns the same JSON. There is no ORM, no request or
response model and no check beyond what the answer needs: a bearer token is
one lookup joined to its user in the request's own transaction. Bodies are
serialised by ``pydantic_core.to_json``, the Rust encoder FastAPI itself uses
for a route with a response model, so both sides pay the same for JSON.

Served by uvicorn like the API (``benchmarks/api.py`` starts it):
``uvicorn --factory benchmarks.bare_api:create_bare_app``, configured by the same
``DATABASE_URL`` / ``ENVIRONMENT`` variables.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import psycopg
from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from fastapi import Body, FastAPI, Form, Header, Request, Response
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool
from pydantic_core import to_json

from benchmarks.raw import statistics_dict, statistics_sql
from database.core.config import DatabaseConfig
from database.core.keys import email_key, keys_for
from database.core.tokens import digest, mint
from database.domain.accounts import ACCESS_TOKEN_LIFETIME
from database.domain.accounts.throttle import keys_for as throttle_keys
from database.domain.accounts.tokens import TAG
from database.domain.events import CHANNEL, ORDER_LOCK, payload_json
from database.models import EventKind

PREFIX = "/api/v1"
READ_COLUMNS = (
    "id, user_id, resume_id, job_title, company, location, job_description, job_url, source, "
    "status, application_date, salary_min, salary_max, salary_currency, job_type, is_remote, "
    "match_score, notes, interview_date, interview_type, status_changed_at, archived_at, "
    "created_at, updated_at"
)
WRITE_COLUMNS = (
    "user_id", "job_title", "company", "location", "job_description", "job_url", "source",
    "status", "application_date", "is_remote", "status_changed_at", "url_key", "posting_key",
    "created_at", "updated_at",
)  # fmt: skip
ACTOR_SQL = (
    "SELECT t.user_id FROM auth_tokens AS t JOIN users AS u ON u.id = t.user_id "
    "WHERE t.token_hash = %s AND t.kind IN ('access', 'api_key') AND t.revoked_at IS NULL "
    "AND (t.expires_at IS NULL OR t.expires_at > %s) AND u.is_active"
)
LOCKED_SQL = (
    "SELECT locked_until FROM sign_in_throttle "
    "WHERE (scope, key) IN ((%s, %s), (%s, %s)) AND locked_until > %s"
)
TOKEN_SQL = (
    "INSERT INTO auth_tokens (user_id, kind, prefix, token_hash, scope, expires_at, "
    "created_at, updated_at) VALUES (%s, 'access', %s, %s, 'write', %s, %s, %s) RETURNING id"
)
# The application, its first history row and its outbox event under the event-order
# lock, with the event's notification: the API's one statement.
CREATE_SQL = (
    f"WITH new_application AS (INSERT INTO job_applications ({', '.join(WRITE_COLUMNS)}) "
    f"VALUES ({', '.join('%s' for _ in WRITE_COLUMNS)}) RETURNING {READ_COLUMNS}), "
    "first_status AS (INSERT INTO application_status_history "
    "(application_id, user_id, to_status, changed_at) "
    "SELECT id, user_id, status, status_changed_at FROM new_application), "
    "new_event AS (INSERT INTO events "
    "(user_id, organization_id, kind, entity, entity_id, payload, created_at) "
    f"SELECT n.user_id, NULL, '{EventKind.APPLICATION_CREATED.value}', 'application', n.id, "
    "%s, n.status_changed_at FROM new_application AS n "
    f"JOIN (SELECT pg_advisory_xact_lock({ORDER_LOCK}) OFFSET 0) AS in_order ON true "
    "RETURNING id AS event_id) "
    f"SELECT {READ_COLUMNS}, pg_notify('{CHANNEL}', CAST(event_id AS TEXT)) AS notified "
    "FROM new_application JOIN new_event ON true"
)
LIST_SQL = (
    f"SELECT {READ_COLUMNS}, "
    "array((SELECT t.name FROM tags AS t JOIN application_tags AS l "
    "ON l.tag_id = t.id AND l.user_id = t.user_id "
    "WHERE l.application_id = a.id AND l.user_id = a.user_id ORDER BY t.name_key)) AS tags, "
    "(SELECT count(*) FROM job_applications WHERE user_id = %(user_id)s "
    "AND archived_at IS NULL) AS total "
    "FROM job_applications AS a WHERE a.user_id = %(user_id)s AND a.archived_at IS NULL "
    "ORDER BY a.application_date DESC, a.id DESC LIMIT %(limit)s OFFSET %(offset)s"
)
COUNT_SQL = "SELECT count(*) FROM job_applications WHERE user_id = %s AND archived_at IS NULL"
SEARCH_SQL = """
WITH top AS (
    SELECT a.id, ts_rank(a.search_vector, {tsquery}) AS score
    FROM job_applications AS a
    WHERE a.user_id = %(user_id)s AND a.search_vector @@ {tsquery}
    ORDER BY score DESC, a.id DESC
    LIMIT %(limit)s OFFSET %(offset)s
)
SELECT a.id, a.job_title, a.company, a.location, a.status, a.application_date,
       a.archived_at IS NOT NULL AS archived, top.score,
       ts_headline('english',
                   concat_ws(' · ', a.job_title, a.company, a.location,
                             substr(a.body, greatest(1, strpos(lower(a.body), %(first_word)s)
                                                        - 150), 700)),
                   {tsquery},
                   'StartSel=**, StopSel=**, MaxWords=24, MinWords=8, '
                   'MaxFragments=2, FragmentDelimiter=" … "') AS snippet
FROM top
JOIN (SELECT id, job_title, company, location, status, application_date, archived_at,
             concat_ws(' · ', job_description, notes) AS body
      FROM job_applications WHERE user_id = %(user_id)s) AS a ON a.id = top.id
ORDER BY top.score DESC, a.id DESC
"""
_HASHER = PasswordHasher()
# At module level: FastAPI resolves the routes' postponed annotations in these globals.
Authorization = Annotated[str | None, Header()]
_UNAUTHORIZED = Response(b'{"detail":"unauthorized"}', 401, media_type="application/json")


def _json(content: Any, status_code: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(to_json(content), status_code, headers, media_type="application/json")


def _refused(status_code: int = 401) -> Response:
    return Response(_UNAUTHORIZED.body, status_code, media_type="application/json")


def create_bare_app() -> FastAPI:
    """The bare app on the configured PostgreSQL database (one pool per server worker)."""
    config = DatabaseConfig.for_environment()
    conninfo = config.url.set(drivername="postgresql").render_as_string(hide_password=False)
    pool = ConnectionPool(
        conninfo,
        min_size=config.pool_size,
        max_size=config.pool_size + config.max_overflow,
        timeout=config.timeout,
        open=False,
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        pool.open(wait=True)
        try:
            yield
        finally:
            pool.close()

    app = FastAPI(lifespan=lifespan, openapi_url=None, docs_url=None, redoc_url=None)
    app.state.pool = pool
    _add_routes(app)
    return app


@contextmanager
def _transaction(request: Request) -> Iterator[psycopg.Connection[dict[str, Any]]]:
    pool: ConnectionPool = request.app.state.pool
    with pool.connection() as conn:  # commits on success, rolls back on error
        conn.row_factory = dict_row  # type: ignore[assignment]
        yield conn  # type: ignore[misc]


def _actor(conn: psycopg.Connection[dict[str, Any]], authorization: str | None) -> int | None:
    if not authorization or not authorization.startswith("Bearer "):
        return None
    row = conn.execute(ACTOR_SQL, (digest(authorization[7:]), datetime.now(UTC))).fetchone()
    return None if row is None else int(row["user_id"])


def _add_routes(app: FastAPI) -> None:
    @app.get(f"{PREFIX}/health")
    def health() -> Response:
        return _json({"status": "ok"})

    @app.post(f"{PREFIX}/auth/token")
    def token(
        request: Request, username: Annotated[str, Form()], password: Annotated[str, Form()]
    ) -> Response:
        return _sign_in(request, username, password)

    @app.get(f"{PREFIX}/applications")
    def list_applications(
        request: Request, authorization: Authorization = None, limit: int = 50, offset: int = 0
    ) -> Response:
        with _transaction(request) as conn:
            user_id = _actor(conn, authorization)
            if user_id is None:
                return _refused()
            params = {"user_id": user_id, "limit": limit, "offset": offset}
            rows = conn.execute(LIST_SQL, params).fetchall()
            if rows:
                total = rows[0]["total"]
            else:  # a page past the end: the count alone
                count = conn.execute(COUNT_SQL, (user_id,)).fetchone()
                total = count["count"] if count else 0
        for row in rows:
            del row["total"]
        return _json(rows, headers={"X-Total-Count": str(total)})

    @app.post(f"{PREFIX}/applications")
    def create_application(
        request: Request,
        body: Annotated[dict[str, Any], Body()],
        authorization: Authorization = None,
    ) -> Response:
        with _transaction(request) as conn:
            user_id = _actor(conn, authorization)
            if user_id is None:
                return _refused()
            row = conn.execute(CREATE_SQL, _new_row(user_id, body)).fetchone()
        if row is not None:
            del row["notified"]
            row["tags"] = []  # a new application has none
        return _json(row, 201, {"Location": f"{PREFIX}/applications/{row and row['id']}"})

    @app.get(f"{PREFIX}/statistics")
    def statistics(
        request: Request, authorization: Authorization = None, days: int = 30
    ) -> Response:
        cutoff = datetime.now(UTC) - timedelta(days=days)
        with _transaction(request) as conn:
            user_id = _actor(conn, authorization)
            if user_id is None:
                return _refused()
            params = (cutoff, cutoff, cutoff, user_id, cutoff, user_id)
            cur = conn.cursor(row_factory=psycopg.rows.tuple_row)
            rows = cur.execute(statistics_sql("%s"), params).fetchall()
        return _json(statistics_dict(rows, days))

    @app.get(f"{PREFIX}/search/applications")
    def search(
        request: Request, q: str, authorization: Authorization = None, limit: int = 20
    ) -> Response:
        words = q.split()
        tsquery = "(" + " && ".join(f"phraseto_tsquery('english', %(term_{i})s)"
                                    for i in range(len(words))) + ")"  # fmt: skip
        params: dict[str, Any] = {f"term_{i}": word for i, word in enumerate(words)}
        params.update(limit=limit, offset=0, first_word=words[0].lower())
        with _transaction(request) as conn:
            user_id = _actor(conn, authorization)
            if user_id is None:
                return _refused()
            conn.execute("SET LOCAL plan_cache_mode = force_custom_plan")
            params["user_id"] = user_id
            rows = conn.execute(SEARCH_SQL.format(tsquery=tsquery), params).fetchall()
        return _json(rows)


def _new_row(user_id: int, body: dict[str, Any]) -> tuple[Any, ...]:
    now = datetime.now(UTC)
    values = {
        "job_title": body.get("job_title"),
        "company": body.get("company"),
        "location": body.get("location"),
        "job_description": body.get("job_description"),
        "job_url": body.get("job_url"),
        "source": body.get("source"),
    }
    row = {
        **values,
        **keys_for(values),
        "user_id": user_id,
        "status": "applied",
        "application_date": now,
        "is_remote": bool(body.get("is_remote", False)),
        "status_changed_at": now,
        "created_at": now,
        "updated_at": now,
    }
    return (*(row[name] for name in WRITE_COLUMNS), payload_json({"status": row["status"]}))


def _sign_in(request: Request, email: str, password: str) -> Response:
    now = datetime.now(UTC)
    keys = throttle_keys(email_key(email), request.client.host if request.client else None)
    (scope_a, key_a), (scope_b, key_b) = keys[0], keys[-1]
    with _transaction(request) as conn:
        params = (scope_a.value, key_a, scope_b.value, key_b, now)
        if conn.execute(LOCKED_SQL, params).fetchone() is not None:
            return _refused(429)
        user = conn.execute(
            "SELECT id, password_hash, is_active FROM users WHERE email_key = %s",
            (email_key(email),),
        ).fetchone()
        try:
            _HASHER.verify(user["password_hash"] if user else "", password)
        except (VerificationError, ValueError):
            return _refused()
        if user is None or not user["is_active"]:
            return _refused()
        conn.execute(
            "UPDATE users SET last_login = %s, updated_at = %s WHERE id = %s",
            (now, now, user["id"]),
        )
        conn.execute(
            "DELETE FROM sign_in_throttle WHERE scope = %s AND key IN (%s)",
            (scope_a.value, key_a),
        )
        minted, expires = mint(TAG), now + ACCESS_TOKEN_LIFETIME
        conn.execute(TOKEN_SQL, (user["id"], minted.prefix, minted.digest, expires, now, now))
    return _json({"access_token": minted.raw, "token_type": "bearer", "expires_at": expires})
