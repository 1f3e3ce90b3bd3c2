"""Whether this dashboard serves one trusted person (local) or many who sign in (hosted).

Read from ``$AUTO_APPLYER_MODE`` on every call (see
:func:`database.core.config.deployment_mode`), so a test can switch it.
"""

from __future__ import annotations

from database.core.config import deployment_mode


def is_hosted() -> bool:
    """Whether people sign in and each sees only their own data."""
    return deployment_mode() == "hosted"
