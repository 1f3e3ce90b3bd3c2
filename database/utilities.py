"""``DatabaseUtils``: the spec's high-level API, one transaction per call.

Each method opens a transaction on the global database, calls one domain
function, and commits. Returned ORM objects stay readable after the call
(``user.id``, ``application.status.value``). Bad input raises
:class:`utils.errors.ValidationError` naming the field, and leaves the database
unchanged; driver failures raise :class:`utils.errors.DatabaseError`.
"""

from __future__ import annotations

from database.io.backup import BackupManager
from database.models import ApplicationStatus
from database.services.alert_calls import AlertCalls
from database.services.application_calls import ApplicationCalls
from database.services.archive_calls import ArchiveCalls
from database.services.contact_calls import ContactCalls
from database.services.cover_letter_calls import CoverLetterCalls
from database.services.health_calls import HealthCalls
from database.services.insight_calls import InsightCalls
from database.services.notification_calls import NotificationCalls
from database.services.personal_data_calls import PersonalDataCalls
from database.services.posting_calls import PostingCalls
from database.services.profile_calls import ProfileCalls
from database.services.record_calls import RecordCalls
from database.services.tag_calls import TagCalls


class DatabaseUtils(
    ProfileCalls,
    ApplicationCalls,
    InsightCalls,
    RecordCalls,
    NotificationCalls,
    PersonalDataCalls,
    ArchiveCalls,
    AlertCalls,
    HealthCalls,
    ContactCalls,
    TagCalls,
    CoverLetterCalls,
    PostingCalls,
):
    """High-level operations on users, resumes, applications, searches and settings.

    Every method is a static method: ``DatabaseUtils.create_user(...)``. The
    calls are grouped by area in :mod:`database.services`.
    """


__all__ = ["ApplicationStatus", "BackupManager", "DatabaseUtils"]
