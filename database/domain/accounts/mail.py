"""Outgoing mail: the :class:`MailSender` protocol and an SMTP sender from the standard library.

:class:`SmtpMailSender` reads ``AUTO_APPLYER_SMTP_HOST`` (default ``127.0.0.1``),
``AUTO_APPLYER_SMTP_PORT`` (default ``25``) and ``AUTO_APPLYER_SMTP_FROM``
(default ``no-reply@localhost``). It logs where a message went, never its body.
"""

from __future__ import annotations

import logging
import os
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol

from utils.errors import ConfigurationError

log = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 25
DEFAULT_SENDER = "no-reply@localhost"
TIMEOUT_SECONDS = 10.0


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

    @classmethod
    def from_environment(cls) -> SmtpMailSender:
        """The sender configured by the ``AUTO_APPLYER_SMTP_*`` variables."""
        port = os.environ.get("AUTO_APPLYER_SMTP_PORT", str(DEFAULT_PORT))
        if not port.isdigit() or not 0 < int(port) < 65536:
            raise ConfigurationError("AUTO_APPLYER_SMTP_PORT must be a port number")
        return cls(
            host=os.environ.get("AUTO_APPLYER_SMTP_HOST", DEFAULT_HOST),
            port=int(port),
            sender=os.environ.get("AUTO_APPLYER_SMTP_FROM", DEFAULT_SENDER),
        )

    def send(self, to: str, subject: str, body: str) -> None:
        """Send one plain-text message."""
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = to
        message["Subject"] = subject
        message.set_content(body)
        with smtplib.SMTP(self.host, self.port, timeout=TIMEOUT_SECONDS) as smtp:
            smtp.send_message(message)
        log.info("Mail %r sent through %s:%s", subject, self.host, self.port)
