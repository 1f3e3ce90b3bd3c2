"""The API's routers, one module per resource, mounted under ``/api/v1``."""

from __future__ import annotations

from fastapi import APIRouter

from api.routes import (
    admin,
    analytics,
    application_details,
    applications,
    archiving,
    auth,
    contacts,
    cover_letters,
    credentials,
    exports,
    health,
    imports,
    me,
    notifications,
    organizations,
    personal_backup,
    postings,
    preferences,
    resumes,
    search_history,
    tags,
    webhooks,
    ws,
)

#: Every router of the API, in the order of the OpenAPI document.
ROUTERS: tuple[APIRouter, ...] = (
    health.router,
    auth.router,
    credentials.router,
    me.router,
    personal_backup.router,
    preferences.router,
    resumes.router,
    search_history.router,
    notifications.router,
    # Before applications.router: its /applications/{application_id} would take "bulk".
    postings.router,
    tags.router,
    cover_letters.router,
    contacts.router,
    application_details.router,
    archiving.router,
    applications.router,
    exports.router,
    imports.router,
    organizations.router,
    analytics.router,
    admin.router,
    webhooks.router,
    ws.router,
)
