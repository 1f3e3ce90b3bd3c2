"""The ``DatabaseUtils`` calls about cover letters: one per application, text or a file."""

from __future__ import annotations


class CoverLetterCalls:
    """The ``DatabaseUtils`` calls about cover letters: one per application, text or a file."""
