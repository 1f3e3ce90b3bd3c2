"""Accounts: sign-up, sign-in, access tokens, API keys, password reset and throttling.

Functions take the session first and never commit; the caller owns the
transaction. An API route calls them with a session and the acting user's id.
Secrets (passwords, raw tokens) appear only in what a call returns to its
caller once, never in logs, reprs, errors or stored rows.
"""

from __future__ import annotations

from database.domain.accounts.api_keys import (
    ApiKeyInfo,
    create_api_key,
    list_api_keys,
    revoke_api_key,
)
from database.domain.accounts.mail import MailSender, SmtpMailSender
from database.domain.accounts.password_reset import (
    RESET_TOKEN_LIFETIME,
    ResetMail,
    mail_password_reset,
    prepare_password_reset,
    request_password_reset,
    reset_password,
    send_reset_mail,
)
from database.domain.accounts.sign_in import (
    ACCESS_TOKEN_LIFETIME,
    SIGN_IN_REFUSED,
    change_password,
    confirm_password,
    password_matches,
    sign_in,
    sign_in_recorded,
    sign_out,
    sign_up,
)
from database.domain.accounts.throttle import DEFAULT_POLICY, ThrottlePolicy
from database.domain.accounts.tokens import Actor, IssuedToken, authenticate

__all__ = [
    "ACCESS_TOKEN_LIFETIME",
    "DEFAULT_POLICY",
    "RESET_TOKEN_LIFETIME",
    "SIGN_IN_REFUSED",
    "Actor",
    "ApiKeyInfo",
    "IssuedToken",
    "MailSender",
    "ResetMail",
    "SmtpMailSender",
    "ThrottlePolicy",
    "authenticate",
    "change_password",
    "confirm_password",
    "create_api_key",
    "list_api_keys",
    "mail_password_reset",
    "password_matches",
    "prepare_password_reset",
    "request_password_reset",
    "reset_password",
    "revoke_api_key",
    "send_reset_mail",
    "sign_in",
    "sign_in_recorded",
    "sign_out",
    "sign_up",
]
