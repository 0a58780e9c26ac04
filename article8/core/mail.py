"""Sending mail: SMTP (STARTTLS and authentication optional), or the log when no host is set."""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Protocol

from article8.core.settings import Settings, SmtpSettings

log = logging.getLogger("article8.mail")

# What a failed delivery can raise; anything in here is retried later, never fatal.
DELIVERY_ERRORS = (OSError, smtplib.SMTPException)


@dataclass(frozen=True)
class Message:
    """One plain-text mail to one person."""

    to: str
    subject: str
    body: str


class Mailer(Protocol):
    """Something that delivers a :class:`Message` or raises one of ``DELIVERY_ERRORS``."""

    def send(self, message: Message) -> None:
        """Deliver ``message``."""


class SmtpMailer:
    """Delivers through an SMTP server."""

    def __init__(self, smtp: SmtpSettings, timeout: float = 30) -> None:
        self.smtp = smtp
        self.timeout = timeout

    def send(self, message: Message) -> None:
        """Deliver ``message`` over one SMTP connection."""
        mail = EmailMessage()
        mail["From"] = self.smtp.sender
        mail["To"] = message.to
        mail["Subject"] = message.subject
        mail["Date"] = formatdate(localtime=False)
        mail["Message-ID"] = make_msgid(domain=self.smtp.sender.rpartition("@")[2] or None)
        mail.set_content(message.body)
        with smtplib.SMTP(self.smtp.host, self.smtp.port, timeout=self.timeout) as server:
            if self.smtp.starttls:
                server.starttls()
            if self.smtp.user:
                server.login(self.smtp.user, self.smtp.password)
            server.send_message(mail)


class LogMailer:
    """Writes mails to the log (no SMTP host configured: demos and development)."""

    def send(self, message: Message) -> None:
        """Log ``message``."""
        log.info("mail to %s: %s\n%s", message.to, message.subject, message.body)


def mailer_from_settings(settings: Settings) -> Mailer:
    """SMTP when a host is configured, else the log."""
    return SmtpMailer(settings.smtp) if settings.smtp.host else LogMailer()
