"""Staff passwords: hashing, what a new password must be, and the limits on wrong ones."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache

from flask import current_app, request
from flask_babel import gettext as _
from sqlmodel import Session
from werkzeug.security import check_password_hash, generate_password_hash

from samtal import limits
from samtal.models import Staff, utcnow
from samtal.staff import common_passwords

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


def check_new_password(password: str, repeat: str, *, email: str = "", name: str = "") -> None:
    """Refuse a new password that is too short, too long, easily guessed (common, or made of
    the person's address or name) or not typed the same twice."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountRefused(
            _("Lösenordet behöver minst %(count)d tecken.", count=MIN_PASSWORD_LENGTH)
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AccountRefused(
            _("Lösenordet får vara högst %(count)d tecken.", count=MAX_PASSWORD_LENGTH)
        )
    weak = common_passwords.weakness(password, email=email, name=name)
    if weak:
        raise AccountRefused(weak)
    if password != repeat:
        raise AccountRefused(
            _("De två lösenorden är inte likadana. Skriv samma lösenord två gånger.")
        )


def is_locked(staff: Staff) -> bool:
    """True while an account waits after too many wrong passwords."""
    return staff.locked_until is not None and _aware(staff.locked_until) > utcnow()


def check_password(db: Session, staff: Staff | None, password: str) -> str:
    """The one password check: "ok", "locked" or "wrong".

    Every try is counted (atomically) before the password is checked, so forty at once try
    no more than LOGIN_ATTEMPTS. Unknown, inactive and locked accounts take as long as a
    real check, so the time does not tell which addresses have accounts.
    """
    password = password[:MAX_PASSWORD_LENGTH]
    limit = int(current_app.config["LOGIN_ATTEMPTS"])
    active = staff is not None and staff.active
    attempt = limits.claim_account(db, staff.id or 0, limit) if staff and active else None
    if staff is None or attempt is None:
        check_password_hash(_no_account_hash(), password)
        return "locked" if active else "wrong"
    if not check_password_hash(staff.password_hash, password):
        limits.account_failed(db, staff.id or 0, attempt, limit)
        return "wrong"
    limits.account_cleared(db, staff.id or 0)
    return "ok"


def matches(staff: Staff, password: str) -> bool:
    """True for the account's password, counting nothing (the caller keeps its own count)."""
    return check_password_hash(staff.password_hash, password[:MAX_PASSWORD_LENGTH])


def _address() -> str:
    # Behind a reverse proxy, remote_addr must be the client's (e.g. werkzeug's ProxyFix), or
    # the whole municipality shares one count.
    return "sign-in from " + (request.remote_addr or "")[:64]


def claim_address(db: Session) -> bool:
    """Count a sign-in from this address; False past LOGIN_ADDRESS_ATTEMPTS in LOCK_MINUTES.

    Counted in the database, so every app process behind a load balancer agrees.
    """
    limit = int(current_app.config["LOGIN_ADDRESS_ATTEMPTS"])
    return limits.claim(db, _address(), limit, int(current_app.config["LOCK_MINUTES"]))


def forgive_address(db: Session) -> None:
    """A sign-in that succeeded does not count against its address."""
    limits.forgive(db, _address())


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
