"""Authenticating at the start of a request's transaction: last use written once a minute, the
actor bound in the same round trip (PostgreSQL)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select, text

from database.connection import DatabaseManager
from database.core.column_types import utcnow
from database.core.tenant import ACTOR_SETTING, TOKEN_SETTING
from database.domain import accounts
from database.domain.accounts.tokens import LAST_USED_PRECISION
from database.models import AuthToken
from tests.support.statements import statements_sent

EMAIL = "ada@example.com"
PASSWORD = "correct horse battery"


def _token(db: DatabaseManager) -> str:
    with db.session_scope() as session:
        accounts.sign_up(session, EMAIL, PASSWORD)
    return accounts.sign_in_recorded(db.session_scope, EMAIL, PASSWORD, "10.0.0.1").token


def _last_used(db: DatabaseManager) -> object:
    with db.session_scope() as session:
        return session.scalars(select(AuthToken.last_used_at)).one()


def _authenticate_at(db: DatabaseManager, token: str, moment: datetime) -> list[str]:
    """The statements one authentication at ``moment`` sends."""

    def call() -> None:
        with db.session_scope() as session:
            assert accounts.authenticate(session, token, now=moment, bind=True) is not None

    return [statement for statement, _ in statements_sent(db.engine, call)]


def test_last_use_is_written_at_most_once_a_minute(db: DatabaseManager) -> None:
    token = _token(db)
    start = utcnow()
    first = _authenticate_at(db, token, start)
    assert any(s.lstrip().upper().startswith("UPDATE") for s in first)
    assert _last_used(db) == start

    soon = _authenticate_at(db, token, start + LAST_USED_PRECISION - timedelta(seconds=1))
    assert not any(s.lstrip().upper().startswith("UPDATE") for s in soon)
    assert _last_used(db) == start

    later = start + LAST_USED_PRECISION + timedelta(seconds=1)
    _authenticate_at(db, token, later)
    assert _last_used(db) == later


def test_a_refused_request_keeps_no_last_use_of_its_own(db: DatabaseManager) -> None:
    token = _token(db)
    before = _last_used(db)
    with pytest.raises(RuntimeError), db.session_scope() as session:
        assert accounts.authenticate(session, token, bind=True) is not None
        raise RuntimeError("the route failed")
    assert _last_used(db) == before


@pytest.mark.parametrize("engine_name", ["postgresql"])  # bindings exist on PostgreSQL only
def test_authenticating_binds_the_user_and_drops_the_claim_in_one_query(
    db: DatabaseManager,
) -> None:
    token = _token(db)
    _authenticate_at(db, token, utcnow())  # last use fresh: no UPDATE below
    settings = text("SELECT current_setting(:actor, true), current_setting(:token, true)")
    names = {"actor": ACTOR_SETTING, "token": TOKEN_SETTING}

    def call() -> None:
        with db.session_scope() as session:
            actor = accounts.authenticate(session, token, bind=True)
            assert actor is not None
            assert session.execute(settings, names).one() == (str(actor.user_id), "")

    sent = statements_sent(db.engine, call)
    assert len(sent) == 3  # the claim and the query, pipelined; then the check above


@pytest.mark.parametrize("engine_name", ["postgresql"])  # bindings exist on PostgreSQL only
def test_a_refused_token_binds_nobody(db: DatabaseManager) -> None:
    token = _token(db)
    settings = text("SELECT coalesce(current_setting(:actor, true), '')")
    with db.session_scope() as session:
        assert accounts.authenticate(session, token[:-1] + "x", bind=True) is None
        assert session.scalar(settings, {"actor": ACTOR_SETTING}) == ""
