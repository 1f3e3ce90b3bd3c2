"""Password reset by a single-use token that expires after an hour, sent by mail."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from database.core.column_types import utcnow
from database.core.keys import email_key
from database.domain.accounts import tokens
from database.domain.accounts.mail import MailSender
from database.domain.accounts.sign_in import set_password_and_end_sessions
from database.models import TokenKind, User
from utils.errors import AuthenticationError, ValidationError

log = logging.getLogger(__name__)

RESET_TOKEN_LIFETIME = timedelta(hours=1)
RESET_SUBJECT = "Reset your Auto Applyer password"
RESET_REFUSED = "invalid or expired reset token"


def request_password_reset(
    session: Session, email: str, mailer: MailSender, *, now: datetime | None = None
) -> None:
    """Mail a reset token to the account of ``email``; silently nothing for an unknown one.

    Earlier pending reset tokens of the account stop working: only the newest does.
    """
    if not isinstance(email, str):
        raise ValidationError("email", "must be a string")
    user = session.scalar(select(User).where(User.email_key == email_key(email)))
    if user is None or not user.is_active:
        return
    now = now or utcnow()
    tokens.revoke_all(session, user.id, (TokenKind.PASSWORD_RESET,))
    issued = tokens.issue(
        session, user.id, TokenKind.PASSWORD_RESET, expires_at=now + RESET_TOKEN_LIFETIME
    )
    mailer.send(user.email, RESET_SUBJECT, _body(issued.token))
    log.info("Password reset mailed to user %s", user.id)


def reset_password(
    session: Session, raw_token: str, new_password: str, *, now: datetime | None = None
) -> None:
    """Set a new password with a reset token, which is then used up.

    An unknown, used or expired token raises :class:`AuthenticationError`; a new
    password outside the policy raises :class:`ValidationError` and keeps the
    token. Every access token of the user ends.
    """
    token = tokens.find_live(session, raw_token, (TokenKind.PASSWORD_RESET,), now or utcnow())
    if token is None:
        raise AuthenticationError(RESET_REFUSED)
    set_password_and_end_sessions(session, token.user_id, new_password)


def _body(raw_token: str) -> str:
    return (
        "Someone asked to reset the password of your Auto Applyer account.\n\n"
        f"Your reset code (valid for one hour, usable once): {raw_token}\n\n"
        "If it was not you, ignore this message.\n"
    )
