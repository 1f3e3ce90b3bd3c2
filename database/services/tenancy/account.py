"""The acting person's own account as a whole: finding in their resumes, closing the account.

Both reach the actor's own rows only (no organization role opens them).
Closing the account needs a credential of scope ``write`` and leaves every
organization first, under the organizations' own rule: the last owner of one
cannot leave it (:class:`~utils.errors.ValidationError` on ``role``), so that
closing an account never strands an organization without an owner; then
nothing is deleted.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.orm import Session

from database.core import files
from database.core.session import get_database_manager
from database.domain import organizations as organizations_domain
from database.domain import resumes, search, users
from database.domain.accounts import Actor
from database.io import resume_files
from database.services.tenancy.guards import require_write_scope

logger = logging.getLogger(__name__)


def search_resumes(
    session: Session, actor: Actor, query: str, limit: int = 20, offset: int = 0
) -> list[dict[str, Any]]:
    """The actor's own resumes matching ``query``, best first (as ``search_resumes``)."""
    return search.search_resumes(session, actor.user_id, query, limit, offset)


def delete_account(session: Session, actor: Actor) -> None:
    """Delete the actor's account with everything they own, their resume files included.

    The rows go first, then the files, in the same order as a single resume's
    deletion (:func:`database.services.tenancy.resumes.delete_resume`).
    """
    require_write_scope(actor)
    for organization, _ in organizations_domain.list_my_organizations(session, actor.user_id):
        organizations_domain.leave(session, actor.user_id, organization.id)
    stored = [r.file_path for r in resumes.list_for_user(session, actor.user_id, False)]
    users.remove(session, actor.user_id)
    root = files.data_dir(get_database_manager().config)
    for path in stored:
        resume_files.remove(root, path)
    logger.info("Account %d closed by its owner", actor.user_id)
