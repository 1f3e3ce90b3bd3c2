"""Backups that can be trusted and restores that are all-or-nothing.

:class:`BackupManager` is the spec's API (create, list, verify, restore);
:func:`verify_backup` checks a backup file in full and restores it on trial into
a scratch database. The file format is described in :mod:`database.io.backup.format`.
"""

from database.io.backup.format import FORMAT_VERSION
from database.io.backup.manager import BackupManager
from database.io.backup.validation import BackupSummary
from database.io.backup.verify import verify_backup

__all__ = ["FORMAT_VERSION", "BackupManager", "BackupSummary", "verify_backup"]
