"""Two-factor sign-in for password accounts: enrolment, checking codes (throttled), reset.

Wrong codes are counted in the database with one atomic UPDATE that also reserves the attempt
before the code is looked at, so however many requests arrive at once (on however many app
processes), at most TOTP_ATTEMPTS codes are tried per LOCK_MINUTES.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import case, or_, update
from sqlmodel import Session, col

from samtal import settings
from samtal.models import Staff, utcnow
from samtal.staff.two_factor import codes

SETTING_KEY = "two_factor"


class CodeRefused(ValueError):
    """A code that did not sign in; the message is for the person, in Swedish."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason  # "wrong", "used" or "throttled": the audit entry's detail


def enrolled(staff: Staff) -> bool:
    """True when the account has confirmed an authenticator app."""
    return bool(staff.totp_secret)


def required_for_everyone(*, session: Session) -> bool:
    """True when an admin requires two-factor sign-in of every password account."""
    return bool((settings.read(session, SETTING_KEY) or {}).get("required"))


def set_required_for_everyone(*, session: Session, required: bool) -> None:
    """Require (or stop requiring) two-factor sign-in of every password account."""
    settings.write(session, SETTING_KEY, {"required": True} if required else None)


def _reserve_attempt(session: Session, staff: Staff) -> bool:
    """Count one attempt, if any are left; the count starts over after a quiet wait."""
    now = utcnow()
    quiet = or_(
        col(Staff.totp_failed_at).is_(None),
        col(Staff.totp_failed_at) < now - timedelta(minutes=current_app.config["LOCK_MINUTES"]),
    )
    result = session.execute(
        update(Staff)
        .where(
            col(Staff.id) == staff.id,
            or_(col(Staff.totp_failures) < current_app.config["TOTP_ATTEMPTS"], quiet),
        )
        .values(
            totp_failures=case((quiet, 1), else_=col(Staff.totp_failures) + 1),
            totp_failed_at=now,
        )
    )
    session.commit()
    return result.rowcount == 1  # type: ignore[attr-defined]


def _use_step(session: Session, staff: Staff, step: int) -> bool:
    """Mark a time step's code as used (once only) and clear the count of wrong codes."""
    result = session.execute(
        update(Staff)
        .where(
            col(Staff.id) == staff.id,
            or_(col(Staff.totp_last_step).is_(None), col(Staff.totp_last_step) < step),
        )
        .values(totp_last_step=step, totp_failures=0, totp_failed_at=None)
    )
    session.commit()
    return result.rowcount == 1  # type: ignore[attr-defined]


def check_code(*, session: Session, staff: Staff, code: str) -> None:
    """Accept the account's current code once; raise CodeRefused otherwise.

    The staff object is not refreshed after the counting UPDATEs: holding a connection for
    that while the caller writes its audit entry would double each request's connections.
    """
    assert staff.totp_secret is not None
    if not _reserve_attempt(session, staff):
        raise CodeRefused(
            _("För många felaktiga koder. Vänta en kvart och försök igen."), "throttled"
        )
    step = codes.matching_step(staff.totp_secret, code)
    if step is None:
        raise CodeRefused(
            _("Koden stämmer inte. Skriv de sex siffrorna som appen visar nu."), "wrong"
        )
    if not _use_step(session, staff, step):
        raise CodeRefused(_("Koden är redan använd. Vänta på nästa kod i appen."), "used")


def confirm_enrolment(*, session: Session, staff: Staff, secret: str, code: str) -> None:
    """Keep the secret once the person shows a code from it; attempts are throttled alike."""
    if not _reserve_attempt(session, staff):
        raise CodeRefused(
            _("För många felaktiga koder. Vänta en kvart och försök igen."), "throttled"
        )
    step = codes.matching_step(secret, code)
    if step is None:
        raise CodeRefused(
            _("Koden stämmer inte. Kontrollera att appen har lagt till kontot och försök igen."),
            "wrong",
        )
    staff.totp_secret, staff.totp_last_step = secret, step
    staff.totp_failures, staff.totp_failed_at = 0, None
    session.add(staff)
    session.commit()


def reset(*, session: Session, staff: Staff) -> None:
    """Remove the account's authenticator (an admin's help when the phone is lost)."""
    staff.totp_secret, staff.totp_last_step = None, None
    staff.totp_failures, staff.totp_failed_at = 0, None
    # Signed in with the old phone somewhere? That session ends too.
    staff.session_epoch += 1
    session.add(staff)
    session.commit()
