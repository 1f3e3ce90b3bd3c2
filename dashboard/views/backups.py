"""The Backups page: create, list, verify and restore (with a typed confirmation).

A backup holds every profile of the database and its resume files. The folder
is the ``BackupManager`` default (``backups/`` under the project root, or
``$AUTO_APPLYER_BACKUP_DIR``), the same as the command line's. A restore first
writes a safety backup of the current data there.
"""

from __future__ import annotations

import os
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import state
from dashboard.components import forms
from database.io.backup import BackupManager

CREATE = "backup_create"
RESTORE = "backup_restore"


def manager() -> BackupManager:
    """The ``BackupManager`` of the dashboard's backup folder."""
    return BackupManager()


def _create() -> None:
    name = forms.text_or_none(f"{CREATE}.name")
    created: list[str] = []
    if forms.attempt(
        CREATE, lambda: created.append(manager().create_backup(name)), "Backup created."
    ):
        state.flash("success", f"Backup created: {os.path.basename(created[0])}")


def _verify(path: str) -> None:
    summary: list[Any] = []
    if forms.attempt("backup_verify", lambda: summary.append(manager().verify_backup(path)), ""):
        state.flash(
            "success",
            f"{os.path.basename(path)} verifies: {summary[0].total_rows} rows, checksum "
            "correct, and a trial restore into a scratch database succeeded.",
        )


def _restore(path: str) -> None:
    summary: list[Any] = []
    backups = manager()

    def work() -> None:
        summary.append(backups.restore_backup(path, confirm=True))
        st.cache_data.clear()

    restored = forms.attempt(RESTORE, work, "")
    safety = backups.last_safety_backup
    if restored:
        state.flash(
            "success",
            f"Restored {os.path.basename(path)}: {summary[0].total_rows} rows and "
            f"{summary[0].files.count} resume files. The data as it was before is in the "
            f"safety backup {os.path.basename(safety or '')}.",
        )
        st.session_state.pop(RESTORE + ".typed", None)
    elif safety is not None:
        state.flash(
            "info", f"Nothing was changed; a safety backup was kept: {os.path.basename(safety)}"
        )


def _listing(backups: list[dict[str, Any]]) -> None:
    frame = pd.DataFrame(
        {
            "Backup": [b["filename"] for b in backups],
            "Created (UTC)": [
                b["created"].strftime("%Y-%m-%d %H:%M:%S") if b["created"] else "" for b in backups
            ],
            "Size (KB)": [round(b["size"] / 1024, 1) for b in backups],
            "Environment": [b["environment"] or "" for b in backups],
            "Schema": [b["schema_version"] or "" for b in backups],
            "Rows": [sum(b["row_counts"].values()) for b in backups],
            "Files": [b["files"] for b in backups],
            "Missing files": [len(b["missing_files"]) for b in backups],
            "Problem": [b["error"] or "" for b in backups],
        }
    )
    st.dataframe(frame, hide_index=True, width="stretch")


def _actions(backups: list[dict[str, Any]]) -> None:
    paths = {b["filename"]: b["path"] for b in backups}
    chosen = st.selectbox("Backup", list(paths), key="backup.chosen")
    if chosen is None:
        return
    forms.general_error("backup_verify", ())
    st.button("Verify", key="backup.verify", on_click=_verify, args=(paths[chosen],))
    with st.expander("Restore this backup"):
        st.warning(
            "Restoring replaces ALL data of this database (every profile) with the backup's, "
            "and puts its resume files back. A safety backup of the current data is "
            "written to the backup folder first."
        )
        typed = st.text_input(
            f"Type the backup's name ({chosen}) to confirm", key=RESTORE + ".typed"
        )
        forms.general_error(RESTORE, ())
        st.button(
            "Restore",
            key="backup.restore",
            type="primary",
            disabled=typed.strip() != chosen,
            on_click=_restore,
            args=(paths[chosen],),
        )


def render(user_id: int) -> None:
    """The Backups page."""
    del user_id  # a backup holds every profile
    st.title("Backups")
    backups_manager = manager()
    st.caption(f"Folder: {backups_manager.backup_dir}")
    with st.form(CREATE):
        st.text_input("Name (optional; a timestamped name otherwise)", key=f"{CREATE}.name")
        forms.field_error(CREATE, "backup_name")
        forms.general_error(CREATE, ("backup_name",))
        st.form_submit_button("Create backup", type="primary", on_click=_create)
    backups = backups_manager.list_backups(verify=False)
    if not backups:
        st.info("No backups yet.")
        return
    _listing(backups)
    _actions(backups)
