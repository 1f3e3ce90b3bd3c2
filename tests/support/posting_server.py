"""A real HTTP server on 127.0.0.1 serving job-posting pages shaped like the big job sites'.

``/<name>.html`` serves ``tests/fixtures/postings/<name>.html``; besides:

- ``/huge`` streams :data:`HUGE_BYTES` of HTML without a ``Content-Length``
  (``/huge-declared`` with one), past any sane size limit;
- ``/slow`` answers only when the server is stopped (or after :data:`SLOW_CAP`
  seconds), so a short fetch timeout ends it without the test sleeping;
- ``/redirect?to=<address>`` answers ``302`` to ``<address>``; ``/loop`` to itself;
- ``/status/<code>`` answers that status; ``/pdf`` a PDF, not a page;
- ``/latin1.html`` a page in ISO-8859-1 that says so only in its header.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "postings"
HUGE_BYTES = 3 * 1024 * 1024
SLOW_CAP = 10.0
CHUNK = b"<p>" + b"Lorem ipsum dolor sit amet. " * 36 + b"</p>\n"
LATIN1 = (
    '<html><head><script type="application/ld+json">{"@type": "JobPosting", '
    '"title": "Ingénieur réseau", "hiringOrganization": "Société Générale de Café"}'
    "</script></head><body></body></html>"
).encode("latin-1")


def fixture_html(name: str) -> str:
    """The text of ``tests/fixtures/postings/<name>.html``."""
    return (FIXTURES / f"{name}.html").read_text(encoding="utf-8")


@dataclass
class PostingServer:
    """Where the server listens, and what it was asked."""

    base: str
    released: threading.Event
    paths: list[str]
    hosts: list[str]

    def url(self, path: str) -> str:
        """The absolute address of ``path`` on this server."""
        return self.base + path


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the tests read what was asked from :attr:`PostingServer.paths`."""

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        self.server.paths.append(self.path)
        self.server.hosts.append(self.headers.get("Host", ""))
        path = parts.path
        if path == "/huge" or path == "/huge-declared":
            self._huge(declared=path.endswith("declared"))
        elif path == "/slow":
            self.server.released.wait(SLOW_CAP)
            self._send(200, b"<html><title>Too late</title></html>")
        elif path == "/redirect":
            self._redirect(parse_qs(parts.query).get("to", ["/"])[0])
        elif path == "/loop":
            self._redirect("/loop")
        elif path.startswith("/status/"):
            self._send(int(path.rsplit("/", 1)[1]), b"<html><title>Error</title></html>")
        elif path == "/pdf":
            self._send(200, b"%PDF-1.7\n", "application/pdf")
        elif path == "/latin1.html":
            self._send(200, LATIN1, "text/html; charset=iso-8859-1")
        else:
            file = FIXTURES / path.lstrip("/")
            if path.endswith(".html") and file.parent == FIXTURES and file.is_file():
                self._send(200, file.read_bytes())
            else:
                self._send(404, b"<html><title>Not found</title></html>")

    def _send(self, code: int, body: bytes, kind: str = "text/html; charset=utf-8") -> None:
        self.send_response(code)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _huge(self, declared: bool) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        if declared:
            self.send_header("Content-Length", str(HUGE_BYTES))
        else:
            self.send_header("Connection", "close")
        self.end_headers()
        try:
            self.wfile.write(b"<html><head><title>Huge</title></head><body>")
            for _ in range(HUGE_BYTES // len(CHUNK)):
                self.wfile.write(CHUNK)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client stopped reading at its limit, as it should


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.released = threading.Event()
        self.paths: list[str] = []
        self.hosts: list[str] = []


@contextmanager
def posting_server() -> Iterator[PostingServer]:
    """A running posting server for the duration of the block."""
    server = _Server()
    thread = threading.Thread(target=server.serve_forever, name="posting-server", daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    try:
        yield PostingServer(f"http://{host!s}:{port}", server.released, server.paths, server.hosts)
    finally:
        server.released.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
