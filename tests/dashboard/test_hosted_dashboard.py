"""The dashboard in hosted mode under AppTest: sign-in first, then one person's own data only."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from streamlit.testing.v1 import AppTest

from database.connection import DatabaseManager
from database.domain.accounts import authenticate, sign_out, sign_up
from database.domain.organizations import create_organization
from database.models import Membership, OrganizationRole
from database.utilities import DatabaseUtils
from tests.dashboard.conftest import APP
from tests.dashboard.helpers import errors, no_exceptions
from tests.support.api import PASSWORD

Start = Callable[..., AppTest]
SIGN_IN_TITLE = "Sign in to Auto Applyer"


@pytest.fixture(autouse=True)
def _hosted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUTO_APPLYER_MODE", "hosted")


def _account(db: DatabaseManager, email: str, *, admin: bool = False, **profile: str) -> int:
    with db.session_scope() as session:
        user = sign_up(session, email, PASSWORD, **profile)
        user.is_server_admin = admin
        return user.id


def _sign_in(at: AppTest, email: str, password: str = PASSWORD) -> AppTest:
    at.text_input(key="sign_in.email").set_value(email)
    at.text_input(key="sign_in.password").set_value(password)
    return at.button(key="FormSubmitter:sign_in-Sign in").click().run()


def _organization(db: DatabaseManager, owner: int, other: int, role: OrganizationRole) -> int:
    """The id of "Career Centre", founded by ``owner``, with ``other`` in it as ``role``."""
    with db.session_scope() as session:
        organization = create_organization(session, owner, "Career Centre")
        session.add(Membership(organization=organization, user_id=other, role=role))
        session.flush()
        return organization.id


def _reopen(at: AppTest, **session: object) -> AppTest:
    """A new run of the same browser session (its token kept) with ``session`` values set."""
    again = AppTest.from_file(str(APP), default_timeout=60)
    again.session_state["_signed_in"] = at.session_state["_signed_in"]
    for key, value in session.items():
        again.session_state[key] = value
    return again.run()


def _titles(at: AppTest) -> list[str]:
    return [t.value for t in at.title]


def _pages(at: AppTest) -> list[str]:
    return [str(option) for option in at.sidebar.radio(key="page").options]


def _go(at: AppTest, page: str) -> AppTest:
    return at.sidebar.radio(key="page").set_value(page).run()


def _all_text(at: AppTest) -> str:
    """Every piece of text the run drew, tables included."""
    parts = [str(e.value) for e in (*at.markdown, *at.caption, *at.title, *at.subheader)]
    parts += [str(e.value) for e in (*at.info, *at.error, *at.success)]
    parts += [t.value.to_string() for t in at.table]
    parts += [d.value.to_string() for d in at.dataframe]
    return "\n".join(parts)


def test_signed_out_only_the_sign_in_page_is_drawn(app: Start, user_id: int) -> None:
    DatabaseUtils.add_job_application(user_id, "Secret Role", "Hidden Corp")
    at = app()
    no_exceptions(at)
    assert _titles(at) == [SIGN_IN_TITLE]
    assert not at.sidebar.radio and not at.sidebar.selectbox
    assert "Hidden Corp" not in _all_text(at)


def test_signing_up_signs_in_to_an_empty_applications_page(app: Start) -> None:
    at = app()
    at.text_input(key="sign_up.email").set_value("new@example.com")
    at.text_input(key="sign_up.password").set_value(PASSWORD)
    at.text_input(key="sign_up.first_name").set_value("Nia")
    at.text_input(key="sign_up.last_name").set_value("Park")
    at.button(key="FormSubmitter:sign_up-Create account").click().run()
    no_exceptions(at)
    user = DatabaseUtils.get_user_by_email("new@example.com")
    assert user is not None and (user.first_name, user.last_name) == ("Nia", "Park")
    assert "Applications" in _titles(at)
    assert any("Signed in as Nia Park" in c.value for c in at.sidebar.caption)


def test_a_sign_up_with_a_short_password_is_refused_next_to_the_field(app: Start) -> None:
    at = app()
    at.text_input(key="sign_up.email").set_value("short@example.com")
    at.text_input(key="sign_up.password").set_value("short")
    at.button(key="FormSubmitter:sign_up-Create account").click().run()
    no_exceptions(at)
    assert _titles(at) == [SIGN_IN_TITLE]
    assert len(errors(at)) == 1 and errors(at)[0].startswith("Password ")
    assert "short" not in errors(at)[0].removeprefix("Password ")
    assert DatabaseUtils.get_user_by_email("short@example.com") is None


def test_unknown_email_and_wrong_password_get_the_same_message(
    app: Start, db: DatabaseManager
) -> None:
    _account(db, "ann@example.com")
    wrong_password = _sign_in(app(), "ann@example.com", "not the password")
    unknown_email = _sign_in(app(), "nobody@example.com", PASSWORD)
    no_exceptions(wrong_password)
    assert errors(wrong_password) == errors(unknown_email) == ["Invalid email or password."]
    assert _titles(wrong_password) == _titles(unknown_email) == [SIGN_IN_TITLE]


def test_a_locked_account_says_how_long_to_wait(app: Start, db: DatabaseManager) -> None:
    _account(db, "ann@example.com")
    at = app()
    for _ in range(5):
        _sign_in(at, "ann@example.com", "not the password")
    _sign_in(at, "ann@example.com", PASSWORD)
    no_exceptions(at)
    assert errors(at) == ["Too many attempts, try again in 15 minutes."]
    assert _titles(at) == [SIGN_IN_TITLE]


def test_a_person_sees_only_their_own_applications(app: Start, db: DatabaseManager) -> None:
    ann = _account(db, "ann@example.com", first_name="Ann")
    bob = _account(db, "bob@example.com", first_name="Bob")
    DatabaseUtils.add_job_application(ann, "Baker", "Ann Bakery", source="annsource")
    bobs = DatabaseUtils.add_job_application(bob, "Pilot", "Bob Airways", source="bobsource")
    at = _sign_in(app(), "ann@example.com")
    no_exceptions(at)
    assert list(at.dataframe[0].value["Company"]) == ["Ann Bakery"]
    at = _go(_reopen(at, selected_application=bobs.id), "Search")
    at.text_input(key="search.query").set_value("Airways").run()
    no_exceptions(at)
    for page in ("Applications", "Analytics", "Search", "Profile & preferences"):
        at = _go(at, page)
        no_exceptions(at)
        shown = _all_text(at)
        assert "Bob Airways" not in shown and "bobsource" not in shown, page
        assert "bob@example.com" not in shown, page


def test_another_persons_application_cannot_be_changed_by_id(
    app: Start, db: DatabaseManager
) -> None:
    _account(db, "ann@example.com")
    bob = _account(db, "bob@example.com")
    bobs = DatabaseUtils.add_job_application(bob, "Pilot", "Bob Airways")
    at = _reopen(_sign_in(app(), "ann@example.com"), selected_application=bobs.id)
    no_exceptions(at)
    assert "Bob Airways" not in _all_text(at)
    assert not [s for s in at.selectbox if s.key == f"status_{bobs.id}.status"]
    assert DatabaseUtils.get_application(bobs.id) is not None


def _act_on(application_id: int) -> None:
    """A run that tries every change of one application by its id, reporting each outcome."""
    from typing import Any

    import streamlit as st

    from dashboard import scope
    from utils.errors import ValidationError

    attempts: dict[str, Any] = {
        "status": lambda: scope.change_status(application_id, "rejected"),
        "edit": lambda: scope.update_application(application_id, {"company": "Taken"}),
        "note": lambda: scope.add_note(application_id, "mine now"),
        "timeline": lambda: scope.timeline(application_id),
        "delete": lambda: scope.delete_application(application_id),
    }
    for name, attempt in attempts.items():
        try:
            attempt()
        except ValidationError as exc:
            st.error(f"{name}: {exc.field} {exc.rule}")
        else:
            st.success(name)
    st.write(repr(scope.get_application(application_id)))


def test_every_change_by_id_of_another_persons_application_is_not_found(
    app: Start, db: DatabaseManager
) -> None:
    _account(db, "ann@example.com")
    bob = _account(db, "bob@example.com")
    bobs = DatabaseUtils.add_job_application(bob, "Pilot", "Bob Airways")
    signed_in = _sign_in(app(), "ann@example.com")
    at = AppTest.from_function(_act_on, args=(bobs.id,), default_timeout=60)
    at.session_state["_signed_in"] = signed_in.session_state["_signed_in"]
    at.run()
    no_exceptions(at)
    missing = f"application_id no application with id {bobs.id}"
    names = ("status", "edit", "note", "timeline", "delete")
    assert errors(at) == [f"{name}: {missing}" for name in names]
    assert [m.value for m in at.markdown] == ["None"]
    after = DatabaseUtils.get_application(bobs.id)
    assert after is not None and (after.company, after.status) == ("Bob Airways", "applied")
    assert DatabaseUtils.get_application_notes(bobs.id) == []


def test_there_is_no_profile_picker(app: Start, db: DatabaseManager) -> None:
    _account(db, "ann@example.com")
    _account(db, "bob@example.com")
    at = _sign_in(app(), "ann@example.com")
    no_exceptions(at)
    assert not [s for s in at.sidebar.selectbox if s.key == "profile_select"]
    assert "New profile" not in [e.label for e in at.sidebar.expander]
    assert "bob@example.com" not in _all_text(at)


def test_a_normal_user_has_no_backups_or_settings(app: Start, db: DatabaseManager) -> None:
    _account(db, "ann@example.com")
    at = _sign_in(app(), "ann@example.com")
    assert "Backups" not in _pages(at) and "Settings" not in _pages(at)
    assert "Organizations" in _pages(at)
    at = _reopen(at, page="Backups")
    no_exceptions(at)
    assert "Backups" not in _titles(at) and "Applications" in _titles(at)


def test_a_server_administrator_has_backups_and_settings_without_the_url(
    app: Start, db: DatabaseManager
) -> None:
    _account(db, "root@example.com", admin=True)
    at = _sign_in(app(), "root@example.com")
    assert "Backups" in _pages(at) and "Settings" in _pages(at)
    at = _go(at, "Settings")
    no_exceptions(at)
    shown = _all_text(at)
    assert "Settings" in _titles(at) and "Schema version" in shown
    assert "URL" not in shown and db.config.safe_url not in shown
    for page in _pages(at):
        assert db.config.safe_url not in _all_text(_go(at, page)), page


def test_coach_reads_a_members_applications_on_the_organizations_page(
    app: Start, db: DatabaseManager
) -> None:
    coach = _account(db, "coach@example.com", first_name="Cora")
    member = _account(db, "mia@example.com", first_name="Mia")
    outsider = _account(db, "out@example.com")
    DatabaseUtils.add_job_application(member, "Analyst", "Member Corp")
    DatabaseUtils.add_job_application(outsider, "Pilot", "Outsider Airways")
    organization = _organization(db, member, coach, OrganizationRole.COACH)
    at = _go(_sign_in(app(), "coach@example.com"), "Organizations")
    no_exceptions(at)
    assert "Career Centre · coach" in [s.value for s in at.subheader]
    at.selectbox(key=f"org.{organization}.member").set_value(member).run()
    no_exceptions(at)
    shown = _all_text(at)
    assert "Member Corp" in shown and "Outsider Airways" not in shown
    funnels = [d.value for d in at.dataframe if "stage" in d.value.columns]
    assert len(funnels) == 1 and funnels[0]["applications"].iloc[0] == 1  # the member's one


def test_a_member_sees_no_other_members_applications(app: Start, db: DatabaseManager) -> None:
    owner = _account(db, "owner@example.com")
    member = _account(db, "mia@example.com")
    DatabaseUtils.add_job_application(owner, "Director", "Owner Corp")
    organization = _organization(db, owner, member, OrganizationRole.MEMBER)
    at = _go(_sign_in(app(), "mia@example.com"), "Organizations")
    no_exceptions(at)
    assert "Career Centre · member" in [s.value for s in at.subheader]
    assert not [s for s in at.selectbox if s.key == f"org.{organization}.member"]
    assert "Owner Corp" not in _all_text(at)


def test_signing_out_revokes_the_token_and_shows_the_sign_in_page(
    app: Start, db: DatabaseManager
) -> None:
    _account(db, "ann@example.com")
    at = _sign_in(app(), "ann@example.com")
    token = at.session_state["_signed_in"]
    at.sidebar.button(key="auth.sign_out").click().run()
    no_exceptions(at)
    assert _titles(at) == [SIGN_IN_TITLE]
    assert "_signed_in" not in at.session_state
    with db.session_scope() as session:
        assert authenticate(session, token) is None


def test_a_token_revoked_elsewhere_ends_the_session_on_the_next_run(
    app: Start, db: DatabaseManager
) -> None:
    _account(db, "ann@example.com")
    at = _sign_in(app(), "ann@example.com")
    assert "Applications" in _titles(at)
    with db.session_scope() as session:
        assert sign_out(session, at.session_state["_signed_in"])
    at.run()
    no_exceptions(at)
    assert _titles(at) == [SIGN_IN_TITLE]
