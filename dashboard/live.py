"""Live pages: a change made elsewhere redraws the open page within seconds.

Another browser tab, the CLI, an import, the REST API or a coach may change
the data this page shows. Every such change writes an event in the outbox in
its own transaction (:mod:`database.domain.events`), so a page needs no
channel of its own: a fragment of the sidebar asks, every
:data:`LIVE_SECONDS`, for the events after the last one it saw that this
session may see. One found, the whole page runs again, and
:func:`state.data_version` (which includes the last event seen) makes every
cached read, the analytics included, read afresh.
"""

from __future__ import annotations

import logging
import os
from datetime import timedelta

import streamlit as st

from dashboard import scope, state
from utils.errors import AutoApplyerError

log = logging.getLogger(__name__)

#: Seconds between two looks for changes made elsewhere (``$AUTO_APPLYER_LIVE_SECONDS``).
LIVE_SECONDS = float(os.environ.get("AUTO_APPLYER_LIVE_SECONDS") or 3)
#: The newest event this session has drawn the page with.
SEEN_KEY = state.SEEN_EVENT_KEY
#: The number of changes made elsewhere since the session started.
CHANGES_KEY = "_live_changes"


def seen_event() -> int:
    """The newest event id the page was drawn with (0 before the first look)."""
    value = st.session_state.get(SEEN_KEY)
    return value if isinstance(value, int) else 0


def look(user_id: int) -> bool:
    """Look for events after the last one seen; ``True`` when there were some.

    The first look only notes where the database stands: the page was just
    drawn from it.
    """
    if SEEN_KEY not in st.session_state:
        st.session_state[SEEN_KEY] = scope.newest_event_id()
        return False
    found = scope.events_after(user_id, seen_event())
    if not found:
        return False
    st.session_state[SEEN_KEY] = max(event.id for event in found)
    st.session_state[CHANGES_KEY] = int(st.session_state.get(CHANGES_KEY, 0)) + len(found)
    return True


def watch(user_id: int) -> None:
    """Draw the watcher in the sidebar: it reruns the page when the data changed elsewhere."""
    if LIVE_SECONDS <= 0:
        return
    _watcher(user_id)


@st.fragment(run_every=timedelta(seconds=max(LIVE_SECONDS, 0.5)))
def _watcher(user_id: int) -> None:
    try:
        changed = look(user_id)
    except AutoApplyerError as exc:
        # A database that is busy for a moment is looked at again at the next tick.
        log.warning("Could not look for changes: %s", exc)
        return
    if changed:
        st.rerun(scope="app")
