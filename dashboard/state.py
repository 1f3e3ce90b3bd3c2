"""Per-session state of the dashboard: the database, the chosen profile, the page.

The database is global to the process (``database.core.session``); the dashboard
opens it once, on the environment named by ``$ENVIRONMENT`` (development by
default), and reuses a database that is already open (tests open their own).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

import streamlit as st

from database.bootstrap import init_database
from database.core import files
from database.core.session import DatabaseManager, get_database_manager
from utils.errors import NotInitializedError

USER_KEY = "user_id"
PAGE_KEY = "page"
FLASH_KEY = "_flash"
VERSION_KEY = "_data_version"
#: The newest outbox event the page was drawn with (kept by :mod:`dashboard.live`).
SEEN_EVENT_KEY = "_live_seen_event"
DATA_DIR_VARIABLE = files.DATA_DIR_VARIABLE

_write_counter = 0
# Each browser session runs the script in its own thread: open the database once.
_open_lock = threading.Lock()


def ensure_database() -> DatabaseManager:
    """The open global database, opening (and migrating) it on first use."""
    try:
        return get_database_manager()
    except NotInitializedError:
        pass
    with _open_lock:
        try:
            return get_database_manager()
        except NotInitializedError:
            return init_database(os.environ.get("ENVIRONMENT") or "development")


def data_dir() -> Path:
    """The folder for files the dashboard keeps (resumes).

    ``$AUTO_APPLYER_DATA_DIR`` when set; else the folder of the SQLite database
    file; else ``data/`` under the project root (see :mod:`database.core.files`,
    which backups use too).
    """
    return files.data_dir(ensure_database().config)


def current_user_id() -> int | None:
    """The id of the profile this session works on, or ``None``."""
    value = st.session_state.get(USER_KEY)
    return value if isinstance(value, int) else None


def select_user(user_id: int | None) -> None:
    """Make ``user_id`` the profile of this session."""
    st.session_state[USER_KEY] = user_id


def data_version() -> tuple[int, int, int]:
    """A token that changes whenever the data this session shows may have changed.

    When this process writes or reopens the database, and when the page saw a
    change made elsewhere (the newest event seen, see :mod:`dashboard.live`).
    Cached reads take it as an argument, so a write is never followed by a
    stale read.
    """
    seen = st.session_state.get(SEEN_EVENT_KEY)
    return (id(ensure_database()), _write_counter, seen if isinstance(seen, int) else 0)


def data_changed() -> None:
    """Record that the data changed (invalidates every cached read)."""
    global _write_counter
    _write_counter += 1


def flash(kind: str, message: str) -> None:
    """Show ``message`` once, on the next run (survives ``st.rerun``)."""
    st.session_state[FLASH_KEY] = (kind, message)


def show_flash() -> None:
    """Display and forget the pending flash message, if any."""
    pending: Any = st.session_state.pop(FLASH_KEY, None)
    if pending is None:
        return
    kind, message = pending
    {"success": st.success, "error": st.error, "warning": st.warning}.get(kind, st.info)(message)
