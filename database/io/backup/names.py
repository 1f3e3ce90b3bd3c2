"""Backup names: a name given by a user can never leave the backup folder."""

from __future__ import annotations

import os
import unicodedata
from datetime import datetime
from pathlib import Path

from utils.errors import ValidationError

PLAIN_SUFFIX = ".json"
GZIP_SUFFIX = ".json.gz"
MAX_NAME_LENGTH = 200
DEFAULT_PREFIX = "backup_"
SAFETY_PREFIX = "pre-restore-"


def is_backup_filename(name: str) -> bool:
    """Whether ``name`` looks like a backup (not hidden, ``.json`` or ``.json.gz``)."""
    return not name.startswith(".") and name.endswith((PLAIN_SUFFIX, GZIP_SUFFIX))


def backup_filename(name: str) -> str:
    """The file name of the backup called ``name``: ``.json`` is added unless present.

    A name with a path separator, ``..``, a leading dot, a control character or
    more than 200 characters is a :class:`ValidationError` on ``backup_name``.
    """
    field = "backup_name"
    if not isinstance(name, str):
        raise ValidationError(field, "must be a string")
    if not name.strip():
        raise ValidationError(field, "must not be empty")
    if len(name) > MAX_NAME_LENGTH:
        raise ValidationError(field, f"must be at most {MAX_NAME_LENGTH} characters")
    separators = {"/", "\\", os.sep, os.altsep or "/"}
    if any(sep in name for sep in separators) or Path(name).is_absolute():
        raise ValidationError(field, "must be a plain file name (no folders or path separators)")
    if name.startswith(".") or ".." in name:
        raise ValidationError(field, "must not start with a dot or contain '..'")
    if any(unicodedata.category(ch).startswith("C") for ch in name):
        raise ValidationError(field, "must not contain control or invisible format characters")
    return name if name.endswith((PLAIN_SUFFIX, GZIP_SUFFIX)) else name + PLAIN_SUFFIX


def resolve_in(folder: Path, filename: str) -> Path:
    """``folder / filename``, checked once more to lie directly inside ``folder``."""
    path = folder / filename
    if path.resolve().parent != folder.resolve():
        raise ValidationError("backup_name", "must name a file inside the backup folder")
    return path


def default_name(now: datetime) -> str:
    """A timestamped name, ``backup_20240115_103000.json``."""
    return f"{DEFAULT_PREFIX}{now:%Y%m%d_%H%M%S}{PLAIN_SUFFIX}"


def free_name(folder: Path, filename: str) -> str:
    """``filename``, or ``name_2.json``, ``name_3.json``... when it is taken."""
    if not (folder / filename).exists():
        return filename
    suffix = GZIP_SUFFIX if filename.endswith(GZIP_SUFFIX) else PLAIN_SUFFIX
    stem = filename[: -len(suffix)]
    counter = 2
    while (folder / f"{stem}_{counter}{suffix}").exists():
        counter += 1
    return f"{stem}_{counter}{suffix}"


def safety_name(now: datetime) -> str:
    """The name of the backup a restore takes first: ``pre-restore-20240115_103000.json``."""
    return f"{SAFETY_PREFIX}{now:%Y%m%d_%H%M%S}{PLAIN_SUFFIX}"
