"""The schema: the enums and the tables.

Rules live in the schema as well as in the validators: unique keys, foreign keys
with ``ON DELETE`` actions, and CHECK constraints. The declarative base, its
naming convention and the column builders the tables share are in
:mod:`database.core.base`.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from database.core.base import (
    NAMING_CONVENTION,
    Base,
    TimestampMixin,
    enum_column,
    owned_collection,
    timestamp_column,
)
from database.core.column_types import JSONValue, UTCDateTime
from database.core.keys import email_key, tag_key

#: The condition of an active (not archived) application, shared by its partial indexes.
ACTIVE = "archived_at IS NULL"


class ApplicationStatus(enum.StrEnum):
    """Where an application stands in the pipeline; stored as its value string."""

    PENDING = "pending"
    APPLIED = "applied"
    SCREENING = "screening"
    INTERVIEW_SCHEDULED = "interview_scheduled"
    INTERVIEWED = "interviewed"
    TECHNICAL_TEST = "technical_test"
    OFFER_RECEIVED = "offer_received"
    OFFER_ACCEPTED = "offer_accepted"
    OFFER_REJECTED = "offer_rejected"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


#: Statuses that mean the employer invited the applicant to an interview or beyond.
INTERVIEW_STATUSES = frozenset(
    {
        ApplicationStatus.INTERVIEW_SCHEDULED,
        ApplicationStatus.INTERVIEWED,
        ApplicationStatus.TECHNICAL_TEST,
        ApplicationStatus.OFFER_RECEIVED,
        ApplicationStatus.OFFER_ACCEPTED,
        ApplicationStatus.OFFER_REJECTED,
    }
)


class SettingType(enum.StrEnum):
    """How a system setting's text value is read back."""

    STRING = "string"
    INTEGER = "integer"
    FLOAT = "float"
    BOOLEAN = "boolean"
    JSON = "json"


def _salary_checks() -> tuple[CheckConstraint, ...]:
    # A salary range (preferred or offered) is ordered and never negative.
    return (
        CheckConstraint(
            "salary_min IS NULL OR salary_max IS NULL OR salary_min <= salary_max",
            name="salary_range",
        ),
        CheckConstraint("salary_min IS NULL OR salary_min >= 0", name="salary_min_non_negative"),
    )


def _email_key_default(context: Any) -> str | None:
    # Core inserts that name only the email (tests, tools) get the key too.
    email = context.get_current_parameters().get("email")
    return None if email is None else email_key(email)


class User(TimestampMixin, Base):
    """A job seeker's profile and sign-in data."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("experience_years >= 0", name="experience_years_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    # Derived from ``email`` (see database.core.keys), never set by callers.
    email_key: Mapped[str | None] = mapped_column(String(1024), default=_email_key_default)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    first_name: Mapped[str | None] = mapped_column(String(100))
    last_name: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(50))
    location: Mapped[str | None] = mapped_column(String(200))
    job_title: Mapped[str | None] = mapped_column(String(200))
    experience_years: Mapped[int | None] = mapped_column(Integer)
    skills: Mapped[list[str]] = mapped_column(JSONValue, default=list)
    summary: Mapped[str | None] = mapped_column(Text)
    linkedin_url: Mapped[str | None] = mapped_column(String(2048))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # Granted by an operator, never through the input models (they forbid the field).
    is_server_admin: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    last_login: Mapped[datetime | None] = mapped_column(UTCDateTime)

    preferences: Mapped[UserPreferences | None] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True, uselist=False
    )
    # Newest first, as the API lists them.
    resumes: Mapped[list[Resume]] = owned_collection(
        "user", "(Resume.upload_date.desc(), Resume.id.desc())"
    )
    applications: Mapped[list[JobApplication]] = owned_collection(
        "user", "(JobApplication.application_date.desc(), JobApplication.id.desc())"
    )
    search_history: Mapped[list[SearchHistory]] = owned_collection(
        "user", "(SearchHistory.search_date.desc(), SearchHistory.id.desc())"
    )

    # A secret, and a lookup key derived from ``email``.
    hidden_fields = frozenset({"password_hash", "email_key"})
    repr_fields = ("id", "email")

    @validates("email")
    def _derive_email_key(self, _name: str, value: str) -> str:
        self.email_key = email_key(value)
        return value

    @property
    def full_name(self) -> str:
        """First and last name joined, or the email when both are empty."""
        name = " ".join(p for p in (self.first_name, self.last_name) if p)
        return name or self.email


# One account per email identity: "Ann@x.org", "ann@x.org" and "ANN@X.ORG" are one,
# for all of Unicode (the key is case-folded in Python, the same on every engine).
Index("uq_users_email_key", User.email_key, unique=True)


class UserPreferences(TimestampMixin, Base):
    """What a user is looking for; one row per user."""

    __tablename__ = "user_preferences"
    __table_args__ = (
        *_salary_checks(),
        CheckConstraint("follow_up_days BETWEEN 1 AND 365", name="follow_up_days_range"),
        CheckConstraint(
            "archive_after_days IS NULL OR archive_after_days BETWEEN 1 AND 3650",
            name="archive_after_days_range",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    preferred_job_titles: Mapped[list[str]] = mapped_column(JSONValue, default=list)
    preferred_locations: Mapped[list[str]] = mapped_column(JSONValue, default=list)
    preferred_companies: Mapped[list[str]] = mapped_column(JSONValue, default=list)
    preferred_job_types: Mapped[list[str]] = mapped_column(JSONValue, default=list)
    salary_min: Mapped[int | None] = mapped_column(Integer)
    salary_max: Mapped[int | None] = mapped_column(Integer)
    salary_currency: Mapped[str | None] = mapped_column(String(3))
    remote_work_preference: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    email_notifications: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # Days an application may wait in applied or screening before a follow-up reminder.
    follow_up_days: Mapped[int] = mapped_column(Integer, default=14, server_default="14")
    # Days after its last move that a closed application is archived; None turns it off.
    archive_after_days: Mapped[int | None] = mapped_column(Integer, default=90, server_default="90")
    # An IANA name ("Europe/Paris"): dates are shown and entered in it, and stored as UTC.
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC", server_default="UTC")

    user: Mapped[User] = relationship(back_populates="preferences")

    repr_fields = ("id", "user_id")


class Resume(TimestampMixin, Base):
    """An uploaded resume and what was parsed from it."""

    __tablename__ = "resumes"
    __table_args__ = (
        CheckConstraint("file_size IS NULL OR file_size >= 0", name="file_size_non_negative"),
        Index("ix_resumes_user_active", "user_id", "is_active"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(String(255))
    file_path: Mapped[str] = mapped_column(String(1024))
    file_size: Mapped[int | None] = mapped_column(Integer)
    file_type: Mapped[str | None] = mapped_column(String(20))
    parsed_text: Mapped[str | None] = mapped_column(Text)
    skills_extracted: Mapped[list[str]] = mapped_column(JSONValue, default=list)
    experience_level: Mapped[str | None] = mapped_column(String(50))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    upload_date: Mapped[datetime] = timestamp_column()

    user: Mapped[User] = relationship(back_populates="resumes")
    # ON DELETE SET NULL: the database unlinks the applications of a deleted resume.
    applications: Mapped[list[JobApplication]] = relationship(
        back_populates="resume", passive_deletes=True, order_by="JobApplication.id"
    )

    repr_fields = ("id", "user_id", "filename")


class JobApplication(TimestampMixin, Base):
    """One application to one job posting, and where it stands."""

    __tablename__ = "job_applications"
    __table_args__ = (
        *_salary_checks(),
        CheckConstraint(
            "match_score IS NULL OR (match_score >= 0 AND match_score <= 100)",
            name="match_score_range",
        ),
        Index("ix_job_applications_user_date", "user_id", "application_date"),
        Index("ix_job_applications_status", "status"),
        Index(
            "ix_job_applications_user_status",
            "user_id",
            "status",
            "application_date",
            "match_score",
        ),
        Index("ix_job_applications_resume", "resume_id"),
        # Migration 003: duplicate postings are found by one index lookup per key.
        Index("ix_job_applications_user_url_key", "user_id", "url_key"),
        Index("ix_job_applications_user_posting_key", "user_id", "posting_key"),
        # Migration 003: covers the analytics of one user, so they never read the
        # wide rows (one random page per application on a big table).
        Index(
            "ix_job_applications_user_activity",
            "user_id",
            "application_date",
            "id",
            "status",
            "source",
            "resume_id",
            "status_changed_at",
        ),
        # Migration 003.9: the hot per-person queries read the active rows only.
        Index(
            "ix_job_applications_active_user_date",
            "user_id",
            "application_date",
            "id",
            sqlite_where=text(ACTIVE),
            postgresql_where=text(ACTIVE),
        ),
        Index(
            "ix_job_applications_active_user_status",
            "user_id",
            "status",
            "application_date",
            sqlite_where=text(ACTIVE),
            postgresql_where=text(ACTIVE),
        ),
        Index("ix_job_applications_user_archived", "user_id", "archived_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    resume_id: Mapped[int | None] = mapped_column(ForeignKey("resumes.id", ondelete="SET NULL"))
    job_title: Mapped[str] = mapped_column(String(200))
    company: Mapped[str] = mapped_column(String(200))
    location: Mapped[str | None] = mapped_column(String(200))
    job_description: Mapped[str | None] = mapped_column(Text)
    job_url: Mapped[str | None] = mapped_column(String(2048))
    source: Mapped[str | None] = mapped_column(String(50))
    status: Mapped[ApplicationStatus] = mapped_column(
        enum_column(ApplicationStatus, "application_status"),
        default=ApplicationStatus.APPLIED,
    )
    application_date: Mapped[datetime] = timestamp_column()
    salary_min: Mapped[int | None] = mapped_column(Integer)
    salary_max: Mapped[int | None] = mapped_column(Integer)
    salary_currency: Mapped[str | None] = mapped_column(String(3))
    job_type: Mapped[str | None] = mapped_column(String(50))
    is_remote: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    match_score: Mapped[float | None] = mapped_column(Float)
    notes: Mapped[str | None] = mapped_column(Text)
    interview_date: Mapped[datetime | None] = mapped_column(UTCDateTime)
    interview_type: Mapped[str | None] = mapped_column(String(50))
    status_changed_at: Mapped[datetime] = timestamp_column()
    # Digests of the normalised posting address and of company + title + location
    # (see database.domain.duplicates); written with the row, never by callers.
    url_key: Mapped[str | None] = mapped_column(String(32))
    posting_key: Mapped[str | None] = mapped_column(String(32))
    # When the application was archived; None while it is active.
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(back_populates="applications")
    resume: Mapped[Resume | None] = relationship(back_populates="applications")
    history: Mapped[list[ApplicationStatusHistory]] = owned_collection(
        "application", "(ApplicationStatusHistory.changed_at, ApplicationStatusHistory.id)"
    )
    # ``notes`` is the application's own text column; this is the log of dated notes.
    tags: Mapped[list[Tag]] = relationship(
        secondary="application_tags", order_by="Tag.name_key", viewonly=True
    )
    cover_letter: Mapped[CoverLetter | None] = relationship(
        back_populates="application", cascade="all, delete-orphan", passive_deletes=True,
        uselist=False,
    )  # fmt: skip
    notes_log: Mapped[list[ApplicationNote]] = owned_collection(
        "application", "(ApplicationNote.created_at, ApplicationNote.id)"
    )

    hidden_fields = frozenset({"url_key", "posting_key"})
    repr_fields = ("id", "user_id", "job_title", "company", "status")


class ApplicationStatusHistory(Base):
    """Every status an application has entered, the first one included."""

    __tablename__ = "application_status_history"
    __table_args__ = (
        # 002 made it (application_id, changed_at); 003 extends it to cover the
        # history analytics (order within an application, and the status entered).
        Index(
            "ix_application_status_history_application",
            "application_id",
            "changed_at",
            "id",
            "to_status",
        ),
        Index("ix_application_status_history_user", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("job_applications.id", ondelete="CASCADE")
    )
    # The application's owner, written with the row: row-level security keys on it.
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    from_status: Mapped[ApplicationStatus | None] = mapped_column(
        enum_column(ApplicationStatus, "history_from_status")
    )
    to_status: Mapped[ApplicationStatus] = mapped_column(
        enum_column(ApplicationStatus, "history_to_status")
    )
    changed_at: Mapped[datetime] = timestamp_column()
    notes: Mapped[str | None] = mapped_column(Text)

    application: Mapped[JobApplication] = relationship(back_populates="history")

    repr_fields = ("application_id", "from_status", "to_status")


class ApplicationNote(TimestampMixin, Base):
    """One timestamped note of an application's activity log, written by its owner."""

    __tablename__ = "application_notes"
    __table_args__ = (
        Index("ix_application_notes_application", "application_id", "created_at", "id"),
        Index("ix_application_notes_user", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("job_applications.id", ondelete="CASCADE")
    )
    # The owner, as on every person's table: row-level security and erasure key on it.
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    body: Mapped[str] = mapped_column(Text)

    application: Mapped[JobApplication] = relationship(back_populates="notes_log")

    repr_fields = ("id", "application_id")


class Contact(TimestampMixin, Base):
    """A person at a company whom the job seeker deals with, linked to their applications."""

    __tablename__ = "contacts"
    __table_args__ = (
        CheckConstraint("length(trim(name)) > 0", name="name_not_blank"),
        Index("ix_contacts_user_name", "user_id", "name"),
        Index("ix_contacts_user_company", "user_id", "company"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    company: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(50))
    linkedin_url: Mapped[str | None] = mapped_column(String(2048))
    notes: Mapped[str | None] = mapped_column(Text)
    last_contacted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    applications: Mapped[list[JobApplication]] = relationship(
        secondary="application_contacts",
        order_by="(JobApplication.application_date.desc(), JobApplication.id.desc())",
        viewonly=True,
    )

    repr_fields = ("id", "user_id")


class ApplicationContact(Base):
    """A contact linked to an application (both of one person)."""

    __tablename__ = "application_contacts"
    __table_args__ = (
        UniqueConstraint("application_id", "contact_id"),
        Index("ix_application_contacts_contact", "contact_id"),
        Index("ix_application_contacts_user", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("job_applications.id", ondelete="CASCADE")
    )
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = timestamp_column()

    repr_fields = ("application_id", "contact_id")


class Tag(TimestampMixin, Base):
    """One word of a person's own tag vocabulary ("remote-first", "referral")."""

    __tablename__ = "tags"
    __table_args__ = (
        CheckConstraint("length(trim(name)) > 0", name="name_not_blank"),
        # One tag per spelling: "Python", "python" and "PYTHON" are one tag of a person.
        UniqueConstraint("user_id", "name_key", name="uq_tags_user_name_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(50))
    # Derived from ``name`` (case-folded, spaces collapsed), never set by callers.
    name_key: Mapped[str] = mapped_column(String(200))

    # A lookup key derived from ``name``.
    hidden_fields = frozenset({"name_key"})
    repr_fields = ("id", "name")

    @validates("name")
    def _derive_name_key(self, _name: str, value: str) -> str:
        self.name_key = tag_key(value)
        return value


class ApplicationTag(Base):
    """A tag on an application (both of one person)."""

    __tablename__ = "application_tags"
    __table_args__ = (
        UniqueConstraint("application_id", "tag_id"),
        Index("ix_application_tags_tag", "tag_id", "application_id"),
        Index("ix_application_tags_user", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("job_applications.id", ondelete="CASCADE")
    )
    tag_id: Mapped[int] = mapped_column(ForeignKey("tags.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = timestamp_column()

    repr_fields = ("application_id", "tag_id")


class CoverLetter(TimestampMixin, Base):
    """The cover letter of one application: its text, an uploaded file, or both."""

    __tablename__ = "cover_letters"
    __table_args__ = (
        CheckConstraint("body IS NOT NULL OR file_path IS NOT NULL", name="body_or_file"),
        CheckConstraint("file_size IS NULL OR file_size >= 0", name="file_size_non_negative"),
        Index("ix_cover_letters_user", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("job_applications.id", ondelete="CASCADE"), unique=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    body: Mapped[str | None] = mapped_column(Text)
    filename: Mapped[str | None] = mapped_column(String(255))
    file_path: Mapped[str | None] = mapped_column(String(1024))
    file_size: Mapped[int | None] = mapped_column(Integer)
    file_type: Mapped[str | None] = mapped_column(String(20))

    application: Mapped[JobApplication] = relationship(back_populates="cover_letter")

    repr_fields = ("id", "application_id")


class SearchHistory(TimestampMixin, Base):
    """One job search a user ran, and what it yielded."""

    __tablename__ = "search_history"
    __table_args__ = (
        CheckConstraint(
            "total_results >= 0 AND filtered_results >= 0 AND applications_made >= 0",
            name="counts_non_negative",
        ),
        CheckConstraint(
            "search_duration IS NULL OR search_duration >= 0", name="duration_non_negative"
        ),
        Index("ix_search_history_user_date", "user_id", "search_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    job_title: Mapped[str | None] = mapped_column(String(200))
    location: Mapped[str | None] = mapped_column(String(200))
    keywords: Mapped[str | None] = mapped_column(Text)
    sources_searched: Mapped[list[str]] = mapped_column(JSONValue, default=list)
    max_results: Mapped[int | None] = mapped_column(Integer)
    total_results: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    filtered_results: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    applications_made: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    search_duration: Mapped[float | None] = mapped_column(Float)
    search_date: Mapped[datetime] = timestamp_column()

    user: Mapped[User] = relationship(back_populates="search_history")

    repr_fields = ("id", "user_id")


class AIAnalysisCache(TimestampMixin, Base):
    """A cached AI analysis result, valid until ``expires_at``."""

    __tablename__ = "ai_analysis_cache"

    id: Mapped[int] = mapped_column(primary_key=True)
    cache_key: Mapped[str] = mapped_column(String(255), unique=True)
    analysis_type: Mapped[str] = mapped_column(String(50))
    results: Mapped[Any] = mapped_column(JSONValue)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)

    repr_fields = ("cache_key", "expires_at")


class SystemSetting(TimestampMixin, Base):
    """A system-wide setting, stored as text with the type to read it back as."""

    __tablename__ = "system_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    setting_key: Mapped[str] = mapped_column(String(100), unique=True)
    setting_value: Mapped[str | None] = mapped_column(Text)
    setting_type: Mapped[SettingType] = mapped_column(
        enum_column(SettingType, "setting_type"), default=SettingType.STRING
    )
    description: Mapped[str | None] = mapped_column(Text)

    def __repr__(self) -> str:
        return f"SystemSetting(setting_key={self.setting_key!r}, type={self.setting_type!r})"


class SchemaMigration(Base):
    """One applied migration: written in the same transaction as the migration."""

    __tablename__ = "schema_migrations"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[str] = mapped_column(String(32), unique=True)
    description: Mapped[str] = mapped_column(String(255))
    applied_at: Mapped[datetime] = timestamp_column()

    repr_fields = ("version",)


class OrganizationRole(enum.StrEnum):
    """A member's role in an organization, most powerful first; stored as its value string."""

    OWNER = "owner"
    ADMIN = "admin"
    COACH = "coach"
    MEMBER = "member"


class Organization(TimestampMixin, Base):
    """A group of people (a career centre, a bootcamp) whose staff follow its members."""

    __tablename__ = "organizations"
    __table_args__ = (
        CheckConstraint("length(name) > 0", name="name_not_empty"),
        CheckConstraint("length(slug) > 0", name="slug_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # Lower-case and unique (see database.core.keys.organization_slug).
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    memberships: Mapped[list[Membership]] = owned_collection(
        "organization", "(Membership.created_at, Membership.id)"
    )
    invitations: Mapped[list[Invitation]] = owned_collection(
        "organization", "(Invitation.created_at, Invitation.id)"
    )

    repr_fields = ("id", "slug")


class Membership(TimestampMixin, Base):
    """One person's role in one organization."""

    __tablename__ = "memberships"
    __table_args__ = (
        UniqueConstraint("organization_id", "user_id"),
        Index("ix_memberships_user", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    role: Mapped[OrganizationRole] = mapped_column(enum_column(OrganizationRole, "membership_role"))

    organization: Mapped[Organization] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship()

    repr_fields = ("id", "organization_id", "user_id", "role")


class Invitation(TimestampMixin, Base):
    """A single-use, expiring invitation to join an organization with a role.

    Only the SHA-256 of the token is stored; the token itself is shown once.
    """

    __tablename__ = "invitations"
    __table_args__ = (
        Index("ix_invitations_organization", "organization_id"),
        Index("ix_invitations_user", "user_id"),
        Index("ix_invitations_accepted_by", "accepted_by"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    # The person who invited: every person-owned row carries its owner's user_id.
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(254))
    email_key: Mapped[str] = mapped_column(String(1024))
    role: Mapped[OrganizationRole] = mapped_column(enum_column(OrganizationRole, "invitation_role"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The token's first characters, so a person can tell invitations apart.
    prefix: Mapped[str] = mapped_column(String(16))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organization: Mapped[Organization] = relationship(back_populates="invitations")

    hidden_fields = frozenset({"token_hash", "email_key"})
    repr_fields = ("id", "organization_id", "role", "prefix")


class TokenKind(enum.StrEnum):
    """What an issued credential is for."""

    ACCESS = "access"
    API_KEY = "api_key"
    PASSWORD_RESET = "password_reset"  # noqa: S105 (a kind, not a secret)


class TokenScope(enum.StrEnum):
    """What a credential may do: ``write`` includes ``read``."""

    READ = "read"
    WRITE = "write"


class AuthToken(TimestampMixin, Base):
    """An issued credential (access token, API key, reset token), stored only as a hash."""

    __tablename__ = "auth_tokens"
    __table_args__ = (
        Index("uq_auth_tokens_token_hash", "token_hash", unique=True),
        Index("ix_auth_tokens_prefix", "prefix"),
        Index("ix_auth_tokens_user_kind", "user_id", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[TokenKind] = mapped_column(enum_column(TokenKind, "token_kind"))
    # The visible start of the raw token, so that a person can tell their keys apart.
    prefix: Mapped[str] = mapped_column(String(16))
    # SHA-256 of the raw token. The token holds 256 random bits from ``secrets``, so
    # a fast unsalted hash is enough: nobody can search that space, unlike a password's.
    token_hash: Mapped[str] = mapped_column(String(64))
    name: Mapped[str | None] = mapped_column(String(100))
    scope: Mapped[TokenScope] = mapped_column(enum_column(TokenScope, "token_scope"))
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    hidden_fields = frozenset({"token_hash"})
    repr_fields = ("id", "user_id", "kind", "prefix")


class ThrottleScope(enum.StrEnum):
    """What a sign-in throttle counts failures of."""

    ACCOUNT = "account"
    ADDRESS = "address"


class SignInThrottle(TimestampMixin, Base):
    """Failed sign-ins of one account or client address in the current window.

    Shared by every process through the database. Not a person's row (an address
    is nobody's, an unknown email has no user), so it carries no ``user_id``;
    ``key`` is a SHA-256 of the email identity or address, never the text itself.
    """

    __tablename__ = "sign_in_throttle"
    __table_args__ = (
        UniqueConstraint("scope", "key", name="uq_sign_in_throttle_scope_key"),
        CheckConstraint("failures >= 0", name="failures_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[ThrottleScope] = mapped_column(enum_column(ThrottleScope, "throttle_scope"))
    key: Mapped[str] = mapped_column(String(64))
    failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    window_started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)

    repr_fields = ("scope", "failures", "locked_until")


class IdempotencyKey(TimestampMixin, Base):
    """The first response of a creating request sent with an ``Idempotency-Key``.

    A retry with the same key and body gets this response again instead of
    creating a second object. The response columns are NULL only inside the
    transaction that creates the object (the row is claimed first, so that a
    concurrent duplicate waits for it); ``request_digest`` is the SHA-256 of
    the request body.
    """

    __tablename__ = "idempotency_keys"
    __table_args__ = (
        UniqueConstraint("user_id", "key", name="uq_idempotency_keys_user_key"),
        CheckConstraint("length(key) > 0", name="key_not_empty"),
        CheckConstraint(
            "status_code IS NULL OR (status_code >= 100 AND status_code <= 599)",
            name="status_code_valid",
        ),
        CheckConstraint(
            "response_body IS NULL OR length(response_body) <= 1048576",
            name="response_body_bounded",
        ),
        Index("ix_idempotency_keys_expires_at", "expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(255))
    method: Mapped[str] = mapped_column(String(10))
    path: Mapped[str] = mapped_column(String(2048))
    request_digest: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None] = mapped_column(Integer)
    response_body: Mapped[str | None] = mapped_column(Text)
    media_type: Mapped[str | None] = mapped_column(String(100))
    location: Mapped[str | None] = mapped_column(String(2048))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)

    hidden_fields = frozenset({"response_body"})
    repr_fields = ("id", "user_id", "method", "path", "status_code")


class EventKind(enum.StrEnum):
    """What an event of the outbox reports: the one vocabulary of kinds."""

    APPLICATION_CREATED = "application.created"
    APPLICATION_UPDATED = "application.updated"
    APPLICATION_STATUS_CHANGED = "application.status_changed"
    APPLICATION_ARCHIVED = "application.archived"
    APPLICATION_DELETED = "application.deleted"
    RESUME_ADDED = "resume.added"
    IMPORT_FINISHED = "import.finished"
    BACKUP_FINISHED = "backup.finished"
    MEMBERSHIP_CHANGED = "membership.changed"
    REMINDER_DUE = "reminder.due"


#: The longest payload an event stores (characters of JSON).
MAX_EVENT_PAYLOAD_CHARS = 2000


class Event(Base):
    """One change to a person's data, written in the change's own transaction (the outbox).

    ``id`` only increases and event ids become visible in id order (see
    :mod:`database.domain.events`), so "every event after the last id I saw"
    misses none. ``user_id`` is the person whose data changed (``None`` only
    for a system event, such as a whole-database backup); ``payload`` is small
    JSON text saying what changed, never the data or a secret.
    """

    __tablename__ = "events"
    __table_args__ = (
        CheckConstraint(f"length(payload) <= {MAX_EVENT_PAYLOAD_CHARS}", name="payload_bounded"),
        Index("ix_events_user_after", "user_id", "id"),
        Index("ix_events_organization_after", "organization_id", "id"),
        # An id is never handed out twice on SQLite, even after the newest rows are deleted.
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE")
    )
    kind: Mapped[EventKind] = mapped_column(enum_column(EventKind, "event_kind"))
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    payload: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = timestamp_column()

    repr_fields = ("id", "user_id", "kind", "entity", "entity_id")


class NotificationKind(enum.StrEnum):
    """What a reminder is about."""

    INTERVIEW = "interview"
    FOLLOW_UP = "follow_up"
    STALE_OFFER = "stale_offer"
    #: A database health alert, for server administrators.
    ALERT = "alert"


class EmailState(enum.StrEnum):
    """Where the e-mail of a notification stands."""

    SKIPPED = "skipped"
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class Notification(Base):
    """A reminder for one person, created once per ``reminder_key`` and e-mailed at most once.

    ``read_at`` is ``None`` while unread. The e-mail columns belong to the
    delivery step (see :mod:`database.domain.notifications.delivery`).
    """

    __tablename__ = "notifications"
    __table_args__ = (
        CheckConstraint("email_attempts >= 0", name="email_attempts_non_negative"),
        Index("uq_notifications_user_reminder", "user_id", "reminder_key", unique=True),
        Index("ix_notifications_user_unread", "user_id", "read_at", "id"),
        Index("ix_notifications_delivery", "email_state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    application_id: Mapped[int | None] = mapped_column(
        ForeignKey("job_applications.id", ondelete="CASCADE")
    )
    kind: Mapped[NotificationKind] = mapped_column(
        enum_column(NotificationKind, "notification_kind")
    )
    reminder_key: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = timestamp_column()
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    email_state: Mapped[EmailState] = mapped_column(enum_column(EmailState, "email_state"))
    email_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(500))

    repr_fields = ("id", "user_id", "kind", "application_id")


class CalendarFeed(TimestampMixin, Base):
    """A person's calendar feed secret, stored only as its SHA-256."""

    __tablename__ = "calendar_feeds"
    __table_args__ = (Index("uq_calendar_feeds_token_hash", "token_hash", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64))

    hidden_fields = frozenset({"token_hash"})
    repr_fields = ("id", "user_id")


class DeliveryState(enum.StrEnum):
    """Where the delivery of one event to one webhook endpoint stands."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class WebhookEndpoint(Base):
    """A URL that receives the events its owner may see, signed with its own secret.

    With ``organization_id``, an owner or admin of that organization registered
    it for the organization's events. ``event_kinds`` lists the
    :class:`EventKind` values it wants; ``last_event_id`` is the newest outbox
    event already considered for it. The secret is stored as it is (it must be
    at hand to sign) and never shown after creation: see
    :mod:`database.domain.webhooks.endpoints`.
    """

    __tablename__ = "webhook_endpoints"
    __table_args__ = (
        CheckConstraint("length(url) > 0", name="url_not_empty"),
        Index("ix_webhook_endpoints_user", "user_id"),
        Index("ix_webhook_endpoints_organization", "organization_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE")
    )
    url: Mapped[str] = mapped_column(String(2048))
    event_kinds: Mapped[list[str]] = mapped_column(JSONValue, default=list)
    secret: Mapped[str] = mapped_column(String(128))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    last_event_id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), default=0, server_default="0"
    )
    created_at: Mapped[datetime] = timestamp_column()

    hidden_fields = frozenset({"secret"})
    repr_fields = ("id", "user_id", "organization_id")


class WebhookDelivery(Base):
    """One event sent (or to be sent) to one endpoint: its state, attempts and last answer."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("endpoint_id", "event_id", name="uq_webhook_deliveries_endpoint_event"),
        CheckConstraint("attempts >= 0", name="attempts_non_negative"),
        Index("ix_webhook_deliveries_due", "state", "next_attempt_at"),
        Index("ix_webhook_deliveries_event", "event_id"),
        Index("ix_webhook_deliveries_user", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoints.id", ondelete="CASCADE"))
    event_id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), ForeignKey("events.id", ondelete="CASCADE")
    )
    # The endpoint's owner: every person-owned row carries its owner's user_id.
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    state: Mapped[DeliveryState] = mapped_column(
        enum_column(DeliveryState, "webhook_delivery_state")
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_status: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = timestamp_column()
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    repr_fields = ("id", "endpoint_id", "event_id", "state")


class MaintenanceRunState(enum.StrEnum):
    """Where a maintenance run stands."""

    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class MaintenanceRun(Base):
    """One maintenance run (archiving, retention, optimisation) and its summary."""

    __tablename__ = "maintenance_runs"
    __table_args__ = (Index("ix_maintenance_runs_started_at", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = timestamp_column()
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    state: Mapped[MaintenanceRunState] = mapped_column(
        enum_column(MaintenanceRunState, "maintenance_run_state")
    )
    dry_run: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # What started it: "cli", "schedule" or "api".
    trigger: Mapped[str] = mapped_column(String(20))
    summary: Mapped[Any | None] = mapped_column(JSONValue)
    error: Mapped[str | None] = mapped_column(String(500))

    repr_fields = ("id", "state", "dry_run", "trigger")


class MaintenanceLock(Base):
    """A named lock held by one process until ``expires_at`` (maintenance, schedulers)."""

    __tablename__ = "maintenance_locks"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    acquired_at: Mapped[datetime] = timestamp_column()
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)

    repr_fields = ("name", "holder", "expires_at")


class MetricSample(Base):
    """One sampled figure of database health (for the charts of the last day)."""

    __tablename__ = "metric_samples"
    __table_args__ = (
        Index("ix_metric_samples_name_taken_at", "name", "taken_at"),
        Index("ix_metric_samples_taken_at", "taken_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    taken_at: Mapped[datetime] = timestamp_column()
    name: Mapped[str] = mapped_column(String(100))
    value: Mapped[float] = mapped_column(Float)

    repr_fields = ("id", "name", "taken_at")


class AlertState(Base):
    """The state of one alert rule: firing or not, since when, and its episodes."""

    __tablename__ = "alert_states"
    __table_args__ = (CheckConstraint("episodes >= 0", name="episodes_non_negative"),)

    rule: Mapped[str] = mapped_column(String(100), primary_key=True)
    firing: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    value: Mapped[float | None] = mapped_column(Float)
    threshold: Mapped[float | None] = mapped_column(Float)
    message: Mapped[str | None] = mapped_column(String(500))
    episodes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    evaluated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    repr_fields = ("rule", "firing", "episodes")


class ReadMark(Base):
    """A person's latest write position on the primary, while a read replica serves reads.

    Written in the same transaction as the write: the replica holds the row
    exactly when it has replayed that write (see :mod:`database.core.replica`).
    """

    __tablename__ = "read_marks"
    __table_args__ = (CheckConstraint("lsn >= 0", name="lsn_non_negative"),)

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    lsn: Mapped[int] = mapped_column(BigInteger)
    marked_at: Mapped[datetime] = timestamp_column()

    repr_fields = ("user_id", "lsn")


class RateLimit(Base):
    """How many API requests of a person's current window the workers have taken.

    Workers take allowance in chunks (see :mod:`database.services.rate_limits`),
    so the row is written once per chunk, not once per request; ``granted``
    never exceeds the limit of the window that began at ``window_started_at``.
    """

    __tablename__ = "rate_limits"
    __table_args__ = (CheckConstraint("granted >= 0", name="granted_non_negative"),)

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    window_started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    granted: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    repr_fields = ("user_id", "window_started_at", "granted")


#: The tables of the schema, in an order where each table follows those it references.
TABLES = tuple(Base.metadata.sorted_tables)

__all__ = [
    "ACTIVE",
    "INTERVIEW_STATUSES",
    "MAX_EVENT_PAYLOAD_CHARS",
    "NAMING_CONVENTION",
    "TABLES",
    "AIAnalysisCache",
    "AlertState",
    "ApplicationContact",
    "ApplicationNote",
    "ApplicationStatus",
    "ApplicationStatusHistory",
    "ApplicationTag",
    "AuthToken",
    "Base",
    "CalendarFeed",
    "Contact",
    "CoverLetter",
    "DeliveryState",
    "EmailState",
    "Event",
    "EventKind",
    "IdempotencyKey",
    "Invitation",
    "JobApplication",
    "MaintenanceLock",
    "MaintenanceRun",
    "MaintenanceRunState",
    "Membership",
    "MetricSample",
    "Notification",
    "NotificationKind",
    "Organization",
    "OrganizationRole",
    "RateLimit",
    "ReadMark",
    "Resume",
    "SchemaMigration",
    "SearchHistory",
    "SettingType",
    "SignInThrottle",
    "SystemSetting",
    "Tag",
    "ThrottleScope",
    "TimestampMixin",
    "TokenKind",
    "TokenScope",
    "User",
    "UserPreferences",
    "WebhookDelivery",
    "WebhookEndpoint",
]
