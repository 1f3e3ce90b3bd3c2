"""The Applications page's archiving under AppTest: the views, bulk archive, restore."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from streamlit.testing.v1 import AppTest

from database.connection import DatabaseManager
from database.utilities import DatabaseUtils
from tests.dashboard.helpers import errors, no_exceptions, successes
from tests.dashboard.hosted import account, signed_in

Start = Callable[..., AppTest]


def _companies(at: AppTest) -> list[str]:
    return sorted(at.dataframe[0].value["Company"]) if at.dataframe else []


def test_archive_all_rejected_then_restore_one_from_the_archived_view(
    app: Start, user_id: int
) -> None:
    DatabaseUtils.add_job_application(user_id, "Engineer", "Open Co")
    for company in ("Gone A", "Gone B"):
        DatabaseUtils.add_job_application(user_id, "Engineer", company, status="rejected")
    at = app(user_id)
    assert _companies(at) == ["Gone A", "Gone B", "Open Co"]

    at.button(key="archive_rejected.button").click().run()
    no_exceptions(at)
    assert successes(at) == ["Archived the rejected applications."]
    assert _companies(at) == ["Open Co"]
    assert at.button(key="archive_rejected.button").disabled

    at.radio(key="apps.view").set_value("Archived").run()
    no_exceptions(at)
    assert _companies(at) == ["Gone A", "Gone B"]
    at.button(key="FormSubmitter:apps.restore-Restore").click().run()
    no_exceptions(at)
    assert successes(at) == ["Application restored."]
    assert len(_companies(at)) == 1

    at.radio(key="apps.view").set_value("All").run()
    assert len(_companies(at)) == 3
    assert len(DatabaseUtils.find_applications(user_id)) == 2


def test_the_details_archive_button_archives_the_application(app: Start, user_id: int) -> None:
    app_id = DatabaseUtils.add_job_application(user_id, "Engineer", "Acme").id
    at = app(user_id)
    at.button(key=f"archive_{app_id}.button").click().run()
    no_exceptions(at)
    assert successes(at) == ["Application archived."]
    stored = DatabaseUtils.get_application(app_id)
    assert stored is not None and stored.archived_at is not None
    assert DatabaseUtils.find_applications(user_id) == []


def test_the_archiving_preference_is_saved_turned_off_and_checked(app: Start, user_id: int) -> None:
    at = app(user_id, "Profile & preferences")
    no_exceptions(at)
    field = "preferences.archive_after_days"
    assert at.number_input(key=field).value == 90
    at.number_input(key=field).set_value(30)
    at.button(key="FormSubmitter:preferences-Save preferences").click().run()
    no_exceptions(at)
    assert DatabaseUtils.get_user_preferences(user_id).archive_after_days == 30  # type: ignore[union-attr]
    at.number_input(key=field).set_value(None)
    at.button(key="FormSubmitter:preferences-Save preferences").click().run()
    assert DatabaseUtils.get_user_preferences(user_id).archive_after_days is None  # type: ignore[union-attr]
    at.number_input(key=field).set_value(4000)
    at.button(key="FormSubmitter:preferences-Save preferences").click().run()
    assert errors(at) == ["Archive after must be at most 3650"]
    assert DatabaseUtils.get_user_preferences(user_id).archive_after_days is None  # type: ignore[union-attr]


def test_in_hosted_mode_archiving_goes_through_tenancy_for_the_signed_in_person(
    db: DatabaseManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AUTO_APPLYER_MODE", "hosted")
    ann = account(db, "ann@example.com")
    bob = account(db, "bob@example.com")
    DatabaseUtils.add_job_application(ann, "Engineer", "Ann Rejected", status="rejected")
    bobs = DatabaseUtils.add_job_application(bob, "Pilot", "Bob Rejected", status="rejected").id
    unarchived = DatabaseUtils.find_applications
    for name in ("archive_application", "unarchive_application", "archive_applications"):
        monkeypatch.setattr(DatabaseUtils, name, staticmethod(_refuse))
    at = signed_in("ann@example.com", "Applications")
    at.button(key="archive_rejected.button").click().run()
    no_exceptions(at)
    assert successes(at) == ["Archived the rejected applications."]
    assert unarchived(ann) == [] and [a.id for a in unarchived(bob)] == [bobs]
    at.radio(key="apps.view").set_value("Archived").run()
    assert _companies(at) == ["Ann Rejected"]
    at.button(key="FormSubmitter:apps.restore-Restore").click().run()
    no_exceptions(at)
    assert [a.company for a in unarchived(ann)] == ["Ann Rejected"]


def _refuse(*args: object, **kwargs: object) -> None:
    raise AssertionError("the trusted local API was called in hosted mode")
