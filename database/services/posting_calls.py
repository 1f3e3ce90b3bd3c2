"""The ``DatabaseUtils`` calls about importing a job posting from its address or its HTML."""

from __future__ import annotations


class PostingCalls:
    """The ``DatabaseUtils`` calls about importing a job posting from its address or its HTML."""
