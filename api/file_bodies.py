"""A file sent to the API: a multipart form's ``file`` field or the whole request body.

Routes that take a file (a CSV to import, a personal backup) accept both, so
that a browser form and ``curl --data-binary @file`` work alike. Their size is
bounded by the upload allowances of :mod:`api.limits`.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from starlette.datastructures import UploadFile

from utils.errors import ValidationError

FORM_FIELD = "file"
MULTIPART = "multipart/form-data"


async def uploaded_bytes(request: Request) -> bytes:
    """The bytes of the file sent; :class:`ValidationError` on ``file`` when there is none."""
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(MULTIPART):
        form = await request.form()
        upload = form.get(FORM_FIELD)
        if not isinstance(upload, UploadFile):
            raise ValidationError(FORM_FIELD, f"must be sent as the form field {FORM_FIELD!r}")
        content = await upload.read()
    else:
        content = await request.body()
    if not content:
        raise ValidationError(FORM_FIELD, "is empty")
    return content


def file_request_body(*media_types: str) -> dict[str, Any]:
    """The OpenAPI ``requestBody`` of a route reading :func:`uploaded_bytes`."""
    binary = {"schema": {"type": "string", "format": "binary"}}
    form = {
        "schema": {
            "type": "object",
            "properties": {FORM_FIELD: {"type": "string", "format": "binary"}},
            "required": [FORM_FIELD],
        }
    }
    content = {media_type: binary for media_type in media_types}
    return {"requestBody": {"required": True, "content": {**content, MULTIPART: form}}}


UploadedBytes = Annotated[bytes, Depends(uploaded_bytes)]
