"""``/api/v1/ws`` as every actor of the authorization matrix: each hears exactly whom it may read.

WebSocket routes are not in the OpenAPI document, so the generated matrix of
``test_authorization_matrix.py`` cannot call this one; this test is its row.
The world of ``tests/support/api_world.py`` (org A: founder, owner, member,
coach, admin; org B: other; server_admin in none, the stranger here)
connects every actor, then every person changes something and org A and B
each record a membership change. Whose changes an actor may hear is written
out below from the rules of docs/api.md ("Who may see what"), not computed by
the code under test.
"""

from __future__ import annotations

from contextlib import ExitStack

import pytest
from fastapi.testclient import TestClient
from starlette.testclient import WebSocketTestSession
from starlette.websockets import WebSocketDisconnect

from database.connection import DatabaseManager
from database.domain import applications, events
from database.domain.organizations.access import membership, record_change
from tests.support.api_world import CREDENTIAL_LESS, PEOPLE, World, build_world
from tests.support.websocket import WS_PATH, events_until, quick_heartbeat, quiet_for

_ORG_A = {"founder", "owner", "member", "coach", "admin"}
#: Actor -> the people whose personal changes it hears.
HEARS_PEOPLE: dict[str, set[str]] = {
    "owner": {"owner"},
    "read_only_key": {"owner"},
    "member": {"member"},
    "coach": _ORG_A,
    "admin": _ORG_A,
    "other": {"other"},
    "server_admin": {"server_admin"},
}
#: Actor -> the organizations ("A", "B") whose membership changes it hears.
HEARS_ORGANIZATIONS: dict[str, set[str]] = {
    "owner": set(),
    "read_only_key": set(),
    "member": {"A"},  # the change is the member's own
    "coach": {"A"},
    "admin": {"A"},
    "other": {"B"},
    "server_admin": set(),
}


@pytest.fixture(autouse=True)
def _quick_heartbeat(monkeypatch: pytest.MonkeyPatch) -> None:
    quick_heartbeat(monkeypatch)


def _changes(world: World) -> dict[int, str]:
    """Every person's change and a membership change in each organization; event id -> label."""
    labels: dict[int, str] = {}
    with world.manager.session_scope() as session:
        for person in PEOPLE:
            fields = {"job_title": f"{person}'s role", "company": "Acme"}
            applications.add(session, world.users[person], fields)
            labels[events.last_id(session)] = person
        for organization, person, org_id in (
            ("A", "member", world.organization_id),
            ("B", "other", world.other_organization_id),
        ):
            found = membership(session, world.users[person], org_id)
            assert found is not None
            record_change(session, found, "role")
            labels[events.last_id(session)] = organization
    return labels


def _connect(
    client: TestClient, world: World, actor: str, stack: ExitStack
) -> WebSocketTestSession:
    session: WebSocketTestSession = stack.enter_context(
        client.websocket_connect(WS_PATH, headers=world.credential(actor))
    )
    return session


def test_every_actor_hears_exactly_the_changes_it_may_read(
    client: TestClient, db: DatabaseManager
) -> None:
    world = build_world(db, client)
    with ExitStack() as stack:
        streams = {actor: _connect(client, world, actor, stack) for actor in HEARS_PEOPLE}
        labels = _changes(world)
        for actor, ws in streams.items():
            expected = HEARS_PEOPLE[actor] | HEARS_ORGANIZATIONS[actor]
            wanted = [event_id for event_id, label in labels.items() if label in expected]
            heard = events_until(ws, max(wanted)) + quiet_for(ws, beats=2)
            assert sorted(labels[e["id"]] for e in heard) == sorted(expected), actor
            assert [e["id"] for e in heard] == wanted, actor


@pytest.mark.parametrize("actor", CREDENTIAL_LESS)
def test_an_actor_without_a_live_credential_is_refused(
    client: TestClient, db: DatabaseManager, actor: str
) -> None:
    world = build_world(db, client)
    with (
        pytest.raises(WebSocketDisconnect) as refused,
        client.websocket_connect(WS_PATH, headers=world.credential(actor)),
    ):
        pass
    assert refused.value.code == 1008
