"""The ``DatabaseUtils`` calls about importing a job posting from its address or its HTML."""

from __future__ import annotations

from typing import Any

from database.domain import applications
from database.domain.duplicates import parse_on_duplicate
from database.domain.schemas import parse_status, require_id
from database.io.postings import read_posting
from database.models import ApplicationStatus, JobApplication
from database.services.calls import run

#: Where an imported posting starts: saved, not applied to yet.
IMPORTED_STATUS = ApplicationStatus.PENDING


def posting_fields(
    url: str | None, html: str | None, status: ApplicationStatus | str = IMPORTED_STATUS
) -> dict[str, Any]:
    """The new application's fields from the posting (fetched when only ``url`` is given).

    No transaction is open meanwhile: the fetch may take seconds.
    """
    checked = parse_status(status)
    fields = read_posting(url, html)
    fields["status"] = checked
    return fields


class PostingCalls:
    """The ``DatabaseUtils`` calls about importing a job posting from its address or its HTML."""

    @staticmethod
    def import_job_posting(
        user_id: int,
        url: str | None = None,
        html: str | None = None,
        *,
        status: ApplicationStatus | str = IMPORTED_STATUS,
        on_duplicate: str = "allow",
    ) -> JobApplication:
        """A new application from the schema.org ``JobPosting`` at ``url`` or in ``html``.

        With ``html`` the page is not fetched (``url``, if given too, is where
        it came from); with ``url`` alone it is, within ``POSTING_FETCH_TIMEOUT``
        and ``POSTING_MAX_BYTES``, and in hosted mode only from public
        addresses. The title, company, location, description, salary (per
        year), employment type and remote flag fill the application, which
        then goes through :meth:`add_job_application`'s checks (``on_duplicate``
        as there); it starts as ``pending`` unless ``status`` says otherwise.
        :class:`ValidationError` on ``url`` or ``html`` when nothing can be
        fetched or no posting is found.
        """
        require_id(user_id, "user_id")
        parse_status(status)
        policy = parse_on_duplicate(on_duplicate)
        fields = posting_fields(url, html, status)
        return run(lambda s: applications.add(s, user_id, fields, policy))
