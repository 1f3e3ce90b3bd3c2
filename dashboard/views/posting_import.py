"""The "Import a posting" form: a new application from a job posting's address or its HTML.

Local mode calls ``DatabaseUtils.import_job_posting``; hosted mode the
actor-scoped service for the signed-in person. Either way the page is fetched
before the transaction that stores the application opens.
"""

from __future__ import annotations

import streamlit as st

from dashboard import auth, mode, state
from dashboard.components import forms
from dashboard.components.text import md
from dashboard.views import application_detail
from database.models import JobApplication
from database.services.tenancy import postings
from database.utilities import DatabaseUtils
from utils.errors import AutoApplyerError, ValidationError

FORM = "import_posting"
URL = f"{FORM}.url"
HTML = f"{FORM}.html"
FIELDS = ("url", "html")
#: Who the message under each field is about.
SUBJECTS = {"url": "This address", "html": "This HTML"}


def import_posting(user_id: int, url: str | None, html: str | None) -> JobApplication:
    """The new application of the posting at ``url`` or in ``html`` (see ``import_job_posting``)."""
    if not mode.is_hosted():
        return DatabaseUtils.import_job_posting(user_id, url=url, html=html)
    actor = auth.require_actor()
    fields = postings.read_for_import(actor, url, html)
    with state.ensure_database().session_scope() as session:
        return postings.create_imported(session, actor, fields)


def _submit(user_id: int) -> None:
    url = forms.text_or_none(URL)
    html = forms.text_or_none(HTML)
    if url is None and html is None:
        forms.set_error(FORM, "url", "Paste the posting's address here, or its page's HTML below.")
        return
    try:
        application = import_posting(user_id, url, html)
    except ValidationError as exc:
        forms.set_error(FORM, exc.field, _message(exc))
        return
    except AutoApplyerError as exc:
        forms.set_error(FORM, forms.GENERAL, str(exc))
        return
    forms.errors(FORM).clear()
    for key in (URL, HTML):
        st.session_state.pop(key, None)
    st.session_state[application_detail.SELECTED] = application.id
    state.data_changed()
    state.flash("success", _summary(application))


def _message(exc: ValidationError) -> str:
    if exc.field == "html" and exc.rule.startswith("no job posting"):
        return exc.rule[0].upper() + exc.rule[1:]
    subject = SUBJECTS.get(exc.field)
    if subject is None:  # a value the posting gave that the application refuses
        return f"The posting's {exc.field.replace('_', ' ')} {exc.rule}"
    return f"{subject} {exc.rule}"


def _summary(application: JobApplication) -> str:
    """What was imported, in one line: the details tab shows the rest."""
    parts = [f"Imported {md(application.job_title)} at {md(application.company)}"]
    if application.location:
        parts.append(md(application.location))
    if application.salary_min is not None or application.salary_max is not None:
        low, high = application.salary_min, application.salary_max
        shown = f"{low:,}" if low == high or high is None else f"{low or 0:,} to {high:,}"
        parts.append(f"{shown} {application.salary_currency or ''} a year".replace("  ", " "))
    if application.job_type:
        parts.append(md(application.job_type))
    if application.is_remote:
        parts.append("remote")
    return " · ".join(parts) + ". It is open in the Details tab."


def render(user_id: int) -> None:
    """The form: a posting's address, or its page's HTML for sites that need a sign-in."""
    with st.form(FORM):
        st.markdown("**Import a posting**: paste its address, or the page's HTML.")
        forms.general_error(FORM, FIELDS)
        st.text_input("Job posting URL", key=URL, placeholder="https://boards.example.com/jobs/123")
        forms.field_error(FORM, "url")
        st.text_area(
            "Posting HTML",
            key=HTML,
            height=120,
            help="For a page that needs a sign-in: save or copy its HTML and paste it here. "
            "With both, the address only says where the page came from.",
        )
        forms.field_error(FORM, "html")
        st.form_submit_button("Import posting", on_click=_submit, args=(user_id,))
