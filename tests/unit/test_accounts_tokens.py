"""Pure parts of the accounts family: token values, scopes, errors, the mail sender's settings."""

from __future__ import annotations

import pytest

from database.core.tokens import digest
from database.domain.accounts import SmtpMailSender, ThrottlePolicy
from database.domain.accounts.tokens import IssuedToken, scopes_of
from database.models import ThrottleScope, TokenKind, TokenScope
from utils.errors import AuthenticationError, AutoApplyerError, DatabaseError, ThrottledError


def test_issued_token_repr_hides_the_raw_token() -> None:
    issued = IssuedToken(1, 2, TokenKind.API_KEY, "abcd1234", None, "aa_abcd1234_secret")
    assert "secret" not in repr(issued) and "abcd1234" in repr(issued)


def test_digest_is_sha256_hex() -> None:
    assert digest("aa_x_y") != digest("aa_x_z") and len(digest("aa_x_y")) == 64


def test_write_scope_includes_read() -> None:
    assert scopes_of(TokenScope.WRITE) == {"read", "write"}
    assert scopes_of(TokenScope.READ) == {"read"}


def test_default_policy_limits() -> None:
    policy = ThrottlePolicy()
    assert policy.limit(ThrottleScope.ACCOUNT) == 5 and policy.limit(ThrottleScope.ADDRESS) == 20


def test_account_errors_are_not_outages() -> None:
    for error in (AuthenticationError("x"), ThrottledError(30)):
        assert isinstance(error, AutoApplyerError) and not isinstance(error, DatabaseError)
    assert ThrottledError(30).retry_after == 30


def test_smtp_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert SmtpMailSender.from_environment() == SmtpMailSender()
    monkeypatch.setenv("SMTP_HOST", "mail.internal")
    monkeypatch.setenv("SMTP_PORT", "2525")
    monkeypatch.setenv("SMTP_FROM", "bot@example.com")
    assert SmtpMailSender.from_environment() == SmtpMailSender(
        "mail.internal", 2525, "bot@example.com"
    )
