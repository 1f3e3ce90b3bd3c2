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


__all__ = [
    "AutoApplyerError",
    "BackupError",
    "ConfigurationError",
    "DatabaseError",
    "MigrationError",
    "NotInitializedError",
    "ValidationError",
]
