"""Organizations over the API: members see them, managers change them, strangers see nothing.

A member without the role for a change gets a 403 (they see the
organization); anyone outside it gets a 404, as if it did not exist. The last
owner can neither leave nor be demoted: a 422 on ``role``.
"""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import update

from database.connection import DatabaseManager
from database.core.column_types import utcnow
from database.domain.accounts import create_api_key
from database.models import Invitation
from tests.support.api import bearer
from tests.support.organizations import (
    API,
    ORGS,
    Headers,
    accept,
    apply,
    found_organization,
    invitation_token,
    join,
    signed_in,
)


def read_only_key(db: DatabaseManager, user_id: int) -> Headers:
    with db.session_scope() as session:
        return bearer(create_api_key(session, user_id, "reader", {"read"}).token)


def test_founding_makes_the_founder_owner_and_lists_it_with_their_role(
    client: TestClient,
) -> None:
    founder_id, founder = signed_in(client, "ada@example.com")
    response = client.post(ORGS, json={"name": "Career Lab"}, headers=founder)
    assert response.status_code == 201
    created = response.json()
    assert created["role"] == "owner"
    assert created["slug"] == "career-lab"
    assert response.headers["location"] == f"{ORGS}/{created['id']}"

    assert client.get(response.headers["location"], headers=founder).json() == created
    assert client.get(ORGS, headers=founder).json() == [created]
    members = client.get(f"{ORGS}/{created['id']}/members", headers=founder).json()
    assert [(m["user_id"], m["email"], m["role"]) for m in members] == [
        (founder_id, "ada@example.com", "owner")
    ]


def test_strangers_founding_the_same_name_get_distinct_slugs_though_they_cannot_see_each_other(
    client: TestClient,
) -> None:
    _, ada = signed_in(client, "ada@example.com")
    _, bob = signed_in(client, "bob@example.com")
    _, cyd = signed_in(client, "cyd@example.com")
    slugs = [
        client.post(ORGS, json={"name": "Career Lab"}, headers=headers).json()["slug"]
        for headers in (ada, bob, cyd)
    ]
    assert slugs == ["career-lab", "career-lab-2", "career-lab-3"]

    taken = client.post(ORGS, json={"name": "Other", "slug": "career-lab"}, headers=bob)
    assert taken.status_code == 422
    assert taken.json()["field"] == "slug"


def test_staff_see_the_members_addresses_and_a_plain_member_only_their_own(
    client: TestClient,
) -> None:
    founder_id, founder = signed_in(client, "ada@example.com")
    organization_id = found_organization(client, founder)
    member_id, member = join(client, founder, organization_id, "bob@example.com")
    _, coach = join(client, founder, organization_id, "cleo@example.com", "coach")
    url = f"{ORGS}/{organization_id}/members"
    by_coach = {m["user_id"]: m["email"] for m in client.get(url, headers=coach).json()}
    assert by_coach[founder_id] == "ada@example.com"
    assert by_coach[member_id] == "bob@example.com"
    by_member = {
        m["user_id"]: (m["email"], m["role"]) for m in client.get(url, headers=member).json()
    }
    assert by_member[member_id] == ("bob@example.com", "member")
    assert by_member[founder_id] == (None, "owner")


def test_a_body_cannot_set_ids_owners_or_timestamps(client: TestClient) -> None:
    _, founder = signed_in(client, "ada@example.com")
    for extra in ({"id": 7}, {"created_by": 1}, {"role": "member"}, {"created_at": "2020-01-01"}):
        response = client.post(ORGS, json={"name": "Lab", **extra}, headers=founder)
        assert response.status_code == 422, extra
    organization_id = found_organization(client, founder)
    invitation = {"email": "bob@example.com", "user_id": 1}
    url = f"{ORGS}/{organization_id}/invitations"
    assert client.post(url, json=invitation, headers=founder).status_code == 422


def test_an_organization_is_invisible_to_non_members(client: TestClient) -> None:
    _, founder = signed_in(client, "ada@example.com")
    _, stranger = signed_in(client, "eve@example.com")
    organization_id = found_organization(client, founder)
    base = f"{ORGS}/{organization_id}"
    assert client.get(ORGS, headers=stranger).json() == []
    for path in ("", "/members", "/invitations"):
        response = client.get(f"{base}{path}", headers=stranger)
        assert response.status_code == 404, path
        assert response.headers["content-type"] == "application/problem+json"
    assert client.get(f"{ORGS}/999999", headers=founder).status_code == 404
    assert client.post(f"{base}/leave", headers=stranger).status_code == 404
    invited = {"email": "eve@example.com"}
    assert client.post(f"{base}/invitations", json=invited, headers=stranger).status_code == 404


def test_an_invitation_token_is_shown_once_and_works_once(client: TestClient) -> None:
    _, founder = signed_in(client, "ada@example.com")
    organization_id = found_organization(client, founder)
    url = f"{ORGS}/{organization_id}/invitations"
    created = client.post(url, json={"email": "bob@example.com", "role": "coach"}, headers=founder)
    assert created.status_code == 201
    token = created.json()["token"]
    assert created.json()["prefix"] in token
    listed = client.get(url, headers=founder).json()
    assert [i["id"] for i in listed] == [created.json()["id"]]
    assert "token" not in listed[0]

    bob_id, bob = signed_in(client, "bob@example.com")
    joined = client.post(f"{API}/invitations/accept", json={"token": token}, headers=bob)
    assert joined.status_code == 200
    assert joined.json()["role"] == "coach"
    assert joined.json()["user_id"] == bob_id
    assert client.get(f"{ORGS}/{organization_id}", headers=bob).json()["role"] == "coach"

    again = client.post(f"{API}/invitations/accept", json={"token": token}, headers=bob)
    assert again.status_code == 422
    assert again.json()["field"] == "token"
    assert client.get(url, headers=founder).json()[0]["accepted_at"] is not None


def test_an_invitation_is_for_its_address_only(client: TestClient) -> None:
    _, founder = signed_in(client, "ada@example.com")
    organization_id = found_organization(client, founder)
    token = invitation_token(client, founder, organization_id, "bob@example.com")
    _, eve = signed_in(client, "eve@example.com")
    refused = client.post(f"{API}/invitations/accept", json={"token": token}, headers=eve)
    assert refused.status_code == 422
    assert client.get(f"{ORGS}/{organization_id}", headers=eve).status_code == 404


def test_an_expired_invitation_no_longer_works(client: TestClient, db: DatabaseManager) -> None:
    _, founder = signed_in(client, "ada@example.com")
    organization_id = found_organization(client, founder)
    token = invitation_token(client, founder, organization_id, "bob@example.com")
    with db.session_scope() as session:
        session.execute(update(Invitation).values(expires_at=utcnow() - timedelta(seconds=1)))
    _, bob = signed_in(client, "bob@example.com")
    refused = client.post(f"{API}/invitations/accept", json={"token": token}, headers=bob)
    assert refused.status_code == 422
    assert refused.json()["rule"] == "has expired"
    assert client.get(f"{ORGS}/{organization_id}", headers=bob).status_code == 404


def test_a_revoked_invitation_no_longer_works(client: TestClient) -> None:
    _, founder = signed_in(client, "ada@example.com")
    organization_id = found_organization(client, founder)
    url = f"{ORGS}/{organization_id}/invitations"
    created = client.post(url, json={"email": "bob@example.com"}, headers=founder).json()
    assert client.delete(f"{url}/{created['id']}", headers=founder).status_code == 204
    assert client.get(url, headers=founder).json()[0]["revoked_at"] is not None
    _, bob = signed_in(client, "bob@example.com")
    refused = client.post(
        f"{API}/invitations/accept", json={"token": created["token"]}, headers=bob
    )
    assert refused.status_code == 422
    assert refused.json()["rule"] == "has been revoked"


def test_an_invitation_is_revoked_only_through_its_own_organization(client: TestClient) -> None:
    _, founder = signed_in(client, "ada@example.com")
    _, rival = signed_in(client, "eve@example.com")
    mine = found_organization(client, founder)
    theirs = found_organization(client, rival, "Rival Lab")
    url = f"{ORGS}/{mine}/invitations"
    invitation = client.post(url, json={"email": "bob@example.com"}, headers=founder).json()
    # The rival manages an organization, but not this invitation's.
    assert (
        client.delete(f"{ORGS}/{theirs}/invitations/{invitation['id']}", headers=rival).status_code
        == 404
    )
    assert client.delete(f"{url}/{invitation['id']}", headers=rival).status_code == 404
    assert client.delete(f"{url}/999999", headers=founder).status_code == 404
    assert client.get(url, headers=founder).json()[0]["revoked_at"] is None


def test_a_plain_member_or_coach_may_not_manage(client: TestClient) -> None:
    _, founder = signed_in(client, "ada@example.com")
    organization_id = found_organization(client, founder)
    base = f"{ORGS}/{organization_id}"
    member_id, member = join(client, founder, organization_id, "bob@example.com")
    coach_id, coach = join(client, founder, organization_id, "cleo@example.com", "coach")
    invitation = client.post(
        f"{base}/invitations", json={"email": "dan@example.com"}, headers=founder
    ).json()
    for headers in (member, coach):
        assert client.get(f"{base}/invitations", headers=headers).status_code == 403
        invited = {"email": "x@example.com"}
        assert client.post(f"{base}/invitations", json=invited, headers=headers).status_code == 403
        revoke = client.delete(f"{base}/invitations/{invitation['id']}", headers=headers)
        assert revoke.status_code == 403
    promote = client.patch(f"{base}/members/{member_id}", json={"role": "admin"}, headers=coach)
    assert promote.status_code == 403
    assert client.delete(f"{base}/members/{member_id}", headers=coach).status_code == 403
    assert client.delete(f"{base}/members/{coach_id}", headers=member).status_code == 403
    roles = {m["user_id"]: m["role"] for m in client.get(f"{base}/members", headers=coach).json()}
    assert roles[member_id] == "member"
    assert roles[coach_id] == "coach"


def test_owners_change_roles_and_remove_members(client: TestClient) -> None:
    _, founder = signed_in(client, "ada@example.com")
    organization_id = found_organization(client, founder)
    base = f"{ORGS}/{organization_id}"
    member_id, member = join(client, founder, organization_id, "bob@example.com")
    changed = client.patch(f"{base}/members/{member_id}", json={"role": "coach"}, headers=founder)
    assert changed.status_code == 200
    assert changed.json()["role"] == "coach"
    assert changed.json()["email"] == "bob@example.com"
    bad = client.patch(f"{base}/members/{member_id}", json={"role": "boss"}, headers=founder)
    assert bad.status_code == 422
    assert (
        client.patch(f"{base}/members/999999", json={"role": "coach"}, headers=founder).status_code
        == 404
    )

    assert client.delete(f"{base}/members/{member_id}", headers=founder).status_code == 204
    assert client.get(base, headers=member).status_code == 404
    assert client.delete(f"{base}/members/{member_id}", headers=founder).status_code == 404


def test_an_admin_may_not_make_owners(client: TestClient) -> None:
    _, founder = signed_in(client, "ada@example.com")
    organization_id = found_organization(client, founder)
    base = f"{ORGS}/{organization_id}"
    member_id, _ = join(client, founder, organization_id, "bob@example.com")
    _, admin = join(client, founder, organization_id, "cleo@example.com", "admin")
    refused = client.patch(f"{base}/members/{member_id}", json={"role": "owner"}, headers=admin)
    assert refused.status_code == 403
    allowed = client.patch(f"{base}/members/{member_id}", json={"role": "coach"}, headers=admin)
    assert allowed.status_code == 200


def test_the_last_owner_can_neither_leave_nor_step_down(client: TestClient) -> None:
    founder_id, founder = signed_in(client, "ada@example.com")
    organization_id = found_organization(client, founder)
    base = f"{ORGS}/{organization_id}"
    for response in (
        client.post(f"{base}/leave", headers=founder),
        client.delete(f"{base}/members/{founder_id}", headers=founder),
        client.patch(f"{base}/members/{founder_id}", json={"role": "admin"}, headers=founder),
    ):
        assert response.status_code == 422
        assert response.json()["field"] == "role"
    assert client.get(base, headers=founder).json()["role"] == "owner"

    second_id, second = join(client, founder, organization_id, "bob@example.com", "owner")
    assert client.post(f"{base}/leave", headers=founder).status_code == 204
    assert client.get(base, headers=founder).status_code == 404
    assert [m["user_id"] for m in client.get(f"{base}/members", headers=second).json()] == [
        second_id
    ]


def test_a_member_may_leave(client: TestClient) -> None:
    _, founder = signed_in(client, "ada@example.com")
    organization_id = found_organization(client, founder)
    _, member = join(client, founder, organization_id, "bob@example.com")
    assert client.post(f"{ORGS}/{organization_id}/leave", headers=member).status_code == 204
    assert client.get(ORGS, headers=member).json() == []


def test_a_read_only_key_reads_but_changes_nothing(client: TestClient, db: DatabaseManager) -> None:
    founder_id, founder = signed_in(client, "ada@example.com")
    organization_id = found_organization(client, founder)
    base = f"{ORGS}/{organization_id}"
    member_id, _ = join(client, founder, organization_id, "bob@example.com")
    key = read_only_key(db, founder_id)
    assert client.get(base, headers=key).status_code == 200
    assert client.get(f"{base}/invitations", headers=key).status_code == 200
    assert client.post(ORGS, json={"name": "Lab"}, headers=key).status_code == 403
    invited = {"email": "cleo@example.com"}
    assert client.post(f"{base}/invitations", json=invited, headers=key).status_code == 403
    role = {"role": "coach"}
    assert client.patch(f"{base}/members/{member_id}", json=role, headers=key).status_code == 403
    assert client.delete(f"{base}/members/{member_id}", headers=key).status_code == 403
    assert client.post(f"{base}/leave", headers=key).status_code == 403

    stranger_id, _ = signed_in(client, "eve@example.com")
    stranger_key = read_only_key(db, stranger_id)
    assert client.post(f"{base}/leave", headers=stranger_key).status_code == 404
    assert (
        client.post(f"{API}/invitations/accept", json={"token": "x"}, headers=key).status_code
        == 403
    )


def test_staff_read_a_members_applications_page_by_page(client: TestClient) -> None:
    _, founder = signed_in(client, "ada@example.com")
    organization_id = found_organization(client, founder)
    member_id, member = join(client, founder, organization_id, "bob@example.com")
    _, coach = join(client, founder, organization_id, "cleo@example.com", "coach")
    made = [apply(client, member, company=f"Co {n}") for n in range(3)]
    url = f"{ORGS}/{organization_id}/members/{member_id}/applications"

    first = client.get(url, params={"limit": 2}, headers=coach)
    assert first.status_code == 200
    assert first.headers["x-total-count"] == "3"
    rest = client.get(url, params={"limit": 2, "offset": 2}, headers=coach)
    seen = [a["id"] for a in first.json() + rest.json()]
    assert sorted(seen) == sorted(made)
    assert len(set(seen)) == 3
    assert client.get(url, headers=founder).status_code == 200
    assert client.get(url, headers=member).headers["x-total-count"] == "3"

    # The coach reads the application but may not change it.
    change = client.patch(f"{API}/applications/{made[0]}", json={"company": "X"}, headers=coach)
    assert change.status_code == 403


def test_a_plain_member_cannot_read_another_members_applications(client: TestClient) -> None:
    _, founder = signed_in(client, "ada@example.com")
    organization_id = found_organization(client, founder)
    member_id, member = join(client, founder, organization_id, "bob@example.com")
    _, peer = join(client, founder, organization_id, "dan@example.com")
    apply(client, member)
    url = f"{ORGS}/{organization_id}/members/{member_id}/applications"
    assert client.get(url, headers=peer).status_code == 404
    unknown = f"{ORGS}/{organization_id}/members/999999/applications"
    assert client.get(unknown, headers=founder).status_code == 404


def test_another_organizations_coach_sees_nothing(client: TestClient) -> None:
    _, founder_a = signed_in(client, "ada@example.com")
    _, founder_b = signed_in(client, "zoe@example.com")
    org_a = found_organization(client, founder_a, "Lab A")
    org_b = found_organization(client, founder_b, "Lab B")
    member_id, member = join(client, founder_a, org_a, "bob@example.com")
    _, coach_b = join(client, founder_b, org_b, "cleo@example.com", "coach")
    application_id = apply(client, member)

    base = f"{ORGS}/{org_a}"
    for path in ("", "/members", "/invitations", f"/members/{member_id}/applications"):
        assert client.get(f"{base}{path}", headers=coach_b).status_code == 404, path
    assert client.get(f"{base}/analytics/funnel", headers=coach_b).status_code == 404
    assert client.get(f"{API}/applications/{application_id}", headers=coach_b).status_code == 404
    # Through their own organization, where the member is not, neither.
    through_b = f"{ORGS}/{org_b}/members/{member_id}/applications"
    assert client.get(through_b, headers=coach_b).status_code == 404


def test_a_role_in_one_organization_opens_nothing_in_another(client: TestClient) -> None:
    _, founder_a = signed_in(client, "ada@example.com")
    _, founder_b = signed_in(client, "zoe@example.com")
    org_a = found_organization(client, founder_a, "Lab A")
    org_b = found_organization(client, founder_b, "Lab B")
    member_id, member = join(client, founder_a, org_a, "bob@example.com")
    accept(client, member, invitation_token(client, founder_b, org_b, "bob@example.com"))
    # Cleo coaches in B but is a plain member in A; Bob belongs to both.
    _, cleo = join(client, founder_b, org_b, "cleo@example.com", "coach")
    accept(client, cleo, invitation_token(client, founder_a, org_a, "cleo@example.com"))
    apply(client, member)

    in_b = client.get(f"{ORGS}/{org_b}/members/{member_id}/applications", headers=cleo)
    assert in_b.status_code == 200
    assert in_b.headers["x-total-count"] == "1"
    in_a = client.get(f"{ORGS}/{org_a}/members/{member_id}/applications", headers=cleo)
    assert in_a.status_code == 404
    assert client.get(f"{ORGS}/{org_a}/analytics/funnel", headers=cleo).status_code == 403
    assert client.get(f"{ORGS}/{org_b}/analytics/funnel", headers=cleo).status_code == 200
