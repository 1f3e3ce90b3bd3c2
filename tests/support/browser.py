"""The dashboard under ``streamlit run`` and Debian's Chromium driven by Playwright.

Playwright never downloads a browser: it drives Debian's Chromium through
``executable_path`` (``scripts/install-browser.sh`` installs it).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from playwright.sync_api import Download, Page, expect, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.support.engines import ROOT
from utils.processes import stop

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


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_healthy(url: str, process: subprocess.Popen[bytes], seconds: float = 60) -> None:
    """Return once Streamlit answers its health check; fail if it exits or takes too long."""
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
    raise AssertionError(f"streamlit did not become healthy within {seconds:g} s")


@contextmanager
def served_dashboard(env: Mapping[str, str], folder: Path) -> Iterator[str]:
    """The dashboard served with ``env`` on a free localhost port; its URL. Log in ``folder``."""
    port = free_port()
    command = [
        sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard" / "app.py"),
        "--server.address", "127.0.0.1", "--server.port", str(port),
        "--server.headless", "true", "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
    ]  # fmt: skip
    with (folder / "streamlit.log").open("wb") as log:
        process = subprocess.Popen(
            command, cwd=ROOT, env=dict(env), stdout=log, stderr=subprocess.STDOUT
        )
        url = f"http://127.0.0.1:{port}"
        try:
            wait_healthy(url, process)
            yield url
        finally:
            stop(process, timeout=10)


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


@contextmanager
def browser_page(
    browser: Path, folder: Path, label: str, **options: Any
) -> Iterator[tuple[Page, Shots]]:
    """A page of headless Chromium with a fresh profile in ``folder``, and its screenshots.

    A last screenshot is taken however the test ends, and the paths printed.
    """
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(folder / "chromium-profile"),
            executable_path=str(browser),
            headless=True,
            args=CHROMIUM_FLAGS,
            viewport={"width": 1400, "height": 1000},
            **options,
        )
        context.set_default_timeout(TIMEOUT_MS)
        page = context.pages[0] if context.pages else context.new_page()
        shots = Shots(page)
        try:
            yield page, shots
        finally:
            shots.take("last")
            context.close()
            print(f"\n{label} screenshots:\n" + "\n".join(str(p) for p in shots.paths))


def settled(page: Page) -> None:
    """Wait until the app has finished its run (no "running" indicator)."""
    page.wait_for_timeout(300)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0)


def choose(page: Page, label: str, option: str, attempts: int = 3) -> None:
    """Pick ``option`` of the select box ``label``, typing it to filter the list.

    A click that lands while the app is redrawing can leave the list closed, so
    the box is opened again until its options show.
    """
    options = page.get_by_role("option")
    for _attempt in range(attempts):
        settled(page)
        page.get_by_label(label).click()
        try:
            expect(options.first).to_be_visible(timeout=5_000)
            break
        except AssertionError:
            page.keyboard.press("Escape")
    page.keyboard.type(option)
    page.get_by_role("option", name=option, exact=True).click()


def open_tab(page: Page, name: str) -> None:
    """Open the tab ``name`` and wait for the run it starts (the open tab is kept in state)."""
    page.get_by_role("tab", name=name).click()
    settled(page)


def download(page: Page, button: str, attempts: int = 2) -> Download:
    """The file the download button ``button`` gives.

    The file is built when the button is clicked; a click that lands while the
    app is starting another run is lost with that run, so it is clicked again.
    """
    for attempt in range(attempts):
        settled(page)
        try:
            with page.expect_download(timeout=20_000) as info:
                page.get_by_role("button", name=button).click()
            return info.value
        except PlaywrightTimeoutError:
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")
