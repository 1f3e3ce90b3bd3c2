"""Database settings: the three environments and the ``DATABASE_*`` variables.

``development`` is a SQLite file under the project root, ``testing`` an in-memory
SQLite database and ``production`` PostgreSQL built from the ``DATABASE_*``
variables. ``DATABASE_URL``, when set, overrides the URL of every environment.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import Field, SecretStr
from pydantic import ValidationError as PydanticValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from utils.errors import ConfigurationError

SettingsT = TypeVar("SettingsT", bound=BaseSettings)

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SQLITE_PATH = PROJECT_ROOT / "data" / "auto_applyer.db"
ENVIRONMENTS = ("development", "testing", "production")
SqliteSynchronous = Literal["OFF", "NORMAL", "FULL", "EXTRA"]
#: What stands between the application and PostgreSQL: ``auto`` finds out at
#: connect time, ``transaction`` is a transaction-pooling proxy (PgBouncer),
#: ``none`` the server itself.
Pooler = Literal["auto", "none", "transaction"]
MODE_VARIABLE = "AUTO_APPLYER_MODE"
#: ``local``: one trusted person's laptop, profiles without sign-in;
#: ``hosted``: a shared server, every person signs in and sees only their own data.
MODES = ("local", "hosted")
Mode = Literal["local", "hosted"]


class DatabaseSettings(BaseSettings):
    """The ``DATABASE_*`` environment variables, typed and checked."""

    model_config = SettingsConfigDict(env_prefix="DATABASE_", extra="ignore")

    url: SecretStr | None = None
    # The tables' owner, when DATABASE_URL is an application role under row-level
    # security: whole-database work (server backups and restores) connects as it.
    owner_url: SecretStr | None = None
    host: str = "localhost"
    port: int = Field(default=5432, ge=1, le=65535)
    name: str = "auto_applyer"
    user: str = "postgres"
    password: SecretStr | None = None
    pool_size: int = Field(default=5, ge=1)
    max_overflow: int = Field(default=10, ge=0)
    pool_recycle: int = Field(default=3600, ge=-1)
    timeout: int = Field(default=30, ge=1)
    echo: bool = False
    sqlite_path: Path | None = None
    # FULL: a committed transaction survives a power cut, not only a crash.
    sqlite_synchronous: SqliteSynchronous = "FULL"
    pooler: Pooler = "auto"
    # The server itself, behind a transaction-pooling proxy: LISTEN needs a session of its own.
    direct_url: SecretStr | None = None
    # A streaming replica for read-only work; DATABASE_READ_HOST etc. build it like
    # the primary's URL, each part defaulting to the primary's.
    read_url: SecretStr | None = None
    read_host: str | None = None
    read_port: int | None = Field(default=None, ge=1, le=65535)
    read_name: str | None = None
    read_user: str | None = None
    read_password: SecretStr | None = None
    read_max_lag: float = Field(default=5.0, gt=0)
    read_your_writes_seconds: float = Field(default=10.0, ge=0)
    read_retry_seconds: float = Field(default=5.0, gt=0)


@dataclass(frozen=True)
class DatabaseConfig:
    """Everything needed to build the engine of one environment.

    The URL keeps its password, but ``repr()`` and :attr:`safe_url` mask it.
    """

    environment: str
    url: URL = field(repr=False)
    echo: bool = False
    pool_size: int = 5
    max_overflow: int = 10
    pool_recycle: int = 3600
    timeout: int = 30
    sqlite_synchronous: SqliteSynchronous = "FULL"
    pooler: Pooler = "auto"
    replica: ReplicaConfig | None = None

    @property
    def database_type(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return "postgresql" if self.url.get_backend_name() == "postgresql" else "sqlite"

    @property
    def safe_url(self) -> str:
        """The URL with its password masked, safe to print or log."""
        return self.url.render_as_string(hide_password=True)

    @property
    def is_memory(self) -> bool:
        """Whether this is an in-memory SQLite database."""
        return self.database_type == "sqlite" and self.url.database in (None, "", ":memory:")

    @property
    def sqlite_file(self) -> Path | None:
        """The SQLite database file, or ``None`` for PostgreSQL and in-memory."""
        if self.database_type != "sqlite" or self.is_memory or not self.url.database:
            return None
        return Path(self.url.database)

    def __repr__(self) -> str:
        return f"DatabaseConfig(environment={self.environment!r}, url={self.safe_url!r})"

    @classmethod
    def for_environment(cls, environment: str | None = None) -> DatabaseConfig:
        """Build the configuration of ``environment`` (default: ``$ENVIRONMENT``)."""
        env = (environment or os.environ.get("ENVIRONMENT") or "development").strip().lower()
        if env not in ENVIRONMENTS:
            raise ConfigurationError(
                f"Unknown environment {env!r}: expected one of {', '.join(ENVIRONMENTS)}"
            )
        settings = _load_settings()
        url = _url_for(env, settings)
        return cls(
            environment=env,
            url=url,
            echo=settings.echo,
            pool_size=settings.pool_size,
            max_overflow=settings.max_overflow,
            pool_recycle=settings.pool_recycle,
            timeout=settings.timeout,
            sqlite_synchronous=settings.sqlite_synchronous,
            pooler=settings.pooler,
            replica=_replica_for(url, settings),
        )


@dataclass(frozen=True)
class ReplicaConfig:
    """A streaming replica that serves read-only work (``DATABASE_READ_*``).

    ``max_lag``: seconds behind the primary beyond which reads go to the
    primary; ``read_your_writes_seconds``: how long after a person's write
    their reads check that the replica has replayed it; ``retry_seconds``:
    how long reads stay on the primary after the replica failed.
    """

    url: URL = field(repr=False)
    max_lag: float = 5.0
    read_your_writes_seconds: float = 10.0
    retry_seconds: float = 5.0

    @property
    def safe_url(self) -> str:
        """The URL with its password masked."""
        return self.url.render_as_string(hide_password=True)

    def __repr__(self) -> str:
        return f"ReplicaConfig(url={self.safe_url!r}, max_lag={self.max_lag!r})"


def _replica_for(primary: URL, settings: DatabaseSettings) -> ReplicaConfig | None:
    """The replica of ``DATABASE_READ_URL`` or ``DATABASE_READ_HOST`` (PostgreSQL only)."""
    if settings.read_url is not None:
        url = parse_url(settings.read_url.get_secret_value(), "DATABASE_READ_URL")
    elif settings.read_host:
        password = settings.read_password or settings.password
        url = URL.create(
            "postgresql+psycopg",
            username=settings.read_user or primary.username or settings.user,
            password=password.get_secret_value() if password else primary.password,
            host=settings.read_host,
            port=settings.read_port or primary.port or settings.port,
            database=settings.read_name or primary.database or settings.name,
        )
    else:
        return None
    if url.get_backend_name() != "postgresql" or primary.get_backend_name() != "postgresql":
        raise ConfigurationError("DATABASE_READ_URL needs PostgreSQL for both it and DATABASE_URL")
    return ReplicaConfig(
        url=url,
        max_lag=settings.read_max_lag,
        read_your_writes_seconds=settings.read_your_writes_seconds,
        retry_seconds=settings.read_retry_seconds,
    )


def direct_url() -> URL | None:
    """``$DATABASE_DIRECT_URL``: the server itself when ``DATABASE_URL`` is a pooling proxy."""
    direct = _load_settings().direct_url
    return None if direct is None else parse_url(direct.get_secret_value(), "DATABASE_DIRECT_URL")


def _load_settings() -> DatabaseSettings:
    return load_settings(DatabaseSettings, "DATABASE_")


def load_settings(settings_class: type[SettingsT], prefix: str) -> SettingsT:
    """``settings_class`` read from the ``prefix*`` environment variables.

    :class:`ConfigurationError` when one is invalid: the message names the
    variable and the rule, never the value (it may be a secret).
    """
    try:
        return settings_class()
    except PydanticValidationError as exc:
        first = exc.errors()[0]
        name = prefix + str(first["loc"][0]).upper() if first["loc"] else f"{prefix}*"
        raise ConfigurationError(f"{name} is invalid: {first['msg']}") from None


def _url_for(environment: str, settings: DatabaseSettings) -> URL:
    if settings.url is not None:
        return parse_url(settings.url.get_secret_value())
    if environment == "testing":
        return URL.create("sqlite")
    if environment == "development":
        path = settings.sqlite_path or DEFAULT_SQLITE_PATH
        return URL.create("sqlite", database=str(Path(path).expanduser().resolve()))
    return URL.create(
        "postgresql+psycopg",
        username=settings.user,
        password=settings.password.get_secret_value() if settings.password else None,
        host=settings.host,
        port=settings.port,
        database=settings.name,
    )


def owner_config(config: DatabaseConfig) -> DatabaseConfig:
    """``config`` connecting as ``$DATABASE_OWNER_URL`` when that is set, else ``config`` itself."""
    owner = _load_settings().owner_url
    if owner is None:
        return config
    return replace(config, url=parse_url(owner.get_secret_value()), replica=None)


def parse_url(raw: str, variable: str = "DATABASE_URL") -> URL:
    """Parse a database URL (of ``variable``), choosing psycopg 3 for PostgreSQL.

    The error never repeats the URL, which may hold a password.
    """
    try:
        url = make_url(raw)
    except ArgumentError:
        raise ConfigurationError(f"{variable} is not a valid database URL") from None
    backend = url.get_backend_name()
    if backend in ("postgres", "postgresql"):
        return url.set(drivername="postgresql+psycopg")
    if backend != "sqlite":
        raise ConfigurationError(
            f"{variable} names an unsupported database {backend!r}: use sqlite or postgresql"
        )
    return url


def deployment_mode(environ: Mapping[str, str] | None = None) -> Mode:
    """``$AUTO_APPLYER_MODE``: ``"local"`` or ``"hosted"``.

    Unset or empty, it is ``"hosted"`` when ``$ENVIRONMENT`` is ``production``
    and ``"local"`` otherwise; any other value is a :class:`ConfigurationError`.
    """
    environ = os.environ if environ is None else environ
    raw = (environ.get(MODE_VARIABLE) or "").strip().lower()
    if not raw:
        production = (environ.get("ENVIRONMENT") or "").strip().lower() == "production"
        return "hosted" if production else "local"
    if raw == "hosted":
        return "hosted"
    if raw == "local":
        return "local"
    raise ConfigurationError(f"{MODE_VARIABLE} must be one of {', '.join(MODES)}")


def engine_options(config: DatabaseConfig) -> dict[str, Any]:
    """Keyword arguments for ``create_engine`` beyond the URL and pool class."""
    if config.database_type == "postgresql":
        return {
            "pool_size": config.pool_size,
            "max_overflow": config.max_overflow,
            "pool_recycle": config.pool_recycle,
            "pool_pre_ping": True,
            "pool_timeout": config.timeout,
            "connect_args": {
                "connect_timeout": config.timeout,
                "application_name": "auto_applyer",
            },
        }
    return {"connect_args": {"check_same_thread": False, "timeout": config.timeout}}
