"""The ``DatabaseUtils`` calls about tags: a person's own vocabulary, on applications."""

from __future__ import annotations


class TagCalls:
    """The ``DatabaseUtils`` calls about tags: a person's own vocabulary, on applications."""
