"""Sign-up, sign-in, sign-out, tokens and password change on every engine."""

from __future__ import annotations

import logging
import statistics
import time
from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from database.connection import DatabaseManager
from database.core.column_types import utcnow
from database.domain import accounts, users
from database.models import AuthToken, User
from utils.errors import AuthenticationError, ValidationError

EMAIL = "ada@example.com"
PASSWORD = "correct horse battery"


def _sign_up(db: DatabaseManager, email: str = EMAIL) -> int:
    with db.session_scope() as session:
        return accounts.sign_up(session, email, PASSWORD, first_name="Ada").id


def _sign_in(db: DatabaseManager, password: str = PASSWORD, email: str = EMAIL) -> str:
    return accounts.sign_in_recorded(db.session_scope, email, password, "10.0.0.1").token


def test_sign_up_then_sign_in_gives_a_token_that_authenticates(db: DatabaseManager) -> None:
    user_id = _sign_up(db)
    token = _sign_in(db, email="ADA@Example.com")
    with db.session_scope() as session:
        actor = accounts.authenticate(session, token)
        assert actor is not None
        assert (actor.user_id, actor.kind, actor.is_server_admin) == (user_id, "access", False)
        assert actor.can_write
        user = session.get(User, user_id)
        assert user is not None and user.last_login is not None


def test_sign_up_checks_password_policy_and_protected_fields(db: DatabaseManager) -> None:
    with db.session_scope() as session:
        with pytest.raises(ValidationError) as short:
            accounts.sign_up(session, EMAIL, "short")
        assert short.value.field == "password" and "short" not in str(short.value)
        with pytest.raises(ValidationError):
            accounts.sign_up(session, EMAIL, "x" * 1025)
        for field in ("is_server_admin", "is_active"):
            with pytest.raises(ValidationError) as protected:
                accounts.sign_up(session, EMAIL, PASSWORD, **{field: True})
            assert protected.value.field == field
    _sign_up(db)
    with db.session_scope() as session, pytest.raises(ValidationError) as taken:
        accounts.sign_up(session, "Ada@EXAMPLE.com", PASSWORD)
    assert taken.value.field == "email"


def test_server_admin_cannot_be_set_through_user_fields(db: DatabaseManager) -> None:
    user_id = _sign_up(db)
    with db.session_scope() as session:
        with pytest.raises(ValidationError):
            users.update(session, user_id, {"is_server_admin": True})
        with pytest.raises(ValidationError):
            users.create(session, "eve@example.com", {"is_server_admin": True})


def test_unknown_email_and_wrong_password_fail_alike(db: DatabaseManager) -> None:
    _sign_up(db)
    with pytest.raises(AuthenticationError) as wrong:
        _sign_in(db, password="not the password")
    with pytest.raises(AuthenticationError) as unknown:
        _sign_in(db, email="nobody@example.com")
    assert str(wrong.value) == str(unknown.value) == accounts.SIGN_IN_REFUSED


def test_unknown_email_costs_what_a_wrong_password_costs(db: DatabaseManager) -> None:
    _sign_up(db)
    policy = accounts.ThrottlePolicy(account_failures=1000, address_failures=1000)

    def attempt(email: str) -> float:
        start = time.perf_counter()
        with pytest.raises(AuthenticationError):
            accounts.sign_in_recorded(db.session_scope, email, "wrong pass", None, policy=policy)
        return time.perf_counter() - start

    # Interleaved, so that a burst of load on the machine weighs on both sides alike.
    unknown, known = [], []
    for _ in range(9):
        unknown.append(attempt("nobody@example.com"))
        known.append(attempt(EMAIL))
    ratio = statistics.median(unknown) / statistics.median(known)
    assert 0.5 < ratio < 2.0


def test_unreadable_stored_hash_is_a_wrong_password(
    db: DatabaseManager, caplog: pytest.LogCaptureFixture
) -> None:
    user_id = _sign_up(db)
    with db.session_scope() as session:
        session.get_one(User, user_id).password_hash = "$argon2id$garbage"
    with caplog.at_level(logging.WARNING), pytest.raises(AuthenticationError):
        _sign_in(db)
    assert "unreadable" in caplog.text


def test_sign_in_rehashes_a_hash_made_with_older_parameters(db: DatabaseManager) -> None:
    user_id = _sign_up(db)
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    with db.session_scope() as session:
        session.get_one(User, user_id).password_hash = weak
    _sign_in(db)
    with db.session_scope() as session:
        stored = session.get_one(User, user_id).password_hash
    assert stored != weak and stored is not None and "m=19456,t=2,p=1" in stored
    _sign_in(db)


def test_inactive_user_cannot_sign_in(db: DatabaseManager) -> None:
    user_id = _sign_up(db)
    token = _sign_in(db)
    with db.session_scope() as session:
        users.update(session, user_id, {"is_active": False})
    with pytest.raises(AuthenticationError, match=accounts.SIGN_IN_REFUSED):
        _sign_in(db)
    with db.session_scope() as session:
        assert accounts.authenticate(session, token) is None


def test_sign_out_revokes_the_token(db: DatabaseManager) -> None:
    _sign_up(db)
    token = _sign_in(db)
    with db.session_scope() as session:
        assert accounts.sign_out(session, token) is True
    with db.session_scope() as session:
        assert accounts.authenticate(session, token) is None
        assert accounts.sign_out(session, token) is False


def test_expired_unknown_and_malformed_tokens_are_none(db: DatabaseManager) -> None:
    _sign_up(db)
    token = _sign_in(db)
    later = utcnow() + accounts.ACCESS_TOKEN_LIFETIME + timedelta(seconds=1)
    with db.session_scope() as session:
        assert accounts.authenticate(session, token, now=later) is None
        assert accounts.authenticate(session, token[:-1] + "x") is None
        for junk in ("", "aa_", "x" * 10_000, None, 42):
            assert accounts.authenticate(session, junk) is None


def test_authenticate_records_last_use(db: DatabaseManager) -> None:
    _sign_up(db)
    token = _sign_in(db)
    with db.session_scope() as session:
        assert accounts.authenticate(session, token) is not None
    with db.session_scope() as session:
        assert session.scalars(select(AuthToken.last_used_at)).one() is not None


def test_change_password_ends_sessions(db: DatabaseManager) -> None:
    user_id = _sign_up(db)
    first, second = _sign_in(db), _sign_in(db)
    with db.session_scope() as session, pytest.raises(AuthenticationError):
        accounts.change_password(session, user_id, "wrong current", "a new password")
    with db.session_scope() as session:
        accounts.change_password(session, user_id, PASSWORD, "a new password")
    with db.session_scope() as session:
        assert accounts.authenticate(session, first) is None
        assert accounts.authenticate(session, second) is None
    with pytest.raises(AuthenticationError):
        _sign_in(db)
    assert _sign_in(db, password="a new password")


def test_secrets_stay_out_of_reprs_dicts_and_logs(
    db: DatabaseManager, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        user_id = _sign_up(db)
        issued = accounts.sign_in_recorded(db.session_scope, EMAIL, PASSWORD, "10.0.0.1")
        with pytest.raises(AuthenticationError) as refused:
            _sign_in(db, password="secret guess")
        with db.session_scope() as session:
            accounts.authenticate(session, issued.token)
            row = session.scalars(select(AuthToken)).one()
            shown = [repr(row), str(row.to_dict()), repr(session.get_one(User, user_id))]
            shown.append(str(session.get_one(User, user_id).to_dict()))
    shown += [repr(issued), str(refused.value), caplog.text]
    for text in shown:
        assert issued.token not in text
        assert PASSWORD not in text and "secret guess" not in text
        assert "token_hash" not in text and "password_hash" not in text
