"""Initial database schema

The eight tables of the specification plus the status history of applications.

Revision ID: 001
Revises: (none)
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

JSON_TYPE = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


#: The application statuses of the specification, in pipeline order.
STATUSES = (
    "pending",
    "applied",
    "screening",
    "interview_scheduled",
    "interviewed",
    "technical_test",
    "offer_received",
    "offer_accepted",
    "offer_rejected",
    "rejected",
    "withdrawn",
)


def _status_type(name: str) -> sa.Enum:
    """A status column's type: text with a CHECK of the allowed values, named ``name``."""
    return sa.Enum(*STATUSES, name=name, native_enum=False, create_constraint=True, length=32)


def _pk(table: str) -> sa.PrimaryKeyConstraint:
    return sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}"))


def _user_fk(table: str) -> sa.ForeignKeyConstraint:
    """``table.user_id`` references a user; the row goes with its user."""
    return sa.ForeignKeyConstraint(
        ["user_id"], ["users.id"], name=op.f(f"fk_{table}_user_id_users"), ondelete="CASCADE"
    )


def _stamp(name: str) -> sa.Column[datetime]:
    """A required timestamp column that defaults to the time of the insert."""
    return sa.Column(
        name,
        sa.DateTime(timezone=True),
        server_default=sa.text("CURRENT_TIMESTAMP"),
        nullable=False,
    )


def _stamps() -> tuple[sa.Column[datetime], sa.Column[datetime]]:
    return _stamp("created_at"), _stamp("updated_at")


revision = "001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ai_analysis_cache",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cache_key", sa.String(length=255), nullable=False),
        sa.Column("analysis_type", sa.String(length=50), nullable=False),
        sa.Column("results", JSON_TYPE, nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        *_stamps(),
        _pk("ai_analysis_cache"),
        sa.UniqueConstraint("cache_key", name=op.f("uq_ai_analysis_cache_cache_key")),
    )
    with op.batch_alter_table("ai_analysis_cache", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ai_analysis_cache_expires_at"), ["expires_at"], unique=False
        )

    op.create_table(
        "schema_migrations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.String(length=32), nullable=False),
        sa.Column("description", sa.String(length=255), nullable=False),
        _stamp("applied_at"),
        _pk("schema_migrations"),
        sa.UniqueConstraint("version", name=op.f("uq_schema_migrations_version")),
    )
    op.create_table(
        "system_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("setting_key", sa.String(length=100), nullable=False),
        sa.Column("setting_value", sa.Text(), nullable=True),
        sa.Column(
            "setting_type",
            sa.Enum(
                "string",
                "integer",
                "float",
                "boolean",
                "json",
                name="setting_type",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("description", sa.Text(), nullable=True),
        *_stamps(),
        _pk("system_settings"),
        sa.UniqueConstraint("setting_key", name=op.f("uq_system_settings_setting_key")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("first_name", sa.String(length=100), nullable=True),
        sa.Column("last_name", sa.String(length=100), nullable=True),
        sa.Column("phone", sa.String(length=50), nullable=True),
        sa.Column("location", sa.String(length=200), nullable=True),
        sa.Column("job_title", sa.String(length=200), nullable=True),
        sa.Column("experience_years", sa.Integer(), nullable=True),
        sa.Column("skills", JSON_TYPE, nullable=False),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("linkedin_url", sa.String(length=2048), nullable=True),
        sa.Column("is_active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("last_login", sa.DateTime(timezone=True), nullable=True),
        *_stamps(),
        sa.CheckConstraint(
            "experience_years >= 0", name=op.f("ck_users_experience_years_non_negative")
        ),
        _pk("users"),
    )
    op.create_index("uq_users_email_lower", "users", [sa.text("lower(email)")], unique=True)
    op.create_table(
        "resumes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("file_path", sa.String(length=1024), nullable=False),
        sa.Column("file_size", sa.Integer(), nullable=True),
        sa.Column("file_type", sa.String(length=20), nullable=True),
        sa.Column("parsed_text", sa.Text(), nullable=True),
        sa.Column("skills_extracted", JSON_TYPE, nullable=False),
        sa.Column("experience_level", sa.String(length=50), nullable=True),
        sa.Column("is_active", sa.Boolean(), server_default=sa.true(), nullable=False),
        _stamp("upload_date"),
        *_stamps(),
        sa.CheckConstraint(
            "file_size IS NULL OR file_size >= 0", name=op.f("ck_resumes_file_size_non_negative")
        ),
        _user_fk("resumes"),
        _pk("resumes"),
    )
    op.create_table(
        "search_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("job_title", sa.String(length=200), nullable=True),
        sa.Column("location", sa.String(length=200), nullable=True),
        sa.Column("keywords", sa.Text(), nullable=True),
        sa.Column("sources_searched", JSON_TYPE, nullable=False),
        sa.Column("max_results", sa.Integer(), nullable=True),
        sa.Column("total_results", sa.Integer(), server_default="0", nullable=False),
        sa.Column("filtered_results", sa.Integer(), server_default="0", nullable=False),
        sa.Column("applications_made", sa.Integer(), server_default="0", nullable=False),
        sa.Column("search_duration", sa.Float(), nullable=True),
        _stamp("search_date"),
        *_stamps(),
        sa.CheckConstraint(
            "search_duration IS NULL OR search_duration >= 0",
            name=op.f("ck_search_history_duration_non_negative"),
        ),
        sa.CheckConstraint(
            "total_results >= 0 AND filtered_results >= 0 AND applications_made >= 0",
            name=op.f("ck_search_history_counts_non_negative"),
        ),
        _user_fk("search_history"),
        _pk("search_history"),
    )
    op.create_table(
        "user_preferences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("preferred_job_titles", JSON_TYPE, nullable=False),
        sa.Column("preferred_locations", JSON_TYPE, nullable=False),
        sa.Column("preferred_companies", JSON_TYPE, nullable=False),
        sa.Column("preferred_job_types", JSON_TYPE, nullable=False),
        sa.Column("salary_min", sa.Integer(), nullable=True),
        sa.Column("salary_max", sa.Integer(), nullable=True),
        sa.Column("salary_currency", sa.String(length=3), nullable=True),
        sa.Column(
            "remote_work_preference", sa.Boolean(), server_default=sa.false(), nullable=False
        ),
        sa.Column("email_notifications", sa.Boolean(), server_default=sa.true(), nullable=False),
        *_stamps(),
        sa.CheckConstraint(
            "salary_min IS NULL OR salary_max IS NULL OR salary_min <= salary_max",
            name=op.f("ck_user_preferences_salary_range"),
        ),
        sa.CheckConstraint(
            "salary_min IS NULL OR salary_min >= 0",
            name=op.f("ck_user_preferences_salary_min_non_negative"),
        ),
        _user_fk("user_preferences"),
        _pk("user_preferences"),
        sa.UniqueConstraint("user_id", name=op.f("uq_user_preferences_user_id")),
    )
    op.create_table(
        "job_applications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("resume_id", sa.Integer(), nullable=True),
        sa.Column("job_title", sa.String(length=200), nullable=False),
        sa.Column("company", sa.String(length=200), nullable=False),
        sa.Column("location", sa.String(length=200), nullable=True),
        sa.Column("job_description", sa.Text(), nullable=True),
        sa.Column("job_url", sa.String(length=2048), nullable=True),
        sa.Column("source", sa.String(length=50), nullable=True),
        sa.Column(
            "status",
            _status_type("application_status"),
            nullable=False,
        ),
        _stamp("application_date"),
        sa.Column("salary_min", sa.Integer(), nullable=True),
        sa.Column("salary_max", sa.Integer(), nullable=True),
        sa.Column("salary_currency", sa.String(length=3), nullable=True),
        sa.Column("job_type", sa.String(length=50), nullable=True),
        sa.Column("is_remote", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("match_score", sa.Float(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("interview_date", sa.DateTime(timezone=True), nullable=True),
        sa.Column("interview_type", sa.String(length=50), nullable=True),
        _stamp("status_changed_at"),
        *_stamps(),
        sa.CheckConstraint(
            "match_score IS NULL OR (match_score >= 0 AND match_score <= 100)",
            name=op.f("ck_job_applications_match_score_range"),
        ),
        sa.CheckConstraint(
            "salary_min IS NULL OR salary_max IS NULL OR salary_min <= salary_max",
            name=op.f("ck_job_applications_salary_range"),
        ),
        sa.CheckConstraint(
            "salary_min IS NULL OR salary_min >= 0",
            name=op.f("ck_job_applications_salary_min_non_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["resume_id"],
            ["resumes.id"],
            name=op.f("fk_job_applications_resume_id_resumes"),
            ondelete="SET NULL",
        ),
        _user_fk("job_applications"),
        _pk("job_applications"),
    )
    op.create_table(
        "application_status_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column(
            "from_status",
            _status_type("history_from_status"),
            nullable=True,
        ),
        sa.Column(
            "to_status",
            _status_type("history_to_status"),
            nullable=False,
        ),
        _stamp("changed_at"),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["job_applications.id"],
            name=op.f("fk_application_status_history_application_id_job_applications"),
            ondelete="CASCADE",
        ),
        _pk("application_status_history"),
    )


def downgrade() -> None:
    op.drop_table("application_status_history")
    op.drop_table("job_applications")
    op.drop_table("user_preferences")
    op.drop_table("search_history")
    op.drop_table("resumes")
    op.drop_index("uq_users_email_lower", table_name="users")
    op.drop_table("users")
    op.drop_table("system_settings")
    op.drop_table("schema_migrations")
    with op.batch_alter_table("ai_analysis_cache", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ai_analysis_cache_expires_at"))

    op.drop_table("ai_analysis_cache")
