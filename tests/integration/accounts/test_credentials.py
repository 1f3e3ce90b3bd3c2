"""API keys, password reset by mail, and sign-in throttling on every engine."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from database.connection import DatabaseManager
from database.core.column_types import utcnow
from database.core.tokens import digest
from database.domain import accounts
from database.models import AuthToken
from tests.support.smtp import Inbox
from utils.errors import AuthenticationError, ThrottledError, ValidationError

PASSWORD = "correct horse battery"
TOKEN = re.compile(r"aa_[0-9a-f]{8}_[A-Za-z0-9_-]{43}")


def _user(db: DatabaseManager, email: str = "ada@example.com") -> int:
    with db.session_scope() as session:
        return accounts.sign_up(session, email, PASSWORD).id


def test_api_key_is_shown_once_and_stored_hashed(db: DatabaseManager) -> None:
    user_id = _user(db)
    with db.session_scope() as session:
        issued = accounts.create_api_key(session, user_id, "laptop script")
    assert TOKEN.fullmatch(issued.token) and issued.token.startswith(f"aa_{issued.prefix}_")
    with db.session_scope() as session:
        stored = session.scalars(select(AuthToken.token_hash)).all()
        listed = accounts.list_api_keys(session, user_id)
        actor = accounts.authenticate(session, issued.token)
    assert stored == [digest(issued.token)] and issued.token not in stored
    assert [(k.name, k.prefix, k.scopes) for k in listed] == [
        ("laptop script", issued.prefix, frozenset({"read"}))
    ]
    assert issued.token not in repr(listed)
    assert actor is not None and actor.kind == "api_key" and not actor.can_write


def test_api_key_scopes_and_expiry(db: DatabaseManager) -> None:
    user_id = _user(db)
    soon = utcnow() + timedelta(days=1)
    with db.session_scope() as session:
        full = accounts.create_api_key(session, user_id, "ci", {"read", "write"}, soon)
        for bad in ({"write"}, {"admin"}, set()):
            with pytest.raises(ValidationError) as error:
                accounts.create_api_key(session, user_id, "bad", bad)
            assert error.value.field == "scopes"
        with pytest.raises(ValidationError):
            accounts.create_api_key(session, user_id, "past", {"read"}, utcnow())
    with db.session_scope() as session:
        actor = accounts.authenticate(session, full.token)
        assert actor is not None and actor.scopes == {"read", "write"}
        later = soon + timedelta(seconds=1)
        assert accounts.authenticate(session, full.token, now=later) is None


def test_revoking_someone_elses_key_is_not_found(db: DatabaseManager) -> None:
    owner, other = _user(db), _user(db, "eve@example.com")
    with db.session_scope() as session:
        key = accounts.create_api_key(session, owner, "mine")
    with db.session_scope() as session:
        assert accounts.revoke_api_key(session, other, key.token_id) is False
        assert accounts.authenticate(session, key.token) is not None
        assert accounts.revoke_api_key(session, owner, key.token_id) is True
    with db.session_scope() as session:
        assert accounts.authenticate(session, key.token) is None
        assert accounts.list_api_keys(session, owner) == []
        assert accounts.revoke_api_key(session, owner, key.token_id) is False


def _reset_code(inbox: Inbox, count: int = 1) -> str:
    message = inbox.wait_for(count)[count - 1]
    found = TOKEN.search(message.get_content())
    assert found is not None and message["Subject"] == "Reset your Auto Applyer password"
    return found.group(0)


def test_password_reset_by_mail_is_single_use_and_ends_sessions(
    db: DatabaseManager, inbox: Inbox
) -> None:
    user_id = _user(db)
    mailer = accounts.SmtpMailSender(inbox.host, inbox.port)
    session_token = accounts.sign_in_recorded(db.session_scope, "ada@example.com", PASSWORD, None)
    with db.session_scope() as session:
        accounts.request_password_reset(session, "nobody@example.com", mailer)
        accounts.request_password_reset(session, "ADA@example.com", mailer)
    code = _reset_code(inbox)
    assert inbox.messages[0]["To"] == "ada@example.com"
    with db.session_scope() as session, pytest.raises(ValidationError):
        accounts.reset_password(session, code, "short")
    with db.session_scope() as session:
        accounts.reset_password(session, code, "a brand new password")
    with db.session_scope() as session:
        with pytest.raises(AuthenticationError):
            accounts.reset_password(session, code, "another new password")
        assert accounts.authenticate(session, session_token.token) is None
    assert (
        accounts.sign_in_recorded(
            db.session_scope, "ada@example.com", "a brand new password", None
        ).user_id
        == user_id
    )


def test_reset_token_expires_and_only_the_newest_works(db: DatabaseManager, inbox: Inbox) -> None:
    _user(db)
    mailer = accounts.SmtpMailSender.from_environment()
    mailer = accounts.SmtpMailSender(inbox.host, inbox.port, mailer.sender)
    with db.session_scope() as session:
        accounts.request_password_reset(session, "ada@example.com", mailer)
        accounts.request_password_reset(session, "ada@example.com", mailer)
    older, newer = _reset_code(inbox, 1), _reset_code(inbox, 2)
    later = utcnow() + accounts.RESET_TOKEN_LIFETIME + timedelta(seconds=1)
    with db.session_scope() as session:
        with pytest.raises(AuthenticationError):
            accounts.reset_password(session, older, "a brand new password")
        with pytest.raises(AuthenticationError):
            accounts.reset_password(session, newer, "a brand new password", now=later)


def _fail(db: DatabaseManager, email: str, address: str, **options: object) -> None:
    with pytest.raises(AuthenticationError):
        accounts.sign_in_recorded(db.session_scope, email, "wrong pass", address, **options)


def test_account_is_throttled_after_repeated_failures(db: DatabaseManager) -> None:
    _user(db)
    for number in range(5):
        _fail(db, "ada@example.com", f"10.0.0.{number}")
    with pytest.raises(ThrottledError) as throttled:
        accounts.sign_in_recorded(db.session_scope, "ada@example.com", PASSWORD, "10.9.9.9")
    assert 880 <= throttled.value.retry_after <= 900
    later = utcnow() + timedelta(minutes=16)
    with db.session_scope() as session:
        assert accounts.sign_in(session, "ada@example.com", PASSWORD, "10.9.9.9", now=later)


def test_success_resets_the_account_count(db: DatabaseManager) -> None:
    _user(db)
    for _ in range(4):
        _fail(db, "ada@example.com", "10.0.0.1")
    accounts.sign_in_recorded(db.session_scope, "ada@example.com", PASSWORD, "10.0.0.1")
    for _ in range(4):
        _fail(db, "ada@example.com", "10.0.0.1")
    assert accounts.sign_in_recorded(db.session_scope, "ada@example.com", PASSWORD, "10.0.0.1")


def test_address_is_throttled_across_accounts_and_unknown_emails(db: DatabaseManager) -> None:
    _user(db)
    policy = accounts.ThrottlePolicy(account_failures=100, address_failures=3)
    for number in range(3):
        _fail(db, f"nobody{number}@example.com", "192.0.2.7", policy=policy)
    with pytest.raises(ThrottledError) as throttled:
        accounts.sign_in_recorded(
            db.session_scope, "ada@example.com", PASSWORD, "192.0.2.7", policy=policy
        )
    assert throttled.value.retry_after > 0
    assert accounts.sign_in_recorded(
        db.session_scope, "ada@example.com", PASSWORD, "192.0.2.8", policy=policy
    )


# An in-memory database belongs to one process: workers share a file or a server.
@pytest.mark.parametrize("engine_name", ["sqlite_file", "postgresql"])
def test_two_workers_share_the_throttle(db: DatabaseManager, engine_name: str) -> None:
    _user(db)
    other = DatabaseManager(db.config)
    try:
        for worker in (db, other, db, other, db):
            _fail(worker, "ada@example.com", "10.0.0.1")
        with pytest.raises(ThrottledError):
            accounts.sign_in_recorded(other.session_scope, "ada@example.com", PASSWORD, None)
    finally:
        other.close()
