"""Performance indexes

Per-user lookups lead with ``user_id`` so a user's rows are one index range scan.

Revision ID: 002
Revises: 001
"""

from __future__ import annotations

from alembic import op

revision = "002"
down_revision = "001"
branch_labels = None
depends_on = None

INDEXES = (
    ("ix_job_applications_user_date", "job_applications", ["user_id", "application_date"]),
    ("ix_job_applications_status", "job_applications", ["status"]),
    (
        "ix_job_applications_user_status",
        "job_applications",
        ["user_id", "status", "application_date", "match_score"],
    ),
    ("ix_job_applications_resume", "job_applications", ["resume_id"]),
    ("ix_resumes_user_active", "resumes", ["user_id", "is_active"]),
    ("ix_search_history_user_date", "search_history", ["user_id", "search_date"]),
    (
        "ix_application_status_history_application",
        "application_status_history",
        ["application_id", "changed_at"],
    ),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
