"""Resume uploads as the dashboard makes them: checked and stored by :mod:`database.io`.

The implementation is :mod:`database.io.resume_files`.

The API uploads through the same module, so a file the dashboard refuses is
refused there too, for the same reason.
"""

from __future__ import annotations

from database.io.resume_files import (
    KINDS,
    MAX_BYTES,
    StoredResume,
    read,
    remove,
    same_content,
    store,
)

__all__ = ["KINDS", "MAX_BYTES", "StoredResume", "read", "remove", "same_content", "store"]
