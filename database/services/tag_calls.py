"""The ``DatabaseUtils`` calls about tags: a person's own vocabulary, on applications."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from database.domain import tags
from database.domain.schemas import require_id
from database.domain.stats.tags import tag_statistics
from database.models import Tag
from database.services.calls import run
from utils.errors import ValidationError


def _names(found: list[Tag]) -> list[str]:
    return [tag.name for tag in found]


def _named(session: Session, user_id: int, tag: str) -> Tag:
    """The user's tag called ``tag`` (letter case and spacing ignored), else ValidationError."""
    found = tags.find(session, require_id(user_id, "user_id"), tags.check_name(tag))
    if found is None:
        raise ValidationError("tag", f"the user has no tag named {tag!r}", tag)
    return found


class TagCalls:
    """The ``DatabaseUtils`` calls about tags: a person's own vocabulary, on applications.

    Tag names are trimmed, inner spaces collapsed, 1 to 50 characters without
    control characters or commas; letter case and spacing do not make another
    tag ("Remote" is the tag "remote" where that exists).
    """

    @staticmethod
    def set_application_tags(application_id: int, tags: list[str]) -> list[str]:
        """Make ``tags`` the application's whole set (missing tags made); its tag names.

        Tags no longer on it stay in the owner's vocabulary (see :meth:`delete_tag`).
        """
        return run(lambda s: _names(_set(s, application_id, tags)))

    @staticmethod
    def add_application_tags(application_id: int, tags: list[str]) -> list[str]:
        """Put ``tags`` on the application beside those it has; all its tag names."""
        return run(lambda s: _names(_add(s, application_id, tags)))

    @staticmethod
    def remove_application_tag(application_id: int, tag: str) -> bool:
        """Take ``tag`` off the application; ``False`` when it did not carry it."""
        return run(lambda s: tags.remove_tag(s, application_id, tag))

    @staticmethod
    def get_application_tags(application_id: int) -> list[str]:
        """The application's tag names, by name (letter case ignored)."""
        return run(lambda s: _names(tags.of_application(s, application_id)))

    @staticmethod
    def list_tags(user_id: int) -> list[dict[str, Any]]:
        """The user's vocabulary by name: ``{"id", "name", "applications"}`` (how many carry it)."""
        return run(lambda s: tags.vocabulary(s, user_id))

    @staticmethod
    def rename_tag(user_id: int, tag: str, new_name: str) -> str:
        """Rename the user's tag ``tag``; the name it now has.

        When ``new_name`` is another of their tags already (letter case and
        spacing ignored), ``tag`` merges into it and is gone.
        """
        return run(lambda s: tags.rename(s, _named(s, user_id, tag).id, new_name).name)

    @staticmethod
    def delete_tag(user_id: int, tag: str) -> bool:
        """Delete the user's tag ``tag`` from their vocabulary and every application. ``True``."""
        run(lambda s: tags.delete_tag(s, _named(s, user_id, tag).id))
        return True

    @staticmethod
    def get_tag_statistics(
        user_id: int, days: int | None = None, include_archived: bool = True
    ) -> list[dict[str, Any]]:
        """Per tag: ``tag``, ``applications``, ``responded``, ``interviews``, ``offers``, rates.

        ``days`` limits it to applications made in the last ``days`` days;
        archived applications count unless ``include_archived`` is false. See
        :func:`database.domain.stats.tags.tag_statistics` for every key.
        """
        return run(lambda s: tag_statistics(s, user_id, days, include_archived))


# The calls' parameter named ``tags`` hides the module inside their bodies.
_set = tags.set_tags
_add = tags.add_tags
