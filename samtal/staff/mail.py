"""Sending e-mail through the SMTP server in the configuration (MAIL_* settings)."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage

from flask import current_app
from flask_babel import gettext as _

SECURITY = ("starttls", "ssl", "none")


class MailNotSent(Exception):
    """The message did not leave: the reason, in Swedish, for the person who tried."""


def _reason(error: Exception) -> str:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return _("E-postservern tog inte emot adressen.")
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return _("E-postservern godtog inte inloggningen (MAIL_USERNAME och MAIL_PASSWORD).")
    if isinstance(error, smtplib.SMTPResponseException):
        answer = error.smtp_error
        message = answer.decode("utf-8", "replace") if isinstance(answer, bytes) else answer
        return _(
            "E-postservern svarade %(code)s: %(message)s", code=error.smtp_code, message=message
        )[:300]
    if isinstance(error, smtplib.SMTPNotSupportedError):
        return _("E-postservern erbjuder inte krypterad anslutning (STARTTLS).")
    return _("Kunde inte nå e-postservern (%(error)s).", error=f"{type(error).__name__}: {error}")[
        :300
    ]


def send(message: EmailMessage) -> None:
    """Hand the message to the configured SMTP server; raises MailNotSent with the reason."""
    config = current_app.config
    host, port = config["MAIL_SERVER"], int(config["MAIL_PORT"])
    security, timeout = config["MAIL_SECURITY"], float(config["MAIL_TIMEOUT"])
    if security not in SECURITY:
        raise MailNotSent(
            _("MAIL_SECURITY måste vara ett av %(choices)s.", choices=", ".join(SECURITY))
        )
    if not message.get("From"):
        message["From"] = config["MAIL_FROM"]
    try:
        if security == "ssl":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                host, port, timeout=timeout, context=ssl.create_default_context()
            )
        else:
            smtp = smtplib.SMTP(host, port, timeout=timeout)
        with smtp:
            if security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if config["MAIL_USERNAME"]:
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
            smtp.send_message(message)
    except (smtplib.SMTPException, OSError) as error:
        raise MailNotSent(_reason(error)) from error
