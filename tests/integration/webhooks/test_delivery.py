"""Webhook deliveries reach a receiver on loopback: signed, retried with backoff, re-sent."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from database.connection import DatabaseManager
from database.domain.events import last_id
from database.domain.organizations import create_organization
from database.domain.webhooks import deliveries, verify_signature
from database.models import DeliveryState, Membership, OrganizationRole
from database.utilities import DatabaseUtils
from tests.support.webhooks import Clock, add_endpoint, deliver, deliveries_of, webhook_receiver

CREATED = "application.created"


@pytest.fixture(autouse=True)
def hosted(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hosted mode, with private destinations allowed explicitly (the receiver is on loopback)."""
    monkeypatch.setenv("AUTO_APPLYER_MODE", "hosted")
    monkeypatch.setenv("WEBHOOKS_ALLOW_PRIVATE", "1")


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def ann(db: DatabaseManager) -> int:
    return DatabaseUtils.create_user("ann@example.com").id


def test_a_delivery_reaches_the_receiver_signed_as_verify_signature_accepts(
    db: DatabaseManager, ann: int, clock: Clock
) -> None:
    with webhook_receiver(204) as receiver:
        hook = add_endpoint(db, ann, receiver.url, [CREATED])
        application = DatabaseUtils.add_job_application(ann, "Engineer", "Acme")
        report = deliver(db, clock)
    assert (report.enqueued, report.sent) == (1, 1)
    [request] = receiver.received
    headers = {name.lower(): value for name, value in request.headers.items()}
    message = json.loads(request.body)
    assert message["kind"] == CREATED and message["entity_id"] == application.id
    assert message["user_id"] == ann
    [delivery] = deliveries_of(db, hook.endpoint.id)
    assert headers["x-autoapplyer-event"] == CREATED
    assert headers["x-autoapplyer-delivery"] == str(delivery.id)
    timestamp, signed = headers["x-autoapplyer-timestamp"], headers["x-autoapplyer-signature"]
    assert signed.startswith("sha256=")
    assert verify_signature(hook.secret, timestamp, request.body, signed)
    assert not verify_signature(hook.secret, timestamp, request.body + b" ", signed)
    assert not verify_signature("another secret", timestamp, request.body, signed)
    assert not verify_signature(
        hook.secret, timestamp, request.body, signed, now=int(timestamp) + 301
    )
    assert (delivery.state, delivery.attempts, delivery.last_status) == (DeliveryState.SENT, 1, 204)
    assert delivery.delivered_at is not None and delivery.last_error is None


def test_a_failing_receiver_is_retried_with_exponential_backoff_until_it_takes_it(
    db: DatabaseManager, ann: int, clock: Clock
) -> None:
    with webhook_receiver(500, 503, 200) as receiver:
        hook = add_endpoint(db, ann, receiver.url, [CREATED])
        DatabaseUtils.add_job_application(ann, "Engineer", "Acme")
        assert deliver(db, clock).retrying == 1
        [first] = deliveries_of(db, hook.endpoint.id)
        assert (first.state, first.attempts, first.last_status) == (DeliveryState.PENDING, 1, 500)
        assert first.last_error == "HTTP 500"
        assert first.next_attempt_at == clock.now + timedelta(seconds=10)
        clock.advance(9)
        assert deliver(db, clock).retrying == 0  # not due yet
        clock.advance(1)
        assert deliver(db, clock).retrying == 1
        [second] = deliveries_of(db, hook.endpoint.id)
        assert second.next_attempt_at == clock.now + timedelta(seconds=20)  # twice the first wait
        clock.advance(20)
        assert deliver(db, clock).sent == 1
    [done] = deliveries_of(db, hook.endpoint.id)
    assert (done.state, done.attempts, done.last_status) == (DeliveryState.SENT, 3, 200)
    assert len(receiver.received) == 3
    assert len({r.headers["X-AutoApplyer-Delivery"] for r in receiver.received}) == 1


def test_attempts_are_bounded_then_failed_and_a_resend_delivers_it(
    db: DatabaseManager, ann: int, clock: Clock
) -> None:
    with webhook_receiver(500) as receiver:
        hook = add_endpoint(db, ann, receiver.url, [CREATED])
        DatabaseUtils.add_job_application(ann, "Engineer", "Acme")
        for _ in range(5):
            deliver(db, clock, max_attempts=3)
            clock.advance(25)  # the cap of the backoff
        [failed] = deliveries_of(db, hook.endpoint.id)
        assert (failed.state, failed.attempts, failed.next_attempt_at) == (
            DeliveryState.FAILED, 3, None,
        )  # fmt: skip
        assert len(receiver.received) == 3
        receiver.statuses[:] = [202]
        with db.session_scope() as session:
            resent = deliveries.resend(session, hook.endpoint.id, failed.id, clock.now)
            assert resent is not None and resent.state is DeliveryState.PENDING
        assert deliver(db, clock, max_attempts=3).sent == 1
    [sent] = deliveries_of(db, hook.endpoint.id)
    assert (sent.state, sent.attempts, sent.last_status) == (DeliveryState.SENT, 1, 202)


def test_another_persons_events_are_never_delivered_nor_old_or_unwanted_ones(
    db: DatabaseManager, ann: int, clock: Clock
) -> None:
    bob = DatabaseUtils.create_user("bob@example.com").id
    DatabaseUtils.add_job_application(ann, "Before", "Registration")
    with webhook_receiver(204) as receiver:
        hook = add_endpoint(db, ann, receiver.url, [CREATED, "application.status_changed"])
        for title in ("One", "Two"):
            DatabaseUtils.add_job_application(bob, title, "Elsewhere")
        mine = DatabaseUtils.add_job_application(ann, "Mine", "Acme")
        DatabaseUtils.update_application(mine.id, location="Lyon")  # not a wanted kind
        deliver(db, clock)
    messages = [json.loads(r.body) for r in receiver.received]
    assert [(m["user_id"], m["kind"], m["entity_id"]) for m in messages] == [
        (ann, CREATED, mine.id)
    ]
    with db.session_scope() as session:
        cursor = session.get(type(hook.endpoint), hook.endpoint.id)
        assert cursor is not None and cursor.last_event_id == last_id(session)


def test_the_destination_is_checked_again_at_delivery_time(
    db: DatabaseManager, ann: int, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    with webhook_receiver(204) as receiver:
        hook = add_endpoint(db, ann, receiver.url, [CREATED])
        DatabaseUtils.add_job_application(ann, "Engineer", "Acme")
        monkeypatch.setenv("WEBHOOKS_ALLOW_PRIVATE", "0")
        assert deliver(db, clock, allow_private=False).retrying == 1
    assert receiver.received == []
    [refused] = deliveries_of(db, hook.endpoint.id)
    assert refused.state is DeliveryState.PENDING and refused.last_status is None
    assert refused.last_error is not None and refused.last_error.startswith("destination refused")


def test_an_organizations_endpoint_gets_its_members_events_and_no_strangers(
    db: DatabaseManager, ann: int, clock: Clock
) -> None:
    bob, eve = (DatabaseUtils.create_user(f"{n}@example.com").id for n in ("bob", "eve"))
    with db.session_scope() as session:
        lab = create_organization(session, ann, "Lab").id
        session.add(Membership(organization_id=lab, user_id=bob, role=OrganizationRole.MEMBER))
    with webhook_receiver(204) as receiver:
        add_endpoint(db, ann, receiver.url, [CREATED], organization_id=lab)
        members = DatabaseUtils.add_job_application(bob, "Engineer", "Acme")
        DatabaseUtils.add_job_application(eve, "Engineer", "Elsewhere")
        deliver(db, clock)
    assert [json.loads(r.body)["entity_id"] for r in receiver.received] == [members.id]
