"""The API's resume list is paged by the database (LIMIT/OFFSET and a COUNT), like applications."""

from __future__ import annotations

from database.connection import DatabaseManager
from database.domain import resumes
from database.domain.accounts import Actor
from database.models import TokenKind
from database.services.tenancy import resumes as tenancy
from database.utilities import DatabaseUtils
from tests.support.statements import statements_sent


def _owner_with_resumes(db: DatabaseManager, count: int) -> Actor:
    user = DatabaseUtils.create_user(email="ada@example.com")
    with db.session_scope() as session:
        for number in range(count):
            fields = {"filename": f"cv{number}.txt", "file_path": f"/cv/{number}.txt"}
            resumes.add(session, user.id, {**fields, "is_active": number == 0})
    return Actor(user.id, TokenKind.ACCESS, frozenset({"read", "write"}), False, 0)


def test_a_page_is_cut_by_the_database_and_the_total_counted_there(db: DatabaseManager) -> None:
    actor = _owner_with_resumes(db, 5)
    with db.session_scope() as session:
        every, total = tenancy.list_resumes(session, actor)
        sent = statements_sent(
            db.engine, lambda: tenancy.list_resumes(session, actor, limit=2, offset=1)
        )
        page, paged_total = tenancy.list_resumes(session, actor, limit=2, offset=1)
        beyond, beyond_total = tenancy.list_resumes(session, actor, limit=2, offset=9)
        active, active_total = tenancy.list_resumes(session, actor, active_only=True)
        ids = [r.id for r in every]
        assert (total, paged_total, beyond_total, active_total) == (5, 5, 5, 1)
        assert [r.id for r in page] == ids[1:3]
        assert beyond == []
        assert [r.filename for r in active] == ["cv0.txt"]
    listing = [s for s, _ in sent if "FROM resumes" in s and "count(" not in s.lower()]
    assert listing and all("LIMIT" in s.upper() and "OFFSET" in s.upper() for s in listing)
    assert any("count(" in s.lower() for s, _ in sent)
