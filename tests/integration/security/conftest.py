"""Fixtures of the row-level security tests: the application role of this run."""

from __future__ import annotations

from tests.support.app_role import app_engine, app_role

__all__ = ["app_engine", "app_role"]
