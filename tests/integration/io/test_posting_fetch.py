"""Fetching a posting's page from a real HTTP server: limits, redirects, and the address guard.

None of these touch the database: a fetch happens before any transaction.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from typing import Any

import pytest

from database.domain.webhooks import destinations
from database.io.postings import read_posting
from database.io.postings.fetch import fetch_page
from tests.support.posting_server import PostingServer, posting_server
from utils.errors import ValidationError


@pytest.fixture(scope="module")
def server() -> Iterator[PostingServer]:
    with posting_server() as running:
        yield running


@pytest.fixture
def asked(server: PostingServer) -> Iterator[list[str]]:
    """The paths the server is asked for during the test."""
    server.paths.clear()
    server.hosts.clear()
    yield server.paths


@pytest.fixture
def loopback_is_public(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hosted mode where the test server's 127.0.0.1 stands in for a public site.

    Every other non-public address stays refused, so a redirect from the
    "public" server to a private one is what the guard must catch.
    """
    monkeypatch.setenv("AUTO_APPLYER_MODE", "hosted")
    real = destinations.is_public

    def is_public(address: destinations.Address) -> bool:
        return address == ipaddress.ip_address("127.0.0.1") or real(address)

    monkeypatch.setattr(destinations, "is_public", is_public)


def refusal(url: str) -> str:
    with pytest.raises(ValidationError) as refused:
        fetch_page(url)
    assert refused.value.field == "url"
    return refused.value.rule


def test_a_page_is_fetched_and_read_with_its_address_as_source(
    server: PostingServer, asked: list[str]
) -> None:
    fields = read_posting(server.url("/indeed.html"), None)
    assert (fields["job_title"], fields["company"]) == (
        "Café Barista (Part-time)",
        "Harbourside Coffee Ltd",
    )
    assert fields["job_url"] == server.url("/viewjob?jk=8a1b2c3d4e5f")
    assert fields["source"] == "127.0.0.1"
    assert asked == ["/indeed.html"]


def test_redirects_are_followed_to_the_page_and_its_final_address_kept(
    server: PostingServer, asked: list[str]
) -> None:
    fetched = fetch_page(server.url("/redirect?to=/redirect%3Fto%3D/workday.html"))
    assert fetched.url == server.url("/workday.html") and "Financial Analyst II" in fetched.html
    assert asked[-1] == "/workday.html" and len(asked) == 3


def test_endless_redirects_stop_at_the_limit(server: PostingServer, asked: list[str]) -> None:
    assert refusal(server.url("/loop")) == "could not be fetched: more than 5 redirects"
    assert len(asked) == 6


@pytest.mark.parametrize("path", ["/huge", "/huge-declared"])
def test_a_page_over_the_size_limit_is_refused(server: PostingServer, path: str) -> None:
    assert refusal(server.url(path)) == (
        "could not be fetched: the page is larger than 2 MiB (POSTING_MAX_BYTES)"
    )


def test_a_page_slower_than_the_timeout_is_refused(
    server: PostingServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POSTING_FETCH_TIMEOUT", "0.2")
    assert refusal(server.url("/slow")) == "could not be fetched: no answer within 0.2 seconds"


@pytest.mark.parametrize(
    ("path", "rule"),
    [
        ("/status/404", "could not be fetched: the site answered HTTP 404"),
        ("/status/503", "could not be fetched: the site answered HTTP 503"),
        ("/pdf", "could not be fetched: it is not a web page but application/pdf"),
    ],
)
def test_an_error_or_a_file_is_a_clear_refusal(server: PostingServer, path: str, rule: str) -> None:
    assert refusal(server.url(path)) == rule


def test_a_closed_port_is_a_refusal_that_says_it_could_not_connect() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert refusal(f"http://127.0.0.1:{port}/x").startswith(
        "could not be fetched: could not connect"
    )


def test_the_charset_of_the_header_decodes_the_page(server: PostingServer) -> None:
    fields = read_posting(server.url("/latin1.html"), None)
    assert (fields["job_title"], fields["company"]) == (
        "Ingénieur réseau",
        "Société Générale de Café",
    )


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "file:///etc/passwd", "http://user:pw@x.example/"]
)
def test_an_address_that_is_not_a_plain_web_address_is_refused(url: str) -> None:
    refusal(url)


def test_hosted_mode_refuses_a_loopback_page_before_any_request(
    server: PostingServer, asked: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AUTO_APPLYER_MODE", "hosted")
    assert refusal(server.url("/greenhouse.html")) == destinations.NOT_PUBLIC
    assert asked == []
    monkeypatch.setenv("POSTING_ALLOW_PRIVATE", "true")
    assert fetch_page(server.url("/greenhouse.html")).url == server.url("/greenhouse.html")


@pytest.mark.parametrize(
    "target",
    [
        "http://10.0.0.5/jobs/1",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:9/x",
        "http://192.168.1.1/",
    ],
)
def test_hosted_mode_refuses_a_redirect_to_a_private_address(
    server: PostingServer, asked: list[str], loopback_is_public: None, target: str
) -> None:
    rule = refusal(server.url(f"/redirect?to={target}"))
    redirect = "could not be fetched: it redirects to an address that is refused"
    assert rule == f"{redirect} ({destinations.NOT_PUBLIC})"
    assert len(asked) == 1  # the private address was never asked


def test_hosted_mode_connects_to_the_address_it_checked(
    server: PostingServer, asked: list[str], loopback_is_public: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """A name that resolves to a public address once and a private one next (DNS rebinding)."""
    port = server.base.rsplit(":", 1)[1]
    real = socket.getaddrinfo
    answers = iter(["127.0.0.1"])

    def rebinding(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host == "jobs.rebind.test":
            return real(next(answers, "10.255.255.1"), *args, **kwargs)
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    fetched = fetch_page(f"http://jobs.rebind.test:{port}/lever.html")
    assert "Staff Backend Engineer" in fetched.html
    assert server.hosts == [f"jobs.rebind.test:{port}"]
