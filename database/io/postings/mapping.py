"""A ``JobPosting`` as the fields of a new application.

The amounts of ``baseSalary`` are stored per year, as every salary of the
project is (the add form, the preferences and the demo data are yearly
figures): a monthly amount is multiplied by 12, weekly by 52, daily by 260
(working days) and hourly by 2,080 (40 hours a week); the amount as posted is
kept in the notes then. Text longer than its column is cut, not refused: a
posting is someone else's data and an import should not fail on a long name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import urljoin, urlsplit

from database.domain.schemas import MAX_INT
from database.io.postings.parse import Page
from database.io.postings.text import one_line, plain_text

NAME_LENGTH = 200
SHORT_LENGTH = 50
#: How many of a year each ``unitText`` is.
PER_YEAR = {"YEAR": 1, "MONTH": 12, "WEEK": 52, "DAY": 260, "HOUR": 2080}
UNIT_WORDS = {"YEAR": "year", "MONTH": "month", "WEEK": "week", "DAY": "day", "HOUR": "hour"}
#: schema.org's ``employmentType`` values in the project's words (``job_type``).
JOB_TYPES = {
    "FULL_TIME": "full-time",
    "PART_TIME": "part-time",
    "CONTRACTOR": "contract",
    "CONTRACT": "contract",
    "TEMPORARY": "temporary",
    "INTERN": "internship",
    "INTERNSHIP": "internship",
    "VOLUNTEER": "volunteer",
    "PER_DIEM": "per-diem",
    "OTHER": "other",
}
#: Second-level labels under which a country's sites register (``example.co.uk``).
_GENERIC_LABELS = frozenset({"co", "com", "ac", "org", "net", "gov", "edu", "ne", "or"})
_NUMBER_NOISE = re.compile(r"[,\s_]")
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}")


def application_fields(
    page: Page, posting: dict[str, Any] | None, page_url: str | None
) -> dict[str, Any]:
    """The new application's fields from ``posting`` (or the page alone when it is ``None``).

    ``job_title`` or ``company`` may be missing from the result: the caller
    decides that nothing was found.
    """
    node = posting or {}
    fields: dict[str, Any] = {
        "job_title": _cut(_name(node.get("title") or node.get("name")), NAME_LENGTH)
        or _cut(page.meta.get("og:title") or page.title, NAME_LENGTH),
        "company": _cut(_organization(page, node.get("hiringOrganization")), NAME_LENGTH)
        or _cut(page.meta.get("og:site_name"), NAME_LENGTH),
    }
    notes: list[str] = []
    remote = _is_remote(node)
    fields["is_remote"] = remote
    fields["location"] = _cut(_locations(page, node.get("jobLocation")), NAME_LENGTH) or (
        _cut(_remote_area(page, node), NAME_LENGTH) if remote else None
    )
    description = node.get("description")
    text = plain_text(description) if isinstance(description, str) else ""
    fields["job_description"] = text or page.meta.get("og:description") or page.body_text() or None
    job_url = _web_address(node.get("url"), page_url) or page_url
    fields["job_url"] = job_url
    fields["source"] = short_host(page_url or job_url)
    fields["job_type"] = _job_type(node.get("employmentType"))
    salary = _salary(page, node)
    if salary is not None:
        fields.update(salary[0])
        if salary[1]:
            notes.append(salary[1])
    posted = node.get("datePosted")
    if isinstance(posted, str) and posted.strip():
        day = _ISO_DAY.match(posted.strip())
        notes.insert(0, f"Posted {day.group(0) if day else one_line(posted)[:40]}.")
    fields["notes"] = " ".join(notes) or None
    return {name: value for name, value in fields.items() if value not in (None, "")}


def _cut(value: str | None, length: int) -> str | None:
    if not value:
        return None
    return value if len(value) <= length else value[: length - 1].rstrip() + "…"


def _name(value: Any) -> str | None:
    """A name given as text, as a node with a ``name``, or as a list of either."""
    if isinstance(value, list):
        return next((n for n in (_name(v) for v in value) if n), None)
    if isinstance(value, dict):
        value = value.get("name")
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return one_line(str(value)) or None
    return None


def _organization(page: Page, value: Any) -> str | None:
    if isinstance(value, list):
        return next((n for n in (_organization(page, v) for v in value) if n), None)
    return _name(page.resolve(value))


def _nodes(page: Page, value: Any) -> Iterable[Any]:
    for item in value if isinstance(value, list) else [value]:
        yield page.resolve(item)


def _locations(page: Page, value: Any) -> str | None:
    places: list[str] = []
    for place in _nodes(page, value):
        described = _place(page, place)
        if described and described not in places:
            places.append(described)
    return "; ".join(places) or None


def _place(page: Page, place: Any) -> str | None:
    if isinstance(place, str):
        return one_line(place) or None
    if not isinstance(place, dict):
        return None
    address = page.resolve(place.get("address"))
    if isinstance(address, str):
        return one_line(address) or None
    parts: list[str] = []
    if isinstance(address, dict):
        for key in ("addressLocality", "addressRegion", "addressCountry"):
            part = _name(page.resolve(address.get(key)))
            if part and part not in parts:
                parts.append(part)
    return ", ".join(parts) or _name(place)


def _is_remote(node: dict[str, Any]) -> bool:
    kinds = node.get("jobLocationType")
    values = kinds if isinstance(kinds, list) else [kinds]
    if any(isinstance(v, str) and v.strip().upper() == "TELECOMMUTE" for v in values):
        return True
    return bool(node.get("applicantLocationRequirements"))


def _remote_area(page: Page, node: dict[str, Any]) -> str:
    areas = [n for n in map(_name, _nodes(page, node.get("applicantLocationRequirements"))) if n]
    return "Remote" + (f" ({', '.join(dict.fromkeys(areas))})" if areas else "")


def _web_address(value: Any, base: str | None) -> str | None:
    """``value`` as an absolute http(s) address (relative to ``base``), or ``None``."""
    if not isinstance(value, str) or not value.strip():
        return None
    address = urljoin(base or "", value.strip())
    try:
        parts = urlsplit(address)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return address


def short_host(url: str | None) -> str | None:
    """The site's short name: ``jobs.lever.co`` -> ``lever``, ``uk.indeed.co.uk`` -> ``indeed``."""
    if not url:
        return None
    try:
        host = (urlsplit(url).hostname or "").lower().rstrip(".")
    except ValueError:
        return None
    labels = host.split(".")
    if len(labels) < 2 or labels[-1].isdigit() or ":" in host:
        return host[:SHORT_LENGTH] or None  # an IP address, or a name without a domain
    if len(labels) >= 3 and labels[-2] in _GENERIC_LABELS and len(labels[-1]) == 2:
        return labels[-3][:SHORT_LENGTH]
    return labels[-2][:SHORT_LENGTH]


def _job_type(value: Any) -> str | None:
    names: list[str] = []
    for item in value if isinstance(value, list) else [value]:
        if not isinstance(item, str) or not item.strip():
            continue
        key = item.strip().upper().replace("-", "_").replace(" ", "_")
        name = JOB_TYPES.get(key, item.strip().lower().replace("_", "-").replace(" ", "-"))
        if name not in names and len(", ".join([*names, name])) <= SHORT_LENGTH:
            names.append(name)
    return ", ".join(names) or None


def _amount(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(_NUMBER_NOISE.sub("", value))
        except ValueError:
            return None
    else:
        return None
    return number if 0 <= number < MAX_INT else None


def _salary(page: Page, node: dict[str, Any]) -> tuple[dict[str, Any], str | None] | None:
    """The yearly range and currency of ``baseSalary``, and a note when it was converted."""
    amount = next(iter(_nodes(page, node.get("baseSalary") or node.get("estimatedSalary"))), None)
    if isinstance(amount, int | float | str):
        amount = {"value": amount}
    if not isinstance(amount, dict):
        return None
    value = page.resolve(amount.get("value"))
    quantity = value if isinstance(value, dict) else {"value": value}
    low = _amount(quantity.get("minValue"))
    high = _amount(quantity.get("maxValue"))
    single = _amount(quantity.get("value"))
    low = low if low is not None else single
    high = high if high is not None else single
    if low is None and high is None:
        return None
    unit_text = quantity.get("unitText") or amount.get("unitText") or "YEAR"
    unit = unit_text.strip().upper() if isinstance(unit_text, str) else "YEAR"
    factor = PER_YEAR.get(unit, 1)
    fields: dict[str, Any] = {}
    for name, number in (("salary_min", low), ("salary_max", high)):
        if number is not None and number * factor < MAX_INT:
            fields[name] = round(number * factor)
    if (
        "salary_min" in fields
        and "salary_max" in fields
        and fields["salary_min"] > fields["salary_max"]
    ):
        fields["salary_min"], fields["salary_max"] = fields["salary_max"], fields["salary_min"]
    currency = amount.get("currency") or node.get("salaryCurrency")
    if isinstance(currency, str) and re.fullmatch(r"[A-Za-z]{3}", currency.strip()):
        fields["salary_currency"] = currency.strip().upper()
    note = None
    if factor != 1:
        shown = " to ".join(
            f"{n:g}" for n in dict.fromkeys(x for x in (low, high) if x is not None)
        )
        per = UNIT_WORDS[unit]
        note = f"Salary as posted: {shown} {fields.get('salary_currency', '')} per {per}."
        note = note.replace("  ", " ")
    return fields, note
