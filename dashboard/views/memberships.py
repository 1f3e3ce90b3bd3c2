"""The changes of the Organizations page: invite, change a role, remove, leave, join.

Each goes through :mod:`database.services.tenancy.organizations`, the API's
own calls, which decide who may do what: the page offers the managing
controls to owners and admins only as a convenience, and shows what the
service refuses (a role an admin may not give, the last owner leaving) as an
error next to the control.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import streamlit as st
from sqlalchemy.orm import Session

from dashboard import auth, state
from dashboard.components import forms
from dashboard.components.text import md
from database.domain.accounts import Actor
from database.domain.organizations.access import MANAGER_ROLES
from database.models import Membership, Organization, OrganizationRole
from database.services.tenancy import organizations as tenancy
from utils.errors import ValidationError

T = TypeVar("T")
JOIN = "invitation_accept"
ROLES = [role.value for role in OrganizationRole]
#: Where a new invitation waits to be shown, once, by organization id.
INVITED = "_invited.{}"


def _run(work: Callable[[Session, Actor], T]) -> T:
    """Run ``work`` in one transaction for the signed-in person."""
    actor = auth.require_actor()
    with state.ensure_database().session_scope() as session:
        return work(session, actor)


NOT_A_MEMBER = "is not a member of this organization"


def _found(value: T | None, field: str = "user_id") -> T:
    """``value``, or a :class:`ValidationError` when the service saw no such member."""
    if value is None:
        raise ValidationError(field, NOT_A_MEMBER)
    return value


def _done(done: bool) -> None:
    if not done:
        raise ValidationError("user_id", NOT_A_MEMBER)


def _chosen_member(form: str) -> int:
    """The member picked in the form (0, which the service refuses, when none is)."""
    value = st.session_state.get(f"{form}.member")
    return value if isinstance(value, int) else 0


def _form(organization: Organization, name: str) -> str:
    return f"org.{organization.id}.{name}"


def _errors(form: str, field: str) -> None:
    forms.field_error(form, field)
    forms.general_error(form, (field,))


def _invite(organization: Organization) -> None:
    form = _form(organization, "invite")
    email = forms.text_or_none(f"{form}.email") or ""
    role = str(st.session_state.get(f"{form}.role", OrganizationRole.MEMBER.value))

    def work() -> None:
        found = _run(lambda s, a: tenancy.invite(s, a, organization.id, email, role))
        invitation, token = _found(found, "organization_id")
        st.session_state[INVITED.format(organization.id)] = (invitation.email, role, token)

    forms.attempt(form, work, f"Invitation for {md(email)} created.", clear=[f"{form}.email"])


def _show_invitation(organization: Organization) -> None:
    """The token of an invitation just created, shown this once and then forgotten."""
    pending = st.session_state.pop(INVITED.format(organization.id), None)
    if pending is None:
        return
    email, role, token = pending
    st.warning(
        f"Give this single-use token to {md(email)} (role: {role}); it is shown only now. "
        "They join with it under **Join with an invitation** on this page."
    )
    st.code(token, language=None)


def _change_role(organization: Organization) -> None:
    form = _form(organization, "role")
    member = _chosen_member(form)
    role = str(st.session_state.get(f"{form}.role", ""))
    forms.attempt(
        form,
        lambda: _found(_run(lambda s, a: tenancy.change_role(s, a, organization.id, member, role))),
        f"Role changed to {role}.",
    )


def _remove(organization: Organization) -> None:
    form = _form(organization, "remove")
    member = _chosen_member(form)
    if not st.session_state.get(f"{form}.confirm"):
        forms.set_error(form, "user_id", "Tick “Confirm removal” first.")
        return
    forms.attempt(
        form,
        lambda: _done(_run(lambda s, a: tenancy.remove_member(s, a, organization.id, member))),
        "Member removed.",
        clear=[f"{form}.confirm"],
    )


def _leave(organization: Organization) -> None:
    form = _form(organization, "leave")
    forms.attempt(
        form,
        lambda: _done(_run(lambda s, a: tenancy.leave(s, a, organization.id))),
        f"You left {md(organization.name)}.",
        clear=[f"{form}.confirm"],
    )


def _accept() -> None:
    token = forms.text_or_none(f"{JOIN}.token") or ""
    forms.attempt(
        JOIN,
        lambda: _run(lambda s, a: tenancy.accept_invitation(s, a, token)),
        "You joined the organization.",
        clear=[f"{JOIN}.token"],
    )


def _invite_form(organization: Organization) -> None:
    form = _form(organization, "invite")
    with st.form(form):
        st.text_input("Email of the person to invite", key=f"{form}.email")
        forms.field_error(form, "email")
        st.selectbox("Role", ROLES, index=ROLES.index("member"), key=f"{form}.role")
        _errors(form, "role")
        st.form_submit_button("Invite", on_click=_invite, args=(organization,))


def _new_role(form: str) -> None:
    st.selectbox("New role", ROLES, key=f"{form}.role")


def _confirm_removal(form: str) -> None:
    st.checkbox("Confirm removal", key=f"{form}.confirm")


def _member_form(
    organization: Organization,
    names: dict[int, str],
    kind: str,
    extra: Callable[[str], None],
    error_field: str,
    submit: tuple[str, Callable[[Organization], None]],
) -> None:
    """A form that picks a member, draws ``extra`` and submits ``submit`` (label, action)."""
    form = _form(organization, kind)
    with st.form(form):
        st.selectbox("Member", list(names), format_func=names.__getitem__, key=f"{form}.member")
        extra(form)
        _errors(form, error_field)
        label, action = submit
        st.form_submit_button(label, on_click=action, args=(organization,))


def manage(
    organization: Organization, mine: Membership, members: list[tuple[Membership, str, str]]
) -> None:
    """The owners' and admins' controls: invite, change a role, remove a member."""
    _show_invitation(organization)
    if mine.role not in MANAGER_ROLES:
        return
    names = {m.user_id: f"{name} ({email}) · {m.role.value}" for m, name, email in members}
    with st.expander("Invite someone"):
        _invite_form(organization)
    with st.expander("Change a member's role"):
        _member_form(organization, names, "role", _new_role, "role", ("Change role", _change_role))
    with st.expander("Remove a member"):
        submit = ("Remove member", _remove)
        _member_form(organization, names, "remove", _confirm_removal, "user_id", submit)


def leave_control(organization: Organization) -> None:
    """Leaving the organization (refused for its last owner, with the service's reason)."""
    form = _form(organization, "leave")
    confirmed = st.checkbox(f"I want to leave {md(organization.name)}", key=f"{form}.confirm")
    st.button(
        "Leave organization",
        key=f"{form}.button",
        disabled=not confirmed,
        on_click=_leave,
        args=(organization,),
    )
    _errors(form, "role")


def join_form() -> None:
    """Joining an organization with the token of an invitation."""
    with st.expander("Join with an invitation"), st.form(JOIN):
        st.text_input("Invitation token", type="password", key=f"{JOIN}.token")
        _errors(JOIN, "token")
        st.form_submit_button("Join", on_click=_accept)
