"""The API's bodies: write models (what a client may send) apart from read models.

Write models forbid unknown fields, so ``id``, ``is_server_admin`` or a password
hash can never be set through a body; their values are checked by the domain.
Read models are built from rows and never carry a secret.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict


class WriteModel(BaseModel):
    """Base of request bodies: an unknown field is a 422, never silently dropped."""

    model_config = ConfigDict(extra="forbid")


class ReadModel(BaseModel):
    """Base of response bodies, read from ORM rows."""

    model_config = ConfigDict(from_attributes=True)


class ProfileFields(WriteModel):
    """The profile fields a person gives themselves, at sign-up or later."""

    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None
    location: str | None = None
    job_title: str | None = None
    experience_years: int | None = None
    skills: list[str] | None = None
    summary: str | None = None
    linkedin_url: str | None = None


class RegisterRequest(ProfileFields):
    """A sign-up: email and password, optionally the profile fields."""

    email: str
    password: str

    def profile(self) -> dict[str, object]:
        """The profile fields that were given, without the credentials."""
        return self.model_dump(exclude_none=True, exclude={"email", "password"})


class UserRead(ReadModel):
    """A person's profile as the API shows it; ``is_server_admin`` is read-only."""

    id: int
    email: str
    first_name: str | None
    last_name: str | None
    phone: str | None
    location: str | None
    job_title: str | None
    experience_years: int | None
    skills: list[str]
    summary: str | None
    linkedin_url: str | None
    is_active: bool
    is_server_admin: bool
    last_login: datetime | None
    created_at: datetime
    updated_at: datetime


class TokenResponse(BaseModel):
    """An access token (OAuth2 password flow); shown once."""

    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 (the OAuth2 token type)
    expires_at: datetime | None


class Health(BaseModel):
    """The service and its database answer."""

    status: Literal["ok"] = "ok"
    database: Literal["ok"] = "ok"
