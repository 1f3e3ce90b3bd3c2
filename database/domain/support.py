"""The support tables: the AI-analysis cache and system settings."""

from __future__ import annotations

import json
import math
from datetime import timedelta
from typing import Any, TypeVar

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from database.core.column_types import utcnow
from database.core.upsert import conflict_insert
from database.domain.schemas import check_text
from database.models import AIAnalysisCache, SettingType, SystemSetting
from utils.errors import ValidationError

MAX_EXPIRY_HOURS = 24 * 365 * 10
T = TypeVar("T", AIAnalysisCache, SystemSetting)


def _key(value: Any, field: str, max_length: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(field, "must be a non-empty string", value)
    if len(value) > max_length:
        raise ValidationError(field, f"must be at most {max_length} characters", value)
    return check_text(value, field)


def _json_text(value: Any, field: str) -> str:
    try:
        text = json.dumps(value, allow_nan=False, ensure_ascii=False)
    except (TypeError, ValueError) as exc:
        raise ValidationError(field, f"must be JSON-serialisable ({exc})") from None
    if "\\u0000" in text:
        raise ValidationError(field, "must not contain NUL characters")
    return check_text(text, field)


def cache_analysis(
    session: Session, cache_key: str, analysis_type: str, results: Any, expiry_hours: float = 24
) -> AIAnalysisCache:
    """Store (or replace) a cached analysis that expires after ``expiry_hours``."""
    _key(cache_key, "cache_key", 255)
    _key(analysis_type, "analysis_type", 50)
    _json_text(results, "results")
    if (
        isinstance(expiry_hours, bool)
        or not isinstance(expiry_hours, int | float)
        or not math.isfinite(expiry_hours)
        or not 0 < expiry_hours <= MAX_EXPIRY_HOURS
    ):
        raise ValidationError("expiry_hours", f"must be a number in (0, {MAX_EXPIRY_HOURS}]")
    now = utcnow()
    values = {
        "analysis_type": analysis_type,
        "results": results,
        "expires_at": now + timedelta(hours=expiry_hours),
        "updated_at": now,
    }
    return _upsert(session, AIAnalysisCache, {"cache_key": cache_key, "created_at": now}, values)


def _upsert(session: Session, model: type[T], key: dict[str, Any], values: dict[str, Any]) -> T:
    """Insert the row, or update ``values`` of the row with the same unique key: one statement.

    ``INSERT ... ON CONFLICT DO UPDATE`` on both engines, so concurrent writers of one
    key all succeed (a read-then-insert lets two of them insert and one fail).
    """
    (key_column,) = (name for name in key if name != "created_at")
    statement = (
        conflict_insert(session, model)
        .values(**key, **values)
        .on_conflict_do_update(index_elements=[key_column], set_=values)
        .returning(model)
    )
    row: T = session.scalars(
        select(model).from_statement(statement),
        execution_options={"populate_existing": True},
    ).one()
    return row


def cached_analysis(session: Session, cache_key: str) -> Any | None:
    """The cached results for ``cache_key``, or ``None`` when absent or expired."""
    _key(cache_key, "cache_key", 255)
    return session.scalar(
        select(AIAnalysisCache.results).where(
            AIAnalysisCache.cache_key == cache_key, AIAnalysisCache.expires_at > utcnow()
        )
    )


def purge_expired(session: Session) -> int:
    """Delete expired cache entries; returns how many."""
    result = session.execute(delete(AIAnalysisCache).where(AIAnalysisCache.expires_at <= utcnow()))
    return int(getattr(result, "rowcount", 0) or 0)


def _infer_type(value: Any) -> SettingType:
    if isinstance(value, bool):
        return SettingType.BOOLEAN
    if isinstance(value, int):
        return SettingType.INTEGER
    if isinstance(value, float):
        return SettingType.FLOAT
    if isinstance(value, str):
        return SettingType.STRING
    return SettingType.JSON


def _encode(value: Any, kind: SettingType) -> str:
    try:
        if kind is SettingType.BOOLEAN:
            if not isinstance(value, bool):
                raise TypeError
            return "true" if value else "false"
        if kind is SettingType.INTEGER:
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError
            return str(value)
        if kind is SettingType.FLOAT:
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise TypeError
            if not math.isfinite(value):
                raise TypeError
            return repr(float(value))
        if kind is SettingType.STRING:
            if not isinstance(value, str):
                raise TypeError
            return check_text(value, "value")
    except TypeError:
        raise ValidationError("value", f"must be a {kind.value} for this setting", value) from None
    return _json_text(value, "value")


def decode(text: str | None, kind: SettingType) -> Any:
    """The Python value of a stored setting."""
    if text is None:
        return None
    if kind is SettingType.BOOLEAN:
        return text == "true"
    if kind is SettingType.INTEGER:
        return int(text)
    if kind is SettingType.FLOAT:
        return float(text)
    if kind is SettingType.JSON:
        return json.loads(text)
    return text


def _setting_type(value: Any) -> SettingType:
    try:
        return SettingType(value)
    except ValueError:
        allowed = ", ".join(t.value for t in SettingType)
        raise ValidationError("setting_type", f"must be one of: {allowed}", value) from None


def set_setting(
    session: Session,
    key: str,
    value: Any,
    setting_type: SettingType | str | None = None,
    description: str | None = None,
) -> SystemSetting:
    """Store ``value`` under ``key``, remembering its type."""
    _key(key, "key", 100)
    kind = _infer_type(value) if setting_type is None else _setting_type(setting_type)
    text = _encode(value, kind)
    if description is not None:
        _key(description, "description", 10_000)
    now = utcnow()
    values: dict[str, Any] = {"setting_value": text, "setting_type": kind, "updated_at": now}
    if description is not None:
        values["description"] = description
    return _upsert(session, SystemSetting, {"setting_key": key, "created_at": now}, values)


def get_setting(session: Session, key: str, default: Any = None) -> Any:
    """The typed value stored under ``key``, or ``default`` when there is none."""
    _key(key, "key", 100)
    row = session.execute(
        select(SystemSetting.setting_value, SystemSetting.setting_type).where(
            SystemSetting.setting_key == key
        )
    ).first()
    if row is None:
        return default
    return decode(row.setting_value, row.setting_type)
