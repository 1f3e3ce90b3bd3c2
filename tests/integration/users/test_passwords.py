"""Passwords: Argon2id hashes, upgrades of older hashes, unreadable hashes, equal timing."""

from __future__ import annotations

import hashlib
import logging
import secrets
import statistics
import time
from typing import Any

import pytest
from argon2 import PasswordHasher, Type, extract_parameters

from database.connection import DatabaseManager, db_session_scope
from database.domain import passwords
from database.models import User
from database.utilities import DatabaseUtils
from tests.support.checks import existing
from utils.errors import ValidationError

EMAIL = "ann@example.com"
PASSWORD = "correct horse battery"


@pytest.fixture
def user(db: DatabaseManager) -> User:
    return DatabaseUtils.create_user(email=EMAIL, password=PASSWORD)


def stored_hash(user_id: int) -> str | None:
    with db_session_scope() as session:
        found = session.get(User, user_id)
        assert found is not None
        return found.password_hash


def store_hash(user_id: int, value: str | None) -> None:
    with db_session_scope() as session:
        found = session.get(User, user_id)
        assert found is not None
        found.password_hash = value


def old_scrypt_hash(password: str) -> str:
    """A hash as the project made them before Argon2id: ``scrypt$salt$hash`` in hex."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1)
    return f"scrypt${salt.hex()}${digest.hex()}"


def test_a_new_password_is_stored_as_an_argon2id_hash_with_its_parameters(user: User) -> None:
    stored = stored_hash(user.id)
    assert stored is not None and stored.startswith("$argon2id$v=19$")
    params = extract_parameters(stored)
    assert params.type is Type.ID
    assert params.memory_cost >= 19 * 1024 and params.time_cost >= 2
    assert PASSWORD not in stored


def test_set_user_password_stores_an_argon2id_hash(user: User) -> None:
    DatabaseUtils.set_user_password(user.id, "another secret")
    assert existing(stored_hash(user.id)).startswith("$argon2id$")
    assert DatabaseUtils.verify_user_password(EMAIL, "another secret")
    assert not DatabaseUtils.verify_user_password(EMAIL, PASSWORD)


def test_the_right_password_verifies_and_a_wrong_one_does_not(user: User) -> None:
    assert DatabaseUtils.verify_user_password(EMAIL, PASSWORD) is True
    assert DatabaseUtils.verify_user_password(EMAIL, PASSWORD + "!") is False
    assert DatabaseUtils.verify_user_password(EMAIL, "") is False
    assert DatabaseUtils.verify_user_password("nobody@example.com", PASSWORD) is False


def test_a_current_hash_is_not_rewritten_by_a_successful_check(user: User) -> None:
    before = stored_hash(user.id)
    assert DatabaseUtils.verify_user_password(EMAIL, PASSWORD)
    assert stored_hash(user.id) == before


def test_an_old_scrypt_hash_verifies_and_is_upgraded_after_a_successful_check(user: User) -> None:
    legacy = old_scrypt_hash(PASSWORD)
    store_hash(user.id, legacy)
    assert not DatabaseUtils.verify_user_password(EMAIL, "wrong password")
    assert stored_hash(user.id) == legacy, "a failed check must not touch the hash"
    assert DatabaseUtils.verify_user_password(EMAIL, PASSWORD)
    upgraded = stored_hash(user.id)
    assert upgraded is not None and upgraded.startswith("$argon2id$")
    assert DatabaseUtils.verify_user_password(EMAIL, PASSWORD)
    assert stored_hash(user.id) == upgraded


def test_a_hash_with_weaker_argon2_parameters_is_rehashed_on_success(user: User) -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1, type=Type.ID)
    old = weak.hash(PASSWORD)
    store_hash(user.id, old)
    assert not DatabaseUtils.verify_user_password(EMAIL, "wrong password")
    assert stored_hash(user.id) == old
    assert DatabaseUtils.verify_user_password(EMAIL, PASSWORD)
    new = extract_parameters(existing(stored_hash(user.id)))
    assert (new.time_cost, new.memory_cost) == (passwords.TIME_COST, passwords.MEMORY_COST_KIB)


def test_an_argon2i_hash_still_verifies_and_becomes_argon2id(user: User) -> None:
    store_hash(user.id, PasswordHasher(type=Type.I).hash(PASSWORD))
    assert DatabaseUtils.verify_user_password(EMAIL, PASSWORD)
    assert existing(stored_hash(user.id)).startswith("$argon2id$")


@pytest.mark.parametrize(
    "corrupt",
    [
        "$argon2id$v=19$m=19456,t=2,p=1$garbage",
        "$argon2id$v=19$m=x,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNo",
        "$argon2id$v=19$m=4194304,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaA",
        "scrypt$not-hex$00",
        "scrypt$$",
        "scrypt$aa$bb$cc",
        "md5$5f4dcc3b5aa765d61d8327deb882cf99",
        "correct horse battery",
    ],
)
def test_an_unreadable_hash_fails_the_check_with_a_warning_that_hides_secrets(
    user: User, corrupt: str, caplog: pytest.LogCaptureFixture
) -> None:
    store_hash(user.id, corrupt)
    with caplog.at_level(logging.WARNING, logger="database.domain.passwords"):
        assert DatabaseUtils.verify_user_password(EMAIL, PASSWORD) is False
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings, "an unreadable hash must be logged"
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert f"user {user.id}" in logged
    assert PASSWORD not in logged and corrupt not in logged
    assert stored_hash(user.id) == corrupt


def test_a_user_without_a_password_never_verifies(db: DatabaseManager) -> None:
    DatabaseUtils.create_user(email="nopass@example.com")
    assert DatabaseUtils.verify_user_password("nopass@example.com", "") is False
    assert DatabaseUtils.verify_user_password("nopass@example.com", "anything at all") is False


def test_a_password_with_a_lone_surrogate_is_a_wrong_password_not_a_crash(user: User) -> None:
    assert DatabaseUtils.verify_user_password(EMAIL, "bad \ud800 text") is False


@pytest.mark.parametrize(
    ("email", "password", "field"),
    [(None, PASSWORD, "email"), (5, PASSWORD, "email"), (EMAIL, None, "password"),
     (EMAIL, b"bytes", "password"), (EMAIL, 12345678, "password")],
)  # fmt: skip
def test_bad_argument_types_are_validation_errors(
    user: User, email: Any, password: Any, field: str
) -> None:
    with pytest.raises(ValidationError) as info:
        DatabaseUtils.verify_user_password(email, password)
    assert info.value.field == field


def timed_ms(email: str, password: str) -> float:
    start = time.perf_counter()
    assert not DatabaseUtils.verify_user_password(email, password)
    return (time.perf_counter() - start) * 1000


def test_an_unknown_email_costs_the_same_as_a_wrong_password(user: User, engine_name: str) -> None:
    timed_ms(EMAIL, "warm up")
    known: list[float] = []
    unknown: list[float] = []
    for _ in range(21):  # interleaved, so a busy machine slows both alike
        known.append(timed_ms(EMAIL, "wrong password"))
        unknown.append(timed_ms("nobody@example.com", "wrong password"))
    wrong_ms, unknown_ms = statistics.median(known), statistics.median(unknown)
    print(f"[{engine_name}] wrong password {wrong_ms:.1f} ms, unknown email {unknown_ms:.1f} ms")
    assert 0.5 <= unknown_ms / wrong_ms <= 2.0, (wrong_ms, unknown_ms)
    # Without any hashing the unknown email would take well under a millisecond.
    assert unknown_ms >= 5


def test_the_password_hash_is_in_neither_repr_nor_to_dict(user: User) -> None:
    with db_session_scope() as session:
        found = session.get(User, user.id)
        assert found is not None
        secret = found.password_hash
        assert secret and secret not in repr(found) and "password_hash" not in repr(found)
        if hasattr(found, "to_dict"):  # the serialisation mixin, where the model has it
            shown = found.to_dict()
            assert "password_hash" not in shown and secret not in str(shown)


def test_verify_reports_whether_a_rehash_is_needed() -> None:
    current = passwords.hash_password(PASSWORD)
    assert passwords.verify(PASSWORD, current) == (True, False)
    assert passwords.verify("wrong", current) == (False, False)
    assert passwords.verify(PASSWORD, old_scrypt_hash(PASSWORD)) == (True, True)
    assert passwords.verify("wrong", old_scrypt_hash(PASSWORD)) == (False, False)
    assert passwords.verify(PASSWORD, None) == (False, False)
