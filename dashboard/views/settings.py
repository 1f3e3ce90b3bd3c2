"""The Settings page: dashboard settings, the database in use, cache upkeep.

In hosted mode only server administrators see it, and never the database URL.
"""

from __future__ import annotations

import streamlit as st

from dashboard import mode, state
from dashboard.components import forms
from database.models import TABLES
from database.services.status import row_counts
from database.utilities import DatabaseUtils

PAGE_SIZE = "dashboard.page_size"
STALE_DAYS = "dashboard.stale_days"
DEFAULT_STALE_DAYS = 14
FORM = "settings"
#: The tables the specification (shared/spec/database-README.md) names.
SPEC_TABLES = (
    "users",
    "user_preferences",
    "resumes",
    "job_applications",
    "search_history",
    "ai_analysis_cache",
    "system_settings",
    "schema_migrations",
)


def stale_days() -> int:
    """After how many days without change an application needs a follow-up."""
    value = DatabaseUtils.get_setting(STALE_DAYS, DEFAULT_STALE_DAYS)
    return value if isinstance(value, int) and value > 0 else DEFAULT_STALE_DAYS


def _save() -> None:
    days = st.session_state.get(f"{FORM}.stale_days")
    forms.attempt(
        FORM, lambda: DatabaseUtils.set_setting(STALE_DAYS, int(days or 0)), "Settings saved."
    )


def _purge() -> None:
    removed: list[int] = []
    forms.attempt(
        "purge", lambda: removed.append(DatabaseUtils.purge_expired_cache()), "Cache purged."
    )
    if removed:
        state.flash("success", f"Removed {removed[0]} expired cache entries.")


def _groups(present: list[str]) -> dict[str, list[str]]:
    """The tables of the database: the spec's, the project's own, and the engine's."""
    schema = [t.name for t in TABLES if t.name in present]
    return {
        "From the specification": [n for n in SPEC_TABLES if n in schema],
        "Added by Auto Applyer": sorted(n for n in schema if n not in SPEC_TABLES),
        # Alembic's version table; on SQLite the full-text search indexes' shadow tables.
        "Kept by the tools": sorted(n for n in present if n not in schema),
    }


def _table_summary(present: list[str]) -> str:
    spec, added, tools = _groups(present).values()
    return (
        f"{len(spec) + len(added)}: the specification's {len(spec)} plus {len(added)} added"
        f" (and {len(tools)} kept by the tools: migrations, search indexes)"
    )


def _table_list(present: list[str]) -> None:
    with st.expander("The tables and their rows (as `auto-applyer-db` lists them)"):
        counts = row_counts(state.ensure_database())
        for title, names in _groups(present).items():
            st.markdown(f"**{title}** ({len(names)})")
            st.table({"table": names, "rows": [str(counts.get(n, "")) for n in names]})


def render(user_id: int) -> None:
    """The Settings page."""
    del user_id  # settings are the same for every profile
    st.title("Settings")
    with st.form(FORM):
        st.number_input(
            "Follow up on applications unchanged for this many days",
            min_value=1,
            max_value=365,
            value=stale_days(),
            step=1,
            key=f"{FORM}.stale_days",
        )
        forms.general_error(FORM, ())
        st.form_submit_button("Save settings", on_click=_save)
    st.subheader("Database")
    info = state.ensure_database().get_database_info()
    rows = {
        "Environment": info["environment"],
        "Engine": info["database_type"],
        "URL": info["url"],
        "Schema version": info["schema_version"],
        "Tables": _table_summary(info["tables"]),
    }
    hosted = mode.is_hosted()
    if hosted:
        # Where the server's database lives is nobody's business on a shared service.
        del rows["URL"]
    st.table({"": list(rows), "value": [str(v) for v in rows.values()]})
    if not hosted:
        st.caption("The URL never shows a password.")
    _table_list(info["tables"])
    st.subheader("AI analysis cache")
    forms.general_error("purge", ())
    st.button("Purge expired cache entries", key="settings.purge", on_click=_purge)
