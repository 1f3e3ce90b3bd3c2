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
``query``; never an engine syntax error. Matches come with a snippet where
matched words are wrapped in :data:`MARK` (``**word**``, Markdown bold), best
first, with the same column weights on both engines (title 10, company 5,
location 2, description and notes 1; for resumes file name 5, text 1):

* PostgreSQL ranks by ``ts_rank`` over the weighted ``tsvector``.
* SQLite ranks by the weights of the columns where the words occur, newest
  first among equals. FTS5's ``bm25`` is not used: on every query it counts the
  documents of each word across the whole table (all users), so a common word
  costs a walk of most of the index (14 ms at 200,000 rows, growing with the
  table), where the per-column matches of one user's rows cost a few
  hundred microseconds.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Boolean, Float, Integer, String, column, text
from sqlalchemy.orm import Session
from sqlalchemy.sql import Executable

from database.core.column_types import UTCDateTime
from database.core.paging import Page, PageBounds
from database.domain import users
from database.domain.schemas import parse_status, require_id
from database.models import ApplicationStatus
from utils.errors import ValidationError

MARK = "**"
MAX_QUERY_LENGTH = 500
MAX_TERMS = 16
MAX_LIMIT = 100
MAX_OFFSET = 10_000
#: Every ranked row costs a match and a snippet, so a search page is bounded.
SEARCH_PAGES = PageBounds(limit_required=True, max_limit=MAX_LIMIT, max_offset=MAX_OFFSET)
# PostgreSQL highlights a window of the long text around the first query word
# (or its start): ts_headline parses all the text it is given, which dominated
# the time of a search returning 20 long descriptions.
SNIPPET_LEAD = 150
SNIPPET_WINDOW = 700
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
    """A searchable table: its text columns and their ranking weights."""

    table: str
    columns: tuple[str, ...]
    weights: tuple[int, ...]


APPLICATIONS = Target(
    "job_applications",
    ("job_title", "company", "location", "job_description", "notes"),
    (10, 5, 2, 1, 1),
)
RESUMES = Target("resumes", ("filename", "parsed_text"), (5, 1))


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


def _fts5_strings(terms: list[Term]) -> list[str]:
    parts = []
    for term in terms:
        quoted = '"' + term.text.replace('"', '""') + '"'
        parts.append(f"{quoted} *" if term.prefix else quoted)
    return parts


def fts5_expression(terms: list[Term], target: Target, user_id: int) -> str:
    """The FTS5 MATCH expression: every term quoted, scoped to the text columns and owner."""
    columns = " ".join(target.columns)
    every = " AND ".join(_fts5_strings(terms))
    return f'{{{columns}}} : ({every}) AND user_id : "{int(user_id)}"'


def fts5_column_expressions(terms: list[Term], target: Target, user_id: int) -> dict[str, str]:
    """Per column, the expression "this column has any of the terms" (for ranking)."""
    anyone = " OR ".join(_fts5_strings(terms))
    return {
        f"in_{column}": f'{column} : ({anyone}) AND user_id : "{int(user_id)}"'
        for column in target.columns
    }


def _sqlite_sql(target: Target, columns: str, status_filter: str = "") -> str:
    """The SQLite search: ranked page first, snippets for that page only."""
    fts = f"{target.table}_fts"
    score = " + ".join(
        f"{weight} * (hit.id IN (SELECT rowid FROM {fts} WHERE {fts} MATCH :in_{column}))"  # noqa: S608
        for column, weight in zip(target.columns, target.weights, strict=True)
    )
    date = "a.application_date" if target is APPLICATIONS else "a.upload_date"
    return f"""
WITH hit AS (SELECT rowid AS id FROM {fts} WHERE {fts} MATCH :match),
top AS (
    SELECT hit.id, {score} AS score, {date} AS newest
    FROM hit JOIN {target.table} AS a ON a.id = hit.id
    WHERE a.user_id = :user_id {status_filter}
    ORDER BY score DESC, newest DESC, hit.id DESC
    LIMIT :limit OFFSET :offset
)
SELECT {columns}, top.score AS score,
       snippet({fts}, -1, '{MARK}', '{MARK}', '…', 24) AS snippet
FROM top
JOIN {target.table} AS a ON a.id = top.id AND a.user_id = :user_id
JOIN {fts} ON {fts}.rowid = top.id
WHERE {fts} MATCH :match
ORDER BY top.score DESC, top.newest DESC, top.id DESC
"""  # noqa: S608 (built from constant names; values are bound parameters)


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


def _hits(
    session: Session, statement: Executable, params: dict[str, Any], user_id: int
) -> list[dict[str, Any]]:
    """Run a search; found rows prove the user exists, so only an empty one checks."""
    hits = [dict(row) for row in session.execute(statement, params).mappings()]
    if not hits:
        users.ensure_exists(session, user_id)
    return hits


def _plan_for_these_words(session: Session) -> None:
    """Plan the search for its actual words, even once psycopg has prepared it.

    A generic plan cannot fold ``phraseto_tsquery(:text)`` into a constant: it
    would parse the words again for every row and could not tell a rare word
    (use the GIN index) from a common one (filter the user's rows).
    """
    session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))


def _is_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def search_applications(
    session: Session,
    user_id: int,
    query: str,
    status: ApplicationStatus | str | None = None,
    limit: int = 20,
    offset: int = 0,
    include_archived: bool = True,
) -> list[dict[str, Any]]:
    """The user's applications matching ``query``, best first.

    Each hit is ``{"id", "job_title", "company", "location", "status" (value),
    "application_date" (aware UTC), "archived" (bool), "score" (higher is
    better; comparable within one result list only), "snippet" (text with
    matches in **...**)}``. Archived applications are found too, flagged,
    unless ``include_archived`` is false.
    """
    terms = parse_query(query)
    wanted = parse_status(status) if status is not None else None
    page = Page.of(limit, offset, SEARCH_PAGES)
    require_id(user_id, "user_id")
    params: dict[str, Any] = {"user_id": user_id, **page.params()}
    status_filter = ""
    if wanted is not None:
        status_filter = "AND a.status = :status"
        params["status"] = wanted.value
    if not isinstance(include_archived, bool):
        raise ValidationError("include_archived", "must be true or false", include_archived)
    if not include_archived:
        status_filter += " AND a.archived_at IS NULL"
    if _is_sqlite(session):
        params["match"] = fts5_expression(terms, APPLICATIONS, user_id)
        params.update(fts5_column_expressions(terms, APPLICATIONS, user_id))
        sql = _sqlite_sql(APPLICATIONS, _APPLICATION_COLUMNS, status_filter)
    else:
        tsquery, term_params = tsquery_sql(terms)
        params.update(term_params)
        _plan_for_these_words(session)
        params["first_word"] = terms[0].words[0].lower()
        sql = _PG_APPLICATIONS.format(
            tsquery=tsquery,
            status_filter=status_filter,
            config=PG_CONFIG,
            mark=MARK,
            before=SNIPPET_LEAD,
            window=SNIPPET_WINDOW,
        )
    statement = text(sql).columns(
        column("id", Integer),
        column("job_title", String),
        column("company", String),
        column("location", String),
        column("status", String),
        column("application_date", UTCDateTime),
        column("archived", Boolean),
        column("score", Float),
        column("snippet", String),
    )
    return _hits(session, statement, params, user_id)


def search_resumes(
    session: Session, user_id: int, query: str, limit: int = 20, offset: int = 0
) -> list[dict[str, Any]]:
    """The user's resumes whose file name or text matches ``query``, best first.

    Each hit is ``{"id", "filename", "is_active", "upload_date", "score",
    "snippet"}`` (as for applications).
    """
    terms = parse_query(query)
    page = Page.of(limit, offset, SEARCH_PAGES)
    require_id(user_id, "user_id")
    params: dict[str, Any] = {"user_id": user_id, **page.params()}
    if _is_sqlite(session):
        params["match"] = fts5_expression(terms, RESUMES, user_id)
        params.update(fts5_column_expressions(terms, RESUMES, user_id))
        sql = _sqlite_sql(RESUMES, _RESUME_COLUMNS)
    else:
        tsquery, term_params = tsquery_sql(terms)
        params.update(term_params)
        _plan_for_these_words(session)
        sql = _PG_RESUMES.format(tsquery=tsquery, config=PG_CONFIG, mark=MARK)
    statement = text(sql).columns(
        column("id", Integer),
        column("filename", String),
        column("is_active", Boolean),
        column("upload_date", UTCDateTime),
        column("score", Float),
        column("snippet", String),
    )
    return _hits(session, statement, params, user_id)


_APPLICATION_COLUMNS = (
    "a.id, a.job_title, a.company, a.location, a.status, a.application_date, "
    "a.archived_at IS NOT NULL AS archived"
)
_RESUME_COLUMNS = "a.id, a.filename, a.is_active, a.upload_date"

# The ranked page is found first; snippets are made for that page only. Its rows are
# read back by the owner's id as well as their own, so every scan names the owner.
_PG_APPLICATIONS = """
WITH top AS (
    SELECT a.id, ts_rank(a.search_vector, {tsquery}) AS score
    FROM job_applications AS a
    WHERE a.user_id = :user_id AND a.search_vector @@ {tsquery} {status_filter}
    ORDER BY score DESC, a.id DESC
    LIMIT :limit OFFSET :offset
)
SELECT a.id, a.job_title, a.company, a.location, a.status, a.application_date,
       a.archived_at IS NOT NULL AS archived, top.score,
       ts_headline('{config}',
                   concat_ws(' · ', a.job_title, a.company, a.location,
                             substr(a.body, greatest(1, strpos(lower(a.body), :first_word)
                                                        - {before}), {window})),
                   {tsquery},
                   'StartSel={mark}, StopSel={mark}, MaxWords=24, MinWords=8, '
                   'MaxFragments=2, FragmentDelimiter=" … "') AS snippet
FROM top
JOIN (SELECT id, job_title, company, location, status, application_date, archived_at,
             concat_ws(' · ', job_description, notes) AS body
      FROM job_applications WHERE user_id = :user_id) AS a ON a.id = top.id
ORDER BY top.score DESC, a.id DESC
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
FROM top JOIN resumes AS r ON r.id = top.id AND r.user_id = :user_id
ORDER BY top.score DESC, r.id DESC
"""
