"""Sending email through the configured mail server (HEARD_SMTP_HOST and friends)."""

import logging
import smtplib
from collections.abc import Hashable, Sequence
from email.message import EmailMessage
from typing import TypeVar

from flask import current_app

log = logging.getLogger(__name__)
Key = TypeVar("Key", bound=Hashable)


class MailServerProblem(RuntimeError):
    """The mail server could not be reached or refused to let Heard sign in."""


def configured() -> bool:
    """Whether a mail server is set up."""
    return bool(current_app.config.get("HEARD_SMTP_HOST"))


def send(messages: Sequence[tuple[Key, EmailMessage]]) -> list[Key]:
    """Send each message through the mail server; return the keys of those it accepted.

    A refused address does not stop the others; only its key is logged, never the address.

    Raises:
        MailServerProblem: If nothing could be sent (no server, or it failed before any).
    """
    config = current_app.config
    host = config.get("HEARD_SMTP_HOST")
    if not host:
        raise MailServerProblem("no mail server is set up")
    reached: list[Key] = []
    try:
        with smtplib.SMTP(host, int(config.get("HEARD_SMTP_PORT") or 587), timeout=30) as smtp:
            if config.get("HEARD_SMTP_STARTTLS"):
                smtp.starttls()
            if config.get("HEARD_SMTP_USERNAME"):
                smtp.login(config["HEARD_SMTP_USERNAME"], config.get("HEARD_SMTP_PASSWORD") or "")
            for key, message in messages:
                try:
                    smtp.send_message(message)
                except smtplib.SMTPRecipientsRefused:
                    log.warning("message not sent: address refused", extra={"id": str(key)})
                else:
                    reached.append(key)
    except (OSError, smtplib.SMTPException) as problem:
        if not reached:
            raise MailServerProblem(type(problem).__name__) from None
        log.warning("mail server stopped part way", extra={"sent": len(reached)})
    return reached
