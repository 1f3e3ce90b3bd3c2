"""The query parameters and header of every listing: ``limit``, ``offset``, ``X-Total-Count``."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

#: Rows of a listing page unless the client asks for another number, up to MAX_LIMIT.
DEFAULT_LIMIT = 50
MAX_LIMIT = 200
#: Far past any real listing, and within every engine's integer range.
MAX_OFFSET = 2**31 - 1
TOTAL_HEADER = "X-Total-Count"

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="rows of the page")]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="rows skipped before the page")]
