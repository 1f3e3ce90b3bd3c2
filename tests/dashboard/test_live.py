"""A change made elsewhere (another process, tab or person) reaches the open page."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.live import CHANGES_KEY, SEEN_KEY
from database.connection import DatabaseManager
from database.models import OrganizationRole
from database.utilities import DatabaseUtils
from tests.dashboard.helpers import no_exceptions
from tests.dashboard.hosted import account, go, organization, signed_in

Start = Callable[..., AppTest]


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: str(m.value) for m in at.metric}


def _changes(at: AppTest) -> int:
    return int(at.session_state[CHANGES_KEY]) if CHANGES_KEY in at.session_state else 0


def test_cached_analytics_follow_a_write_made_outside_the_dashboard(
    app: Start, user_id: int
) -> None:
    DatabaseUtils.add_job_application(user_id, "Engineer", "Acme")
    at = app(user_id, page="Analytics")
    no_exceptions(at)
    assert _metrics(at)["Applications"] == "1"
    # Written as the CLI or another process would: the dashboard's own cache is not told.
    DatabaseUtils.add_job_application(user_id, "Engineer", "Globex")
    at.run()
    no_exceptions(at)
    assert _metrics(at)["Applications"] == "2"
    assert _changes(at) == 1


def test_a_page_with_nothing_new_does_not_count_a_change(app: Start, user_id: int) -> None:
    at = app(user_id, page="Applications")
    seen = at.session_state[SEEN_KEY]
    at.run()
    no_exceptions(at)
    assert at.session_state[SEEN_KEY] == seen
    assert _changes(at) == 0


def test_a_change_of_another_local_profile_is_not_this_pages_change(
    app: Start, user_id: int
) -> None:
    other = DatabaseUtils.create_user("bo@example.com", first_name="Bo").id
    at = app(user_id, page="Applications")
    DatabaseUtils.add_job_application(other, "Engineer", "Elsewhere")
    at.run()
    assert _changes(at) == 0


class TestHosted:
    @pytest.fixture(autouse=True)
    def _hosted(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("AUTO_APPLYER_MODE", "hosted")

    def test_a_coach_sees_a_members_change_and_never_a_strangers(self, db: DatabaseManager) -> None:
        founder = account(db, "founder@example.com", first_name="Fay")
        coach = account(db, "coach@example.com", first_name="Cora")
        member = account(db, "member@example.com", first_name="Max")
        stranger = account(db, "stranger@example.com", first_name="Sam")
        organization(db, founder, {coach: OrganizationRole.COACH, member: OrganizationRole.MEMBER})
        at = go(signed_in("coach@example.com"), "Applications")
        no_exceptions(at)
        DatabaseUtils.add_job_application(stranger, "Engineer", "Hidden Corp")
        at.run()
        assert _changes(at) == 0
        DatabaseUtils.add_job_application(member, "Engineer", "Visible Ltd")
        at.run()
        no_exceptions(at)
        assert _changes(at) == 1
