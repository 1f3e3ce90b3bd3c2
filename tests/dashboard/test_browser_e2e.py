"""End to end: the real app under ``streamlit run``, driven in headless Chromium.

Debian's Chromium (``scripts/install-browser.sh`` installs it) is driven by
Playwright through ``executable_path``; Playwright never downloads a browser.
The app runs on a throwaway SQLite database. Screenshots go to a temporary
folder whose paths the test prints.
"""

from __future__ import annotations

import csv
import io
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 30_000
# Assertions wait as long as actions: a cold Streamlit start on a busy 2-core machine takes >5 s.
expect.set_options(timeout=TIMEOUT_MS)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_healthy(url: str, process: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"streamlit exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise AssertionError("streamlit did not become healthy within 60 s")


@pytest.fixture
def browser_path() -> Path:
    if not CHROMIUM.exists():
        subprocess.run([str(ROOT / "scripts" / "install-browser.sh")], check=True)
    return CHROMIUM


@pytest.fixture
def app_url(tmp_path: Path) -> Iterator[str]:
    """The dashboard served by ``streamlit run`` on a free localhost port."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATABASE_")}
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite'}",
        ENVIRONMENT="development",
        AUTO_APPLYER_DATA_DIR=str(tmp_path / "data"),
    )
    command = [
        sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard" / "app.py"),
        "--server.address", "127.0.0.1", "--server.port", str(port),
        "--server.headless", "true", "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
    ]  # fmt: skip
    log = (tmp_path / "streamlit.log").open("wb")
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, process)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


class Shots:
    """Numbered screenshots in a temporary folder that outlives the test."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.folder = Path(tempfile.mkdtemp(prefix="dashboard-e2e-"))
        self.paths: list[Path] = []

    def take(self, name: str) -> None:
        path = self.folder / f"{len(self.paths) + 1:02d}-{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        self.paths.append(path)


def _settled(page: Page) -> None:
    """Wait until the app has finished its run (no "running" indicator)."""
    page.wait_for_timeout(300)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0)


def _go_to(page: Page, name: str) -> None:
    page.get_by_test_id("stSidebar").get_by_text(name, exact=True).click()
    expect(page.get_by_role("heading", name=name, exact=True)).to_be_visible()


def test_profile_application_board_analytics_and_csv_in_a_real_browser(
    browser_path: Path, app_url: str, tmp_path: Path
) -> None:
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"),
            executable_path=str(browser_path),
            headless=True,
            args=CHROMIUM_FLAGS,
            accept_downloads=True,
            viewport={"width": 1400, "height": 1000},
        )
        context.set_default_timeout(TIMEOUT_MS)
        page = context.pages[0] if context.pages else context.new_page()
        shots = Shots(page)
        try:
            _journey(page, shots, app_url, tmp_path)
        finally:
            shots.take("last")
            context.close()
            print("\ndashboard screenshots:\n" + "\n".join(str(p) for p in shots.paths))


def _journey(page: Page, shots: Shots, url: str, tmp_path: Path) -> None:
    page.goto(url)
    expect(page.get_by_role("heading", name="Welcome to Auto Applyer")).to_be_visible()
    shots.take("welcome")

    page.get_by_label("Email").fill("e2e@example.com")
    page.get_by_label("First name").fill("Eve")
    page.get_by_role("button", name="Create profile").click()
    expect(page.get_by_role("heading", name="Applications", exact=True)).to_be_visible()
    shots.take("profile-created")

    page.get_by_role("tab", name="Add").click()
    page.get_by_label("Job title *").fill("Site Reliability Engineer")
    page.get_by_label("Company *").fill("Browser Labs")
    page.get_by_role("button", name="Add application").click()
    expect(page.get_by_text("Added Site Reliability Engineer at Browser Labs.")).to_be_visible()
    shots.take("application-added")

    page.get_by_role("tab", name="Board").click()
    expect(page.get_by_role("heading", name="Applied (1)")).to_be_visible()
    page.get_by_label("Move #1 to").click()
    page.get_by_role("option", name="screening", exact=True).click()
    expect(page.get_by_text("Moved to screening.")).to_be_visible()
    page.get_by_role("tab", name="Board").click()
    expect(page.get_by_role("heading", name="Screening (1)")).to_be_visible()
    expect(page.get_by_role("heading", name="Applied (0)")).to_be_visible()
    _settled(page)
    shots.take("moved-on-board")

    _go_to(page, "Analytics")
    expect(page.get_by_test_id("stMetric").filter(has_text="Applications").first).to_contain_text(
        "1"
    )
    expect(page.get_by_text("screening: 1")).to_be_visible()
    expect(
        page.locator(
            "[data-testid='stVegaLiteChart'] canvas, [data-testid='stVegaLiteChart'] svg"
        ).first
    ).to_be_visible()
    _settled(page)
    shots.take("analytics")

    _go_to(page, "Applications")
    page.get_by_role("tab", name="Export & import").click()
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download CSV").click()
    saved = tmp_path / "applications.csv"
    download_info.value.save_as(saved)
    rows = list(csv.DictReader(io.StringIO(saved.read_text(encoding="utf-8"))))
    assert [(r["job_title"], r["company"], r["status"]) for r in rows] == [
        ("Site Reliability Engineer", "Browser Labs", "screening")
    ]
    shots.take("export")
