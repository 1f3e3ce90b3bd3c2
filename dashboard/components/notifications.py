"""The sidebar's bell: the person's reminders, how many are unread, and marking them read.

Reminders (an interview tomorrow, an application waiting for an answer, an
offer left open) are made by the API's scheduler or ``create_due_reminders``;
each writes an event, so an open page redraws with the new count within
seconds (see :mod:`dashboard.live`).
"""

from __future__ import annotations

import streamlit as st

from dashboard import scope, state
from dashboard.components.text import md

#: Notifications shown in the sidebar (the newest, unread first).
SHOWN = 10


def _mark_read(user_id: int, notification_id: int) -> None:
    scope.mark_notification_read(user_id, notification_id)
    state.data_changed()


def _mark_all_read(user_id: int) -> None:
    scope.mark_all_notifications_read(user_id)
    state.data_changed()


def bell(user_id: int) -> None:
    """Draw the bell with its unread count, and the newest notifications under it."""
    unread = scope.unread_notifications(user_id)
    label = f"🔔 Notifications · {unread} unread" if unread else "🔔 Notifications"
    with st.expander(label, expanded=False):
        shown = scope.notifications(user_id, SHOWN)
        if not shown:
            st.caption("Reminders of interviews, follow-ups and open offers appear here.")
        for item in shown:
            new = " · **new**" if item.read_at is None else ""
            st.markdown(f"{md(item.title)}{new}")
            st.caption(md(item.body))
            if item.read_at is None:
                st.button(
                    "Mark read",
                    key=f"notification.read.{item.id}",
                    on_click=_mark_read,
                    args=(user_id, item.id),
                )
        if unread:
            st.button(
                "Mark all read",
                key="notification.read_all",
                on_click=_mark_all_read,
                args=(user_id,),
            )
