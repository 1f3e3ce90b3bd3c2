"""Backups that can be trusted and restores that are all-or-nothing.

:class:`BackupManager` is the spec's API (create, list, verify, restore);
:func:`verify_backup` checks a backup file in full and restores it on trial into
a scratch database. The file format is described in :mod:`database.backup.format`.
"""

from database.backup.format import FORMAT_VERSION
from database.backup.manager import BackupManager
from database.backup.validation import BackupSummary
from database.backup.verify import verify_backup

__all__ = ["FORMAT_VERSION", "BackupManager", "BackupSummary", "verify_backup"]
