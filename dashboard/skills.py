"""The skills vocabulary and its matcher, as the dashboard uses them.

They live in :mod:`database.io.skills`, below both the dashboard and the API,
so that an upload finds the same skills whichever way it came.
"""

from __future__ import annotations

from database.io.skills import VOCABULARY, extract_skills

__all__ = ["VOCABULARY", "extract_skills"]
