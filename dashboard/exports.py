"""The dashboard's downloads: the files of :mod:`database.io.exports`, shared with the API."""

from __future__ import annotations

from database.io.exports import (
    COLUMNS,
    Column,
    ReportHeader,
    applications_csv,
    applications_pdf,
    applications_xlsx,
)

__all__ = [
    "COLUMNS",
    "Column",
    "ReportHeader",
    "applications_csv",
    "applications_pdf",
    "applications_xlsx",
]
