"""Real-time delivery of the outbox: one listener per process, and the reads of a stream.

:class:`~database.services.realtime.listener.EventListener` turns the
database's news of committed events (PostgreSQL ``LISTEN``, SQLite polling)
into wake-up calls; :mod:`~database.services.realtime.reads` holds the short
transactions a woken stream runs to recheck its credential and read the
events its actor may see. The WebSocket hub of the API (``api/realtime.py``)
is built on both.
"""

from __future__ import annotations

from database.services.realtime.listener import EventListener, Wake
from database.services.realtime.reads import authenticated_actor, events_after, newest_event_id

__all__ = ["EventListener", "Wake", "authenticated_actor", "events_after", "newest_event_id"]
