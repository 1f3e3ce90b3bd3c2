"""The API's routes about posting import."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["posting import"])
