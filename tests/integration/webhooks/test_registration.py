"""Registering an endpoint: the URL's rules, the SSRF guard, organizations, the secret."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from database.connection import DatabaseManager
from database.domain.organizations import create_organization
from database.domain.webhooks import WebhookSettings, list_endpoints, register
from database.io.backup import BackupManager
from database.models import Membership, OrganizationRole, WebhookEndpoint
from database.utilities import DatabaseUtils
from utils.errors import PermissionDeniedError, ValidationError

KINDS = ["application.created"]
#: Destinations that must never be reached from a hosted server.
PRIVATE_URLS = [
    "http://127.0.0.1/hook",
    "http://10.0.0.1/hook",
    "http://[::1]/hook",
    "http://169.254.169.254/latest/meta-data/",
    "http://localhost:8080/hook",
    "http://[::ffff:127.0.0.1]/hook",
    "http://0.0.0.0/hook",
    "http://224.0.0.1/hook",
    "http://192.168.1.10/hook",
]
GUARDED = WebhookSettings(allow_private=False)


@pytest.fixture
def ann(db: DatabaseManager) -> int:
    return DatabaseUtils.create_user("ann@example.com").id


def endpoint_count(db: DatabaseManager) -> int:
    with db.session_scope() as session:
        return int(session.scalar(select(func.count()).select_from(WebhookEndpoint)) or 0)


def test_hosted_mode_refuses_private_destinations_naming_the_url(
    db: DatabaseManager, ann: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AUTO_APPLYER_MODE", "hosted")
    for url in PRIVATE_URLS:
        with pytest.raises(ValidationError) as refused, db.session_scope() as session:
            register(session, ann, url, KINDS, settings=GUARDED)
        assert refused.value.field == "url", url
    assert endpoint_count(db) == 0


def test_only_plain_http_and_https_urls_are_accepted(db: DatabaseManager, ann: int) -> None:
    for url in ("ftp://example.com/hook", "example.com/hook", "http://user:pw@example.com/",
                "http://", "", "http://example.com:99999/"):  # fmt: skip
        with pytest.raises(ValidationError) as refused, db.session_scope() as session:
            register(session, ann, url, KINDS, settings=GUARDED)
        assert refused.value.field == "url", url
    assert endpoint_count(db) == 0


def test_a_public_address_is_accepted_in_hosted_mode_and_private_ones_when_allowed(
    db: DatabaseManager, ann: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AUTO_APPLYER_MODE", "hosted")
    with db.session_scope() as session:
        public = register(session, ann, "https://93.184.215.14/hook#x", KINDS, settings=GUARDED)
        allowed = register(session, ann, "http://127.0.0.1:9/hook", KINDS,
                           settings=WebhookSettings(allow_private=True))  # fmt: skip
        assert public is not None and allowed is not None
        assert public.endpoint.url == "https://93.184.215.14/hook"
    monkeypatch.setenv("AUTO_APPLYER_MODE", "local")
    with db.session_scope() as session:
        assert register(session, ann, "http://10.0.0.1/", KINDS, settings=GUARDED) is not None
    assert endpoint_count(db) == 3


def test_the_secret_is_shown_once_and_never_in_a_repr_or_dict(
    db: DatabaseManager, ann: int
) -> None:
    with db.session_scope() as session:
        new = register(session, ann, "https://example.com/hook", KINDS)
        assert new is not None and len(new.secret) >= 40
        assert new.secret not in repr(new) and new.secret not in repr(new.endpoint)
        assert "secret" not in new.endpoint.to_dict()
        other = register(session, ann, "https://example.com/other", KINDS)
        assert other is not None and other.secret != new.secret


def test_event_kinds_must_come_from_the_vocabulary(db: DatabaseManager, ann: int) -> None:
    for kinds in ([], ["application.nonsense"], "application.created", None):
        with pytest.raises(ValidationError) as refused, db.session_scope() as session:
            register(session, ann, "https://example.com/hook", kinds)
        assert refused.value.field == "events", kinds


def test_only_an_owner_or_admin_registers_an_organizations_endpoint(
    db: DatabaseManager, ann: int
) -> None:
    bob, eve = (DatabaseUtils.create_user(f"{n}@example.com").id for n in ("bob", "eve"))
    with db.session_scope() as session:
        lab = create_organization(session, ann, "Lab").id
        session.add(Membership(organization_id=lab, user_id=bob, role=OrganizationRole.MEMBER))
    with db.session_scope() as session:
        assert register(session, ann, "https://example.com/lab", KINDS, lab) is not None
        assert register(session, eve, "https://example.com/lab", KINDS, lab) is None
        with pytest.raises(PermissionDeniedError):
            register(session, bob, "https://example.com/lab", KINDS, lab)
        assert [e.organization_id for e in list_endpoints(session, ann)] == [lab]


def test_a_backup_leaves_webhooks_and_their_secrets_out_and_a_restore_drops_them(
    db: DatabaseManager, ann: int, tmp_path: Path
) -> None:
    with db.session_scope() as session:
        new = register(session, ann, "https://example.com/hook", KINDS)
        assert new is not None
    path = BackupManager(tmp_path).create_backup("nightly")
    content = Path(path).read_bytes()
    assert new.secret.encode() not in content
    assert not {"webhook_endpoints", "webhook_deliveries"} & set(json.loads(content)["data"])
    # Configuration, not data: replaced people's endpoints go with them.
    BackupManager(tmp_path).restore_backup(path, confirm=True)
    assert DatabaseUtils.get_user_by_id(ann) is not None
    assert endpoint_count(db) == 0
