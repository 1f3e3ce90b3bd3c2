"""Export the filtered applications (CSV, Excel, PDF) and import a CSV."""

from __future__ import annotations

from functools import partial
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import exports, mode, queries, scope, state
from dashboard.components import forms
from dashboard.components.text import md
from database.io.csv_io import ImportReport
from database.utilities import DatabaseUtils

IMPORT_FORM = "import_csv"
MAX_IMPORT_BYTES = 20 * 1024 * 1024


def _csv(user_id: int, criteria: queries.ApplicationFilter) -> bytes:
    return exports.applications_csv(queries.iter_applications(user_id, criteria))


def _xlsx(user_id: int, criteria: queries.ApplicationFilter) -> bytes:
    if mode.is_hosted():
        return scope.own_xlsx(criteria)
    letters = DatabaseUtils.get_cover_letter_texts(user_id)
    people = DatabaseUtils.list_contacts(user_id)
    return exports.applications_xlsx(
        queries.iter_applications(user_id, criteria), people, cover_letters=letters
    )


def _pdf(user_id: int, criteria: queries.ApplicationFilter) -> bytes:
    if mode.is_hosted():
        return scope.own_pdf(criteria)
    user = DatabaseUtils.get_user_by_id(user_id)
    assert user is not None
    rows = list(queries.iter_applications(user_id, criteria))
    header = exports.ReportHeader(user.full_name, user.email, user.location, criteria.describe())
    letters = DatabaseUtils.get_cover_letter_texts(user_id)
    return exports.applications_pdf(
        header, rows, queries.histories([a.id for a in rows]), cover_letters=letters
    )


XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _downloads(user_id: int, criteria: queries.ApplicationFilter) -> None:
    st.markdown("**Export the applications that match the filters**")
    st.caption("Files are built when you click, from the data as it is then.")
    downloads = (
        ("Download CSV", _csv, "applications.csv", "text/csv", "csv"),
        ("Download Excel", _xlsx, "applications.xlsx", XLSX_MIME, "xlsx"),
        ("Download PDF record", _pdf, "job-search-record.pdf", "application/pdf", "pdf"),
    )
    for column, (label, build, file_name, mime, key) in zip(
        st.columns(len(downloads)), downloads, strict=True
    ):
        column.download_button(
            label,
            partial(build, user_id, criteria),
            file_name=file_name,
            mime=mime,
            key=f"export.{key}",
        )


def _import(user_id: int) -> None:
    upload = forms.uploaded_file(IMPORT_FORM, "Choose a CSV file first.")
    if upload is None:
        return
    content = upload.getvalue()
    if len(content) > MAX_IMPORT_BYTES:
        forms.set_error(IMPORT_FORM, "file", "File must be at most 20 MB")
        return
    reports: list[ImportReport] = []
    forms.attempt(
        IMPORT_FORM,
        lambda: reports.append(scope.import_csv(user_id, content)),
        "Import finished.",
    )
    if reports:
        report = reports[0]
        st.session_state[f"{IMPORT_FORM}.report"] = report.as_dict()
        state.flash(
            "success",
            f"Imported {md(upload.name)}: {report.added} added, {report.skipped_duplicates} "
            f"duplicates skipped, {len(report.rejected)} rejected.",
        )


def _report(report: dict[str, Any]) -> None:
    if report["rejected"]:
        st.warning("Rows not imported (row 1 is the header):")
        st.dataframe(pd.DataFrame(report["rejected"]), hide_index=True, width="stretch")
    if report["ignored_columns"]:
        st.caption("Columns ignored: " + ", ".join(report["ignored_columns"]))


def _uploader(user_id: int) -> None:
    st.markdown("**Import applications from a CSV file**")
    st.caption(
        "A header row with field names (as in the CSV export); job_title and company are "
        "required. The same posting already tracked is skipped as a duplicate."
    )
    with st.form(IMPORT_FORM):
        st.file_uploader(
            "CSV file",
            type=["csv"],
            key=f"{IMPORT_FORM}.file",
            max_upload_size=MAX_IMPORT_BYTES // (1024 * 1024),
        )
        forms.field_error(IMPORT_FORM, "file")
        forms.general_error(IMPORT_FORM, ("file",))
        st.form_submit_button("Import", on_click=_import, args=(user_id,))
    report = st.session_state.get(f"{IMPORT_FORM}.report")
    if report is not None:
        _report(report)


def render(user_id: int, criteria: queries.ApplicationFilter) -> None:
    """The Export & import tab."""
    _downloads(user_id, criteria)
    st.divider()
    _uploader(user_id)
