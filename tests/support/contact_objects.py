"""The contact objects of the API's authorization world (see ``tests/support/api_world.py``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from database.domain import contacts


def _contact(session: Session, user_id: int) -> int:
    fields = {"name": "Ada Recruiter", "company": "Acme", "email": "ada@acme.example"}
    return contacts.create(session, user_id, fields).id


#: Object name -> a maker of (session, owner's id) returning the new object's id.
CONTACT_MAKERS: dict[str, Callable[[Session, int], Any]] = {"contact": _contact}
