"""The Contacts page: the people one deals with at companies; and an application's contacts."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from dashboard import contact_scope
from dashboard.components import forms, time_zone
from dashboard.components.text import md
from database.domain.contacts import field_errors
from database.models import Contact

FORM = "contact_form"
FIELDS = ("name", "company", "role", "email", "phone", "linkedin_url", "notes")
LABELS = {
    "name": "Name", "company": "Company", "role": "Role", "email": "Email", "phone": "Phone",
    "linkedin_url": "LinkedIn", "notes": "Notes",
}  # fmt: skip
SEARCH = "contacts.search"
CHOSEN = "contacts.chosen"


def _key(form: str, name: str) -> str:
    return f"{form}.{name}"


def _values(form: str) -> dict[str, Any]:
    """What the form holds; an empty box is an empty text (which clears the field)."""
    return {name: str(st.session_state.get(_key(form, name)) or "").strip() for name in FIELDS}


def _save(user_id: int, form: str, contact_id: int | None) -> None:
    values = _values(form)
    forms.attempt(
        form,
        lambda: (
            contact_scope.add(user_id, {k: v for k, v in values.items() if v})
            if contact_id is None
            else contact_scope.update(contact_id, values)
        ),
        "Contact saved.",
        clear=[_key(form, n) for n in FIELDS] if contact_id is None else (),
        check=lambda: field_errors(values),
        labels=LABELS,
    )


def _fields(form: str, contact: Contact | None) -> None:
    forms.general_error(form, FIELDS)
    for name in FIELDS:
        key = _key(form, name)
        if contact is not None and key not in st.session_state:
            st.session_state[key] = getattr(contact, name) or ""
        widget = st.text_area if name == "notes" else st.text_input
        widget(LABELS[name] + (" *" if name == "name" else ""), key=key)
        forms.field_error(form, name)


def _add_form(user_id: int) -> None:
    with st.form(FORM):
        _fields(FORM, None)
        st.form_submit_button("Add contact", on_click=_save, args=(user_id, FORM, None))


def _chosen_section(user_id: int, contact: Contact) -> None:
    form = f"{FORM}.{contact.id}"
    with st.form(form):
        _fields(form, contact)
        st.form_submit_button("Save changes", on_click=_save, args=(user_id, form, contact.id))
    when = time_zone.moment(contact.last_contacted_at) if contact.last_contacted_at else "never"
    st.caption(f"Last contacted: {when}")
    left, right = st.columns(2)
    left.button(
        "Mark contacted now",
        key=f"contacts.mark.{contact.id}",
        on_click=_attempt,
        args=(form, lambda: contact_scope.mark_contacted(contact.id), "Marked as contacted."),
    )
    right.button(
        "Delete contact",
        key=f"contacts.delete.{contact.id}",
        on_click=_attempt,
        args=(form, lambda: contact_scope.delete(contact.id), "Contact deleted."),
    )


def render(user_id: int) -> None:
    """The Contacts page."""
    st.title("Contacts")
    st.caption("Recruiters, hiring managers and referrers, linked to your applications.")
    query = st.text_input("Search contacts", key=SEARCH, placeholder="name, company, role, email")
    found = contact_scope.contacts(user_id, query.strip() or None)
    if found:
        st.dataframe(
            pd.DataFrame(
                {
                    "Name": [c.name for c in found],
                    "Company": [c.company or "" for c in found],
                    "Role": [c.role or "" for c in found],
                    "Email": [c.email or "" for c in found],
                    "Phone": [c.phone or "" for c in found],
                    "Last contacted": [
                        time_zone.moment(c.last_contacted_at) if c.last_contacted_at else ""
                        for c in found
                    ],
                }
            ),
            hide_index=True,
            width="stretch",
        )
        names = {c.id: f"{c.name} ({c.company})" if c.company else c.name for c in found}
        chosen = st.selectbox(
            "Contact", list(names), format_func=lambda i: names[i], key=CHOSEN, index=None
        )
        contact = next((c for c in found if c.id == chosen), None)
        if contact is not None:
            _chosen_section(user_id, contact)
    else:
        st.info("No contacts yet." if not query.strip() else "No contact matches the search.")
    with st.expander("Add a contact", expanded=not found):
        _add_form(user_id)


def application_section(user_id: int, application_id: int) -> None:
    """An application's contacts: who is linked, link another one, unlink."""
    form = f"application_contacts.{application_id}"
    st.markdown("**Contacts**")
    forms.general_error(form, ())
    linked = contact_scope.of_application(application_id)
    for contact in linked:
        left, right = st.columns([4, 1])
        detail = " · ".join(md(v) for v in (contact.role, contact.company, contact.email) if v)
        left.markdown(f"{md(contact.name)}" + (f" — {detail}" if detail else ""))
        right.button(
            "Unlink",
            key=f"{form}.unlink.{contact.id}",
            on_click=_attempt,
            args=(form, _linker(application_id, contact.id, False), "Contact unlinked."),
        )
    ids = {c.id for c in linked}
    others = [c for c in contact_scope.contacts(user_id) if c.id not in ids]
    if not others:
        st.caption("Add people on the Contacts page to link them here.")
        return
    names = {c.id: f"{c.name} ({c.company})" if c.company else c.name for c in others}
    key = f"{form}.choice"
    st.selectbox("Link a contact", list(names), format_func=lambda i: names[i], key=key)
    st.button("Link", key=f"{form}.link", on_click=_link_chosen, args=(form, application_id, key))


def _attempt(form: str, action: Any, success: str) -> None:
    """A button's callback: ``action`` with its error shown on ``form``."""
    forms.attempt(form, action, success)


def _linker(application_id: int, contact_id: int, linked: bool) -> Any:
    return lambda: contact_scope.link(application_id, contact_id, linked)


def _link_chosen(form: str, application_id: int, key: str) -> None:
    chosen = st.session_state.get(key)
    if chosen is not None:
        forms.attempt(form, _linker(application_id, int(chosen), True), "Contact linked.")
