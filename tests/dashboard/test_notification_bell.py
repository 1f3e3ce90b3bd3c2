"""The sidebar's bell shows the person's reminders and marks them read."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from streamlit.testing.v1 import AppTest

from database.connection import DatabaseManager
from database.core.column_types import utcnow
from database.utilities import DatabaseUtils
from tests.dashboard.helpers import no_exceptions
from tests.dashboard.hosted import account, signed_in

Start = Callable[..., AppTest]


def _bell(at: AppTest) -> str:
    labels = [e.label for e in at.sidebar.expander if "Notifications" in e.label]
    assert len(labels) == 1, labels
    return str(labels[0])


def _interview_tomorrow(user_id: int, company: str) -> int:
    DatabaseUtils.add_job_application(
        user_id, "Engineer", company, interview_date=utcnow() + timedelta(hours=3)
    )
    (reminder,) = [n for n in DatabaseUtils.create_due_reminders() if n.user_id == user_id]
    return reminder.id


def test_a_reminder_is_counted_shown_and_marked_read(app: Start, user_id: int) -> None:
    at = app(user_id)
    assert _bell(at) == "🔔 Notifications"
    reminder = _interview_tomorrow(user_id, "Initech")
    at.run()
    no_exceptions(at)
    assert _bell(at) == "🔔 Notifications · 1 unread"
    assert any("Initech" in m.value for m in at.sidebar.markdown)
    at.button(key=f"notification.read.{reminder}").click().run()
    no_exceptions(at)
    assert _bell(at) == "🔔 Notifications"
    assert DatabaseUtils.count_unread_notifications(user_id) == 0


def test_mark_all_read_clears_the_count(app: Start, user_id: int) -> None:
    _interview_tomorrow(user_id, "Initech")
    DatabaseUtils.add_job_application(
        user_id, "Analyst", "Globex", interview_date=utcnow() + timedelta(hours=5)
    )
    DatabaseUtils.create_due_reminders()
    at = app(user_id)
    assert _bell(at) == "🔔 Notifications · 2 unread"
    at.button(key="notification.read_all").click().run()
    assert _bell(at) == "🔔 Notifications"


class TestHosted:
    @pytest.fixture(autouse=True)
    def _hosted(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("AUTO_APPLYER_MODE", "hosted")

    def test_the_bell_holds_only_the_signed_in_persons_reminders(self, db: DatabaseManager) -> None:
        ann = account(db, "ann@example.com", first_name="Ann")
        bob = account(db, "bob@example.com", first_name="Bob")
        _interview_tomorrow(ann, "Initech")
        at = signed_in("bob@example.com")
        no_exceptions(at)
        assert _bell(at) == "🔔 Notifications"
        assert not any("Initech" in m.value for m in at.sidebar.markdown)
        _interview_tomorrow(bob, "Globex")
        at.run()
        assert _bell(at) == "🔔 Notifications · 1 unread"
