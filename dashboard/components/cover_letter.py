"""The cover letter section of the application page: its text, a file, download and removal.

The uploader states and enforces the real limit (that of resumes), and is a
new, empty widget after each successful upload, so a second click has nothing
to send again; the same file sent twice is kept once anyway.
"""

from __future__ import annotations

import streamlit as st

from dashboard import cover_letters
from dashboard.components import forms
from dashboard.components.text import md
from database.domain.cover_letters import MAX_BODY
from database.models import CoverLetter


def _form(application_id: int) -> str:
    return f"cover_letter_{application_id}"


def _uploader_key(application_id: int) -> str:
    # A new key after each upload: the widget comes back empty.
    generation = st.session_state.get(f"{_form(application_id)}.uploads", 0)
    return f"{_form(application_id)}.file.{generation}"


def _save_text(application_id: int) -> None:
    form = _form(application_id)
    body = st.session_state.get(f"{form}.body")
    forms.attempt(
        form,
        lambda: cover_letters.set_text(application_id, body if isinstance(body, str) else ""),
        "Cover letter saved.",
    )


def _upload(application_id: int) -> None:
    form = _form(application_id)
    upload = st.session_state.get(_uploader_key(application_id))
    if upload is None:
        forms.set_error(form, "file", "Choose a file first.")
        return
    content = upload.getvalue()
    if forms.attempt(
        form,
        lambda: cover_letters.attach_file(application_id, upload.name, content),
        f"Attached {md(upload.name)}.",
    ):
        counter = f"{form}.uploads"
        st.session_state[counter] = st.session_state.get(counter, 0) + 1


def _remove_file(application_id: int) -> None:
    forms.attempt(
        _form(application_id),
        lambda: cover_letters.remove_file(application_id),
        "The cover letter's file was removed.",
    )


def _delete(application_id: int) -> None:
    form = _form(application_id)
    if forms.attempt(form, lambda: cover_letters.delete(application_id), "Cover letter deleted."):
        st.session_state.pop(f"{form}.body", None)


def _file_row(application_id: int, letter: CoverLetter) -> None:
    if letter.filename is None:
        return
    size = f"{(letter.file_size or 0) / 1024:.1f} KB"
    st.caption(f"File: {md(letter.filename)} · {(letter.file_type or '?').upper()} · {size}")
    left, right = st.columns(2)
    content = cover_letters.file_content(application_id)
    if content is None:
        left.caption("The file is missing.")
    else:
        left.download_button(
            "Download the file",
            content,
            file_name=letter.filename,
            key=f"{_form(application_id)}.download",
        )
    right.button(
        "Remove the file",
        key=f"{_form(application_id)}.remove_file",
        on_click=_remove_file,
        args=(application_id,),
    )


def section(application_id: int) -> None:
    """The cover letter of the application: write or edit it, attach, download, remove."""
    form = _form(application_id)
    letter = cover_letters.get(application_id)
    with st.expander("Cover letter", expanded=letter is not None):
        forms.general_error(form, ("body", "file"))
        body_key = f"{form}.body"
        if body_key not in st.session_state:
            st.session_state[body_key] = (letter.body if letter else None) or ""
        with st.form(f"{form}.text"):
            st.text_area("Text of the cover letter", key=body_key, height=200, max_chars=MAX_BODY)
            forms.field_error(form, "body")
            st.form_submit_button("Save the text", on_click=_save_text, args=(application_id,))
        if letter is not None:
            _file_row(application_id, letter)
        with st.form(f"{form}.upload"):
            megabytes = cover_letters.MAX_BYTES // 2**20
            st.file_uploader(
                f"Attach a file (PDF, DOCX or TXT, at most {megabytes} MB)",
                type=list(cover_letters.KINDS),
                key=_uploader_key(application_id),
                max_upload_size=megabytes,
            )
            forms.field_error(form, "file")
            st.form_submit_button("Attach", on_click=_upload, args=(application_id,))
        if letter is not None:
            confirmed = st.checkbox("Yes, delete the cover letter", key=f"{form}.confirm")
            st.button(
                "Delete the cover letter",
                key=f"{form}.delete",
                disabled=not confirmed,
                on_click=_delete,
                args=(application_id,),
            )
