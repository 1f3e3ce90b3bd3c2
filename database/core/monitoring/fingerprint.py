"""A statement's fingerprint: its SQL with every value taken out.

Literals (strings, numbers) and parameter placeholders of every driver style
(``?``, ``%s``, ``%(name)s``, ``:name``, ``$1``) become ``?``; a list of
values only (``IN (?, ?, ?)``, the rows of a many-row ``VALUES``, casts of
placeholders included) becomes ``(...)``; whitespace is collapsed. Statements
that differ only in their values therefore share a fingerprint, and a
fingerprint never holds a value.
"""

from __future__ import annotations

import re

#: Longer fingerprints are cut here (a statement's text can be huge).
MAX_LENGTH = 2000

_STRING = re.compile(r"(?:[EeXxBbNn])?'(?:[^']|'')*'")
_PLACEHOLDER = re.compile(r"%\([^)]*\)s|%s|\$\d+|(?<![:\w]):[A-Za-z_][\w]*|\?(?:\d+)?")
_NUMBER = re.compile(r"(?<![\w.\"])-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?(?![\w\"])")
_WHITESPACE = re.compile(r"\s+")
_VALUE = r"\?(?:\s*::\s*[A-Za-z_][\w ]*?)?"  # a placeholder, perhaps cast (PostgreSQL)
_VALUE_LIST = re.compile(rf"\(\s*(?:{_VALUE}\s*,\s*)*{_VALUE}\s*\)")
_REPEATED_LISTS = re.compile(r"\(\.\.\.\)(?:\s*,\s*\(\.\.\.\))+")
_COMMENT = re.compile(r"/\*.*?\*/|--[^\n]*", re.DOTALL)


def fingerprint(statement: str) -> str:
    """The normalised form of ``statement`` (see the module's documentation)."""
    text = _COMMENT.sub(" ", statement)
    text = _STRING.sub("?", text)
    text = _PLACEHOLDER.sub("?", text)
    text = _NUMBER.sub("?", text)
    text = _WHITESPACE.sub(" ", text).strip()
    text = _VALUE_LIST.sub("(...)", text)
    text = _REPEATED_LISTS.sub("(...)", text)
    if len(text) > MAX_LENGTH:
        text = text[: MAX_LENGTH - 1] + "…"
    return text
