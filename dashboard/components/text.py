"""Escaping of user text shown in Streamlit markdown (titles, messages, labels render it)."""

from __future__ import annotations

import re

_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|>~<$:])")


def md(text: object) -> str:
    """``text`` escaped so markdown shows it literally: no links, images or emphasis."""
    return _MARKDOWN.sub(r"\\\1", str(text)).replace("\n", " ")
