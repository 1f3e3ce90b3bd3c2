"""The API's routes about cover letters."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["cover letters"])
