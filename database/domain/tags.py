"""A person's own tag vocabulary, and the tags on their applications.

A tag is a short name ("remote-first", "referral") of one person's; its
``name_key`` (letter case and spacing ignored, see
:func:`database.core.keys.tag_key`) is unique per person, so "Remote" given
where "remote" exists is that tag. Names are stored trimmed, inner whitespace
collapsed. A tag stays in the vocabulary when no application carries it any
more: only the person deletes it. Every change to an application's tags
records an ``application.updated`` event with the application's tag names.
Functions take a session; the caller owns the transaction.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any

from sqlalchemy import JSON, ColumnElement, Dialect, delete, func, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.interfaces import LoaderOption
from sqlalchemy.types import NullType

from database.core.keys import tag_key
from database.core.upsert import conflict_insert
from database.domain import events, users
from database.domain.records import require_application
from database.domain.schemas import require_id
from database.models import (
    MAX_EVENT_PAYLOAD_CHARS,
    ApplicationTag,
    EventKind,
    JobApplication,
    Tag,
)
from utils.errors import ValidationError

#: The longest tag name, in characters (that of the column).
MAX_NAME = 50
#: The most tags one application carries (and one call gives).
MAX_PER_APPLICATION = 20
#: How many ids go into one ``IN (...)`` list.
CHUNK = 500


def check_name(name: Any, field: str = "tag") -> str:
    """``name`` as stored: trimmed, inner whitespace collapsed; else :class:`ValidationError`.

    A name is text of 1 to :data:`MAX_NAME` characters, without control
    characters or commas (commas separate tags where they are typed or
    exported as one text).
    """
    if not isinstance(name, str):
        raise ValidationError(field, "must be text", name)
    if any(unicodedata.category(c) == "Cc" for c in name):
        raise ValidationError(field, "must not contain control characters", name)
    cleaned = " ".join(name.split())
    if not cleaned:
        raise ValidationError(field, "must not be empty", name)
    if "," in cleaned:
        raise ValidationError(field, "must not contain a comma (commas separate tags)", name)
    if len(cleaned) > MAX_NAME:
        raise ValidationError(field, f"must be at most {MAX_NAME} characters", name)
    return cleaned


def check_names(names: Any, field: str = "tags") -> list[str]:
    """``names`` checked (:func:`check_name`), one per tag (the first spelling kept), in order."""
    if isinstance(names, str | bytes) or not isinstance(names, list | tuple | set | frozenset):
        raise ValidationError(field, "must be a list of tag names", names)
    found: dict[str, str] = {}
    for index, name in enumerate(names):
        cleaned = check_name(name, f"{field}[{index}]")
        found.setdefault(tag_key(cleaned), cleaned)
    if len(found) > MAX_PER_APPLICATION:
        raise ValidationError(field, f"must hold at most {MAX_PER_APPLICATION} tags", len(found))
    return list(found.values())


def split_text(text: str) -> list[str]:
    """Tag names typed as one text, comma-separated ("remote, referral"); blanks dropped."""
    return [part for part in text.split(",") if part.strip()]


def find(session: Session, user_id: int, name: str) -> Tag | None:
    """The user's tag of that name (letter case and spacing ignored), or ``None``."""
    key = tag_key(check_name(name))
    return session.scalar(select(Tag).where(Tag.user_id == user_id, Tag.name_key == key))


def get(session: Session, tag_id: int) -> Tag | None:
    """The tag with ``tag_id``, or ``None``."""
    return session.get(Tag, require_id(tag_id, "tag_id"))


def get_or_create(session: Session, user_id: int, name: str) -> Tag:
    """The user's tag of that name, made if there is none (safe when two add it at once).

    ``INSERT ... ON CONFLICT DO NOTHING`` on the per-user key: of two
    transactions adding the same name, one inserts and the other finds it.
    """
    cleaned = check_name(name)
    existing = find(session, user_id, cleaned)
    if existing is not None:
        return existing
    values = {"user_id": user_id, "name": cleaned, "name_key": tag_key(cleaned)}
    statement = (
        conflict_insert(session, Tag)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["user_id", "name_key"])
    )
    session.execute(statement)
    made = find(session, user_id, cleaned)
    assert made is not None  # inserted, or inserted by the transaction it waited for
    return made


def of_application(session: Session, application_id: int) -> list[Tag]:
    """The application's tags, by name (letter case ignored)."""
    require_application(session, application_id)
    return _current(session, application_id)


def _current(session: Session, application_id: int) -> list[Tag]:
    query = (
        select(Tag)
        .join(ApplicationTag, ApplicationTag.tag_id == Tag.id)
        .where(ApplicationTag.application_id == application_id)
        .order_by(Tag.name_key, Tag.id)
    )
    return list(session.scalars(query))


def names_for(
    session: Session, user_id: int, application_ids: Sequence[int]
) -> dict[int, list[str]]:
    """The tag names of each of ``user_id``'s applications, by name, a query per :data:`CHUNK`.

    An id of someone else's application gets no names.
    """
    result: dict[int, list[str]] = {i: [] for i in application_ids}
    ids = list(result)
    for start in range(0, len(ids), CHUNK):
        rows = session.execute(
            select(ApplicationTag.application_id, Tag.name)
            .join(Tag, (Tag.id == ApplicationTag.tag_id) & (Tag.user_id == ApplicationTag.user_id))
            .where(
                ApplicationTag.user_id == user_id,
                ApplicationTag.application_id.in_(ids[start : start + CHUNK]),
            )
            .order_by(ApplicationTag.application_id, Tag.name_key)
        )
        for application_id, name in rows:
            result[application_id].append(name)
    return result


@cache
def names_column(dialect_name: str) -> ColumnElement[Any]:
    """A column ``tags`` of a select of applications: each one's tag names, by name.

    Read in the same statement as the applications, so a page and its tags are
    one snapshot, by the application's owner as well as by application. Made
    once per dialect: it depends on no value. :func:`sorted_names` puts the
    names in order on SQLite, which gives no order to what it aggregates.
    """
    links = (ApplicationTag.tag_id == Tag.id) & (ApplicationTag.user_id == Tag.user_id)
    mine = (
        ApplicationTag.application_id == JobApplication.id,
        ApplicationTag.user_id == JobApplication.user_id,
    )
    if dialect_name == "postgresql":
        names = select(Tag.name).join(ApplicationTag, links).where(*mine).order_by(Tag.name_key)
        # Untyped: the driver gives a list of strings already, nothing to convert.
        return func.array(names.scalar_subquery(), type_=NullType()).label("tags")
    listed = select(func.json_group_array(Tag.name, type_=JSON)).join(ApplicationTag, links)
    return listed.where(*mine).scalar_subquery().label("tags")


def sorted_names(names: list[str], dialect: Dialect) -> list[str]:
    """The names of :func:`names_column` in the order of :func:`names_for`."""
    return names if dialect.name == "postgresql" else sorted(names, key=tag_key)


def loaded(user_id: int) -> LoaderOption:
    """The loader option of the tags of ``user_id``'s applications: a query per page.

    The links and the tags are read by the owner's ``user_id`` as well as by
    application, so the load stays on that person's rows.
    """
    links = ApplicationTag.__table__.c  # the relationship's secondary table, as it joins it
    return selectinload(JobApplication.tags.and_(Tag.user_id == user_id, links.user_id == user_id))


def _link(session: Session, application: JobApplication, tags: Iterable[Tag]) -> None:
    rows = [
        {"application_id": application.id, "tag_id": tag.id, "user_id": application.user_id}
        for tag in tags
    ]
    if rows:
        statement = conflict_insert(session, ApplicationTag).on_conflict_do_nothing(
            index_elements=["application_id", "tag_id"]
        )
        session.execute(statement, rows)


def _changed(session: Session, application: JobApplication) -> list[Tag]:
    """Record the application's new tags as an event; the tags."""
    session.flush()
    current = _current(session, application.id)
    events.record(
        session, EventKind.APPLICATION_UPDATED, "application", application.id,
        user_id=application.user_id, payload=_payload([t.name for t in current]),
    )  # fmt: skip
    session.expire(application, ["tags"])
    return current


def _payload(names: list[str]) -> dict[str, Any]:
    """``{"tags": names}``, as many names as an event holds (``tags_omitted``: how many not)."""
    kept = list(names)
    while len(events.payload_json({"tags": kept, "tags_omitted": 0})) > MAX_EVENT_PAYLOAD_CHARS:
        kept.pop()
    if len(kept) == len(names):
        return {"tags": kept}
    return {"tags": kept, "tags_omitted": len(names) - len(kept)}


def _full(session: Session, application_id: int, adding: int) -> None:
    count = session.scalar(
        select(func.count()).where(ApplicationTag.application_id == application_id)
    )
    if int(count or 0) + adding > MAX_PER_APPLICATION:
        raise ValidationError("tags", f"an application holds at most {MAX_PER_APPLICATION} tags")


def set_tags(session: Session, application_id: int, names: Any) -> list[Tag]:
    """Make ``names`` the application's whole set of tags (missing tags made); its tags.

    Links not named are removed; the tags themselves stay in the vocabulary.
    """
    wanted_names = check_names(names)
    application = require_application(session, application_id)
    wanted = [get_or_create(session, application.user_id, n) for n in wanted_names]
    keep = {t.id for t in wanted}
    session.execute(
        delete(ApplicationTag).where(
            ApplicationTag.application_id == application.id, ApplicationTag.tag_id.not_in(keep)
        )
    )
    _link(session, application, wanted)
    return _changed(session, application)


def add_tags(session: Session, application_id: int, names: Any) -> list[Tag]:
    """Put ``names`` on the application beside its tags (missing tags made); all its tags."""
    wanted_names = check_names(names)
    application = require_application(session, application_id)
    current = {t.id for t in _current(session, application.id)}
    wanted = [get_or_create(session, application.user_id, n) for n in wanted_names]
    fresh = [t for t in wanted if t.id not in current]
    _full(session, application.id, len(fresh))
    _link(session, application, fresh)
    return _changed(session, application)


def remove_tag(session: Session, application_id: int, name: Any) -> bool:
    """Take the tag ``name`` off the application; ``False`` when it did not carry it."""
    cleaned = check_name(name)
    application = require_application(session, application_id)
    tag = find(session, application.user_id, cleaned)
    if tag is None:
        return False
    result = session.execute(
        delete(ApplicationTag).where(
            ApplicationTag.application_id == application.id, ApplicationTag.tag_id == tag.id
        )
    )
    if not getattr(result, "rowcount", 0):
        return False
    _changed(session, application)
    return True


def vocabulary(session: Session, user_id: int) -> list[dict[str, Any]]:
    """The user's tags by name, each ``{"id", "name", "applications"}`` (how many carry it)."""
    users.ensure_exists(session, require_id(user_id, "user_id"))
    usage = func.count(ApplicationTag.id)
    query = (
        select(Tag.id, Tag.name, usage.label("applications"))
        .outerjoin(
            ApplicationTag,
            (ApplicationTag.tag_id == Tag.id) & (ApplicationTag.user_id == Tag.user_id),
        )
        .where(Tag.user_id == user_id)
        .group_by(Tag.id, Tag.name, Tag.name_key)
        .order_by(Tag.name_key, Tag.id)
    )
    return [
        {"id": row.id, "name": row.name, "applications": int(row.applications)}
        for row in session.execute(query)
    ]


def _tagged(session: Session, tag_ids: Iterable[int]) -> list[JobApplication]:
    query = (
        select(JobApplication)
        .join(ApplicationTag, ApplicationTag.application_id == JobApplication.id)
        .where(ApplicationTag.tag_id.in_(list(tag_ids)))
        .distinct()
        .order_by(JobApplication.id)
    )
    return list(session.scalars(query))


def _require(session: Session, tag_id: int) -> Tag:
    tag = get(session, tag_id)
    if tag is None:
        raise ValidationError("tag_id", f"no tag with id {tag_id}", tag_id)
    return tag


def rename(session: Session, tag_id: int, new_name: Any) -> Tag:
    """Give the tag a new name; the tag now carrying it.

    When the user has another tag of that name (letter case and spacing
    ignored), this tag merges into it: its applications carry that one, and
    this one is deleted.
    """
    cleaned = check_name(new_name, "new_name")
    tag = _require(session, tag_id)
    target = find(session, tag.user_id, cleaned)
    affected = _tagged(session, [tag.id])
    if target is None or target.id == tag.id:
        tag.name = cleaned
        target = tag
    else:
        for application in affected:
            _link(session, application, [target])
        session.execute(delete(ApplicationTag).where(ApplicationTag.tag_id == tag.id))
        session.delete(tag)
    session.flush()
    for application in affected:
        _changed(session, application)
    return target


def delete_tag(session: Session, tag_id: int) -> None:
    """Delete the tag from the vocabulary and from every application carrying it."""
    tag = _require(session, tag_id)
    affected = _tagged(session, [tag.id])
    session.execute(delete(ApplicationTag).where(ApplicationTag.tag_id == tag.id))
    session.delete(tag)
    session.flush()
    for application in affected:
        _changed(session, application)
