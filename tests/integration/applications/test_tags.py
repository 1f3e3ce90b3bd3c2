"""Tags: a person's vocabulary, on their applications; filters, statistics and events by tag."""

from __future__ import annotations

import json
import queue
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from database.connection import DatabaseManager, db_session_scope
from database.models import ApplicationTag, Event, EventKind, Tag, User
from database.utilities import DatabaseUtils
from tests.support.threads import at_once
from utils.errors import ValidationError


@pytest.fixture
def user(db: DatabaseManager) -> User:
    return DatabaseUtils.create_user(email="owner@example.com")


def _application(user: User, title: str = "Dev", status: str = "applied") -> int:
    return DatabaseUtils.add_job_application(user.id, title, "Co", status=status).id


def _vocabulary(user: User) -> dict[str, int]:
    return {t["name"]: t["applications"] for t in DatabaseUtils.list_tags(user.id)}


def test_setting_tags_replaces_the_set_and_keeps_unused_tags_in_the_vocabulary(
    user: User,
) -> None:
    application = _application(user)
    assert DatabaseUtils.set_application_tags(application, ["Remote", "referral"]) == [
        "referral",
        "Remote",
    ]
    assert DatabaseUtils.set_application_tags(application, ["remote", "  Big   Tech "]) == [
        "Big Tech",
        "Remote",
    ]
    assert DatabaseUtils.get_application_tags(application) == ["Big Tech", "Remote"]
    assert _vocabulary(user) == {"Big Tech": 1, "referral": 0, "Remote": 1}


def test_a_name_differing_only_in_case_or_spacing_is_the_same_tag(user: User) -> None:
    first, second = _application(user, "A"), _application(user, "B")
    DatabaseUtils.add_application_tags(first, ["Remote"])
    assert DatabaseUtils.add_application_tags(second, ["REMOTE", " remote "]) == ["Remote"]
    assert _vocabulary(user) == {"Remote": 2}


def test_adding_tags_keeps_those_the_application_has(user: User) -> None:
    application = _application(user)
    DatabaseUtils.add_application_tags(application, ["a"])
    assert DatabaseUtils.add_application_tags(application, ["b", "A"]) == ["a", "b"]


def test_removing_a_tag_unlinks_it_only_from_that_application(user: User) -> None:
    first, second = _application(user, "A"), _application(user, "B")
    for application in (first, second):
        DatabaseUtils.set_application_tags(application, ["Remote"])
    assert DatabaseUtils.remove_application_tag(first, "remote") is True
    assert DatabaseUtils.remove_application_tag(first, "remote") is False
    assert DatabaseUtils.remove_application_tag(first, "never-made") is False
    assert DatabaseUtils.get_application_tags(first) == []
    assert DatabaseUtils.get_application_tags(second) == ["Remote"]


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        ("", "must not be empty"),
        ("   ", "must not be empty"),
        ("x" * 51, "at most 50"),
        ("tab\there", "control characters"),
        ("a,b", "comma"),
        (5, "must be text"),
    ],
)
def test_bad_tag_names_are_refused_naming_the_tag(user: User, name: object, rule: str) -> None:
    application = _application(user)
    with pytest.raises(ValidationError) as info:
        DatabaseUtils.set_application_tags(application, [name])  # type: ignore[list-item]
    assert info.value.field == "tags[0]"
    assert rule in info.value.rule
    assert DatabaseUtils.list_tags(user.id) == []


def test_a_name_of_fifty_characters_after_trimming_is_kept(user: User) -> None:
    application = _application(user)
    name = "y" * 50
    assert DatabaseUtils.set_application_tags(application, [f"  {name}  "]) == [name]


def test_more_than_twenty_tags_on_one_application_are_refused(user: User) -> None:
    application = _application(user)
    DatabaseUtils.set_application_tags(application, [f"t{i}" for i in range(20)])
    with pytest.raises(ValidationError) as info:
        DatabaseUtils.add_application_tags(application, ["one more"])
    assert info.value.field == "tags"
    assert len(DatabaseUtils.get_application_tags(application)) == 20


def test_renaming_a_tag_renames_it_on_every_application(user: User) -> None:
    application = _application(user)
    DatabaseUtils.set_application_tags(application, ["remote"])
    assert DatabaseUtils.rename_tag(user.id, "Remote", "Remote-first") == "Remote-first"
    assert DatabaseUtils.get_application_tags(application) == ["Remote-first"]


def test_renaming_into_an_existing_name_merges_the_two_tags(user: User) -> None:
    both, only_old, only_new = (
        _application(user, "A"),
        _application(user, "B"),
        _application(user, "C"),
    )
    DatabaseUtils.set_application_tags(both, ["wfh", "Remote"])
    DatabaseUtils.set_application_tags(only_old, ["wfh"])
    DatabaseUtils.set_application_tags(only_new, ["Remote"])
    assert DatabaseUtils.rename_tag(user.id, "wfh", "remote") == "Remote"
    assert _vocabulary(user) == {"Remote": 3}
    assert [DatabaseUtils.get_application_tags(a) for a in (both, only_old, only_new)] == [
        ["Remote"]
    ] * 3


def test_deleting_a_tag_unlinks_it_everywhere(user: User) -> None:
    application = _application(user)
    DatabaseUtils.set_application_tags(application, ["Remote", "Referral"])
    assert DatabaseUtils.delete_tag(user.id, "remote") is True
    assert DatabaseUtils.get_application_tags(application) == ["Referral"]
    assert _vocabulary(user) == {"Referral": 1}
    with pytest.raises(ValidationError) as info:
        DatabaseUtils.delete_tag(user.id, "remote")
    assert info.value.field == "tag"


def test_link_rows_belong_to_the_applications_owner(user: User) -> None:
    application = _application(user)
    DatabaseUtils.set_application_tags(application, ["Remote"])
    with db_session_scope() as session:
        owners = set(session.scalars(select(ApplicationTag.user_id)))
        tag_owners = set(session.scalars(select(Tag.user_id)))
    assert owners == tag_owners == {user.id}


def test_each_change_of_an_applications_tags_records_an_event(user: User) -> None:
    application = _application(user)
    DatabaseUtils.set_application_tags(application, ["b", "a"])
    DatabaseUtils.remove_application_tag(application, "a")
    DatabaseUtils.rename_tag(user.id, "b", "c")
    with db_session_scope() as session:
        updates = session.scalars(
            select(Event.payload)
            .where(Event.kind == EventKind.APPLICATION_UPDATED, Event.entity_id == application)
            .order_by(Event.id)
        ).all()
    assert [json.loads(p) for p in updates] == [
        {"tags": ["a", "b"]},
        {"tags": ["b"]},
        {"tags": ["c"]},
    ]


def test_the_listing_filters_by_all_of_the_given_tags(user: User) -> None:
    remote, both, neither = (
        _application(user, "A"),
        _application(user, "B"),
        _application(user, "C"),
    )
    DatabaseUtils.set_application_tags(remote, ["Remote"])
    DatabaseUtils.set_application_tags(both, ["Remote", "Referral"])

    def titles(tags: list[str], **filters: object) -> list[str]:
        found = DatabaseUtils.find_applications(user.id, filters or None, tags=tags)
        return sorted(a.job_title for a in found)

    assert titles(["remote"]) == ["A", "B"]
    assert titles(["Remote", "referral"]) == ["B"]
    assert titles(["unknown"]) == []
    assert titles([]) == ["A", "B", "C"]
    assert titles(["Remote"], text="B") == ["B"]
    assert DatabaseUtils.count_applications(user.id, {"tags": ["remote"]}) == 2
    assert DatabaseUtils.count_applications(user.id, tags=["referral"]) == 1
    assert neither


def test_listed_applications_carry_their_tags_loaded(user: User) -> None:
    application = _application(user)
    DatabaseUtils.set_application_tags(application, ["Remote"])
    (found,) = DatabaseUtils.find_applications(user.id)
    assert [t.name for t in found.tags] == ["Remote"]


def test_a_tag_filter_is_checked(user: User) -> None:
    with pytest.raises(ValidationError) as info:
        DatabaseUtils.find_applications(user.id, tags="Remote")  # type: ignore[arg-type]
    assert info.value.field == "tags"
    with pytest.raises(ValidationError) as info:
        DatabaseUtils.find_applications(user.id, {"tags": ["a,b"]})
    assert info.value.field == "tags"


def test_tags_are_each_persons_own(db: DatabaseManager, user: User) -> None:
    other = DatabaseUtils.create_user(email="other@example.com")
    mine, theirs = _application(user), _application(other)
    DatabaseUtils.set_application_tags(mine, ["Remote"])
    DatabaseUtils.set_application_tags(theirs, ["remote"])
    assert _vocabulary(user) == {"Remote": 1}
    assert _vocabulary(other) == {"remote": 1}
    assert [a.id for a in DatabaseUtils.find_applications(other.id, tags=["Remote"])] == [theirs]


def test_statistics_per_tag_count_responses_interviews_and_offers(user: User) -> None:
    statuses = ["applied", "screening", "interview_scheduled", "offer_received", "rejected"]
    ids = [_application(user, s, status=s) for s in statuses]
    for application in ids:
        DatabaseUtils.add_application_tags(application, ["Remote"])
    DatabaseUtils.add_application_tags(ids[0], ["Referral"])
    remote, referral = DatabaseUtils.get_tag_statistics(user.id)
    assert {k: remote[k] for k in ("tag", "applications", "responded", "interviews", "offers")} == {
        "tag": "Remote",
        "applications": 5,
        "responded": 4,
        "interviews": 2,
        "offers": 1,
    }
    assert (remote["response_rate"], remote["interview_rate"]) == (80.0, 40.0)
    assert (referral["tag"], referral["applications"], referral["responded"]) == ("Referral", 1, 0)


def test_tag_statistics_honour_days_and_archived(user: User) -> None:
    old = DatabaseUtils.add_job_application(
        user.id, "Old", "Co", application_date=datetime(2020, 1, 1, tzinfo=UTC)
    ).id
    new = _application(user, "New")
    for application in (old, new):
        DatabaseUtils.set_application_tags(application, ["Remote"])
    assert DatabaseUtils.get_tag_statistics(user.id)[0]["applications"] == 2
    assert DatabaseUtils.get_tag_statistics(user.id, days=30)[0]["applications"] == 1
    DatabaseUtils.archive_application(new)
    assert DatabaseUtils.get_tag_statistics(user.id, include_archived=False)[0]["applications"] == 1
    assert DatabaseUtils.get_tag_statistics(user.id, days=30, include_archived=False) == []


def test_tag_statistics_of_an_unknown_user_are_refused(db: DatabaseManager) -> None:
    with pytest.raises(ValidationError):
        DatabaseUtils.get_tag_statistics(999_999)


def test_two_people_adding_a_new_tag_at_once_make_one_tag(user: User) -> None:
    slots: queue.SimpleQueue[int] = queue.SimpleQueue()
    for i in range(4):
        slots.put(_application(user, f"A{i}"))

    def add() -> list[str]:
        return DatabaseUtils.add_application_tags(slots.get_nowait(), ["Brand New"])

    assert at_once(add, 4) == [["Brand New"]] * 4
    with db_session_scope() as session:
        assert session.scalar(select(func.count()).select_from(Tag)) == 1
        assert session.scalar(select(func.count()).select_from(ApplicationTag)) == 4


def test_an_application_added_with_tags_carries_them_and_bad_names_add_nothing(
    user: User,
) -> None:
    added = DatabaseUtils.add_job_application(
        user.id, "Engineer", "Acme", tags=["Remote", "remote"]
    )
    assert [t.name for t in added.tags] == ["Remote"]
    assert DatabaseUtils.get_application_tags(added.id) == ["Remote"]
    skipped = DatabaseUtils.add_job_application(
        user.id, "Engineer", "Acme", on_duplicate="skip", tags=["Referral"]
    )
    assert skipped.id == added.id
    assert DatabaseUtils.get_application_tags(added.id) == ["Remote"]  # skipped: unchanged
    updated = DatabaseUtils.add_job_application(
        user.id, "Engineer", "Acme", on_duplicate="update", tags=["Referral"]
    )
    assert updated.id == added.id
    assert DatabaseUtils.get_application_tags(added.id) == ["Referral", "Remote"]
    with pytest.raises(ValidationError) as info:
        DatabaseUtils.add_job_application(user.id, "Other", "Globex", tags=["a,b"])
    assert info.value.field.startswith("tags")
    assert DatabaseUtils.count_applications(user.id) == 1
