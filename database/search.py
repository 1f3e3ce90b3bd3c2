"""Full-text search over a user's applications and resumes (migration 003).

What a user types is parsed here into terms: words, ``"quoted phrases"`` and
``prefix*`` words; every term must match (AND). The engine query is built from
those terms only, and passed as bound parameters:

* SQLite (FTS5): every term becomes an FTS5 string (quoted, inner quotes
  doubled), so no user text is ever read as FTS5 syntax. The owner's id is part
  of the match (``user_id : "42"``), so a search walks this user's entries only.
* PostgreSQL: a plain term becomes ``phraseto_tsquery(config, :text)``, which
  takes any text; a prefix term becomes ``to_tsquery(config, :lexemes)`` built
  from letters and digits only, joined by ``<->`` and ending in ``:*``.

So any string is either a valid query or a :class:`ValidationError` on
``query``; never an engine syntax error. Matches are ranked (bm25 / ts_rank,
title above company above location above text) and come with a snippet where
matched words are wrapped in :data:`MARK` (``**word**``, Markdown bold).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Boolean, Float, Integer, String, column, text
from sqlalchemy.orm import Session

from database import users
from database.column_types import UTCDateTime
from database.models import ApplicationStatus
from database.schemas import parse_status, require_id
from utils.errors import ValidationError

MARK = "**"
MAX_QUERY_LENGTH = 500
MAX_TERMS = 16
MAX_LIMIT = 100
MAX_OFFSET = 10_000
PG_CONFIG = "english"
_TERM = re.compile(r'"([^"]*)"?(\*?)|([^\s"]+)')
_WORD = re.compile(r"[^\W_]+")
_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


@dataclass(frozen=True)
class Term:
    """One thing that must match: a word or phrase, optionally a prefix."""

    text: str
    prefix: bool = False

    @property
    def words(self) -> list[str]:
        """The letters-and-digits runs of the term."""
        return _WORD.findall(self.text)


@dataclass(frozen=True)
class Target:
    """A searchable table: its FTS columns (SQLite) and bm25 weights."""

    table: str
    columns: tuple[str, ...]
    weights: tuple[float, ...]


APPLICATIONS = Target(
    "job_applications",
    ("job_title", "company", "location", "job_description", "notes"),
    (10.0, 5.0, 2.0, 1.0, 1.0),
)
RESUMES = Target("resumes", ("filename", "parsed_text"), (5.0, 1.0))


def parse_query(query: Any) -> list[Term]:
    """The terms of ``query``, or :class:`ValidationError` on ``query``."""
    if not isinstance(query, str):
        raise ValidationError("query", "must be a string", query)
    if len(query) > MAX_QUERY_LENGTH:
        raise ValidationError("query", f"must be at most {MAX_QUERY_LENGTH} characters")
    cleaned = "".join(" " if unicodedata.category(c) in _UNSAFE_CATEGORIES else c for c in query)
    terms: list[Term] = []
    for match in _TERM.finditer(cleaned):
        phrase, phrase_star, bare = match.groups()
        if bare is not None:
            term = Term(bare.replace("*", " ").strip(), prefix=bare.endswith("*"))
        else:
            term = Term(phrase.replace("*", " ").strip(), prefix=bool(phrase_star))
        if term.words:
            terms.append(term)
    if not terms:
        raise ValidationError("query", "must contain at least one word (letters or digits)")
    if len(terms) > MAX_TERMS:
        raise ValidationError("query", f"must have at most {MAX_TERMS} words or phrases")
    return terms


def fts5_expression(terms: list[Term], target: Target, user_id: int) -> str:
    """The FTS5 MATCH expression: every term quoted, scoped to the text columns and owner."""
    parts = []
    for term in terms:
        quoted = '"' + term.text.replace('"', '""') + '"'
        parts.append(f"{quoted} *" if term.prefix else quoted)
    columns = " ".join(target.columns)
    return f'{{{columns}}} : ({" AND ".join(parts)}) AND user_id : "{int(user_id)}"'


def tsquery_sql(terms: list[Term]) -> tuple[str, dict[str, str]]:
    """A PostgreSQL tsquery expression over bound parameters, and those parameters."""
    pieces = []
    params: dict[str, str] = {}
    for index, term in enumerate(terms):
        name = f"term_{index}"
        if term.prefix:
            params[name] = " <-> ".join(term.words) + ":*"
            pieces.append(f"to_tsquery('{PG_CONFIG}', :{name})")
        else:
            params[name] = term.text
            pieces.append(f"phraseto_tsquery('{PG_CONFIG}', :{name})")
    return "(" + " && ".join(pieces) + ")", params


def _page(limit: int, offset: int) -> None:
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise ValidationError("limit", f"must be an integer from 1 to {MAX_LIMIT}", limit)
    if isinstance(offset, bool) or not isinstance(offset, int) or not 0 <= offset <= MAX_OFFSET:
        raise ValidationError("offset", f"must be an integer from 0 to {MAX_OFFSET}", offset)


def _is_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def search_applications(
    session: Session,
    user_id: int,
    query: str,
    status: ApplicationStatus | str | None = None,
    limit: int = 20,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """The user's applications matching ``query``, best first.

    Each hit is ``{"id", "job_title", "company", "location", "status" (value),
    "application_date" (aware UTC), "score" (higher is better; comparable
    within one result list only), "snippet" (text with matches in **...**)}``.
    """
    terms = parse_query(query)
    wanted = parse_status(status) if status is not None else None
    _page(limit, offset)
    require_id(user_id, "user_id")
    params: dict[str, Any] = {"user_id": user_id, "limit": limit, "offset": offset}
    status_filter = ""
    if wanted is not None:
        status_filter = "AND a.status = :status"
        params["status"] = wanted.value
    if _is_sqlite(session):
        params["match"] = fts5_expression(terms, APPLICATIONS, user_id)
        sql = _SQLITE_APPLICATIONS.format(
            weights=", ".join(map(str, (*APPLICATIONS.weights, 0.0))),
            status_filter=status_filter,
            mark=MARK,
        )
    else:
        tsquery, term_params = tsquery_sql(terms)
        params.update(term_params)
        sql = _PG_APPLICATIONS.format(
            tsquery=tsquery, status_filter=status_filter, config=PG_CONFIG, mark=MARK
        )
    statement = text(sql).columns(
        column("id", Integer),
        column("job_title", String),
        column("company", String),
        column("location", String),
        column("status", String),
        column("application_date", UTCDateTime),
        column("score", Float),
        column("snippet", String),
    )
    hits = [dict(row) for row in session.execute(statement, params).mappings()]
    if not hits:  # found rows prove the user exists, saving a query
        users.ensure_exists(session, user_id)
    return hits


def search_resumes(
    session: Session, user_id: int, query: str, limit: int = 20, offset: int = 0
) -> list[dict[str, Any]]:
    """The user's resumes whose file name or text matches ``query``, best first.

    Each hit is ``{"id", "filename", "is_active", "upload_date", "score",
    "snippet"}`` (as for applications).
    """
    terms = parse_query(query)
    _page(limit, offset)
    require_id(user_id, "user_id")
    params: dict[str, Any] = {"user_id": user_id, "limit": limit, "offset": offset}
    if _is_sqlite(session):
        params["match"] = fts5_expression(terms, RESUMES, user_id)
        sql = _SQLITE_RESUMES.format(
            weights=", ".join(map(str, (*RESUMES.weights, 0.0))), mark=MARK
        )
    else:
        tsquery, term_params = tsquery_sql(terms)
        params.update(term_params)
        sql = _PG_RESUMES.format(tsquery=tsquery, config=PG_CONFIG, mark=MARK)
    statement = text(sql).columns(
        column("id", Integer),
        column("filename", String),
        column("is_active", Boolean),
        column("upload_date", UTCDateTime),
        column("score", Float),
        column("snippet", String),
    )
    hits = [dict(row) for row in session.execute(statement, params).mappings()]
    if not hits:  # found rows prove the user exists, saving a query
        users.ensure_exists(session, user_id)
    return hits


# The ranked page is found first; snippets are made for that page only.
_SQLITE_APPLICATIONS = """
WITH top AS (
    SELECT f.rowid AS id, bm25(job_applications_fts, {weights}) AS rank
    FROM job_applications_fts AS f
    JOIN job_applications AS a ON a.id = f.rowid
    WHERE job_applications_fts MATCH :match AND a.user_id = :user_id {status_filter}
    ORDER BY rank, f.rowid DESC
    LIMIT :limit OFFSET :offset
)
SELECT a.id, a.job_title, a.company, a.location, a.status, a.application_date,
       -top.rank AS score,
       snippet(job_applications_fts, -1, '{mark}', '{mark}', '…', 24) AS snippet
FROM top
JOIN job_applications AS a ON a.id = top.id
JOIN job_applications_fts ON job_applications_fts.rowid = top.id
WHERE job_applications_fts MATCH :match
ORDER BY top.rank, top.id DESC
"""

_PG_APPLICATIONS = """
WITH top AS (
    SELECT a.id, ts_rank(a.search_vector, {tsquery}) AS score
    FROM job_applications AS a
    WHERE a.user_id = :user_id AND a.search_vector @@ {tsquery} {status_filter}
    ORDER BY score DESC, a.id DESC
    LIMIT :limit OFFSET :offset
)
SELECT a.id, a.job_title, a.company, a.location, a.status, a.application_date,
       top.score,
       ts_headline('{config}',
                   concat_ws(' · ', a.job_title, a.company, a.location,
                             a.job_description, a.notes),
                   {tsquery},
                   'StartSel={mark}, StopSel={mark}, MaxWords=24, MinWords=8, '
                   'MaxFragments=2, FragmentDelimiter=" … "') AS snippet
FROM top JOIN job_applications AS a ON a.id = top.id
ORDER BY top.score DESC, a.id DESC
"""

_SQLITE_RESUMES = """
WITH top AS (
    SELECT f.rowid AS id, bm25(resumes_fts, {weights}) AS rank
    FROM resumes_fts AS f
    JOIN resumes AS r ON r.id = f.rowid
    WHERE resumes_fts MATCH :match AND r.user_id = :user_id
    ORDER BY rank, f.rowid DESC
    LIMIT :limit OFFSET :offset
)
SELECT r.id, r.filename, r.is_active, r.upload_date, -top.rank AS score,
       snippet(resumes_fts, -1, '{mark}', '{mark}', '…', 24) AS snippet
FROM top
JOIN resumes AS r ON r.id = top.id
JOIN resumes_fts ON resumes_fts.rowid = top.id
WHERE resumes_fts MATCH :match
ORDER BY top.rank, top.id DESC
"""

_PG_RESUMES = """
WITH top AS (
    SELECT r.id, ts_rank(r.search_vector, {tsquery}) AS score
    FROM resumes AS r
    WHERE r.user_id = :user_id AND r.search_vector @@ {tsquery}
    ORDER BY score DESC, r.id DESC
    LIMIT :limit OFFSET :offset
)
SELECT r.id, r.filename, r.is_active, r.upload_date, top.score,
       ts_headline('{config}', concat_ws(' · ', r.filename, r.parsed_text), {tsquery},
                   'StartSel={mark}, StopSel={mark}, MaxWords=24, MinWords=8, '
                   'MaxFragments=2, FragmentDelimiter=" … "') AS snippet
FROM top JOIN resumes AS r ON r.id = top.id
ORDER BY top.score DESC, r.id DESC
"""
