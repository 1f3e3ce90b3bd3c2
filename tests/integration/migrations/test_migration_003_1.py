"""Migration 003.1: application notes that a status move overwrote are cleared, others kept."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection

from database.connection import DatabaseManager
from database.migrations import MigrationManager
from database.utilities import DatabaseUtils
from tests.support.checks import existing

OWN = "referral from Tom, contact Anna at anna@example.com"


def _application(
    conn: Connection,
    user_id: int,
    title: str,
    notes: str,
    history: list[tuple[str | None, str, str | None]],
) -> int:
    app_id = conn.execute(
        text(
            "INSERT INTO job_applications (user_id, job_title, company, status, is_remote, notes)"
            " VALUES (:u, :t, 'Co', :s, false, :n) RETURNING id"
        ),
        {"u": user_id, "t": title, "s": history[-1][1], "n": notes},
    ).scalar_one()
    for number, (from_status, to_status, note) in enumerate(history):
        conn.execute(
            text(
                "INSERT INTO application_status_history"
                " (application_id, from_status, to_status, changed_at, notes)"
                " VALUES (:a, :f, :t, :at, :n)"
            ),
            {"a": app_id, "f": from_status, "t": to_status, "n": note,
             "at": f"2024-01-0{number + 1} 10:00:00"},
        )  # fmt: skip
    return int(app_id)


def seed_at_003(db: DatabaseManager) -> dict[str, int]:
    """Rows as a 003 database holds them, after status moves overwrote some notes."""
    with db.engine.begin() as conn:
        user_id = conn.execute(
            text("INSERT INTO users (email, skills) VALUES ('old@example.com', '[]') RETURNING id")
        ).scalar_one()
        return {
            "user": int(user_id),
            # A move wrote its note over the person's notes: "Moved on the board".
            "overwritten": _application(conn, user_id, "Moved", "Moved on the board", [
                (None, "applied", None), ("applied", "screening", "Moved on the board"),
            ]),
            # The person's notes, copied into the first history row at creation (as 003 did).
            "own": _application(conn, user_id, "Own", OWN, [
                (None, "applied", OWN), ("applied", "screening", "Phone screen booked"),
            ]),
            # Edited by the person after a move: unlike the move's note, so kept.
            "edited": _application(conn, user_id, "Edited", "My own words", [
                (None, "applied", None), ("applied", "rejected", "No reply"),
            ]),
        }  # fmt: skip


def test_notes_written_by_a_status_move_are_cleared_and_the_persons_notes_kept(
    db: DatabaseManager,
) -> None:
    manager = MigrationManager()
    try:
        # Later revisions roll back first.
        assert manager.migrate_to_version("003")[-1] == "003.1"
        ids = seed_at_003(db)
        assert manager.migrate_to_latest()[0] == "003.1"
        notes = {
            name: existing(DatabaseUtils.get_application(ids[name])).notes
            for name in ("overwritten", "own", "edited")
        }
        assert notes == {"overwritten": None, "own": OWN, "edited": "My own words"}
        history = DatabaseUtils.get_application_history(ids["overwritten"])
        assert [h.notes for h in history] == [None, "Moved on the board"]
        assert DatabaseUtils.get_application_notes(ids["overwritten"]) == []
    finally:
        manager.migrate_to_latest()
