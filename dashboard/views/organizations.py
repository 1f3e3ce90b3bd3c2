"""The Organizations page (hosted mode): my organizations; for coaches and admins, their members.

A coach, admin or owner of an organization sees its members, read-only a
member's applications, and the organization's analytics; owners and admins
also invite, change roles and remove members (:mod:`dashboard.views.memberships`);
anyone leaves, joins with an invitation or founds one. Every call goes
through the actor-scoped services (:mod:`database.services.tenancy`), one
transaction for the signed-in person each.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from dashboard import auth, state
from dashboard.components import forms
from dashboard.components.status import status_label
from dashboard.components.text import md
from dashboard.views import memberships
from database.domain.accounts import Actor
from database.domain.organizations.access import STAFF_ROLES
from database.models import JobApplication, Membership, Organization
from database.services.tenancy import analytics
from database.services.tenancy import organizations as tenancy

CREATE = "organization_create"
MEMBER_APPLICATIONS_LIMIT = 200


def _mine(actor: Actor) -> list[tuple[Organization, Membership]]:
    with state.ensure_database().session_scope() as session:
        return tenancy.my_organizations(session, actor)


def _members(actor: Actor, organization_id: int) -> list[tuple[Membership, str, str]]:
    """Each membership with the member's name and email (blank where the actor may not see them)."""
    with state.ensure_database().session_scope() as session:
        found = tenancy.list_members(session, actor, organization_id) or []
        return [(m, u.full_name if u else "", u.email if u else "") for m, u in found]


def _member_applications(
    actor: Actor, organization_id: int, member_id: int
) -> list[JobApplication]:
    with state.ensure_database().session_scope() as session:
        found = tenancy.member_applications(
            session, actor, organization_id, member_id, limit=MEMBER_APPLICATIONS_LIMIT
        )
    return [] if found is None else found[0]


def _funnel(actor: Actor, organization_id: int) -> list[dict[str, Any]]:
    with state.ensure_database().session_scope() as session:
        figures = analytics.organization_funnel(session, actor, organization_id)
    return [] if figures is None else list(figures["stages"])


def _create() -> None:
    name = forms.text_or_none(f"{CREATE}.name") or ""

    def work() -> None:
        actor = auth.require_actor()
        with state.ensure_database().session_scope() as session:
            tenancy.create_organization(session, actor, name)

    forms.attempt(CREATE, work, f"Organization {md(name)} created.", clear=[f"{CREATE}.name"])


def _member_table(
    actor: Actor, organization: Organization, members: list[tuple[Membership, str, str]]
) -> None:
    st.dataframe(
        pd.DataFrame(
            {
                "Member": [name for _, name, _ in members],
                "Email": [email for _, _, email in members],
                "Role": [m.role.value for m, _, _ in members],
            }
        ),
        hide_index=True,
        width="stretch",
    )
    names = {m.user_id: f"{name} ({email})" for m, name, email in members}
    chosen = st.selectbox(
        "Member's applications (read-only)",
        list(names),
        format_func=lambda i: names[i],
        key=f"org.{organization.id}.member",
    )
    if chosen is None:
        return
    rows = _member_applications(actor, organization.id, chosen)
    if not rows:
        st.caption("No applications yet.")
        return
    st.dataframe(
        pd.DataFrame(
            {
                "Job title": [a.job_title for a in rows],
                "Company": [a.company for a in rows],
                "Status": [status_label(a.status) for a in rows],
                "Applied": [a.application_date.date() for a in rows],
            }
        ),
        hide_index=True,
        width="stretch",
    )


def _analytics(actor: Actor, organization: Organization) -> None:
    st.markdown("**Funnel of all members' applications**")
    stages = _funnel(actor, organization.id)
    st.dataframe(
        pd.DataFrame(
            {
                "stage": [s["stage"] for s in stages],
                "applications": [s["count"] for s in stages],
                "conversion %": [s["conversion_rate"] for s in stages],
            }
        ),
        hide_index=True,
        width="stretch",
    )


def render(user_id: int) -> None:
    """The Organizations page."""
    del user_id  # always the signed-in person's
    actor = auth.require_actor()
    st.title("Organizations")
    mine = _mine(actor)
    if not mine:
        st.info("You belong to no organization.")
    for organization, membership in mine:
        with st.container(border=True):
            st.subheader(f"{md(organization.name)} · {membership.role.value}")
            members = _members(actor, organization.id)
            memberships.manage(organization, membership, members)
            if membership.role in STAFF_ROLES:
                _member_table(actor, organization, members)
                _analytics(actor, organization)
            memberships.leave_control(organization)
    memberships.join_form()
    with st.expander("Found an organization"), st.form(CREATE):
        st.text_input("Name", key=f"{CREATE}.name")
        forms.field_error(CREATE, "name")
        forms.general_error(CREATE, ("name",))
        st.form_submit_button("Create organization", on_click=_create)
