"""Auto Applyer dashboard: ``streamlit run dashboard/app.py`` (``make run`` does it).

Opens the database named by ``$ENVIRONMENT`` (development: the SQLite file under
``data/``), creating and migrating it on first start.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):
    # Run as a script by Streamlit: import the project's packages from its root.
    _root = str(Path(__file__).resolve().parent.parent)
    if _root not in sys.path:
        sys.path.insert(0, _root)

import streamlit as st

from dashboard import navigation, state
from dashboard.views import welcome
from utils.errors import AutoApplyerError


def main() -> None:
    """Draw one run of the app."""
    st.set_page_config(page_title="Auto Applyer", page_icon="📋", layout="wide")
    try:
        state.ensure_database()
    except AutoApplyerError as exc:
        st.error(f"The database could not be opened: {exc}")
        return
    user_id = navigation.sidebar()
    state.show_flash()
    try:
        if user_id is None:
            welcome.render()
        else:
            navigation.render_page(user_id)
    except AutoApplyerError as exc:
        st.error(str(exc))


main()
