"""The password-reset request answers the same, at once, whether or not the account exists.

The code is issued and mailed after the response has gone (and only once its
token is committed), so neither the answer nor its timing tells whether an
account exists, and a mail that fails is logged without its code.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.app import create_app
from database.connection import DatabaseManager
from database.domain.accounts import MailSender, SmtpMailSender, sign_up
from tests.support.api import PASSWORD, STRICT_POLICY
from tests.support.api_world import RecordingMailer
from tests.support.app_role import app_database
from tests.support.smtp import Inbox, free_port, smtp_server

RESET = "/api/v1/auth/password-reset"
CONFIRM = "/api/v1/auth/password-reset/confirm"
ADA = "ada@example.com"
NEW_PASSWORD = "a brand new passphrase"
RESET_CODE = re.compile(r"usable once\): (\S+)")
#: Far longer than any answer takes, far shorter than a mail held back by a test.
ANSWER_TIMEOUT = 5.0


class HeldMailer:
    """Hands each message on to ``inner`` only once the test releases it."""

    def __init__(self, inner: MailSender) -> None:
        self.inner = inner
        self.bodies: list[str] = []
        self.entered = threading.Event()
        self.release = threading.Event()

    def send(self, to: str, subject: str, body: str) -> None:
        self.bodies.append(body)
        self.entered.set()
        if not self.release.wait(ANSWER_TIMEOUT * 4):
            raise TimeoutError("the test never released the mail")
        self.inner.send(to, subject, body)


class BrokenMailer:
    """A mail server that refuses every message (after it was handed its body)."""

    def __init__(self) -> None:
        self.bodies: list[str] = []

    def send(self, to: str, subject: str, body: str) -> None:
        self.bodies.append(body)
        raise ConnectionRefusedError("the mail server is down")


@pytest.fixture
def make_app(
    db: DatabaseManager,
    engine_name: str,
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
) -> Callable[[MailSender], FastAPI]:
    """Apps over the ``db`` fixture's database (as the application role on PostgreSQL)."""
    if engine_name == "postgresql":
        monkeypatch.setenv("DATABASE_OWNER_URL", str(request.getfixturevalue("postgres_url")))
        app_database(db, request.getfixturevalue("app_role"), monkeypatch)
    with db.session_scope() as session:
        sign_up(session, ADA, PASSWORD)
    return lambda mailer: create_app(throttle_policy=STRICT_POLICY, mailer=mailer)


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    with smtp_server() as server:
        yield server


@contextmanager
def served(app: FastAPI) -> Iterator[str]:
    """``app`` served by uvicorn on a private port, as in production; its base URL."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off", log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + ANSWER_TIMEOUT
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(ANSWER_TIMEOUT)


def test_the_answer_comes_before_the_mail_and_the_code_works_before_it_is_sent(
    make_app: Callable[[MailSender], FastAPI], inbox: Inbox
) -> None:
    mailer = HeldMailer(SmtpMailSender(host=inbox.host, port=inbox.port))
    with served(make_app(mailer)) as base:
        # A mail on the request path would hold this answer past its timeout.
        answer = httpx.post(base + RESET, json={"email": ADA}, timeout=ANSWER_TIMEOUT)
        assert answer.status_code == 202
        assert mailer.entered.wait(ANSWER_TIMEOUT)
        assert inbox.messages == []
        found = RESET_CODE.search(mailer.bodies[0])
        assert found is not None
        # Committed before the mail went out: the code works while the mail is in flight.
        confirm = {"token": found.group(1), "new_password": NEW_PASSWORD}
        assert httpx.post(base + CONFIRM, json=confirm, timeout=ANSWER_TIMEOUT).status_code == 204
        mailer.release.set()
        [message] = inbox.wait_for(1)
    assert message["To"] == ADA
    assert found.group(1) in message.get_content()


def test_known_and_unknown_emails_get_the_same_answer(
    make_app: Callable[[MailSender], FastAPI],
) -> None:
    mailer = RecordingMailer()
    with TestClient(make_app(mailer)) as client:
        known = client.post(RESET, json={"email": ADA})
        unknown = client.post(RESET, json={"email": "nobody@example.com"})
    assert (known.status_code, known.content) == (202, b"")
    assert (unknown.status_code, unknown.content) == (202, b"")
    assert {k: v for k, v in known.headers.items() if k != "date"} == {
        k: v for k, v in unknown.headers.items() if k != "date"
    }
    assert [to for to, _, _ in mailer.sent] == [ADA]


def test_a_failed_mail_is_logged_without_its_code_and_the_answer_stays_202(
    make_app: Callable[[MailSender], FastAPI], caplog: pytest.LogCaptureFixture
) -> None:
    mailer = BrokenMailer()
    with caplog.at_level(logging.INFO), TestClient(make_app(mailer)) as client:
        answer = client.post(RESET, json={"email": ADA})
    assert answer.status_code == 202
    assert answer.content == b""
    [body] = mailer.bodies
    found = RESET_CODE.search(body)
    assert found is not None
    assert "ConnectionRefusedError" in caplog.text
    assert found.group(1) not in caplog.text
