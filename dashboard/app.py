"""Auto Applyer dashboard: ``streamlit run dashboard/app.py`` (``make run`` does it).

Opens the database named by ``$ENVIRONMENT`` (development: the SQLite file under
``data/``), creating and migrating it on first start. In hosted mode
(``$AUTO_APPLYER_MODE``) nothing but the sign-in page is drawn until someone
signs in, and then only their own data.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

if __package__ in (None, ""):
    # Run as a script by Streamlit: import the project's packages from its root.
    _root = str(Path(__file__).resolve().parent.parent)
    if _root not in sys.path:
        sys.path.insert(0, _root)

import streamlit as st

from dashboard import auth, mode, navigation, state, urls
from dashboard.views import sign_in, welcome
from utils.errors import AutoApplyerError, DatabaseError

log = logging.getLogger("dashboard")
#: Hosted mode: what a database failure shows (its details, such as the server, go to the log).
UNAVAILABLE = "The service is unavailable right now; try again in a few minutes."


def _hosted() -> None:
    """One run for whoever is signed in, or the sign-in page."""
    actor = auth.current_actor()
    if actor is None:
        state.show_flash()
        sign_in.render()
        return
    urls.restore(navigation.pages_for(actor), hosted=True)
    navigation.hosted_sidebar(actor)
    state.show_flash()
    navigation.render_page(actor.user_id, actor)
    urls.publish(actor.user_id, hosted=True)


def main() -> None:
    """Draw one run of the app."""
    st.set_page_config(page_title="Auto Applyer", page_icon="📋", layout="wide")
    try:
        hosted = mode.is_hosted()
    except AutoApplyerError as exc:
        st.error(f"The dashboard is not configured: {exc}")
        return
    try:
        state.ensure_database()
    except AutoApplyerError as exc:
        if hosted:
            log.error("The database could not be opened: %s", exc)
            st.error(UNAVAILABLE)
        else:
            st.error(f"The database could not be opened: {exc}")
        return
    if hosted:
        try:
            _hosted()
        except DatabaseError as exc:
            log.error("A database call failed: %s", exc)
            st.error(UNAVAILABLE)
        except AutoApplyerError as exc:
            st.error(str(exc))
        return
    urls.restore(navigation.pages_for(None), hosted=False)
    user_id = navigation.sidebar()
    state.show_flash()
    try:
        if user_id is None:
            welcome.render()
        else:
            navigation.render_page(user_id)
    except AutoApplyerError as exc:
        st.error(str(exc))
    urls.publish(user_id, hosted=False)


main()
