"""The webhook signature a receiver checks, and which addresses count as public."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import socket

import pytest

from database.domain.webhooks import signature, verify_signature
from database.domain.webhooks.destinations import destination, is_public
from utils.errors import ValidationError

SECRET = "s3cret"
BODY = b'{"id":1,"kind":"application.created"}'
NOW = 1_800_000_000


def test_the_signature_is_the_hmac_sha256_of_timestamp_dot_body() -> None:
    expected = hmac.new(SECRET.encode(), f"{NOW}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert signature(SECRET, NOW, BODY) == f"sha256={expected}"


def test_verify_signature_accepts_the_signed_body_within_the_tolerance() -> None:
    header = signature(SECRET, NOW, BODY)
    assert verify_signature(SECRET, str(NOW), BODY, header, now=NOW + 299)
    assert verify_signature(SECRET, NOW, BODY, header, tolerance=10, now=NOW - 10)


@pytest.mark.parametrize(
    ("timestamp", "body", "header", "now"),
    [
        (NOW, BODY + b" ", signature(SECRET, NOW, BODY), NOW),  # tampered body
        (NOW + 1, BODY, signature(SECRET, NOW, BODY), NOW),  # another timestamp
        (NOW, BODY, signature("other", NOW, BODY), NOW),  # another secret
        (NOW, BODY, signature(SECRET, NOW, BODY), NOW + 301),  # too old: a replay
        ("soon", BODY, signature(SECRET, NOW, BODY), NOW),  # not a timestamp
        (NOW, BODY, "sha256=", NOW),
    ],
)
def test_verify_signature_refuses_tampering_and_replays(
    timestamp: object, body: bytes, header: str, now: int
) -> None:
    assert not verify_signature(SECRET, timestamp, body, header, now=now)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.215.14", True),
        ("2606:4700::1111", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("100.64.0.1", False),
        ("169.254.169.254", False),
        ("224.0.0.1", False),
        ("0.0.0.0", False),
        ("::1", False),
        ("fe80::1", False),
        ("fc00::1", False),
        ("::ffff:10.0.0.1", False),
        ("2002:7f00:1::", False),  # 6to4 of 127.0.0.1
    ],
)
def test_only_public_unicast_addresses_are_public(address: str, public: bool) -> None:
    assert is_public(ipaddress.ip_address(address)) is public


def test_a_guarded_destination_is_pinned_to_the_checked_address_with_its_host_kept() -> None:
    pinned = destination("https://93.184.215.14:8443/hook?a=1", guarded=True)
    assert pinned.url == "https://93.184.215.14:8443/hook?a=1"
    assert pinned.host == "93.184.215.14:8443" and pinned.sni_hostname is None
    assert destination("http://127.0.0.1/x", guarded=False).host is None


def test_a_host_name_is_pinned_to_its_public_address_and_refused_once_it_points_inside(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    answers = {"hooks.example.com": "93.184.215.14"}

    def resolve(host: str, port: int, **_: object) -> list[tuple[object, ...]]:
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answers[host], port))]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    pinned = destination("https://hooks.example.com/hook", guarded=True)
    assert pinned.url == "https://93.184.215.14/hook"
    assert (pinned.host, pinned.sni_hostname) == ("hooks.example.com", "hooks.example.com")
    answers["hooks.example.com"] = "127.0.0.1"  # DNS rebinding
    with pytest.raises(ValidationError) as refused:
        destination("https://hooks.example.com/hook", guarded=True)
    assert refused.value.field == "url"
