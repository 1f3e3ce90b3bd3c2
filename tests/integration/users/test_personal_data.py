"""A person's data out and gone: the export holds every row of theirs, the erasure leaves none."""

from __future__ import annotations

import io
import json
import os
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from database.connection import DatabaseManager
from database.domain import erasure, users
from database.io.backup.columns import TableCodec
from database.io.personal_export import FORMAT_NAME, NOT_PERSONAL, PARTS
from database.models import TABLES, Membership, OrganizationRole
from database.utilities import DatabaseUtils
from tests.support.personal_data import (
    Person,
    add_member,
    dump,
    expected_after_erasure,
    fill_person,
    found,
    join_with_invitation,
    rows_of,
    user_columns,
)
from utils.errors import ValidationError

#: The only columns an export may leave out: secrets, derived keys, the server's file paths.
LEAVABLE = {
    "password_hash", "email_key", "token_hash", "secret", "response_body",
    "url_key", "posting_key", "file_path",
}  # fmt: skip


@dataclass
class World:
    ann: Person
    bob: Person
    shared: int
    root: Path


@pytest.fixture
def data_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "data"
    monkeypatch.setenv("AUTO_APPLYER_DATA_DIR", str(root))
    return root


@pytest.fixture
def world(db: DatabaseManager, data_root: Path) -> World:
    """Ann and Bob with everything; Ann joined Bob's organization through his invitation."""
    with db.session_scope() as session:
        ann = fill_person(session, "ann@example.com", data_root, "ann")
        bob = fill_person(session, "bob@example.com", data_root, "bob")
        shared = found(session, bob.user_id, "Bob's bootcamp")
        join_with_invitation(session, bob.user_id, shared, ann)
    return World(ann, bob, shared, data_root)


def _archive(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _encoded(table_name: str, row: dict[str, Any]) -> dict[str, Any]:
    table = next(t for t in TABLES if t.name == table_name)
    return TableCodec(table).encode([row[c.name] for c in table.columns])


def test_every_table_is_exported_or_holds_nobodys_data() -> None:
    exported = {part.table for part in PARTS}
    for table in TABLES:
        assert (table.name in exported) != (table.name in NOT_PERSONAL), table.name
        if table.name in NOT_PERSONAL:
            assert not user_columns(table), f"{table.name} refers to users: export it"
    for part in PARTS:
        assert part.omitted <= LEAVABLE, part.table


def test_the_export_holds_every_row_of_the_person_as_stored(
    db: DatabaseManager, world: World
) -> None:
    content = DatabaseUtils.export_user_data(world.ann.user_id)
    assert isinstance(content, bytes)
    files = _archive(content)
    manifest = json.loads(files["manifest.json"])
    assert manifest["format"] == FORMAT_NAME and manifest["user_id"] == world.ann.user_id
    omitted = manifest["omitted_columns"]
    for table, rows in rows_of(dump(db), world.ann.user_id).items():
        key_column = _key_column(table)
        exported = {row[key_column]: row for row in json.loads(files[f"tables/{table}.json"])}
        assert manifest["tables"][table] >= len(rows)
        for key, row in rows.items():
            expected = _encoded(table, row)
            for column in omitted.get(table, ()):
                expected.pop(column)
            assert exported.get(key) == expected, f"{table} row {key}"


def _key_column(table_name: str) -> str:
    """The one primary-key column of ``table_name`` (``id`` but for a few)."""
    (column,) = next(t for t in TABLES if t.name == table_name).primary_key.columns
    return str(column.name)


def test_the_export_holds_the_resume_file_and_a_readme_of_its_format(world: World) -> None:
    files = _archive(DatabaseUtils.export_user_data(world.ann.user_id))  # type: ignore[arg-type]
    (entry,) = json.loads(files["manifest.json"])["files"]
    assert files[entry["path"]] == world.ann.resume_file.read_bytes() == b"ann resume text"
    readme = files["README.md"].decode()
    assert "format version 1" in readme and "### `job_applications.json`" in readme
    assert "`archived_at`" in readme and "`password_hash`" not in readme


def test_the_export_holds_nothing_of_anyone_else_and_no_secret(
    db: DatabaseManager, world: World
) -> None:
    everything = dump(db)
    mine = rows_of(everything, world.ann.user_id)
    files = _archive(DatabaseUtils.export_user_data(world.ann.user_id))  # type: ignore[arg-type]
    joined = {m["organization_id"] for m in mine["memberships"].values()}
    for part in PARTS:
        for row in json.loads(files[f"tables/{part.table}.json"]):
            if part.table == "organizations":
                assert row["id"] in joined, row
            else:
                assert row[_key_column(part.table)] in mine.get(part.table, {}), (part.table, row)
    blob = b"".join(files.values()).decode("utf-8", "replace")
    for secret in world.ann.secrets + world.bob.secrets:
        assert secret not in blob
    for row in everything["auth_tokens"].values():
        assert row["token_hash"] not in blob
    assert "bob engineer" not in blob and "bob resume text" not in blob


def test_the_export_is_written_to_a_private_file_or_is_none_for_nobody(
    world: World, tmp_path: Path
) -> None:
    target = tmp_path / "mine.zip"
    written = DatabaseUtils.export_user_data(world.ann.user_id, target)
    assert written == target and os.stat(target).st_mode & 0o777 == 0o600
    assert "manifest.json" in _archive(target.read_bytes())
    assert DatabaseUtils.export_user_data(999_999, tmp_path / "nobody.zip") is None
    assert not (tmp_path / "nobody.zip").exists()


@pytest.mark.parametrize("bad", ["folder", "missing/x.zip", 5])
def test_an_export_to_a_path_that_cannot_be_written_is_refused_on_path(
    world: World, tmp_path: Path, bad: object
) -> None:
    target = tmp_path if bad == "folder" else tmp_path / bad if isinstance(bad, str) else bad
    with pytest.raises(ValidationError) as refused:
        DatabaseUtils.export_user_data(world.ann.user_id, target)  # type: ignore[arg-type]
    assert refused.value.field == "path"
    assert not list(tmp_path.glob(".export-*"))


def _erased_keys(before: dict[str, Any], person: Person) -> dict[str, set[Any]]:
    """The rows an erasure of ``person`` removes itself (the rest are the schema's cascades)."""
    removed = {table: set(rows) for table, rows in rows_of(before, person.user_id).items()}
    solo = {k for k, r in before["organizations"].items() if r["name"] == "ann solo"}
    removed["organizations"] = solo
    return removed


def test_erasing_leaves_no_row_or_file_of_the_person_and_nothing_else_changed(
    db: DatabaseManager, world: World
) -> None:
    before = dump(db)
    expected = expected_after_erasure(before, _erased_keys(before, world.ann))
    assert DatabaseUtils.erase_user(world.ann.user_id) is True
    after = dump(db)
    assert not rows_of(after, world.ann.user_id)
    assert after == expected
    assert not world.ann.resume_file.exists() and not world.ann.resume_file.parent.exists()
    assert world.bob.resume_file.read_bytes() == b"bob resume text"
    assert DatabaseUtils.erase_user(world.ann.user_id) is False


def _raise(*_args: object, **_kwargs: object) -> None:
    raise RuntimeError("disk on fire")


@pytest.mark.parametrize("where", ["midway", "commit"])
def test_a_failed_erasure_leaves_every_row_and_file_as_it_was(
    db: DatabaseManager, world: World, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    before = dump(db)
    if where == "midway":
        # After the organizations are settled and before the account goes.
        monkeypatch.setattr(erasure, "_forget_address", _raise)
    else:
        event.listen(Session, "before_commit", _raise)
    try:
        with pytest.raises(Exception, match="disk on fire"):
            DatabaseUtils.erase_user(world.ann.user_id)
    finally:
        if where == "commit":
            event.remove(Session, "before_commit", _raise)
    assert dump(db) == before
    assert world.ann.resume_file.read_bytes() == b"ann resume text"


def test_the_last_owner_hands_the_organization_to_its_longest_standing_admin(
    db: DatabaseManager, world: World
) -> None:
    with db.session_scope() as session:
        team = found(session, world.ann.user_id, "Ann's team")
        add_member(session, team, world.bob.user_id, OrganizationRole.ADMIN)
        later = users.create(session, "cleo@example.com", {}).id
        add_member(session, team, later, OrganizationRole.ADMIN)
    assert DatabaseUtils.erase_user(world.ann.user_id)
    with db.session_scope() as session:
        roles = {
            m.user_id: m.role
            for m in session.query(Membership).filter_by(organization_id=team).all()
        }
    assert roles == {world.bob.user_id: OrganizationRole.OWNER, later: OrganizationRole.ADMIN}


def test_the_last_owner_with_members_but_no_admin_is_refused_and_nothing_changes(
    db: DatabaseManager, world: World
) -> None:
    with db.session_scope() as session:
        team = found(session, world.ann.user_id, "Ann's team")
        add_member(session, team, world.bob.user_id, OrganizationRole.COACH)
    before = dump(db)
    with pytest.raises(ValidationError, match="Ann's team") as refused:
        DatabaseUtils.erase_user(world.ann.user_id)
    assert refused.value.field == "role"
    assert dump(db) == before
    assert world.ann.resume_file.exists()


def test_orphan_files_are_removed_by_a_later_run_and_fresh_or_named_ones_kept(
    world: World,
) -> None:
    folder = world.root / "resumes" / "999999"
    folder.mkdir(parents=True)
    old, fresh = folder / "old.txt", folder / "fresh.txt"
    old.write_bytes(b"left by a crash")
    fresh.write_bytes(b"an upload in flight")
    an_hour_ago = time.time() - 7200
    os.utime(old, (an_hour_ago, an_hour_ago))
    assert DatabaseUtils.remove_orphan_resume_files(dry_run=True) == [old.resolve()]
    assert old.exists()
    assert DatabaseUtils.remove_orphan_resume_files() == [old.resolve()]
    assert not old.exists() and fresh.exists()
    assert world.ann.resume_file.exists() and world.bob.resume_file.exists()
