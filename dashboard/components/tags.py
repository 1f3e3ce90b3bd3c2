"""An application's tags: shown as labels, and edited on its page.

The editor is a multiselect over the person's vocabulary that also takes new
names (``accept_new_options``), so a tag is typed once and picked after.
"""

from __future__ import annotations

from collections.abc import Iterable

import streamlit as st

from dashboard import tags
from dashboard.components import forms
from dashboard.components.text import md
from database.models import JobApplication


def labels(names: Iterable[str]) -> str:
    """Tag names as Markdown labels ("`remote` `referral`"); empty without tags."""
    return " ".join(f":gray-badge[{md(name)}]" for name in names)


def _form(application_id: int) -> str:
    return f"tags_{application_id}"


def _save(application_id: int) -> None:
    form = _form(application_id)
    chosen = st.session_state.get(f"{form}.names") or []
    forms.attempt(form, lambda: tags.set_tags(application_id, list(chosen)), "Tags saved.")


def editor(user_id: int, application: JobApplication) -> None:
    """The tags of the application, changed as soon as the choice changes."""
    form = _form(application.id)
    current = tags.of_application(application.id)
    options = sorted({*tags.vocabulary(user_id), *current}, key=str.casefold)
    st.multiselect(
        "Tags",
        options,
        default=current,
        key=f"{form}.names",
        accept_new_options=True,
        placeholder="Add tags (type a new one and press Enter)",
        on_change=_save,
        args=(application.id,),
    )
    forms.field_error(form, "tags")
    forms.general_error(form, ("tags",))
