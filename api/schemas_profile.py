"""The bodies of the profile routes: me, preferences, resumes and search history.

Write models name only what a person sets on their own records, so ``id``,
``user_id``, ``is_active`` of the account, ``is_server_admin``, a password
hash, a stored file path or a timestamp is a 422; the values themselves are
checked by the domain, whose :class:`~utils.errors.ValidationError` names
the field. Read models never show where a file is stored.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from api.schemas import ProfileFields, ReadModel, WriteModel


class ProfileChange(ProfileFields):
    """The profile fields a PATCH of ``/me`` may change (only those sent are).

    A new ``email`` must not belong to another account in any letter case, and
    changing it needs ``current_password`` (the account's password, checked again).
    """

    email: str | None = None
    current_password: str | None = Field(default=None, repr=False)

    def changes(self) -> dict[str, Any]:
        """The fields the client sent, to be written (``current_password`` is no field)."""
        return self.model_dump(exclude_unset=True, exclude={"current_password"})


class PreferencesChange(WriteModel):
    """What a person is looking for; a PATCH changes the fields sent, ``null`` clears one."""

    preferred_job_titles: list[str] | None = None
    preferred_locations: list[str] | None = None
    preferred_companies: list[str] | None = None
    preferred_job_types: list[str] | None = None
    salary_min: int | None = None
    salary_max: int | None = None
    salary_currency: str | None = None
    remote_work_preference: bool | None = None
    email_notifications: bool | None = None
    follow_up_days: int | None = None
    # Days after its last move that a closed application is archived; null turns it off.
    archive_after_days: int | None = None
    # An IANA time zone name ("Europe/Paris"); the API's datetimes stay ISO 8601 in UTC.
    time_zone: str | None = None

    def changes(self) -> dict[str, Any]:
        """The fields the client sent, to be written."""
        return self.model_dump(exclude_unset=True)


class _Preferences(BaseModel):
    """The preference fields with the defaults of a person who set none."""

    preferred_job_titles: list[str] = []
    preferred_locations: list[str] = []
    preferred_companies: list[str] = []
    preferred_job_types: list[str] = []
    salary_min: int | None = None
    salary_max: int | None = None
    salary_currency: str | None = None
    remote_work_preference: bool = False
    email_notifications: bool = True
    follow_up_days: int = 14
    archive_after_days: int | None = 90
    time_zone: str = "UTC"


class PreferencesReplace(_Preferences, WriteModel):
    """The whole of a person's preferences (PUT): a field left out takes its default."""

    def changes(self) -> dict[str, Any]:
        """Every field, given or default, to be written."""
        return self.model_dump()


class PreferencesRead(_Preferences, ReadModel):
    """A person's preferences; ``updated_at`` is ``null`` while only the defaults apply."""

    updated_at: datetime | None = None


class ResumeRead(ReadModel):
    """A resume's metadata: what was uploaded and what was recognised in it."""

    id: int
    filename: str
    file_size: int | None
    file_type: str | None
    skills_extracted: list[str]
    experience_level: str | None
    is_active: bool
    upload_date: datetime
    created_at: datetime
    updated_at: datetime


class ResumeDetail(ResumeRead):
    """A resume's metadata and the text read from its file."""

    parsed_text: str | None


class SearchNew(WriteModel):
    """A search the person ran, and what it yielded."""

    job_title: str | None = None
    location: str | None = None
    keywords: str | None = None
    sources_searched: list[str] | None = None
    max_results: int | None = None
    total_results: int | None = None
    filtered_results: int | None = None
    applications_made: int | None = None
    search_duration: float | None = None
    search_date: datetime | None = None

    def fields(self) -> dict[str, Any]:
        """The fields the client gave (the domain supplies the defaults)."""
        return self.model_dump(exclude_none=True)


class SearchRead(ReadModel):
    """One recorded search."""

    id: int
    job_title: str | None
    location: str | None
    keywords: str | None
    sources_searched: list[str]
    max_results: int | None
    total_results: int
    filtered_results: int
    applications_made: int
    search_duration: float | None
    search_date: datetime
