"""The Python examples of a Markdown page, for the tests that execute the documentation."""

from __future__ import annotations

import re
from pathlib import Path

#: A fenced block marked ``python``; blocks marked ``shell`` or ``bash`` are not run.
FENCE = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def python_blocks(path: Path) -> list[str]:
    """The ``python`` blocks of the page at ``path``, in order."""
    return FENCE.findall(path.read_text(encoding="utf-8"))
