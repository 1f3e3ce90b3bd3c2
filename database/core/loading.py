"""The loading policy of relationships, and a clear error for one that was not loaded.

Relationships load lazily (``lazy="select"``) inside a session, as SQLAlchemy
users expect. Objects returned by :class:`~database.utilities.DatabaseUtils`
are detached: their session is closed, so they can never run SQL. Each getter
eager-loads the relationships it documents; reading any other relationship of
a detached object raises :class:`~sqlalchemy.orm.exc.DetachedInstanceError`.
SQLAlchemy's own message says only that the load "cannot proceed"; this module
rewrites it to name the relationship and say how to load it.

The rewrite wraps the class-level lazy loader of each relationship (the
``callable_`` of its attribute implementation), which SQLAlchemy has no public
hook for; ``tests/integration/core/test_relationships.py`` pins the behaviour, so an
upgrade that changes the internals fails loudly rather than silently.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Mapper
from sqlalchemy.orm.exc import DetachedInstanceError

#: The ``DatabaseUtils`` call that returns a relationship's objects, where there is one.
API_CALLS = {
    "User.resumes": "DatabaseUtils.get_user_resumes(user_id, active_only=False)",
    "User.applications": "DatabaseUtils.get_user_applications(user_id)",
    "User.search_history": "DatabaseUtils.get_search_history(user_id)",
    "User.preferences": "DatabaseUtils.get_user_preferences(user_id)",
    "Resume.user": "DatabaseUtils.get_user_by_id(resume.user_id)",
    "JobApplication.user": "DatabaseUtils.get_application(application_id)",
    "JobApplication.resume": "DatabaseUtils.get_application(application_id)",
    "JobApplication.history": "DatabaseUtils.get_application(application_id)",
    "JobApplication.notes_log": "DatabaseUtils.get_application(application_id)",
    "ApplicationStatusHistory.application": "DatabaseUtils.get_application(application_id)",
    "ApplicationNote.application": "DatabaseUtils.get_application(application_id)",
}


def unloaded_message(owner: str, name: str) -> str:
    """What to do when ``owner.name`` was not loaded on a detached object."""
    where = f"{owner}.{name}"
    call = API_CALLS.get(where)
    returned = f"{call} returns it loaded; or, " if call else ""
    return (
        f"{where} was not loaded, and this {owner} is detached (the call that returned it "
        f"has ended), so it cannot run SQL to load it now. {returned}inside "
        f"`with db_session_scope() as session:`, read it from an object of that session, "
        f"or load it up front with options=[selectinload({where})]."
    )


Loader = Callable[[Any, Any], Any]


def _explaining(loader: Loader, owner: str, name: str) -> Loader:
    @functools.wraps(loader)
    def load(state: Any, passive: Any) -> Any:
        try:
            return loader(state, passive)
        except DetachedInstanceError as exc:
            raise DetachedInstanceError(unloaded_message(owner, name)) from exc

    load.__dict__["explains_unloaded"] = True
    return load


def _wrap_lazy_loaders(mapper: Mapper[Any], class_: type) -> None:
    for prop in mapper.relationships:
        impl = getattr(class_, prop.key).impl
        loader = impl.callable_
        if loader is not None and not getattr(loader, "explains_unloaded", False):
            impl.callable_ = _explaining(loader, class_.__name__, prop.key)


def explain_unloaded_relationships(base: type) -> None:
    """Make every mapped subclass of ``base`` explain an unloaded detached relationship."""
    event.listen(base, "mapper_configured", _wrap_lazy_loaders, propagate=True)
