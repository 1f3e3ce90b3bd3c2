"""The ``WEBHOOKS_*`` settings: private destinations, timeouts, retries and their backoff."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from database.core import config


class WebhookSettings(BaseSettings):
    """How webhooks are checked and delivered, from the environment.

    - ``WEBHOOKS_ALLOW_PRIVATE``: in hosted mode, allow endpoints on loopback,
      private, link-local and other non-public addresses (tests, a private
      deployment). Off by default; local mode always allows them.
    - ``WEBHOOKS_TIMEOUT``: seconds to connect, send and read the answer.
    - ``WEBHOOKS_MAX_ATTEMPTS``: attempts before a delivery is ``failed``.
    - ``WEBHOOKS_BACKOFF_BASE`` / ``WEBHOOKS_BACKOFF_CAP``: the wait after the
      n-th failed attempt is ``min(cap, base * 2**(n - 1))`` seconds, so a
      delivery is given up within the sum of those waits (about 5.5 hours with
      the defaults).
    - ``WEBHOOKS_BATCH``: deliveries claimed per pass.
    """

    model_config = SettingsConfigDict(env_prefix="WEBHOOKS_", extra="ignore")

    allow_private: bool = False
    timeout: float = Field(default=5.0, gt=0, le=60)
    max_attempts: int = Field(default=8, ge=1, le=50)
    backoff_base: float = Field(default=30.0, ge=0)
    backoff_cap: float = Field(default=3600.0, ge=0)
    batch: int = Field(default=50, ge=1, le=1000)

    def backoff(self, attempts: int) -> float:
        """Seconds to wait after ``attempts`` failed attempts before the next one."""
        return float(min(self.backoff_cap, self.backoff_base * 2 ** max(attempts - 1, 0)))


def load_settings() -> WebhookSettings:
    """The settings of the current environment; :class:`ConfigurationError` if one is invalid."""
    return config.load_settings(WebhookSettings, "WEBHOOKS_")
