"""The settings of reminders: the scheduler interval, the SMTP sender, the retry backoff."""

from __future__ import annotations

from datetime import timedelta

import pytest

from api.scheduler import DEFAULT_INTERVAL, scheduler_interval
from database.domain.accounts import SmtpMailSender
from database.domain.notifications.delivery import MAX_BACKOFF, backoff
from utils.errors import ConfigurationError

SMTP_VARIABLES = ("HOST", "PORT", "FROM", "USER", "PASSWORD", "STARTTLS")


def test_the_scheduler_interval_defaults_to_a_minute_and_zero_is_off() -> None:
    assert scheduler_interval({}) == DEFAULT_INTERVAL == 60
    assert scheduler_interval({"API_SCHEDULER_INTERVAL": "2.5"}) == 2.5
    assert scheduler_interval({"API_SCHEDULER_INTERVAL": "0"}) == 0


@pytest.mark.parametrize("raw", ["-1", "soon", "inf", "nan"])
def test_a_bad_scheduler_interval_is_a_configuration_error(raw: str) -> None:
    with pytest.raises(ConfigurationError, match="API_SCHEDULER_INTERVAL"):
        scheduler_interval({"API_SCHEDULER_INTERVAL": raw})


def _clear_smtp(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in SMTP_VARIABLES:
        for prefix in ("SMTP_", "AUTO_APPLYER_SMTP_"):
            monkeypatch.delenv(f"{prefix}{name}", raising=False)


@pytest.mark.parametrize("prefix", ["SMTP_", "AUTO_APPLYER_SMTP_"])
def test_the_smtp_sender_reads_all_six_variables_and_hides_the_password(
    monkeypatch: pytest.MonkeyPatch, prefix: str
) -> None:
    values = {
        "HOST": "mail.example.org", "PORT": "587", "FROM": "noreply@example.org",
        "USER": "mailer", "PASSWORD": "s3cret-value", "STARTTLS": "true",
    }  # fmt: skip
    _clear_smtp(monkeypatch)
    for name in SMTP_VARIABLES:
        monkeypatch.setenv(f"{prefix}{name}", values[name])
    sender = SmtpMailSender.from_environment()
    assert sender == SmtpMailSender(
        "mail.example.org", 587, "noreply@example.org", True, "mailer", "s3cret-value"
    )
    assert "s3cret-value" not in repr(sender)


def test_without_the_new_variables_the_sender_sends_plain_and_anonymous(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _clear_smtp(monkeypatch)
    sender = SmtpMailSender.from_environment()
    assert (sender.starttls, sender.user, sender.password) == (False, None, None)
    monkeypatch.setenv("SMTP_STARTTLS", "maybe")
    with pytest.raises(ConfigurationError, match="STARTTLS"):
        SmtpMailSender.from_environment()


def test_the_plain_smtp_names_override_the_prefixed_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    _clear_smtp(monkeypatch)
    monkeypatch.setenv("AUTO_APPLYER_SMTP_HOST", "old.example.org")
    monkeypatch.setenv("SMTP_HOST", "mail.example.org")
    assert SmtpMailSender.from_environment().host == "mail.example.org"


def test_the_retry_backoff_doubles_up_to_an_hour() -> None:
    waits = [backoff(attempt) for attempt in range(1, 9)]
    assert waits[:4] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert waits[-1] == MAX_BACKOFF == timedelta(hours=1)
    assert waits == sorted(waits)
