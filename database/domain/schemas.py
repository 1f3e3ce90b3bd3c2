"""Input models: every write is checked here before it reaches the database.

Each model forbids unknown fields, so nothing can set ``id``, ``user_id``,
``created_at`` or ``password_hash`` through an update. :func:`validate` turns
pydantic's report into the project's :class:`ValidationError`, naming the field.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Annotated, Any, TypeVar
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
)
from pydantic import ValidationError as PydanticValidationError

from database.core.column_types import as_utc
from database.core.time_zones import ZONE_RULE, is_zone
from database.models import ApplicationStatus
from utils.errors import ValidationError

#: Fields no caller may write directly.
PROTECTED_FIELDS = frozenset(
    {"id", "user_id", "created_at", "updated_at", "password_hash", "application_id"}
)
MAX_INT = 2_000_000_000  # inside a 32-bit INTEGER on both engines
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
_PHONE = re.compile(r"^\+?[0-9 ().-]+((x|ext\.?) ?[0-9]+)?$", re.IGNORECASE)


def _no_nul(value: str) -> str:
    # PostgreSQL cannot store NUL in text; refuse it on every engine alike.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode text (no lone surrogates)") from None
    return value


def check_text(value: str, field: str) -> str:
    """``value`` if it can be stored as text on every engine, else :class:`ValidationError`."""
    try:
        return _no_nul(value)
    except ValueError as exc:
        raise ValidationError(field, str(exc), value) from None


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value


def _email(value: str) -> str:
    if not _EMAIL.match(value):
        raise ValueError("must be a valid email address like name@example.com")
    return value


def _web_address(value: str) -> str:
    """An ``http``/``https`` address with a host (an empty text is no address)."""
    if not value:
        return value
    try:
        parts = urlsplit(value)
        host = parts.hostname
        parts.port  # noqa: B018 (an out-of-range port raises here)
    except ValueError:
        raise ValueError("must be a web address like https://example.com/jobs/1") from None
    if parts.scheme.lower() not in ("http", "https") or not host:
        raise ValueError("must be a web address starting with http:// or https://")
    if any(c.isspace() or unicodedata.category(c) == "Cc" for c in value):
        raise ValueError("must be a web address without spaces")
    return value


def _linkedin(value: str) -> str:
    text = _web_address(value)
    host = (urlsplit(text).hostname or "").lower()
    if text and host != "linkedin.com" and not host.endswith(".linkedin.com"):
        raise ValueError("must be a LinkedIn address, like https://www.linkedin.com/in/your-name")
    return text


def _phone(value: str) -> str:
    digits = sum(c.isdigit() for c in value)
    if value.strip() and (not _PHONE.match(value.strip()) or not 5 <= digits <= 20):
        raise ValueError("must be a phone number: digits, spaces and + - ( ) . only")
    return value


def _finite(value: float) -> float:
    if not math.isfinite(value):
        raise ValueError("must be a finite number")
    return value


def _time_zone(value: str) -> str:
    if not is_zone(value):
        raise ValueError(ZONE_RULE)
    return value


def _utc(value: datetime) -> datetime:
    return as_utc(value)


Name = Annotated[str, Field(max_length=200), AfterValidator(_no_nul)]
ShortText = Annotated[str, Field(max_length=50), AfterValidator(_no_nul)]
LongText = Annotated[str, AfterValidator(_no_nul)]
Url = Annotated[str, Field(max_length=2048), AfterValidator(_no_nul), AfterValidator(_web_address)]
LinkedInUrl = Annotated[Url, AfterValidator(_linkedin)]
Phone = Annotated[ShortText, AfterValidator(_phone)]
RequiredName = Annotated[
    str, Field(max_length=200), AfterValidator(_no_nul), AfterValidator(_not_blank)
]
Email = Annotated[str, Field(max_length=254), AfterValidator(_no_nul), AfterValidator(_email)]
Tag = Annotated[str, Field(max_length=200), AfterValidator(_no_nul)]
TagList = Annotated[list[Tag], Field(max_length=500)]
Count = Annotated[int, Field(ge=0, le=MAX_INT)]
Money = Annotated[int, Field(ge=0, le=MAX_INT)]
Score = Annotated[float, Field(ge=0, le=100), AfterValidator(_finite)]
Seconds = Annotated[float, Field(ge=0), AfterValidator(_finite)]
UTCTime = Annotated[datetime, AfterValidator(_utc)]
Currency = Annotated[str, Field(min_length=3, max_length=3, pattern=r"^[A-Za-z]{3}$")]
TimeZoneName = Annotated[str, AfterValidator(_time_zone)]


class InputModel(BaseModel):
    """Base of the input models: unknown fields are errors, values re-checked on set."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)


def _check_salary_range(model: Any) -> None:
    low, high = getattr(model, "salary_min", None), getattr(model, "salary_max", None)
    if low is not None and high is not None and low > high:
        raise ValidationError("salary_min", "must not exceed salary_max", low)


class UserFields(InputModel):
    """Profile fields a user may set."""

    first_name: Annotated[str, Field(max_length=100), AfterValidator(_no_nul)] | None = None
    last_name: Annotated[str, Field(max_length=100), AfterValidator(_no_nul)] | None = None
    phone: Phone | None = None
    location: Name | None = None
    job_title: Name | None = None
    experience_years: Annotated[int, Field(ge=0, le=80)] | None = None
    skills: TagList | None = None
    summary: LongText | None = None
    linkedin_url: LinkedInUrl | None = None
    is_active: StrictBool | None = None


class UserCreate(UserFields):
    """A new user: an email, optionally a password and profile fields."""

    email: Email
    password: Annotated[str, Field(min_length=8, max_length=1024)] | None = None


class UserUpdate(UserFields):
    """Changes to a user; the email may change, the id and password hash may not."""

    email: Email | None = None


class PreferencesUpdate(InputModel):
    """What a user is looking for."""

    preferred_job_titles: TagList | None = None
    preferred_locations: TagList | None = None
    preferred_companies: TagList | None = None
    preferred_job_types: TagList | None = None
    salary_min: Money | None = None
    salary_max: Money | None = None
    salary_currency: Currency | None = None
    remote_work_preference: StrictBool | None = None
    email_notifications: StrictBool | None = None
    # Days in applied or screening before a follow-up reminder (the table's CHECK: 1 to 365).
    follow_up_days: Annotated[int, Field(ge=1, le=365)] | None = None
    # Days after its last move that a closed application is archived (1 to 3650; None: off).
    archive_after_days: Annotated[int, Field(ge=1, le=3650)] | None = None
    # An IANA name ("Europe/Paris"): dates are shown and entered in it, stored as UTC.
    time_zone: TimeZoneName | None = None


class ResumeCreate(InputModel):
    """A resume to store."""

    filename: Annotated[
        str, Field(max_length=255), AfterValidator(_no_nul), AfterValidator(_not_blank)
    ]
    file_path: Annotated[
        str, Field(max_length=1024), AfterValidator(_no_nul), AfterValidator(_not_blank)
    ]
    file_size: Count | None = None
    file_type: Annotated[str, Field(max_length=20), AfterValidator(_no_nul)] | None = None
    parsed_text: LongText | None = None
    skills_extracted: TagList | None = None
    experience_level: ShortText | None = None
    is_active: StrictBool = True


class ApplicationFields(InputModel):
    """Fields of an application a user may set (status goes through its own call)."""

    job_title: RequiredName | None = None
    company: RequiredName | None = None
    location: Name | None = None
    job_description: LongText | None = None
    job_url: Url | None = None
    source: ShortText | None = None
    resume_id: Annotated[int, Field(ge=1)] | None = None
    application_date: UTCTime | None = None
    salary_min: Money | None = None
    salary_max: Money | None = None
    salary_currency: Currency | None = None
    job_type: ShortText | None = None
    is_remote: StrictBool | None = None
    match_score: Score | None = None
    notes: LongText | None = None
    interview_date: UTCTime | None = None
    interview_type: ShortText | None = None


class ApplicationCreate(ApplicationFields):
    """A new application: a title and a company at least."""

    job_title: RequiredName
    company: RequiredName
    status: ApplicationStatus = ApplicationStatus.APPLIED
    is_remote: StrictBool = False


class SearchHistoryCreate(InputModel):
    """One search a user ran."""

    job_title: Name | None = None
    location: Name | None = None
    keywords: LongText | None = None
    sources_searched: TagList | None = None
    max_results: Count | None = None
    total_results: Count = 0
    filtered_results: Count = 0
    applications_made: Count = 0
    search_duration: Seconds | None = None
    search_date: UTCTime | None = None


M = TypeVar("M", bound=BaseModel)


def validate(model: type[M], data: Mapping[str, Any]) -> M:
    """``data`` checked against ``model``, or :class:`ValidationError` naming the field."""
    for name in data:
        if name in PROTECTED_FIELDS and name not in model.model_fields:
            raise ValidationError(name, "cannot be set or updated directly")
    try:
        result = model.model_validate(dict(data))
    except PydanticValidationError as exc:
        raise _first_error(exc) from None
    _check_salary_range(result)
    return result


def field_path(location: Iterable[int | str]) -> str:
    """The field a pydantic error location names: list items in brackets, ``rows[1].company``."""
    path = ""
    for part in location:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else part
    return path


def _first_error(exc: PydanticValidationError) -> ValidationError:
    error = exc.errors(include_url=False)[0]
    field = field_path(error["loc"]) or "value"
    if error["type"] == "extra_forbidden":
        return ValidationError(field, "is not a known field")
    message = str(error["msg"])
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    return ValidationError(field, message[:1].lower() + message[1:])


def parse_status(value: Any, field: str = "status") -> ApplicationStatus:
    """An :class:`ApplicationStatus` from the enum, its value or its name."""
    if isinstance(value, ApplicationStatus):
        return value
    if isinstance(value, str):
        key = value.strip().lower()
        for status in ApplicationStatus:
            if key in (status.value, status.name.lower()):
                return status
    allowed = ", ".join(s.value for s in ApplicationStatus)
    raise ValidationError(field, f"must be one of: {allowed}", value)


def require_id(value: Any, field: str) -> int:
    """A positive integer id, or :class:`ValidationError` on ``field``."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1 or value > 2**63 - 1:
        raise ValidationError(field, "must be a positive integer id", value)
    return value
