"""The monitoring settings: ``DATABASE_MONITORING``, ``DATABASE_SLOW_QUERY_MS`` and friends."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from database.core.config import load_settings


class MonitoringSettings(BaseSettings):
    """How statements, pools and transactions are watched (``DATABASE_*`` variables).

    ``monitoring`` off (``DATABASE_MONITORING=0``) installs nothing on the
    engines, so statements cost what they cost without it.
    """

    model_config = SettingsConfigDict(env_prefix="DATABASE_", extra="ignore")

    monitoring: bool = True
    #: A statement that runs longer than this is logged and kept in the slow list.
    slow_query_ms: float = Field(default=200.0, ge=0)
    #: A PostgreSQL transaction open longer than this is listed as long.
    long_transaction_seconds: float = Field(default=300.0, ge=0)


def monitoring_settings() -> MonitoringSettings:
    """The settings of the environment (:class:`ConfigurationError` naming a bad variable)."""
    return load_settings(MonitoringSettings, "DATABASE_")
