"""The ``DatabaseUtils`` calls of a person's rights: their data out (export) and gone (erasure)."""

from __future__ import annotations

import math
from pathlib import Path

from database.core import files
from database.core.session import get_database_manager
from database.domain.schemas import require_id
from database.io import personal_erasure, personal_export
from database.services.calls import run
from utils.errors import ValidationError


def _data_dir() -> Path:
    return files.data_dir(get_database_manager().config)


class PersonalDataCalls:
    """Export everything of a person as one archive; erase every row and file of theirs."""

    @staticmethod
    def export_user_data(user_id: int, path: str | Path | None = None) -> bytes | Path | None:
        """Every row of the person as JSON in one ZIP archive, their resume files and a README.

        Without ``path`` the archive's bytes are returned; with it the archive
        is written there (atomically, mode 0600) and the path is returned.
        ``None`` when there is no such user (nothing is written then). Read in
        one transaction, so the archive is one consistent moment. The format
        is described in :mod:`database.io.personal_export` and in the
        archive's own README.md.
        """
        require_id(user_id, "user_id")
        target = None if path is None else personal_export.writable_target(path)
        root = _data_dir()
        content = run(lambda s: personal_export.build_archive(s, user_id, root))
        if content is None or target is None:
            return content
        return personal_export.write_private(target, content)

    @staticmethod
    def erase_user(user_id: int) -> bool:
        """Remove every row and resume file of the person; ``False`` when there is no such user.

        One transaction removes the rows; the files stored under the data
        folder are removed after it commits (a crash in between leaves at
        most unreferenced files, which :meth:`remove_orphan_resume_files`
        removes). As their last owner, an organization with other members
        passes to its longest-standing admin; with no admin the erasure is
        refused with :class:`~utils.errors.ValidationError` on ``role`` and
        nothing changes. An organization with no other member is removed.
        """
        require_id(user_id, "user_id")
        root = _data_dir()
        return run(lambda s: personal_erasure.erase(s, user_id, root)) is not None

    @staticmethod
    def remove_orphan_resume_files(
        min_age_seconds: float = personal_erasure.ORPHAN_MIN_AGE_SECONDS, dry_run: bool = False
    ) -> list[Path]:
        """Remove the resume files under the data folder that no resume names; the ones found.

        Files younger than ``min_age_seconds`` are spared (an upload in
        flight); ``dry_run`` only reports.
        """
        if type(min_age_seconds) not in (int, float) or not 0 <= min_age_seconds < math.inf:
            raise ValidationError("min_age_seconds", "must be a number of seconds, 0 or more")
        if type(dry_run) is not bool:
            raise ValidationError("dry_run", "must be true or false", dry_run)
        root = _data_dir()
        return run(
            lambda s: personal_erasure.remove_orphan_files(s, root, min_age_seconds, dry_run)
        )
