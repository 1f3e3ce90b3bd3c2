"""The ``POSTING_*`` settings: how a job posting is fetched from its address."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from database.core import config

MIB = 1024 * 1024
DEFAULT_MAX_BYTES = 2 * MIB


class PostingSettings(BaseSettings):
    """How postings are fetched, from the environment.

    - ``POSTING_FETCH_TIMEOUT``: seconds the whole fetch may take, redirects
      included (each connect and read is bounded by it too).
    - ``POSTING_MAX_BYTES``: the largest page read (and pasted HTML accepted);
      a longer page is refused once that much has arrived.
    - ``POSTING_MAX_REDIRECTS``: redirects followed, each one checked again.
    - ``POSTING_ALLOW_PRIVATE``: in hosted mode, allow pages on loopback,
      private, link-local and other non-public addresses (a private
      deployment, tests). Off by default; local mode always allows them.
    """

    model_config = SettingsConfigDict(env_prefix="POSTING_", extra="ignore")

    fetch_timeout: float = Field(default=10.0, gt=0, le=120)
    max_bytes: int = Field(default=DEFAULT_MAX_BYTES, ge=1024, le=64 * MIB)
    max_redirects: int = Field(default=5, ge=0, le=20)
    allow_private: bool = False


def load_settings() -> PostingSettings:
    """The settings of the current environment; :class:`ConfigurationError` if one is invalid."""
    return config.load_settings(PostingSettings, "POSTING_")
