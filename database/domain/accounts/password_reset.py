"""Password reset by a single-use token that expires after an hour, sent by mail.

The mail goes out after the token's transaction has committed, so a code that
arrives always works. An unknown email does the same work up to the mail (a
lookup and a minted token that is thrown away), so the cost of a request does
not tell whether an account exists.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from database.core.column_types import utcnow
from database.core.keys import email_key
from database.core.tokens import mint
from database.domain.accounts import tokens
from database.domain.accounts.mail import MailSender
from database.domain.accounts.sign_in import set_password_and_end_sessions
from database.models import TokenKind, User
from utils.errors import AuthenticationError, AutoApplyerError, ValidationError

log = logging.getLogger(__name__)

RESET_TOKEN_LIFETIME = timedelta(hours=1)
RESET_SUBJECT = "Reset your Auto Applyer password"
RESET_REFUSED = "invalid or expired reset token"


@dataclass(frozen=True)
class ResetMail:
    """A reset mail to send: its recipient and its body, which holds the raw code."""

    user_id: int
    to: str
    body: str = field(repr=False)


def prepare_password_reset(
    session: Session, email: str, *, now: datetime | None = None
) -> ResetMail | None:
    """Issue a reset token to the account of ``email`` and the mail that carries it.

    ``None`` for an unknown or inactive account (after the same lookup and
    token minting). Earlier pending reset tokens of the account stop working:
    only the newest does.
    """
    if not isinstance(email, str):
        raise ValidationError("email", "must be a string")
    user = session.scalar(select(User).where(User.email_key == email_key(email)))
    if user is None or not user.is_active:
        mint(tokens.TAG)  # the cost of the token a known account gets
        return None
    now = now or utcnow()
    tokens.revoke_all(session, user.id, (TokenKind.PASSWORD_RESET,))
    issued = tokens.issue(
        session, user.id, TokenKind.PASSWORD_RESET, expires_at=now + RESET_TOKEN_LIFETIME
    )
    return ResetMail(user.id, user.email, _body(issued.token))


def send_reset_mail(mailer: MailSender, mail: ResetMail) -> None:
    """Hand ``mail`` to ``mailer``; its errors are raised."""
    mailer.send(mail.to, RESET_SUBJECT, mail.body)
    log.info("Password reset mailed to user %s", mail.user_id)


def request_password_reset(
    session: Session, email: str, mailer: MailSender, *, now: datetime | None = None
) -> None:
    """Mail a reset token to the account of ``email`` within the caller's transaction.

    Silently nothing for an unknown account; a mail failure is raised. The
    caller commits: a mail sent before a failed commit carries a dead code, so
    a server uses :func:`mail_password_reset` instead.
    """
    mail = prepare_password_reset(session, email, now=now)
    if mail is not None:
        send_reset_mail(mailer, mail)


def mail_password_reset(
    session_scope: Callable[[], AbstractContextManager[Session]],
    email: str,
    mailer: MailSender,
) -> bool:
    """Issue the token in a transaction of its own, then mail it once that has committed.

    ``session_scope`` is a transaction factory (one bound to the account, for
    row-level security). Whether a mail went out; a failure of the database or
    of the mail is logged (never with the code) and not raised, since whoever
    asked must not learn from it whether the account exists.
    """
    try:
        with session_scope() as session:
            mail = prepare_password_reset(session, email)
    except AutoApplyerError as exc:
        log.warning("Password reset not issued: %s", type(exc).__name__)
        return False
    if mail is None:
        return False
    try:
        send_reset_mail(mailer, mail)
    except OSError as exc:  # smtplib's errors are OSErrors too
        log.warning("Password reset mail to user %s failed: %s", mail.user_id, type(exc).__name__)
        return False
    return True


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
