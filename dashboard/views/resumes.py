"""The Resumes page: upload (PDF, DOCX, TXT), the active resume, extracted skills."""

from __future__ import annotations

import streamlit as st

from dashboard import resume_files, scope
from dashboard.components import forms, time_zone
from dashboard.components.text import md
from database.models import Resume

FORM = "upload_resume"


def _upload(user_id: int) -> None:
    upload = forms.uploaded_file(FORM, "Choose a file first.")
    if upload is None:
        return
    content = upload.getvalue()
    active = bool(st.session_state.get(f"{FORM}.active", True))
    forms.attempt(
        FORM,
        lambda: scope.upload_resume(user_id, content, upload.name, active),
        f"Uploaded {md(upload.name)}.",
    )


def _set_active(resume_id: int) -> None:
    forms.attempt("resumes", lambda: scope.activate_resume(resume_id), "Active resume set.")


def _delete(resume: Resume) -> None:
    forms.attempt("resumes", lambda: scope.delete_resume(resume), f"Deleted {md(resume.filename)}.")


def _resume_card(resume: Resume) -> None:
    with st.container(border=True):
        badge = " · ✅ **active**" if resume.is_active else ""
        st.markdown(f"**{md(resume.filename)}**{badge}")
        size = f"{resume.file_size / 1024:.1f} KB" if resume.file_size else "size unknown"
        st.caption(
            f"{(resume.file_type or '?').upper()} · {size} · "
            f"uploaded {time_zone.day(resume.upload_date)}"
        )
        st.write("Skills: " + (", ".join(resume.skills_extracted) or "none recognised"))
        if resume.parsed_text:
            with st.expander("Extracted text"):
                st.text(resume.parsed_text[:5000])
        left, right = st.columns(2)
        content = scope.resume_content(resume)
        if content is None:
            left.caption("The original file is missing.")
        else:
            left.download_button(
                "Download the original",
                content,
                file_name=resume.filename,
                key=f"resume.download.{resume.id}",
            )
        if not resume.is_active:
            left.button(
                "Make active",
                key=f"resume.active.{resume.id}",
                on_click=_set_active,
                args=(resume.id,),
            )
        confirm = right.checkbox("Confirm delete", key=f"resume.confirm.{resume.id}")
        right.button(
            "Delete",
            key=f"resume.delete.{resume.id}",
            disabled=not confirm,
            on_click=_delete,
            args=(resume,),
        )


def render(user_id: int) -> None:
    """The Resumes page."""
    st.title("Resumes")
    with st.form(FORM):
        st.file_uploader(
            f"Upload a resume (PDF, DOCX or TXT, at most {resume_files.MAX_BYTES // 2**20} MB)",
            type=list(resume_files.KINDS),
            key=f"{FORM}.file",
            # The widget states and enforces the real limit, not the server's default.
            max_upload_size=resume_files.MAX_BYTES // 2**20,
        )
        forms.field_error(FORM, "file")
        forms.general_error(FORM, ("file",))
        st.checkbox("Make it my active resume", value=True, key=f"{FORM}.active")
        st.form_submit_button("Upload", type="primary", on_click=_upload, args=(user_id,))
    forms.general_error("resumes", ())
    resumes = scope.list_resumes(user_id)
    if not resumes:
        st.info("No resume yet: upload one to record which version you send where.")
    for resume in resumes:
        _resume_card(resume)
