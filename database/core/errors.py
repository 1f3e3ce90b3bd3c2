"""The data boundary: driver exceptions become the project's errors, once.

Wherever the data layer calls the driver it does so inside :func:`translated`:
a violated constraint is the database telling us the input broke a rule, so it
becomes a :class:`ValidationError` naming the field that rule protects; anything
else the driver raises becomes a :class:`DatabaseError`. The original exception
is always chained as ``__cause__``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import exc as sa_exc

from utils.errors import AutoApplyerError, DatabaseError, PermissionDeniedError, ValidationError

#: constraint name -> (field, rule)
CONSTRAINT_RULES: dict[str, tuple[str, str]] = {
    "uq_users_email_key": ("email", "is already registered (emails are case-insensitive)"),
    "ck_users_experience_years_non_negative": ("experience_years", "must not be negative"),
    "uq_user_preferences_user_id": ("user_id", "already has preferences"),
    "ck_user_preferences_salary_range": ("salary_min", "must not exceed salary_max"),
    "ck_user_preferences_salary_min_non_negative": ("salary_min", "must not be negative"),
    "ck_job_applications_salary_range": ("salary_min", "must not exceed salary_max"),
    "ck_job_applications_salary_min_non_negative": ("salary_min", "must not be negative"),
    "ck_job_applications_match_score_range": ("match_score", "must be between 0 and 100"),
    "ck_job_applications_application_status": ("status", "must be a known application status"),
    "ck_resumes_file_size_non_negative": ("file_size", "must not be negative"),
    "uq_ai_analysis_cache_cache_key": ("cache_key", "must be unique"),
    "uq_system_settings_setting_key": ("setting_key", "must be unique"),
    "uq_schema_migrations_version": ("version", "is already applied"),
    "uq_organizations_slug": ("slug", "must be unique"),
}

#: SQLSTATE insufficient_privilege: on a table with row-level security, a row
#: the acting user may not write (the services refuse first; this is the wall).
_NOT_PERMITTED = "42501"

_SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: (?:index '([^']+)'|(\w+)\.(\w+))")
_SQLITE_CHECK = re.compile(r"CHECK constraint failed: (\w+)")
# SQLite's SQLITE_FULL, PostgreSQL's disk_full (ENOSPC while extending a file).
_DISK_FULL = re.compile(r"database or disk is full|no space left on device", re.IGNORECASE)
_SQLITE_NOT_NULL = re.compile(r"NOT NULL constraint failed: \w+\.(\w+)")


@contextmanager
def translated(
    reword: Callable[[AutoApplyerError], AutoApplyerError] | None = None,
) -> Iterator[None]:
    """Driver errors raised inside leave as the project's errors, cause chained.

    The project's own errors pass unchanged. ``reword`` turns the translated
    error into the one raised, for a caller that adds what it was doing (the
    driver exception stays the ``__cause__``).
    """
    try:
        yield
    except AutoApplyerError:
        raise
    except sa_exc.SQLAlchemyError as exc:
        error = translate(exc)
        raise (error if reword is None else reword(error)) from exc


def translate(exc: BaseException) -> AutoApplyerError:
    """The project error that stands for the driver exception ``exc``."""
    if isinstance(exc, AutoApplyerError):
        return exc
    if isinstance(exc, sa_exc.IntegrityError):
        return _integrity_error(exc)
    if getattr(getattr(exc, "orig", None), "sqlstate", None) == _NOT_PERMITTED:
        return PermissionDeniedError(f"not permitted for this user ({_short(exc)})")
    if isinstance(exc, sa_exc.DataError) or _caused_by_input(exc):
        return ValidationError("value", f"rejected by the database ({_short(exc)})")
    if isinstance(exc, sa_exc.OperationalError):
        if _DISK_FULL.search(_short(exc)):
            return DatabaseError(f"Database is full (no space left to write): {_short(exc)}")
        return DatabaseError(f"Database unavailable or busy: {_short(exc)}")
    return DatabaseError(f"Database error: {_short(exc)}")


#: SQLSTATE classes of errors caused by the statement's values, not by the server:
#: data exceptions (22: too long, out of range, bad encoding) and program limits
#: exceeded (54: a value or row too large, such as an oversized search vector).
_INPUT_SQLSTATE_CLASSES = ("22", "54")
# SQLite's SQLITE_TOOBIG and SQLITE_RANGE, whatever exception class they arrive as.
_SQLITE_INPUT = re.compile(r"string or blob too big|too many SQL variables", re.IGNORECASE)


def _caused_by_input(exc: BaseException) -> bool:
    """Whether the database refused the values given rather than failed itself."""
    orig = getattr(exc, "orig", None)
    sqlstate = getattr(orig, "sqlstate", None)
    if isinstance(sqlstate, str):
        return sqlstate[:2] in _INPUT_SQLSTATE_CLASSES
    return bool(_SQLITE_INPUT.search(str(orig or "")))


def _integrity_error(exc: sa_exc.IntegrityError) -> AutoApplyerError:
    orig = exc.orig
    diag = getattr(orig, "diag", None)
    if diag is not None:  # psycopg names the constraint and column for us
        constraint = getattr(diag, "constraint_name", None)
        if constraint in CONSTRAINT_RULES:
            return ValidationError(*CONSTRAINT_RULES[constraint])
        column = getattr(diag, "column_name", None)
        if column:
            return ValidationError(column, "is required")
        if constraint and constraint.startswith("fk_"):
            return ValidationError(_fk_field(constraint), "must refer to an existing row")
        return ValidationError(constraint or "value", "violates a database rule")
    message = str(orig)
    if "FOREIGN KEY constraint failed" in message:
        return ValidationError("reference", "must refer to an existing row")
    for pattern in (_SQLITE_UNIQUE, _SQLITE_CHECK):
        match = pattern.search(message)
        if match:
            return _from_sqlite_match(match)
    match = _SQLITE_NOT_NULL.search(message)
    if match:
        return ValidationError(match.group(1), "is required")
    return ValidationError("value", f"violates a database rule ({_short(exc)})")


def _from_sqlite_match(match: re.Match[str]) -> ValidationError:
    groups = [g for g in match.groups() if g]
    if len(groups) == 2:  # "table.column" of a unique column constraint
        table, column = groups
        name = f"uq_{table}_{column}"
        return ValidationError(*CONSTRAINT_RULES.get(name, (column, "must be unique")))
    name = groups[0]
    return ValidationError(*CONSTRAINT_RULES.get(name, (name, "violates a database rule")))


def _fk_field(constraint: str) -> str:
    # fk_<table>_<column>_<referred table>: the column is what the caller passed.
    for column in ("user_id", "resume_id", "application_id"):
        if f"_{column}_" in constraint:
            return column
    return "reference"


def _short(exc: BaseException) -> str:
    """The driver's first message line: no SQL text, no parameters, no URL."""
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).strip().splitlines()
    return text[0][:300] if text else type(orig).__name__
