"""Fixtures of the account tests: a real SMTP server and quick helpers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.smtp import Inbox, smtp_server


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    with smtp_server() as server:
        yield server
