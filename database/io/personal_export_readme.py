"""The README.md inside a personal export: the format, and every table's fields.

Made from the schema itself, so that it names exactly the columns the
archive carries: each field with its type and, where the name alone does not
say it, what it means.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from sqlalchemy import Boolean, Column, Enum, Float, Integer, String, Table

from database.core.column_types import JSONValue, UTCDateTime
from database.models import TABLES


class DescribedPart(Protocol):
    """What the README needs of a part of the export."""

    @property
    def table(self) -> str:
        """The table's name."""

    @property
    def about(self) -> str:
        """Which of the table's rows are the person's, in a few words."""

    @property
    def omitted(self) -> frozenset[str]:
        """The columns never exported."""


#: What a field means where its name does not say it, by (table, column).
FIELD_NOTES: dict[tuple[str, str], str] = {
    ("users", "is_server_admin"): "whether you administer this server",
    ("users", "last_login"): "when you last signed in",
    ("user_preferences", "follow_up_days"): "days before a follow-up reminder",
    ("user_preferences", "archive_after_days"):
        "days after its last move that a closed application is archived (null: never)",
    ("resumes", "filename"): "the file's name as you uploaded it",
    ("resumes", "skills_extracted"): "skills found in the resume's text",
    ("job_applications", "resume_id"): "the resume you applied with (see resumes.json)",
    ("job_applications", "match_score"): "how well the posting matched you, 0 to 100",
    ("job_applications", "status_changed_at"): "when the status last changed",
    ("job_applications", "archived_at"): "when the application was archived (null: active)",
    ("application_status_history", "application_id"): "the application (job_applications.json)",
    ("application_notes", "application_id"): "the application (job_applications.json)",
    ("contacts", "last_contacted_at"): "when you last reached the person",
    ("cover_letters", "application_id"): "the application (job_applications.json)",
    ("cover_letters", "filename"): "its file's name as you uploaded it (null: text only)",
    ("application_contacts", "application_id"): "the application (job_applications.json)",
    ("application_contacts", "contact_id"): "the contact (contacts.json)",
    ("notifications", "reminder_key"): "what the reminder is about, made once per key",
    ("notifications", "email_state"): "whether the reminder was e-mailed",
    ("events", "entity"): "the kind of record that changed; entity_id is its id",
    ("events", "payload"): "a short JSON text of what changed",
    ("organizations", "created_by"): "the id of the person who founded it",
    ("invitations", "user_id"): "the id of the person who sent it",
    ("invitations", "prefix"): "the first characters of the invitation's code",
    ("invitations", "accepted_by"): "the id of the person who accepted it",
    ("auth_tokens", "kind"): "access token, API key or password-reset code",
    ("auth_tokens", "prefix"): "the first characters of the credential, to tell them apart",
    ("webhook_endpoints", "last_event_id"): "the newest event already considered for it",
    ("webhook_deliveries", "last_status"): "the HTTP status the endpoint last answered",
    ("idempotency_keys", "request_digest"): "SHA-256 of the request's body",
}  # fmt: skip

_TABLES = {table.name: table for table in TABLES}


def _type(column: Column[Any]) -> str:
    kind = column.type
    if isinstance(kind, UTCDateTime):
        text = "timestamp (ISO 8601, UTC)"
    elif isinstance(kind, JSONValue):
        text = "JSON value (usually a list)"
    elif isinstance(kind, Enum):
        text = "one of " + ", ".join(f"`{value}`" for value in kind.enums)
    elif isinstance(kind, Boolean):
        text = "true or false"
    elif isinstance(kind, Integer):
        text = "id" if column.primary_key else "integer"
    elif isinstance(kind, Float):
        text = "number"
    elif isinstance(kind, String) and kind.length:
        text = f"text (up to {kind.length} characters)"
    else:
        text = "text"
    return text + (", may be null" if column.nullable else "")


def _fields(table: Table, omitted: frozenset[str]) -> list[str]:
    lines = []
    for column in table.columns:
        if column.name in omitted:
            continue
        note = FIELD_NOTES.get((table.name, column.name))
        foreign = [f"{key.column.table.name}.{key.column.name}" for key in column.foreign_keys]
        meaning = note or (f"refers to {', '.join(foreign)}" if foreign else "")
        lines.append(f"- `{column.name}`: {_type(column)}" + (f"; {meaning}" if meaning else ""))
    return lines


_INTRODUCTION = """\
# Your data from Auto Applyer

This archive holds every record the service keeps about you, as of the time in
`manifest.json` (`exported_at`). It is format version {version}.

## Layout

- `manifest.json`: `format`, `version`, `exported_at`, your `user_id`, the number
  of rows of each table (`tables`), your resume and cover letter files (`files`:
  `resume_id` or `cover_letter_id`, `path` in this archive or null when the file
  could not be read, `size`, `sha256`) and the fields left out of each table
  (`omitted_columns`).
- `tables/<table>.json`: one file per table, a JSON list of objects, one per
  row, ordered by `id`. Each object holds the row's fields as stored.
- `files/resumes/<resume id>/<file name>`: the files you uploaded.
- `files/cover_letters/<cover letter id>/<file name>`: your cover letters' files.

## Conventions

- `id` is the row's number in its table; a field ending in `_id` (and
  `created_by`, `accepted_by`) holds the `id` of a row of another table, most
  often `users` (you, or another person of an organization you belong to).
- Timestamps are ISO 8601 text in UTC, such as `2026-01-15T10:30:00+00:00`.
- Fields that are secrets (password hash, the hashes of tokens, API keys and
  invitation codes, webhook signing secrets), keys derived from other fields,
  the server's file locations and stored responses are never included; the
  manifest names them.
- Nothing about other people is included beyond their ids where your records
  refer to them, and the names of organizations you belong to.

## Tables
"""


def readme(parts: Iterable[DescribedPart], not_personal: Mapping[str, str], version: int) -> str:
    """The README text of an export made of ``parts``."""
    sections = [_INTRODUCTION.format(version=version)]
    for part in parts:
        table = _TABLES[part.table]
        sections.append(f"### `{part.table}.json`: {part.about}\n")
        sections.append("\n".join(_fields(table, part.omitted)) + "\n")
    sections.append("## Tables that hold nobody's data (not included)\n")
    sections.append("\n".join(f"- `{name}`: {why}" for name, why in not_personal.items()) + "\n")
    return "\n".join(sections)
