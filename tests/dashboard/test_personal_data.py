"""The profile page's "Download all my data": the profile's archive, or the signed-in one's."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable

import pytest
from streamlit.testing.v1 import AppTest

from database.connection import DatabaseManager
from database.utilities import DatabaseUtils
from tests.dashboard.helpers import no_exceptions
from tests.dashboard.hosted import account, run_as, signed_in


def _companies(archive: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(archive)) as opened:
        return [a["company"] for a in json.loads(opened.read("tables/job_applications.json"))]


def _export_for(user_id: int) -> None:
    """A run that builds the archive as the page's button would for ``user_id``."""
    import streamlit as st

    from dashboard import scope

    st.session_state["archive"] = scope.export_my_data(user_id)


def test_the_profile_page_offers_the_archive_of_the_profile(
    app: Callable[..., AppTest], user_id: int
) -> None:
    DatabaseUtils.add_job_application(user_id, "Baker", "Crumbs")
    at = app(user_id, "Profile & preferences")
    no_exceptions(at)
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels.count("Download all my data") == 1
    built = AppTest.from_function(_export_for, args=(user_id,), default_timeout=60).run()
    no_exceptions(built)
    assert _companies(built.session_state["archive"]) == ["Crumbs"]


def test_in_hosted_mode_the_archive_is_the_signed_in_persons_whatever_the_page_asks(
    db: DatabaseManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AUTO_APPLYER_MODE", "hosted")
    ann = account(db, "ann@example.com")
    bob = account(db, "bob@example.com")
    DatabaseUtils.add_job_application(ann, "Baker", "Ann Bakery")
    DatabaseUtils.add_job_application(bob, "Pilot", "Bob Airways")
    at = run_as(signed_in("ann@example.com"), _export_for, bob)
    no_exceptions(at)
    assert _companies(at.session_state["archive"]) == ["Ann Bakery"]
