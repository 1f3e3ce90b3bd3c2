"""The database health report, for a server administrator only."""

from __future__ import annotations

import os
from typing import Any

from database.domain.accounts import Actor
from database.services.health import get_database_health
from database.services.tenancy.guards import require_server_admin


def database_health(
    actor: Actor, backup_dir: str | os.PathLike[str] | None = None
) -> dict[str, Any]:
    """:func:`~database.services.health.get_database_health`, if ``actor`` administers the server.

    :class:`~utils.errors.PermissionDeniedError` for anyone else. The report
    names no database URL and no statement parameter.
    """
    require_server_admin(actor)
    return get_database_health(backup_dir)
