"""Every error of a form's submission at once, each in plain words under its field.

The service layer stops at the first broken rule; a form checks the whole
input against the same input model first (:mod:`database.domain.schemas`), so
the person sees every problem of one submission together, worded for people
("Minimum salary must not be more than the maximum") rather than for
programmers ("salary_min must not exceed salary_max").
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

#: Fields whose every error is said the same way, whatever rule broke.
WHOLE_FIELD = {"salary_currency": "must be a 3-letter code like EUR"}
SALARY_RANGE = "must not be more than the maximum"
_VALUE_ERROR = "Value error, "


def label_of(field: str, labels: Mapping[str, str]) -> str:
    """The name people read for ``field``: its form label without hints like "(e.g. EUR)"."""
    label = labels.get(field) or field.replace("_", " ").capitalize()
    return re.sub(r"\s*\(.*?\)\s*|\s*\*$", " ", label).strip()


def _number(value: Any) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def _rule(error: Mapping[str, Any]) -> str:
    kind = str(error["type"])
    context = {name: _number(value) for name, value in (error.get("ctx") or {}).items()}
    if kind == "string_too_long":
        return f"must be at most {context.get('max_length')} characters"
    if kind == "string_too_short":
        return f"must be at least {context.get('min_length')} characters"
    if kind == "too_long":
        return f"must have at most {context.get('max_length')} items"
    if kind in ("greater_than_equal", "greater_than"):
        return f"must be at least {context.get('ge', context.get('gt'))}"
    if kind in ("less_than_equal", "less_than"):
        return f"must be at most {context.get('le', context.get('lt'))}"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return "must be a whole number"
    if kind in ("float_parsing", "float_type", "finite_number"):
        return "must be a number"
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        return "cannot be set here"
    message = str(error["msg"])
    if message.startswith(_VALUE_ERROR):
        message = message[len(_VALUE_ERROR) :]
    return message[:1].lower() + message[1:]


def plain(field: str, rule: str, labels: Mapping[str, str]) -> str:
    """A sentence about ``field`` breaking ``rule``: "Job posting URL must be ..."."""
    rule = WHOLE_FIELD.get(field, rule)
    if field == "salary_min" and "must not exceed" in rule:
        rule = SALARY_RANGE
    return f"{label_of(field, labels)} {rule}"


def check(
    model: type[BaseModel], data: Mapping[str, Any], labels: Mapping[str, str]
) -> dict[str, str]:
    """Every broken rule of ``data`` against ``model``, by field, in plain words.

    A list's item (``skills[2]``) is reported on the list's field, the one the
    form draws. An empty result means the service will accept the input's shape.
    """
    found: dict[str, str] = {}
    try:
        model.model_validate(dict(data))
    except PydanticValidationError as exc:
        for error in exc.errors(include_url=False):
            location = error["loc"]
            field = str(location[0]) if location else "value"
            found.setdefault(field, plain(field, _rule(error), labels))
    low, high = data.get("salary_min"), data.get("salary_max")
    if (
        isinstance(low, int | float)
        and isinstance(high, int | float)
        and low > high
        and "salary_min" not in found
    ):
        found["salary_min"] = plain("salary_min", SALARY_RANGE, labels)
    return found
