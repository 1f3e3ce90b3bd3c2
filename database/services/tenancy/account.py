"""The acting person's own account as a whole: their resumes' text, their data out, closing it.

All reach the actor's own rows only (no organization role opens them).
Closing the account is the erasure of :mod:`database.domain.erasure` (the
same as ``DatabaseUtils.erase_user``) and needs a credential of scope
``write``: as the last owner of an organization with other members, its
longest-standing admin takes it over; with no admin the closing is refused
(:class:`~utils.errors.ValidationError` on ``role``) and nothing is deleted.
The resume files go once the transaction commits.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from database.core import files
from database.core.session import get_database_manager
from database.domain import search
from database.domain.accounts import Actor
from database.io import personal_erasure, personal_export
from database.services.tenancy.guards import require_write_scope

logger = logging.getLogger(__name__)


def search_resumes(
    session: Session, actor: Actor, query: str, limit: int = 20, offset: int = 0
) -> list[dict[str, Any]]:
    """The actor's own resumes matching ``query``, best first (as ``search_resumes``)."""
    return search.search_resumes(session, actor.user_id, query, limit, offset)


def export_data(session: Session, actor: Actor) -> bytes:
    """The actor's personal export: every row of theirs and their files in one ZIP archive."""
    archive = personal_export.build_archive(session, actor.user_id, _data_dir())
    assert archive is not None  # the actor's own account exists in their transaction
    return archive


def delete_account(session: Session, actor: Actor) -> None:
    """Erase the actor's account: every row of theirs now, their resume files after the commit."""
    require_write_scope(actor)
    personal_erasure.erase(session, actor.user_id, _data_dir())
    logger.info("Account %d closed by its owner", actor.user_id)


def _data_dir() -> Path:
    return files.data_dir(get_database_manager().config)
