"""The hosted dashboard's front door: sign in, or create an account.

Nothing else of the app is drawn until someone is signed in. A refused sign-in
says the same thing for an unknown email and a wrong password; a locked
account says how long to wait.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from dashboard import auth
from dashboard.components import forms
from utils.errors import AuthenticationError, AutoApplyerError, ThrottledError, ValidationError

SIGN_IN = "sign_in"
SIGN_UP = "sign_up"
SIGN_UP_FIELDS = ("email", "password", "first_name", "last_name")


def _text(key: str) -> str:
    value = st.session_state.get(key)
    return value if isinstance(value, str) else ""


def _attempt(form: str, action: Callable[[], None]) -> bool:
    """Run ``action``; a refusal becomes the form's message (never the password typed)."""
    try:
        action()
    except ValidationError as exc:
        # The rule only: the rejected value may be the password.
        label = exc.field.replace("_", " ").capitalize()
        forms.set_error(form, exc.field, f"{label} {exc.rule}")
    except (AuthenticationError, ThrottledError) as exc:
        forms.set_error(form, forms.GENERAL, auth.refusal(exc))
    except AutoApplyerError as exc:
        forms.set_error(form, forms.GENERAL, str(exc))
    else:
        return True
    return False


def _sign_in() -> None:
    email, password = _text(f"{SIGN_IN}.email"), _text(f"{SIGN_IN}.password")
    st.session_state.pop(f"{SIGN_IN}.password", None)
    if _attempt(SIGN_IN, lambda: auth.sign_in_with(email, password)):
        st.session_state.pop(f"{SIGN_IN}.email", None)


def _sign_up() -> None:
    key = f"{SIGN_UP}."
    email, password = _text(key + "email"), _text(key + "password")
    names = (forms.text_or_none(key + "first_name"), forms.text_or_none(key + "last_name"))
    st.session_state.pop(key + "password", None)
    if _attempt(SIGN_UP, lambda: auth.sign_up_with(email.strip(), password, *names)):
        for name in SIGN_UP_FIELDS:
            st.session_state.pop(key + name, None)


def _sign_in_form() -> None:
    with st.form(SIGN_IN):
        forms.general_error(SIGN_IN, ())
        st.text_input("Email", key=f"{SIGN_IN}.email")
        st.text_input("Password", type="password", key=f"{SIGN_IN}.password")
        st.form_submit_button("Sign in", type="primary", on_click=_sign_in)


def _sign_up_form() -> None:
    with st.form(SIGN_UP):
        forms.general_error(SIGN_UP, SIGN_UP_FIELDS)
        st.text_input("Email", key=f"{SIGN_UP}.email")
        forms.field_error(SIGN_UP, "email")
        st.text_input(
            "Password (at least 8 characters)", type="password", key=f"{SIGN_UP}.password"
        )
        forms.field_error(SIGN_UP, "password")
        left, right = st.columns(2)
        with left:
            st.text_input("First name", key=f"{SIGN_UP}.first_name")
            forms.field_error(SIGN_UP, "first_name")
        with right:
            st.text_input("Last name", key=f"{SIGN_UP}.last_name")
            forms.field_error(SIGN_UP, "last_name")
        st.form_submit_button("Create account", type="primary", on_click=_sign_up)


def render() -> None:
    """The sign-in page: sign in, or create an account."""
    st.title("Sign in to Auto Applyer")
    sign_in_tab, sign_up_tab = st.tabs(["Sign in", "Create an account"])
    with sign_in_tab:
        _sign_in_form()
    with sign_up_tab:
        _sign_up_form()
