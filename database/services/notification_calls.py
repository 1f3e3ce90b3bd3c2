"""The ``DatabaseUtils`` calls of notifications: reminders, the inbox, the calendar feed."""

from __future__ import annotations

from database.domain.notifications import calendar, inbox, reminders
from database.models import Notification
from database.services.calls import run


class NotificationCalls:
    """A person's notifications, the reminders that fall due, and the calendar feed secret."""

    @staticmethod
    def get_notifications(
        user_id: int, unread_only: bool = False, limit: int | None = None, offset: int = 0
    ) -> list[Notification]:
        """The user's notifications, unread first and newest first, ``limit`` from ``offset``."""
        return run(
            lambda s: inbox.list_for_user(
                s, user_id, unread_only=unread_only, limit=limit, offset=offset
            )
        )

    @staticmethod
    def count_unread_notifications(user_id: int) -> int:
        """How many of the user's notifications are unread."""
        return run(lambda s: inbox.count(s, user_id, unread_only=True))

    @staticmethod
    def mark_notification_read(user_id: int, notification_id: int) -> Notification | None:
        """Mark one of the user's notifications read; ``None`` if it is not theirs or not there."""
        return run(lambda s: inbox.mark_read(s, user_id, notification_id))

    @staticmethod
    def mark_all_notifications_read(user_id: int) -> int:
        """Mark every unread notification of the user read; how many there were."""
        return run(lambda s: inbox.mark_all_read(s, user_id))

    @staticmethod
    def create_due_reminders() -> list[Notification]:
        """Create every reminder due now that does not exist yet (each exactly once)."""
        return run(reminders.create_due_reminders)

    @staticmethod
    def rotate_calendar_feed(user_id: int) -> str:
        """A new secret for the user's interview calendar feed (shown once; the old one dies)."""
        return run(lambda s: calendar.rotate_secret(s, user_id))
