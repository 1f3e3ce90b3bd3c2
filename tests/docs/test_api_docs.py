"""Every Python example of ``docs/api.md``, run top to bottom in one namespace, on every engine.

The examples talk to the API through ``client``, a test client over the ``db``
fixture's database (on PostgreSQL reached as the application role, with
row-level security on, as a hosted deployment is). Besides ``client`` the page
names two stand-ins, introduced in its first section: ``mailed_code(email)``
reads the reset code from the mail the app sent, and
``make_server_admin(user_id)`` does as the database owner what only the owner
can.
"""

from __future__ import annotations

import linecache
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from database.connection import DatabaseManager
from tests.support.app_role import app_database, app_role
from tests.support.engines import ROOT
from tests.support.markdown import python_blocks
from tests.support.records import make_server_admin, private_data_dir

__all__ = ["app_role"]

GUIDE = ROOT / "docs" / "api.md"
RESET_CODE = re.compile(r"usable once\): (\S+)")


@dataclass
class Outbox:
    """A mail sender that keeps what it is given: ``(to, body)`` per message."""

    messages: list[tuple[str, str]] = field(default_factory=list)

    def send(self, to: str, subject: str, body: str) -> None:
        self.messages.append((to, body))

    def code_for(self, email: str) -> str:
        """The reset code of the last mail to ``email``."""
        body = next(body for to, body in reversed(self.messages) if to == email)
        found = RESET_CODE.search(body)
        assert found is not None, "the reset mail carries no code"
        return found.group(1)


@pytest.fixture
def guide_client(
    db: DatabaseManager,
    engine_name: str,
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> Iterator[tuple[TestClient, Outbox]]:
    """The API with the default sign-in throttling, its mail kept, its files in ``tmp_path``."""
    if engine_name == "postgresql":
        monkeypatch.setenv("DATABASE_OWNER_URL", str(request.getfixturevalue("postgres_url")))
        app_database(db, request.getfixturevalue("app_role"), monkeypatch)
    private_data_dir(monkeypatch, tmp_path)
    outbox = Outbox()
    app = create_app(mailer=outbox)
    app.state.backup_dir = tmp_path / "backups"
    with TestClient(app) as client:
        yield client, outbox


def test_the_rest_api_guide_runs_top_to_bottom(
    db: DatabaseManager, guide_client: tuple[TestClient, Outbox]
) -> None:
    client, outbox = guide_client
    namespace: dict[str, object] = {
        "__name__": "docs_api",
        "client": client,
        "mailed_code": outbox.code_for,
        "make_server_admin": lambda user_id: make_server_admin(db, user_id),
    }
    blocks = python_blocks(GUIDE)
    assert len(blocks) >= 20
    for number, block in enumerate(blocks, start=1):
        name = f"docs/api.md (block {number})"
        # Known to linecache, a failing assert shows its line of the page.
        linecache.cache[name] = (len(block), None, block.splitlines(keepends=True), name)
        exec(compile(block, name, "exec"), namespace)
