"""The one error hierarchy of Auto Applyer.

Every error the project raises on purpose derives from :class:`AutoApplyerError`.
Driver exceptions are translated once, at the data boundary, into
:class:`DatabaseError` (or :class:`ValidationError` when the database rejected
the data itself), always with the original exception chained as ``__cause__``.
"""

from __future__ import annotations

from typing import Any


class AutoApplyerError(Exception):
    """Base class of every error raised by Auto Applyer."""


class ValidationError(AutoApplyerError, ValueError):
    """Input broke a rule; nothing was written.

    ``field`` names the offending input and ``rule`` says what it must satisfy.
    """

    def __init__(self, field: str, rule: str, value: Any = None) -> None:
        self.field = field
        self.rule = rule
        self.value = value
        super().__init__(f"{field}: {rule}")


class AuthenticationError(AutoApplyerError):
    """Credentials were refused: one message whatever was wrong, so nothing leaks."""


class ThrottledError(AutoApplyerError):
    """Too many failed sign-ins, or requests over a rate limit; ``retry_after``: seconds to wait."""

    def __init__(self, retry_after: int, what: str = "failed sign-ins") -> None:
        self.retry_after = retry_after
        super().__init__(f"too many {what}; retry after {retry_after} seconds")


class DatabaseError(AutoApplyerError):
    """The database could not do what was asked (connection, driver, state)."""


class NotInitializedError(DatabaseError):
    """The database was used before :func:`database.connection.init_database`."""

    def __init__(self) -> None:
        super().__init__("Database not initialized: call database.connection.init_database() first")


class ConfigurationError(DatabaseError):
    """The database settings are missing or invalid."""


class MigrationError(DatabaseError):
    """A schema migration could not be applied or rolled back."""


class BackupError(DatabaseError):
    """A backup could not be written, read, verified or restored."""


class PermissionDeniedError(AutoApplyerError):
    """The actor can see the target but their role does not allow the action.

    A target the actor cannot see at all is "not found" (``None``), never this
    error, so that its existence is not revealed.
    """


class ConflictError(AutoApplyerError):
    """The write conflicts with the target's current state (a stale version); nothing changed."""


__all__ = [
    "AuthenticationError",
    "AutoApplyerError",
    "BackupError",
    "ConfigurationError",
    "ConflictError",
    "DatabaseError",
    "MigrationError",
    "NotInitializedError",
    "PermissionDeniedError",
    "ThrottledError",
    "ValidationError",
]
