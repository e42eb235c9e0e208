"""Staff passwords: hashing, what a new password must be, and the throttle on wrong ones."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import cache

from flask import current_app, request
from flask_babel import gettext as _
from sqlmodel import Session, func, select
from werkzeug.security import check_password_hash, generate_password_hash

from samtal.models import AuditEntry, Staff, utcnow

MIN_PASSWORD_LENGTH = 12


MAX_PASSWORD_LENGTH = 256


class AccountRefused(ValueError):
    """A staff account that cannot be made as asked; the message is for the person, in Swedish."""


def hash_password(password: str) -> str:
    """A salted, slow hash (scrypt) of a password."""
    return generate_password_hash(password, method="scrypt")


@cache
def _no_account_hash() -> str:
    """Checked against when no account matches, so an unknown address takes as long to refuse."""
    return hash_password("samtal: no such account")


def check_new_password(password: str, repeat: str) -> None:
    """Refuse a new password that is too short, too long or not typed the same twice."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountRefused(
            _("Lösenordet behöver minst %(count)d tecken.", count=MIN_PASSWORD_LENGTH)
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AccountRefused(
            _("Lösenordet får vara högst %(count)d tecken.", count=MAX_PASSWORD_LENGTH)
        )
    if password != repeat:
        raise AccountRefused(
            _("De två lösenorden är inte likadana. Skriv samma lösenord två gånger.")
        )


def is_locked(staff: Staff) -> bool:
    """True while an account waits after too many wrong passwords."""
    return staff.locked_until is not None and _aware(staff.locked_until) > utcnow()


def check_password(db: Session, staff: Staff | None, password: str) -> str:
    """The one password check: "ok", "locked" or "wrong" (a wrong one is counted).

    An unknown or inactive account is "wrong" and takes as long as a real check, so the
    answer does not tell which addresses have accounts.
    """
    password = password[:MAX_PASSWORD_LENGTH]
    if staff is None or not staff.active:
        check_password_hash(_no_account_hash(), password)
        return "wrong"
    if is_locked(staff):
        return "locked"
    if not check_password_hash(staff.password_hash, password):
        register_failure(db, staff)
        return "wrong"
    return "ok"


def register_failure(db: Session, staff: Staff) -> None:
    """Count a failed sign-in; after LOGIN_ATTEMPTS in a row the account waits LOCK_MINUTES."""
    staff.failed_logins += 1
    if staff.failed_logins >= current_app.config["LOGIN_ATTEMPTS"]:
        staff.locked_until = utcnow() + timedelta(minutes=current_app.config["LOCK_MINUTES"])
        staff.failed_logins = 0
    db.add(staff)
    db.commit()


def address_throttled(db: Session) -> bool:
    """True after too many failed sign-ins from this address lately (20 in 15 minutes).

    Counted from the audit log, so every app process behind a load balancer agrees. Behind a
    reverse proxy, remote_addr must be the client's (e.g. werkzeug's ProxyFix), or the whole
    municipality shares one count.
    """
    address = (request.remote_addr or "")[:64]
    if not address:
        return False
    since = utcnow() - timedelta(minutes=current_app.config["LOCK_MINUTES"])
    failures = db.exec(
        select(func.count())
        .select_from(AuditEntry)
        .where(
            AuditEntry.action == "login_failed",
            AuditEntry.at >= since,
            AuditEntry.address == address,
        )
    ).one()
    return failures >= int(current_app.config["LOGIN_ADDRESS_ATTEMPTS"])


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
