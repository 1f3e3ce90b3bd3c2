"""Cover letters for tests: the authorization matrix's application with a letter and its file.

``lettered_application`` (an object of ``tests/support/api_world.py``) is an
application whose cover letter has text and a file that really lies in the
configured data folder, stored by the same :mod:`database.io.cover_letter_files`
the routes use, so that its download succeeds for the owner.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from database.core import files
from database.core.session import get_database_manager
from database.domain import applications, cover_letters
from database.io import cover_letter_files

LETTER_TEXT = "Dear hiring team, I would love to build your data platform."
LETTER_FILE = b"Dear hiring team (the file)."


def _lettered_application(session: Session, user_id: int) -> int:
    application = applications.add(session, user_id, {"job_title": "Writer", "company": "Acme"})
    cover_letters.set_body(session, application.id, LETTER_TEXT)
    root = files.data_dir(get_database_manager().config)
    stored = cover_letter_files.store(root, user_id, LETTER_FILE, "letter.txt")
    cover_letters.attach_file(session, application.id, stored)
    return application.id


#: Object name -> maker, merged into ``OBJECT_MAKERS``.
COVER_LETTER_MAKERS: dict[str, Callable[[Session, int], Any]] = {
    "lettered_application": _lettered_application,
}
