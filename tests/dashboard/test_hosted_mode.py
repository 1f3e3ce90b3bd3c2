"""``AUTO_APPLYER_MODE``: its default, its errors, and what the app shows when it cannot start."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from database.core.config import MODE_VARIABLE, deployment_mode
from tests.dashboard.conftest import APP
from tests.dashboard.helpers import errors, no_exceptions
from utils.errors import ConfigurationError


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, "local"),
        ({"ENVIRONMENT": "development"}, "local"),
        ({"ENVIRONMENT": "testing"}, "local"),
        ({"ENVIRONMENT": " Production "}, "hosted"),
        ({"ENVIRONMENT": "production", MODE_VARIABLE: ""}, "hosted"),
        ({"ENVIRONMENT": "production", MODE_VARIABLE: "local"}, "local"),
        ({"ENVIRONMENT": "development", MODE_VARIABLE: "HOSTED"}, "hosted"),
    ],
)
def test_the_mode_defaults_to_hosted_in_production_only(
    environ: dict[str, str], expected: str
) -> None:
    assert deployment_mode(environ) == expected


def test_an_unknown_mode_is_a_configuration_error_naming_the_variable() -> None:
    with pytest.raises(ConfigurationError) as raised:
        deployment_mode({MODE_VARIABLE: "shared"})
    assert MODE_VARIABLE in str(raised.value) and "local, hosted" in str(raised.value)


def test_the_app_reports_an_unknown_mode_and_draws_nothing_else(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(MODE_VARIABLE, "shared")
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    no_exceptions(at)
    assert len(errors(at)) == 1 and MODE_VARIABLE in errors(at)[0]
    assert not at.title and not at.text_input


def test_an_unreachable_database_in_hosted_mode_shows_no_server_details(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = "postgresql://app:s3cret@127.0.0.1:1/private_db"
    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("DATABASE_TIMEOUT", "2")
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    no_exceptions(at)
    assert errors(at) == ["The service is unavailable right now; try again in a few minutes."]
    assert not at.text_input  # not even the sign-in form
