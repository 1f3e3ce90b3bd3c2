"""Export the filtered applications (CSV, Excel, PDF) and import a CSV."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import streamlit as st

from dashboard import exports, forms, queries
from database.utilities import DatabaseUtils

IMPORT_FORM = "import_csv"
MAX_IMPORT_BYTES = 20 * 1024 * 1024


def _csv(user_id: int, criteria: queries.ApplicationFilter) -> bytes:
    return exports.applications_csv(queries.iter_applications(user_id, criteria))


def _xlsx(user_id: int, criteria: queries.ApplicationFilter) -> bytes:
    return exports.applications_xlsx(queries.iter_applications(user_id, criteria))


def _pdf(user_id: int, criteria: queries.ApplicationFilter) -> bytes:
    user = DatabaseUtils.get_user_by_id(user_id)
    assert user is not None
    rows = list(queries.iter_applications(user_id, criteria))
    header = exports.ReportHeader(user.full_name, user.email, user.location, criteria.describe())
    return exports.applications_pdf(header, rows, queries.histories([a.id for a in rows]))


def _downloads(user_id: int, criteria: queries.ApplicationFilter) -> None:
    st.markdown("**Export the applications that match the filters**")
    st.caption("Files are built when you click, from the data as it is then.")
    csv_col, xlsx_col, pdf_col = st.columns(3)
    csv_col.download_button(
        "Download CSV",
        lambda: _csv(user_id, criteria),
        file_name="applications.csv",
        mime="text/csv",
        key="export.csv",
    )
    xlsx_col.download_button(
        "Download Excel",
        lambda: _xlsx(user_id, criteria),
        file_name="applications.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="export.xlsx",
    )
    pdf_col.download_button(
        "Download PDF record",
        lambda: _pdf(user_id, criteria),
        file_name="job-search-record.pdf",
        mime="application/pdf",
        key="export.pdf",
    )


def _import(user_id: int) -> None:
    upload = st.session_state.get(f"{IMPORT_FORM}.file")
    importer: Any = getattr(DatabaseUtils, "import_applications_csv", None)
    if upload is None or importer is None:
        return
    content = upload.getvalue()
    if len(content) > MAX_IMPORT_BYTES:
        st.session_state[f"_errors.{IMPORT_FORM}"] = {"file": "File is larger than 20 MB"}
        return
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "import.csv"
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(content)
        result: dict[str, Any] = {}

        def work() -> None:
            result["report"] = importer(user_id, str(path))

        forms.attempt(IMPORT_FORM, work, "Import finished.")
    if "report" in result:
        st.session_state[f"{IMPORT_FORM}.report"] = result["report"]


def _uploader(user_id: int) -> None:
    st.markdown("**Import applications from a CSV file**")
    if getattr(DatabaseUtils, "import_applications_csv", None) is None:
        st.info("CSV import is not available in this version.")
        return
    st.caption("Columns as in the CSV export; duplicates of existing postings are skipped.")
    with st.form(IMPORT_FORM, clear_on_submit=False):
        st.file_uploader("CSV file", type=["csv"], key=f"{IMPORT_FORM}.file")
        forms.field_error(IMPORT_FORM, "file")
        forms.general_error(IMPORT_FORM, ("file",))
        st.form_submit_button("Import", on_click=_import, args=(user_id,))
    report = st.session_state.get(f"{IMPORT_FORM}.report")
    if report is not None:
        st.write(report)


def render(user_id: int, criteria: queries.ApplicationFilter) -> None:
    """The Export & import tab."""
    _downloads(user_id, criteria)
    st.divider()
    _uploader(user_id)
