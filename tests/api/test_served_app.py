"""The served API (one per server worker) connects at startup and lets go at shutdown."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_served_app
from database.core.session import get_database_manager
from utils.errors import NotInitializedError


def test_startup_connects_and_freezes_what_it_made_shutdown_undoes_both(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'served.db'}")
    with TestClient(create_served_app()) as client:
        assert client.get("/api/v1/health").status_code == 200
        assert str(get_database_manager().config.url.database).endswith("served.db")
        # Startup's objects are out of the collector's full passes while it serves.
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0
    with pytest.raises(NotInitializedError):
        get_database_manager()
