"""The API rate limit's settings: API_RATE_LIMIT per API_RATE_LIMIT_WINDOW seconds."""

from __future__ import annotations

import pytest

from database.services.rate_limits import RateLimitPolicy
from utils.errors import ConfigurationError


def test_the_policy_reads_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("API_RATE_LIMIT", "600")
    monkeypatch.setenv("API_RATE_LIMIT_WINDOW", "30")
    policy = RateLimitPolicy.from_environment()
    assert policy == RateLimitPolicy(600, 30)
    assert policy.chunk == 30


def test_no_setting_is_no_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("API_RATE_LIMIT", raising=False)
    assert RateLimitPolicy.from_environment().requests == 0


@pytest.mark.parametrize(("name", "value"), [("API_RATE_LIMIT", "-1"),
                                             ("API_RATE_LIMIT_WINDOW", "0"),
                                             ("API_RATE_LIMIT", "many")])  # fmt: skip
def test_a_bad_setting_names_its_variable(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError, match=f"{name} is invalid") as error:
        RateLimitPolicy.from_environment()
    assert value not in str(error.value)
