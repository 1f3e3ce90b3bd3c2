"""Route figures, ``GET /metrics`` (who may read it, every worker's sum) and the admin's report."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from api.app import create_app
from database.connection import DatabaseManager
from database.core.monitoring import ROUTES
from tests.support.engines import ROOT
from tests.support.monitoring import fresh_figures
from tests.support.records import account, make_server_admin

__all__ = ["fresh_figures"]

LOOPBACK = ("127.0.0.1", 40000)
REQUESTS = "auto_applyer_http_requests"


def _samples(body: str, family: str) -> dict[tuple[tuple[str, str], ...], float]:
    found = {}
    for metric in text_string_to_metric_families(body):
        for sample in metric.samples:
            if sample.name == family:
                found[tuple(sorted(sample.labels.items()))] = sample.value
    return found


def _requests(body: str, route: str, method: str = "GET") -> float:
    counts = _samples(body, REQUESTS + "_total")
    return sum(
        v
        for labels, v in counts.items()
        if ("route", route) in labels and ("method", method) in labels
    )


def _route(method: str, route: str) -> dict[str, Any] | None:
    return next((r for r in ROUTES.routes() if (r["method"], r["route"]) == (method, route)), None)


def test_requests_are_counted_by_route_template(client: TestClient, fresh_figures: None) -> None:
    _, ann = account(client, "ann@example.com")
    for _ in range(2):
        assert client.get("/api/v1/health").status_code == 200
    assert client.get("/api/v1/applications/424242", headers=ann).status_code == 404
    assert client.get("/api/v1/no/such/route").status_code == 404

    health = _route("GET", "/api/v1/health")
    assert health is not None and health["count"] == 2
    assert 0 < health["p50_ms"] <= health["p95_ms"] <= health["p99_ms"]
    one = _route("GET", "/api/v1/applications/{application_id}")
    assert one is not None and one["count"] == 1
    assert _route("GET", "<unmatched>") is not None
    assert not any("424242" in str(r["route"]) for r in ROUTES.routes())

    body = TestClient(client.app, client=LOOPBACK).get("/metrics").text
    assert _requests(body, "/api/v1/health") >= 2
    statuses = _samples(body, REQUESTS + "_total")
    assert any(("status", "4xx") in labels for labels in statuses)
    assert _samples(body, "auto_applyer_db_statements_total")
    assert sum(_samples(body, "auto_applyer_db_pool_checkouts_total").values()) > 0


def test_metrics_are_for_this_machine_or_the_metrics_token(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert TestClient(client.app, client=LOOPBACK).get("/metrics").status_code == 200
    assert client.get("/metrics").status_code == 403
    _, ann = account(client, "ann@example.com")
    assert client.get("/metrics", headers=ann).status_code == 403

    monkeypatch.setenv("API_METRICS_TOKEN", "scrape-me-please")
    with TestClient(create_app()) as guarded:
        assert guarded.get("/metrics").status_code == 401
        assert guarded.get("/metrics", headers=ann).status_code == 401
        opened = guarded.get("/metrics", headers={"Authorization": "Bearer scrape-me-please"})
        assert opened.status_code == 200
        assert opened.headers["content-type"].startswith("text/plain")
        assert "/metrics" not in guarded.app.openapi()["paths"]  # type: ignore[attr-defined]


WORKER = """
from database.core.monitoring import STATEMENTS
from database.core.monitoring.prometheus import observe_request
STATEMENTS.record("SELECT * FROM users WHERE id = ?", 0.002)
observe_request("GET", "/api/v1/health", 200, 0.004)
"""


def test_metrics_add_up_every_worker_in_multiprocess_mode(
    client: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "prometheus"
    folder.mkdir()
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(folder)}
    for _ in range(2):  # two worker processes, each writing its own files
        subprocess.run([sys.executable, "-c", WORKER], cwd=ROOT, env=env, check=True, timeout=60)
    assert len(list(folder.glob("*.db"))) >= 2

    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(folder))
    body = TestClient(client.app, client=LOOPBACK).get("/metrics").text
    assert _requests(body, "/api/v1/health") == 2
    statements = _samples(body, "auto_applyer_db_statements_total")
    assert statements[(("fingerprint", "SELECT * FROM users WHERE id = ?"),)] == 2


def test_an_administrator_reads_the_database_health_report(
    client: TestClient, db: DatabaseManager, tmp_path: Path
) -> None:
    user_id, root = account(client, "root@example.com")
    make_server_admin(db, user_id)
    client.app.state.backup_dir = tmp_path / "backups"  # type: ignore[attr-defined]
    response = client.get("/api/v1/admin/health", headers=root)
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["engine"] == db.config.database_type
    assert {"statements", "slow_queries", "pool", "routes", "database", "disk"} <= report.keys()
    assert report["backups"]["count"] == 0
    assert str(db.config.url.password or "no-password") not in response.text
