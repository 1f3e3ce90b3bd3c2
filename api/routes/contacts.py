"""The API's routes about contacts."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["contacts"])
