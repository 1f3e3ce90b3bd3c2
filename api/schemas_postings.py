"""The body of ``POST /applications/import-posting``: a posting's address or its HTML."""

from __future__ import annotations

from pydantic import Field, model_validator

from api.schemas import WriteModel

MAX_URL_LENGTH = 2048


class PostingImport(WriteModel):
    """A job posting to import: its ``url`` (fetched), or its ``html`` (pasted).

    With ``html``, ``url`` is optional and only says where the page came from
    (the application's job URL and source when the page names none); the page
    is not fetched then. ``status`` is the new application's first status
    (``pending`` unless given).
    """

    url: str | None = Field(default=None, max_length=MAX_URL_LENGTH)
    html: str | None = None
    status: str | None = None

    @model_validator(mode="after")
    def _one_source(self) -> PostingImport:
        if self.url is None and self.html is None:
            raise ValueError("give the posting's url, or its html")
        return self
