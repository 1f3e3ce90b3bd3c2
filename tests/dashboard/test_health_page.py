"""The Database health page: for everyone in local mode, for server administrators when hosted."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.views.health import ADMINS_ONLY, TITLE
from database.connection import DatabaseManager
from database.models import User
from database.services.alerts import run_health_tick
from tests.dashboard.helpers import errors, no_exceptions
from tests.dashboard.hosted import account, go, run_as, signed_in
from tests.support.health_reports import slow

Start = Callable[..., AppTest]


def _titles(at: AppTest) -> list[str]:
    return [t.value for t in at.title]


def _pages(at: AppTest) -> list[str]:
    return [str(option) for option in at.sidebar.radio(key="page").options]


def _alert_table(at: AppTest) -> dict[str, str]:
    """The alerts table: each alert's title and state."""
    (frame,) = [d.value for d in at.dataframe if "Alert" in d.value.columns]
    return dict(zip(frame["Alert"], frame["State"], strict=True))


def _make_admin(db: DatabaseManager, user_id: int) -> None:
    with db.session_scope() as session:
        user = session.get(User, user_id)
        assert user is not None
        user.is_server_admin = True


def _render_health_page() -> None:
    from dashboard.views import health

    health.render(0)


def test_the_page_shows_figures_alerts_statements_and_charts_in_local_mode(
    app: Start, user_id: int
) -> None:
    at = app(user_id, "Database health")
    no_exceptions(at)
    assert TITLE in _titles(at)
    assert {m.label for m in at.metric} >= {"Engine", "Alerts firing", "Pool waits", "Disk free"}
    alerts = _alert_table(at)
    assert "Slow statements" in alerts and "Verified backups" in alerts
    assert "not evaluated" not in alerts.values()  # viewing the page evaluated them
    assert [d for d in at.dataframe if "Statement" in d.value.columns]
    assert "Disk free (ratio)" in [c.value for c in at.caption]  # a chart of the samples


def test_a_firing_alert_is_shown_as_firing(app: Start, db: DatabaseManager, user_id: int) -> None:
    run_health_tick(db, health=slow(900))
    at = app(user_id, "Database health")
    no_exceptions(at)
    assert _alert_table(at)["Slow statements"] == "🔴 firing"


@pytest.mark.usefixtures("_hosted")
def test_a_person_who_administers_nothing_is_refused_in_hosted_mode(
    app: Start, db: DatabaseManager
) -> None:
    account(db, "ann@example.com")
    at = signed_in("ann@example.com")
    assert TITLE not in _pages(at)
    direct = run_as(at, _render_health_page)
    no_exceptions(direct)
    assert errors(direct) == [ADMINS_ONLY]
    assert not direct.dataframe and not direct.metric


@pytest.mark.usefixtures("_hosted")
def test_a_server_administrator_sees_the_page_in_hosted_mode(
    app: Start, db: DatabaseManager
) -> None:
    _make_admin(db, account(db, "root@example.com"))
    run_health_tick(db, health=slow(900))
    at = go(signed_in("root@example.com"), TITLE)
    no_exceptions(at)
    assert TITLE in _titles(at) and errors(at) == []
    assert _alert_table(at)["Slow statements"] == "🔴 firing"


@pytest.fixture
def _hosted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUTO_APPLYER_MODE", "hosted")
