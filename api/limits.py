"""The request body limit: a body over it is a 413 before the route reads all of it."""

from __future__ import annotations

import re

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.problems import problem
from database.io import resume_files
from database.io.postings.settings import DEFAULT_MAX_BYTES
from database.services.tenancy import records

#: The largest request body accepted, except where :data:`UPLOAD_LIMITS` allows more.
MAX_BODY_BYTES = 1024 * 1024
#: Room for a multipart body's boundaries, part headers and small form fields.
MULTIPART_OVERHEAD = 64 * 1024
#: Uploads: ``(method, path)`` -> the largest body accepted there instead.
UPLOAD_LIMITS: dict[tuple[str, str], int] = {
    ("POST", "/api/v1/resumes"): resume_files.MAX_BYTES + MULTIPART_OVERHEAD,
    ("POST", "/api/v1/imports/applications"): records.MAX_CSV_BYTES + MULTIPART_OVERHEAD,
    ("POST", "/api/v1/me/backup"): records.MAX_BACKUP_BYTES + MULTIPART_OVERHEAD,
    # Pasted HTML as a JSON string: room for its escapes (the HTML itself is checked too).
    ("POST", "/api/v1/applications/import-posting"): 2 * DEFAULT_MAX_BYTES + MULTIPART_OVERHEAD,
}
#: Uploads to paths with an id in them: ``(method, full-match pattern, largest body)``.
UPLOAD_PATTERNS: tuple[tuple[str, re.Pattern[str], int], ...] = (
    ("PUT", re.compile(r"/api/v1/applications/[0-9]+/cover-letter/file"),
     resume_files.MAX_BYTES + MULTIPART_OVERHEAD),
)  # fmt: skip


def upload_limit(method: str, path: str, default: int) -> int:
    """The largest body accepted for ``method`` on ``path``: an upload's allowance or ``default``.

    An exact path of :data:`UPLOAD_LIMITS` first, then the patterns of :data:`UPLOAD_PATTERNS`.
    """
    limit = UPLOAD_LIMITS.get((method, path))
    if limit is not None:
        return limit
    for pattern_method, pattern, allowed in UPLOAD_PATTERNS:
        if method == pattern_method and pattern.fullmatch(path):
            return allowed
    return default


class BodyTooLargeError(HTTPException):
    """The request body exceeds the limit.

    An ``HTTPException``, so that FastAPI's body parsing lets it through as a
    413 instead of turning it into a 400.
    """

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body must not exceed {limit} bytes")


class BodyLimitMiddleware:
    """Refuse a body over ``limit`` bytes by its ``Content-Length`` or as it streams."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = upload_limit(scope.get("method", ""), scope.get("path", ""), self.limit)
        if self._declared_length(scope) > limit:
            await self._refuse(scope, receive, send, limit)
            return
        received = 0
        started = False

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > limit:
                raise BodyTooLargeError(limit)
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted_receive, watched_send)
        except BodyTooLargeError:
            if started:
                raise
            await self._refuse(scope, receive, send, limit)

    @staticmethod
    def _declared_length(scope: Scope) -> int:
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    return int(value)
                except ValueError:
                    return 0
        return 0

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        response = problem(413, BodyTooLargeError(limit).detail, headers={"Connection": "close"})
        await response(scope, receive, send)
