"""The ``DatabaseUtils`` calls about contacts: people at a company, linked to applications."""

from __future__ import annotations


class ContactCalls:
    """The ``DatabaseUtils`` calls about contacts: people at a company, linked to applications."""
