"""``GET /health``: the service and its database answer (no sign-in)."""

from __future__ import annotations

from fastapi import APIRouter

from api.schemas import Health
from database.connection import get_database_manager

router = APIRouter(tags=["health"])


@router.get("/health", response_model=Health)
def read_health() -> Health:
    """``ok`` when the database answers a query; a 503 problem otherwise."""
    get_database_manager().check_connection()
    return Health()
