"""The bodies of the tag routes: a person's vocabulary, an application's tags, figures by tag.

Names are checked by the domain (:mod:`database.domain.tags`), whose
:class:`~utils.errors.ValidationError` names the field (``tags[2]``).
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from api.schemas import WriteModel

#: The most names one body carries (the domain allows 20 per application).
MAX_BODY_TAGS = 100


class TagRead(BaseModel):
    """One tag of the actor's vocabulary and how many of their applications carry it."""

    id: int
    name: str
    applications: int


class TagRename(WriteModel):
    """A tag's new name; another tag of that name (letter case ignored) absorbs this one."""

    name: str = Field(max_length=200)


class ApplicationTags(WriteModel):
    """An application's whole set of tags, by name."""

    tags: list[str] = Field(max_length=MAX_BODY_TAGS)


class ApplicationTagsRead(BaseModel):
    """An application's tags, by name (letter case ignored)."""

    application_id: int
    tags: list[str]


class TagStatistics(BaseModel):
    """How the applications carrying one tag fared (rates in % of them, 1 decimal)."""

    tag_id: int
    tag: str
    applications: int
    responded: int
    interviews: int
    offers: int
    response_rate: float
    interview_rate: float
    offer_rate: float
