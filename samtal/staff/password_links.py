"""One-time links to choose a password: the first admin's setup link, and staff invitations.

There is no default password. A link is signed (itsdangerous) and names a nonce kept in a
Setting row ("setup" for the first admin, "invite:<staff id>" for a staff member); using the
link deletes the row, so each link works once. Issuing a new link replaces the nonce, so only
the newest link of an account works.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import delete
from sqlmodel import Session, select

from samtal import server_sessions, settings
from samtal.conversation.links import LinkRefused, signing_keys
from samtal.models import Setting, Staff, utcnow
from samtal.staff.accounts import create_staff, invite_key
from samtal.staff.passwords import AccountRefused, check_new_password, hash_password

SALT = "samtal.staff-password-link"
SETUP_KEY = "setup"


@dataclass(frozen=True)
class PasswordLink:
    """What a valid link grants: the first admin ("setup") or one account's password."""

    kind: str  # setup or invite
    key: str  # the Setting row that holds the nonce
    staff_id: int | None = None


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(signing_keys(), salt=SALT)


def setup_hours() -> int:
    """How long the first-run link works."""
    return int(current_app.config["SETUP_LINK_HOURS"])


def invite_days() -> int:
    """How long a staff member's set-password link works."""
    return int(current_app.config["PASSWORD_LINK_DAYS"])


def active_admin_exists(*, session: Session) -> bool:
    """True when at least one active admin account exists."""
    query = select(Staff.id).where(Staff.role == "admin", Staff.active == True)  # noqa: E712
    return session.exec(query).first() is not None


def _store_nonce(session: Session, key: str) -> str:
    nonce = secrets.token_urlsafe(16)
    settings.write(session, key, {"nonce": nonce, "issued_at": utcnow().isoformat()})
    return nonce


def issue_setup_token(*, session: Session) -> str | None:
    """A new first-run token (older ones stop working), or None when an admin exists."""
    if active_admin_exists(session=session):
        return None
    nonce = _store_nonce(session, SETUP_KEY)
    return str(_serializer().dumps({"k": "setup", "n": nonce}))


def issue_invite_token(*, session: Session, staff: Staff) -> str:
    """A new set-password token for an account (its older links stop working)."""
    nonce = _store_nonce(session, invite_key(staff.id))
    return str(_serializer().dumps({"k": "invite", "s": staff.id, "n": nonce}))


def read_token(token: str, *, session: Session) -> PasswordLink:
    """What a token grants; raises LinkRefused ('invalid', 'expired' or 'used')."""
    longest = max(setup_hours() * 3600, invite_days() * 86400)
    try:
        data, signed_at = _serializer().loads(token, max_age=longest, return_timestamp=True)
    except SignatureExpired as error:
        raise LinkRefused("expired") from error
    except BadSignature as error:
        raise LinkRefused("invalid") from error
    if not isinstance(data, dict) or data.get("k") not in ("setup", "invite"):
        raise LinkRefused("invalid")
    if data["k"] == "setup":
        link = PasswordLink(kind="setup", key=SETUP_KEY)
        max_age = setup_hours() * 3600
    else:
        staff_id = data.get("s")
        if not isinstance(staff_id, int):
            raise LinkRefused("invalid")
        link = PasswordLink(kind="invite", key=invite_key(staff_id), staff_id=staff_id)
        max_age = invite_days() * 86400
    if (utcnow() - signed_at).total_seconds() > max_age:
        raise LinkRefused("expired")
    row = session.get(Setting, link.key)
    stored = str(row.value.get("nonce", "")) if row is not None else ""
    if not stored or not hmac.compare_digest(stored, str(data.get("n", ""))):
        raise LinkRefused("used")
    if link.kind == "setup" and active_admin_exists(session=session):
        raise LinkRefused("used")
    if link.kind == "invite":
        staff = session.get(Staff, link.staff_id)
        if staff is None or not staff.active:
            raise LinkRefused("invalid")
    return link


def _consume(session: Session, link: PasswordLink) -> None:
    """Delete the link's nonce in the caller's transaction; refuse if another request did."""
    result = session.execute(delete(Setting).where(Setting.key == link.key))  # type: ignore[arg-type]
    if getattr(result, "rowcount", 0) != 1:
        session.rollback()
        raise LinkRefused("used")


def complete_setup(
    *, session: Session, token: str, name: str, email: str, password: str, repeat: str
) -> Staff:
    """Create the first admin through the setup link; the link dies with it."""
    link = read_token(token, session=session)
    if link.kind != "setup":
        raise LinkRefused("invalid")
    check_new_password(password, repeat, email=email, name=name)
    if not name.strip():
        raise AccountRefused(_("Skriv ditt namn."))
    _consume(session, link)
    try:
        return create_staff(
            session=session, email=email, name=name, role="admin", password=password
        )
    except AccountRefused:
        session.rollback()  # the link stays usable: nothing was created
        raise


def complete_invite(*, session: Session, token: str, password: str, repeat: str) -> Staff:
    """Set an account's password through its link; the link dies, other sessions end."""
    link = read_token(token, session=session)
    if link.kind != "invite":
        raise LinkRefused("invalid")
    staff = session.get(Staff, link.staff_id)
    assert staff is not None  # read_token checked it
    check_new_password(password, repeat, email=staff.email, name=staff.name)
    _consume(session, link)
    staff.password_hash = hash_password(password)
    staff.session_epoch += 1
    server_sessions.end_sessions(session, staff.id)
    staff.failed_logins, staff.locked_until = 0, None
    session.add(staff)
    session.commit()
    return staff


# The pages of the links ------------------------------------------------------------------
