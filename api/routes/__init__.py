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

#: Every router of the API, in the order of the OpenAPI document. A request is
#: matched against the routes in this order, so the most requested come first.
ROUTERS: tuple[APIRouter, ...] = (
    health.router,
    # Before applications.router: its GET /applications/{application_id} would take
    # "duplicates" and "sources".
    application_details.router,
    applications.router,
    auth.router,
    credentials.router,
    me.router,
    personal_backup.router,
    preferences.router,
    resumes.router,
    search_history.router,
    notifications.router,
    postings.router,
    tags.router,
    cover_letters.router,
    contacts.router,
    archiving.router,
    exports.router,
    imports.router,
    organizations.router,
    analytics.router,
    admin.router,
    webhooks.router,
    ws.router,
)
