"""Outgoing mail: the :class:`MailSender` protocol and an SMTP sender from the standard library.

:class:`SmtpMailSender` reads ``SMTP_HOST`` (default ``127.0.0.1``),
``SMTP_PORT`` (default ``25``), ``SMTP_FROM`` (default ``no-reply@localhost``),
``SMTP_STARTTLS`` (``1``/``true``: upgrade the connection with STARTTLS before
anything else) and, for servers that require a login, ``SMTP_USER`` with
``SMTP_PASSWORD``. Each may also be given with the project's prefix
(``AUTO_APPLYER_SMTP_HOST``, ...), which the plain name overrides. It logs
where a message went, never its body or the password.
"""

from __future__ import annotations

import logging
import os
import smtplib
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Protocol

from utils.errors import ConfigurationError

log = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 25
DEFAULT_SENDER = "no-reply@localhost"
TIMEOUT_SECONDS = 10.0
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"", "0", "false", "no", "off"})


class MailSender(Protocol):
    """Anything that can deliver one message to ``to``."""

    def send(self, to: str, subject: str, body: str) -> None:
        """Deliver the plain-text message, or raise."""
        ...


@dataclass(frozen=True)
class SmtpMailSender:
    """A :class:`MailSender` talking plain SMTP to ``host:port``."""

    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    sender: str = DEFAULT_SENDER
    starttls: bool = False
    user: str | None = None
    password: str | None = field(default=None, repr=False)

    @classmethod
    def from_environment(cls) -> SmtpMailSender:
        """The sender configured by the ``SMTP_*`` variables (see the module)."""
        port = _setting("PORT", str(DEFAULT_PORT))
        if not port.isdigit() or not 0 < int(port) < 65536:
            raise ConfigurationError("SMTP_PORT must be a port number")
        starttls = _setting("STARTTLS", "").strip().lower()
        if starttls not in _TRUE | _FALSE:
            raise ConfigurationError("SMTP_STARTTLS must be true or false")
        return cls(
            host=_setting("HOST", DEFAULT_HOST),
            port=int(port),
            sender=_setting("FROM", DEFAULT_SENDER),
            starttls=starttls in _TRUE,
            user=_setting("USER", "") or None,
            password=_setting("PASSWORD", "") or None,
        )

    def send(self, to: str, subject: str, body: str) -> None:
        """Send one plain-text message."""
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = to
        message["Subject"] = subject
        message.set_content(body)
        with smtplib.SMTP(self.host, self.port, timeout=TIMEOUT_SECONDS) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.user is not None:
                smtp.login(self.user, self.password or "")
            smtp.send_message(message)
        log.info("Mail %r sent through %s:%s", subject, self.host, self.port)


def _setting(name: str, default: str) -> str:
    """``SMTP_<name>``, else ``AUTO_APPLYER_SMTP_<name>``, else ``default``."""
    for variable in (f"SMTP_{name}", f"AUTO_APPLYER_SMTP_{name}"):
        value = os.environ.get(variable)
        if value is not None:
            return value
    return default
