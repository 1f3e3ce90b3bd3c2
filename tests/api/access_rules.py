"""Who may call each route of the API, and how a test calls it: the authorization table.

``tests/api/test_authorization_matrix.py`` reads ``app.openapi()`` and, for
every operation, calls the route as each actor of the test world and checks
the status this table expects. A route of the OpenAPI document without an
entry here fails that test, and so does an entry without a route: a new route
is not done until it has a line in :data:`ACCESS_RULES`.

The format
==========

:data:`ACCESS_RULES` maps ``(METHOD, path template)`` -- the template exactly as
the OpenAPI document spells it, prefix included -- to an :class:`Access`::

    ("GET", "/api/v1/applications/{application_id}"): Access(
        Rule.MEMBER_DATA_READ, params={"application_id": "application"}
    ),
    ("POST", "/api/v1/applications"): Access(
        Rule.SELF_WRITE, success=201, json={"job_title": "Engineer", "company": "Acme"}
    ),
    ("POST", "/api/v1/auth/token"): Access(
        Rule.PUBLIC, form={"username": "{owner_email}", "password": "{password}"}
    ),

``Access`` fields:

- ``rule``: one of the :class:`Rule` kinds below; it decides every actor's status.
- ``success``: the status of a call that is allowed (200 unless told).
- ``params``: path parameter -> the name of a world object whose id fills it.
- ``json`` / ``form`` / ``query`` / ``files``: what the call sends (a JSON
  body, an HTML form, query parameters, multipart files as
  ``{"file": ("cv.txt", b"...", "text/plain")}``).
- ``overrides``: actor -> status, for a documented exception to the rule
  (say why in a comment beside it).

Objects and placeholders
------------------------

Every case runs against fresh objects, made just before the call by the
makers of ``tests/support/api_world.py`` (``OBJECT_MAKERS``: add one there for
a new kind of object), so a successful DELETE or PATCH never disturbs the next
case. A maker makes its object for the data ``owner`` unless its name starts
with ``own_``: then it belongs to the caller (``own_api_key`` is the caller's
own key, for the self-service routes).

Strings in ``json``, ``form`` and ``query`` may hold placeholders:

- ``"{application}"`` (a whole string naming an object) becomes that object's id,
  an ``int``; ``"{application}"`` inside a longer string is formatted in;
- ``{password}``: the password of every account of the world;
- ``{owner_email}``: the data owner's email;
- ``{unique}``: a value new to each case (for sign-up emails, names, slugs);
- ``{organization}``: the id of the owner's organization (org A).

The actors
==========

``owner`` owns the data (a plain member of org A); org A also has a ``member``,
a ``coach`` and an ``admin`` (role admin); ``other`` belongs to org B only;
``anonymous`` sends no credentials, ``revoked`` and ``expired`` send the
owner's dead access tokens, ``read_only_key`` the owner's API key of scope
``read``; ``server_admin`` (``is_server_admin``, in no organization) is added
for :data:`Rule.ADMIN_ONLY` routes.

The rule kinds
==============

For every rule but ``PUBLIC``: ``anonymous``, ``revoked`` and ``expired`` -> 401.

``PUBLIC``
    Any caller, credentials or not (health, register, token, password reset):
    everyone -> success.
``SELF_READ``
    The caller's own account, keys, profile, lists (``/me``, ``GET
    /applications``, statistics...): any valid credential -> success.
``SELF_WRITE``
    A change to the caller's own things (create an application, an API key,
    change the password): any valid credential -> success;
    ``read_only_key`` -> 403.
``MEMBER_DATA_READ``
    An object owned by ``owner``: owner, coach, admin and the owner's
    ``read_only_key`` -> success; ``member`` (same organization, no
    management role) and ``other`` -> 404.
``OWNER_WRITE``
    A change to an object of ``owner``'s: owner -> success; coach, admin ->
    403 (they see it, may not change it); member, other -> 404;
    ``read_only_key`` -> 403.
``ORG_READ``
    Organization ``{organization}`` (org A) as its members see it: owner,
    member, coach, admin, ``read_only_key`` -> success; ``other`` -> 404.
``ORG_MANAGE``
    A change to org A that its managers make: admin -> success; owner,
    member, coach, ``read_only_key`` -> 403; ``other`` -> 404.
``ADMIN_ONLY``
    Server administration: ``server_admin`` -> success; every other
    authenticated actor -> 403.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

API = "/api/v1"


class Rule(enum.Enum):
    """Who may call a route (see the module's documentation for each actor's status)."""

    PUBLIC = "public"
    SELF_READ = "self_read"
    SELF_WRITE = "self_write"
    MEMBER_DATA_READ = "member_data_read"
    OWNER_WRITE = "owner_write"
    ORG_READ = "org_read"
    ORG_MANAGE = "org_manage"
    ADMIN_ONLY = "admin_only"


@dataclass(frozen=True)
class Access:
    """A route's rule and how a test calls it (see the module's documentation)."""

    rule: Rule
    success: int = 200
    params: Mapping[str, str] = field(default_factory=dict)
    json: Any = None
    form: Mapping[str, str] | None = None
    query: Mapping[str, Any] | None = None
    files: Mapping[str, tuple[str, bytes, str]] | None = None
    overrides: Mapping[str, int] = field(default_factory=dict)
    #: Called as a fresh account with the actor's roles: the route closes the caller's account.
    stand_in: bool = False


#: The actors of every route; ``server_admin`` joins them on ``ADMIN_ONLY`` routes.
ACTORS = (
    "owner",
    "member",
    "coach",
    "admin",
    "other",
    "anonymous",
    "revoked",
    "expired",
    "read_only_key",
)
_UNAUTHENTICATED = {"anonymous": 401, "revoked": 401, "expired": 401}
_SELF = ("owner", "member", "coach", "admin", "other", "read_only_key")
#: Each rule's allowed actors, and the status of each refused one (beside the 401s).
_ALLOWED: dict[Rule, tuple[str, ...]] = {
    Rule.PUBLIC: (*ACTORS,),
    Rule.SELF_READ: _SELF,
    Rule.SELF_WRITE: _SELF[:-1],
    Rule.MEMBER_DATA_READ: ("owner", "coach", "admin", "read_only_key"),
    Rule.OWNER_WRITE: ("owner",),
    Rule.ORG_READ: ("owner", "member", "coach", "admin", "read_only_key"),
    Rule.ORG_MANAGE: ("admin",),
    Rule.ADMIN_ONLY: ("server_admin",),
}
_REFUSED: dict[Rule, dict[str, int]] = {
    Rule.PUBLIC: {},
    Rule.SELF_READ: {},
    Rule.SELF_WRITE: {"read_only_key": 403},
    Rule.MEMBER_DATA_READ: {"member": 404, "other": 404},
    Rule.OWNER_WRITE: {
        "coach": 403,
        "admin": 403,
        "member": 404,
        "other": 404,
        "read_only_key": 403,
    },
    Rule.ORG_READ: {"other": 404},
    Rule.ORG_MANAGE: {
        "owner": 403,
        "member": 403,
        "coach": 403,
        "read_only_key": 403,
        "other": 404,
    },
    Rule.ADMIN_ONLY: {name: 403 for name in _SELF},
}


def actors_for(access: Access) -> tuple[str, ...]:
    """Every actor a route is called as."""
    if access.rule is Rule.ADMIN_ONLY:
        return (*ACTORS, "server_admin")
    return ACTORS


def expected_status(access: Access, actor: str) -> int:
    """The status ``actor``'s call of the route must get."""
    if actor in access.overrides:
        return access.overrides[actor]
    if actor in _ALLOWED[access.rule]:
        return access.success
    if actor in _UNAUTHENTICATED:
        return _UNAUTHENTICATED[actor]
    return _REFUSED[access.rule][actor]


APPLICATION = {"application_id": "application"}
#: A note of the application just made for the call (its maker runs first).
APPLICATION_NOTE = {**APPLICATION, "note_id": "latest_note"}
RESUME = {"resume_id": "resume"}
STORED_RESUME = {"resume_id": "stored_resume"}
CONTACT = {"contact_id": "contact"}
APPLICATION_CONTACT = {**APPLICATION, **CONTACT}
#: An application whose cover letter has text and a stored file.
LETTERED = {"application_id": "lettered_application"}
#: Resumes, preferences and search history are their owner's alone: the coach and
#: admin who read a member's applications get a 404 for these, like a stranger.
OWNER_ONLY = {"coach": 404, "admin": 404}
ORG = {"organization_id": "organization"}
TAG = {"tag_id": "tag"}
TAGGED = {"application_id": "tagged_application"}
WEBHOOK = {"webhook_id": "webhook"}
ORG_MEMBER = {**ORG, "user_id": "org_member"}
#: Organization analytics are for its coaches, admins and owners: the plain members
#: (``owner``, ``member`` and the owner's read-only key) see org A but get a 403.
ORG_ANALYTICS = Access(
    Rule.ORG_READ, params=ORG, overrides={"owner": 403, "member": 403, "read_only_key": 403}
)

#: A personal backup that adds nothing (``POST /me/backup``).
PERSONAL_BACKUP = b'{"format": "auto-applyer-personal-backup", "version": 1, "profile": {}}'

#: A pasted page holding a schema.org JobPosting (``POST /applications/import-posting``).
POSTING_HTML = (
    '<script type="application/ld+json">{"@type": "JobPosting", "title": "Engineer", '
    '"hiringOrganization": {"name": "Acme"}}</script>'
)

#: ``(METHOD, path template)`` -> the route's access rule and call.
ACCESS_RULES: dict[tuple[str, str], Access] = {
    # health and accounts
    ("GET", f"{API}/health"): Access(Rule.PUBLIC),
    ("POST", f"{API}/auth/register"): Access(
        Rule.PUBLIC,
        success=201,
        json={"email": "new-{unique}@example.com", "password": "{password}"},
    ),
    ("POST", f"{API}/auth/token"): Access(
        Rule.PUBLIC, form={"username": "{owner_email}", "password": "{password}"}
    ),
    ("POST", f"{API}/auth/logout"): Access(
        Rule.SELF_WRITE,
        success=204,
        # Signing out ends an access token; an API key is revoked by its own route.
        overrides={"read_only_key": 422},
    ),
    ("POST", f"{API}/auth/password"): Access(
        Rule.SELF_WRITE,
        success=204,
        json={"current_password": "{password}", "new_password": "{password}"},
    ),
    ("POST", f"{API}/auth/password-reset"): Access(
        Rule.PUBLIC, success=202, json={"email": "{owner_email}"}
    ),
    ("POST", f"{API}/auth/password-reset/confirm"): Access(
        Rule.PUBLIC,
        success=204,
        json={"token": "{reset_token}", "new_password": "{password}"},
    ),
    # credentials and profile
    ("GET", f"{API}/api-keys"): Access(Rule.SELF_READ),
    ("POST", f"{API}/api-keys"): Access(
        Rule.SELF_WRITE, success=201, json={"name": "key {unique}", "scopes": ["read"]}
    ),
    ("DELETE", f"{API}/api-keys/{{key_id}}"): Access(
        Rule.SELF_WRITE, success=204, params={"key_id": "own_api_key"}
    ),
    ("GET", f"{API}/me"): Access(Rule.SELF_READ),
    ("PATCH", f"{API}/me"): Access(Rule.SELF_WRITE, json={"first_name": "Ada"}),
    ("DELETE", f"{API}/me"): Access(Rule.SELF_WRITE, success=204, stand_in=True),
    ("GET", f"{API}/me/export"): Access(Rule.SELF_READ),
    ("GET", f"{API}/me/preferences"): Access(Rule.SELF_READ),
    ("PATCH", f"{API}/me/preferences"): Access(Rule.SELF_WRITE, json={"salary_min": 1000}),
    ("PUT", f"{API}/me/preferences"): Access(
        Rule.SELF_WRITE, json={"preferred_locations": ["Lyon"]}
    ),
    # resumes and search history: owner-only, so a coach or admin does not see them either
    ("GET", f"{API}/resumes"): Access(Rule.SELF_READ, query={"active_only": "false"}),
    ("POST", f"{API}/resumes"): Access(
        Rule.SELF_WRITE,
        success=201,
        files={"file": ("cv.txt", b"Python developer", "text/plain")},
    ),
    ("GET", f"{API}/resumes/{{resume_id}}"): Access(
        Rule.MEMBER_DATA_READ, params=RESUME, overrides=OWNER_ONLY
    ),
    ("DELETE", f"{API}/resumes/{{resume_id}}"): Access(
        Rule.OWNER_WRITE, success=204, params=STORED_RESUME, overrides=OWNER_ONLY
    ),
    ("GET", f"{API}/resumes/{{resume_id}}/file"): Access(
        Rule.MEMBER_DATA_READ, params=STORED_RESUME, overrides=OWNER_ONLY
    ),
    ("POST", f"{API}/resumes/{{resume_id}}/activate"): Access(
        Rule.OWNER_WRITE, params=RESUME, overrides=OWNER_ONLY
    ),
    # cover letters: owner-only like resumes (a coach reads the application, not its letter)
    ("GET", f"{API}/applications/{{application_id}}/cover-letter"): Access(
        Rule.MEMBER_DATA_READ, params=LETTERED, overrides=OWNER_ONLY
    ),
    ("PUT", f"{API}/applications/{{application_id}}/cover-letter"): Access(
        Rule.OWNER_WRITE, params=APPLICATION, json={"body": "Dear team"}, overrides=OWNER_ONLY
    ),
    ("DELETE", f"{API}/applications/{{application_id}}/cover-letter"): Access(
        Rule.OWNER_WRITE, success=204, params=LETTERED, overrides=OWNER_ONLY
    ),
    ("GET", f"{API}/applications/{{application_id}}/cover-letter/file"): Access(
        Rule.MEMBER_DATA_READ, params=LETTERED, overrides=OWNER_ONLY
    ),
    ("PUT", f"{API}/applications/{{application_id}}/cover-letter/file"): Access(
        Rule.OWNER_WRITE,
        params=APPLICATION,
        files={"file": ("letter.txt", b"Dear team", "text/plain")},
        overrides=OWNER_ONLY,
    ),
    ("DELETE", f"{API}/applications/{{application_id}}/cover-letter/file"): Access(
        Rule.OWNER_WRITE, success=204, params=LETTERED, overrides=OWNER_ONLY
    ),
    ("GET", f"{API}/search-history"): Access(Rule.SELF_READ, query={"limit": 10}),
    ("POST", f"{API}/search-history"): Access(
        Rule.SELF_WRITE, success=201, json={"job_title": "Engineer", "total_results": 3}
    ),
    ("DELETE", f"{API}/search-history/{{search_id}}"): Access(
        Rule.OWNER_WRITE,
        success=204,
        params={"search_id": "search_entry"},
        overrides=OWNER_ONLY,
    ),
    # contacts: owner-only, like resumes; an application's contacts too, though a coach
    # reads the application itself
    ("GET", f"{API}/contacts"): Access(Rule.SELF_READ, query={"q": "ada"}),
    ("POST", f"{API}/contacts"): Access(
        Rule.SELF_WRITE, success=201, json={"name": "Grace", "email": "grace@example.com"}
    ),
    ("GET", f"{API}/contacts/{{contact_id}}"): Access(
        Rule.MEMBER_DATA_READ, params=CONTACT, overrides=OWNER_ONLY
    ),
    ("PATCH", f"{API}/contacts/{{contact_id}}"): Access(
        Rule.OWNER_WRITE, params=CONTACT, json={"role": "Recruiter"}, overrides=OWNER_ONLY
    ),
    ("DELETE", f"{API}/contacts/{{contact_id}}"): Access(
        Rule.OWNER_WRITE, success=204, params=CONTACT, overrides=OWNER_ONLY
    ),
    ("POST", f"{API}/contacts/{{contact_id}}/contacted"): Access(
        Rule.OWNER_WRITE, params=CONTACT, overrides=OWNER_ONLY
    ),
    ("GET", f"{API}/contacts/{{contact_id}}/applications"): Access(
        Rule.MEMBER_DATA_READ, params=CONTACT, overrides=OWNER_ONLY
    ),
    ("GET", f"{API}/applications/{{application_id}}/contacts"): Access(
        Rule.MEMBER_DATA_READ, params=APPLICATION, overrides=OWNER_ONLY
    ),
    ("PUT", f"{API}/applications/{{application_id}}/contacts/{{contact_id}}"): Access(
        Rule.OWNER_WRITE, params=APPLICATION_CONTACT, overrides=OWNER_ONLY
    ),
    ("DELETE", f"{API}/applications/{{application_id}}/contacts/{{contact_id}}"): Access(
        Rule.OWNER_WRITE, success=204, params=APPLICATION_CONTACT, overrides=OWNER_ONLY
    ),
    ("GET", f"{API}/search/contacts"): Access(Rule.SELF_READ, query={"q": "ada"}),
    ("GET", f"{API}/exports/contacts.csv"): Access(Rule.SELF_READ),
    # notifications: owner-only, like the profile; the calendar feed's secret is its credential
    ("GET", f"{API}/notifications"): Access(Rule.SELF_READ, query={"unread": "true"}),
    ("GET", f"{API}/notifications/unread-count"): Access(Rule.SELF_READ),
    ("POST", f"{API}/notifications/read-all"): Access(Rule.SELF_WRITE),
    ("POST", f"{API}/notifications/{{notification_id}}/read"): Access(
        Rule.OWNER_WRITE, params={"notification_id": "notification"}, overrides=OWNER_ONLY
    ),
    ("POST", f"{API}/calendar/feed"): Access(Rule.SELF_WRITE, success=201),
    ("GET", f"{API}/calendar/{{secret}}.ics"): Access(
        Rule.PUBLIC, params={"secret": "calendar_secret"}
    ),
    # applications
    ("GET", f"{API}/applications"): Access(Rule.SELF_READ, query={"limit": 10}),
    ("POST", f"{API}/applications"): Access(
        Rule.SELF_WRITE, success=201, json={"job_title": "Engineer", "company": "Acme"}
    ),
    ("POST", f"{API}/applications/import-posting"): Access(
        Rule.SELF_WRITE, success=201, json={"html": POSTING_HTML}
    ),
    ("GET", f"{API}/applications/{{application_id}}"): Access(
        Rule.MEMBER_DATA_READ, params=APPLICATION
    ),
    ("PATCH", f"{API}/applications/{{application_id}}"): Access(
        Rule.OWNER_WRITE, params=APPLICATION, json={"location": "Lyon"}
    ),
    ("DELETE", f"{API}/applications/{{application_id}}"): Access(
        Rule.OWNER_WRITE, success=204, params=APPLICATION
    ),
    ("POST", f"{API}/applications/{{application_id}}/status"): Access(
        Rule.OWNER_WRITE, params=APPLICATION, json={"status": "screening"}
    ),
    ("GET", f"{API}/applications/{{application_id}}/history"): Access(
        Rule.MEMBER_DATA_READ, params=APPLICATION
    ),
    # archiving follows the application's rules; the bulk one is the caller's own
    ("POST", f"{API}/applications/{{application_id}}/archive"): Access(
        Rule.OWNER_WRITE, params=APPLICATION
    ),
    ("POST", f"{API}/applications/{{application_id}}/unarchive"): Access(
        Rule.OWNER_WRITE, params=APPLICATION
    ),
    ("POST", f"{API}/applications/archive"): Access(
        Rule.SELF_WRITE, json={"statuses": ["rejected"]}
    ),
    # application details: notes and timeline follow the application's rules
    ("POST", f"{API}/applications/bulk"): Access(
        Rule.SELF_WRITE, success=201, json={"rows": [{"job_title": "Engineer", "company": "Acme"}]}
    ),
    ("GET", f"{API}/applications/duplicates"): Access(
        Rule.SELF_READ, query={"company": "Acme", "job_title": "Engineer"}
    ),
    ("GET", f"{API}/applications/sources"): Access(Rule.SELF_READ),
    ("GET", f"{API}/applications/{{application_id}}/notes"): Access(
        Rule.MEMBER_DATA_READ, params=APPLICATION
    ),
    ("POST", f"{API}/applications/{{application_id}}/notes"): Access(
        Rule.OWNER_WRITE, success=201, params=APPLICATION, json={"body": "called back"}
    ),
    ("PATCH", f"{API}/applications/{{application_id}}/notes/{{note_id}}"): Access(
        Rule.OWNER_WRITE, params=APPLICATION_NOTE, json={"body": "called twice"}
    ),
    ("DELETE", f"{API}/applications/{{application_id}}/notes/{{note_id}}"): Access(
        Rule.OWNER_WRITE, success=204, params=APPLICATION_NOTE
    ),
    ("GET", f"{API}/applications/{{application_id}}/timeline"): Access(
        Rule.MEMBER_DATA_READ, params=APPLICATION
    ),
    ("GET", f"{API}/statistics"): Access(Rule.SELF_READ, query={"days": 30}),
    # tags: an application's follow its rules; the vocabulary is its owner's alone
    ("GET", f"{API}/tags"): Access(Rule.SELF_READ),
    ("PATCH", f"{API}/tags/{{tag_id}}"): Access(
        Rule.OWNER_WRITE, params=TAG, json={"name": "renamed {unique}"}, overrides=OWNER_ONLY
    ),
    ("DELETE", f"{API}/tags/{{tag_id}}"): Access(
        Rule.OWNER_WRITE, success=204, params=TAG, overrides=OWNER_ONLY
    ),
    ("GET", f"{API}/applications/{{application_id}}/tags"): Access(
        Rule.MEMBER_DATA_READ, params=TAGGED
    ),
    ("PUT", f"{API}/applications/{{application_id}}/tags"): Access(
        Rule.OWNER_WRITE, params=TAGGED, json={"tags": ["Remote", "Referral"]}
    ),
    ("DELETE", f"{API}/applications/{{application_id}}/tags/{{name}}"): Access(
        Rule.OWNER_WRITE, success=204, params={**TAGGED, "name": "tag_name"}
    ),
    ("GET", f"{API}/statistics/tags"): Access(Rule.SELF_READ, query={"days": 30}),
    ("GET", f"{API}/search/applications"): Access(Rule.SELF_READ, query={"q": "engineer"}),
    # organizations (a plain member reading org A's analytics or managing it: 403, it is visible)
    ("GET", f"{API}/organizations"): Access(Rule.SELF_READ),
    ("POST", f"{API}/organizations"): Access(
        Rule.SELF_WRITE, success=201, json={"name": "Lab {unique}"}
    ),
    ("GET", f"{API}/organizations/{{organization_id}}"): Access(Rule.ORG_READ, params=ORG),
    ("GET", f"{API}/organizations/{{organization_id}}/members"): Access(Rule.ORG_READ, params=ORG),
    ("PATCH", f"{API}/organizations/{{organization_id}}/members/{{user_id}}"): Access(
        Rule.ORG_MANAGE, params=ORG_MEMBER, json={"role": "coach"}
    ),
    ("DELETE", f"{API}/organizations/{{organization_id}}/members/{{user_id}}"): Access(
        Rule.ORG_MANAGE, success=204, params=ORG_MEMBER
    ),
    # Every caller leaves an organization of their own, made for the call.
    ("POST", f"{API}/organizations/{{organization_id}}/leave"): Access(
        Rule.SELF_WRITE, success=204, params={"organization_id": "own_organization"}
    ),
    ("GET", f"{API}/organizations/{{organization_id}}/members/{{user_id}}/applications"): Access(
        Rule.MEMBER_DATA_READ, params={**ORG, "user_id": "data_owner"}
    ),
    ("GET", f"{API}/organizations/{{organization_id}}/invitations"): Access(
        Rule.ORG_MANAGE, params=ORG
    ),
    ("POST", f"{API}/organizations/{{organization_id}}/invitations"): Access(
        Rule.ORG_MANAGE, success=201, params=ORG, json={"email": "invitee-{unique}@example.com"}
    ),
    ("DELETE", f"{API}/organizations/{{organization_id}}/invitations/{{invitation_id}}"): Access(
        Rule.ORG_MANAGE, success=204, params={**ORG, "invitation_id": "invitation"}
    ),
    ("POST", f"{API}/invitations/accept"): Access(
        Rule.SELF_WRITE, json={"token": "{own_invitation_token}"}
    ),
    # personal analytics (?user_id= is covered by tests/api/test_analytics.py)
    ("GET", f"{API}/analytics/statistics"): Access(Rule.SELF_READ, query={"days": 30}),
    ("GET", f"{API}/analytics/funnel"): Access(Rule.SELF_READ, query={"days": 30}),
    ("GET", f"{API}/analytics/conversion-by-source"): Access(Rule.SELF_READ),
    ("GET", f"{API}/analytics/conversion-by-resume"): Access(Rule.SELF_READ),
    ("GET", f"{API}/analytics/time-in-stage"): Access(Rule.SELF_READ),
    ("GET", f"{API}/analytics/applications-per-week"): Access(Rule.SELF_READ, query={"weeks": 4}),
    ("GET", f"{API}/analytics/response-stats"): Access(Rule.SELF_READ),
    ("GET", f"{API}/analytics/stale-applications"): Access(Rule.SELF_READ, query={"days": 7}),
    ("GET", f"{API}/analytics/sources"): Access(Rule.SELF_READ),
    # organization analytics: staff only; the owner of the data is a plain member of org A
    ("GET", f"{API}/organizations/{{organization_id}}/analytics/funnel"): ORG_ANALYTICS,
    ("GET", f"{API}/organizations/{{organization_id}}/analytics/conversion-by-source"): (
        ORG_ANALYTICS
    ),
    ("GET", f"{API}/organizations/{{organization_id}}/analytics/time-in-stage"): ORG_ANALYTICS,
    # exports, CSV import and the personal backup: the caller's own records only
    ("GET", f"{API}/exports/applications.csv"): Access(Rule.SELF_READ),
    ("GET", f"{API}/exports/applications.xlsx"): Access(Rule.SELF_READ),
    ("GET", f"{API}/exports/applications.pdf"): Access(Rule.SELF_READ),
    ("POST", f"{API}/imports/applications"): Access(
        Rule.SELF_WRITE,
        files={"file": ("jobs.csv", b"job_title,company\nEngineer,Acme\n", "text/csv")},
    ),
    ("GET", f"{API}/me/backup"): Access(Rule.SELF_READ),
    ("POST", f"{API}/me/backup"): Access(
        Rule.SELF_WRITE,
        files={"file": ("backup.json", PERSONAL_BACKUP, "application/json")},
    ),
    # webhooks: an endpoint is its registrant's alone, so a coach or admin gets a 404 too
    ("GET", f"{API}/webhooks"): Access(Rule.SELF_READ),
    ("POST", f"{API}/webhooks"): Access(
        Rule.SELF_WRITE,
        success=201,
        json={"url": "https://example.com/{unique}", "events": ["application.created"]},
    ),
    ("DELETE", f"{API}/webhooks/{{webhook_id}}"): Access(
        Rule.OWNER_WRITE, success=204, params=WEBHOOK, overrides=OWNER_ONLY
    ),
    ("GET", f"{API}/webhooks/{{webhook_id}}/deliveries"): Access(
        Rule.MEMBER_DATA_READ, params=WEBHOOK, overrides=OWNER_ONLY
    ),
    ("POST", f"{API}/webhooks/{{webhook_id}}/deliveries/{{delivery_id}}/resend"): Access(
        Rule.OWNER_WRITE,
        params={**WEBHOOK, "delivery_id": "webhook_delivery"},
        overrides=OWNER_ONLY,
    ),
    # server administration. Creating, downloading or restoring a real backup would
    # write outside the test's folders or replace the world, so the administrator's
    # call is refused for its input (after the authorization checks: everyone else
    # still gets their 403); tests/api/test_admin.py covers the successful calls.
    ("GET", f"{API}/admin/settings"): Access(Rule.ADMIN_ONLY),
    ("PUT", f"{API}/admin/settings/{{key}}"): Access(
        Rule.ADMIN_ONLY, params={"key": "unique"}, json={"value": "on"}
    ),
    ("GET", f"{API}/admin/backups"): Access(Rule.ADMIN_ONLY),
    ("POST", f"{API}/admin/backups"): Access(
        Rule.ADMIN_ONLY, json={"name": "../outside"}, overrides={"server_admin": 422}
    ),
    # ``{name}`` is left as it is: a backup called "{name}", which does not exist.
    ("GET", f"{API}/admin/backups/{{name}}"): Access(
        Rule.ADMIN_ONLY, overrides={"server_admin": 404}
    ),
    ("POST", f"{API}/admin/backups/{{name}}/restore"): Access(
        Rule.ADMIN_ONLY, json={"confirm": True}, overrides={"server_admin": 404}
    ),
    ("GET", f"{API}/admin/health"): Access(Rule.ADMIN_ONLY),
}
