"""What an admin changes: staff accounts, units, which barnkontakt a child has; the audit log.

Every write goes through a function here; the admin's views only read, validate the form's
shape and redirect. Each function raises AccountRefused with a Swedish message for the admin.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from sqlmodel import Session, col, func, select

from samtal import inputs, server_sessions, settings
from samtal.models import AuditEntry, Child, Staff, Unit
from samtal.staff import passwords
from samtal.staff.access import ROLES
from samtal.staff.children import name_contains
from samtal.staff.passwords import (
    MIN_PASSWORD_LENGTH,
    AccountRefused,
    check_new_password,
    hash_password,
)

UNIT_KINDS = ("förskola", "skola")
AUDIT_PAGE_SIZE = 50


def _unit_or_refuse(session: Session, unit_id: int | None) -> int | None:
    if unit_id is not None and session.get(Unit, unit_id) is None:
        raise AccountRefused(_("Enheten finns inte längre. Välj en annan."))
    return unit_id


def _clean_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise AccountRefused(_("Skriv personens namn."))
    if len(cleaned) > 120:
        raise AccountRefused(_("Namnet får vara högst 120 tecken."))
    return cleaned


def other_active_admins(*, session: Session, staff: Staff) -> int:
    """How many active admins there are besides this account."""
    query = (
        select(func.count())
        .select_from(Staff)
        .where(Staff.role == "admin", Staff.active == True, Staff.id != staff.id)  # noqa: E712
    )
    return int(session.exec(query).one())


def invite_staff(
    *, session: Session, name: str, email: str, role: str, unit_id: int | None
) -> Staff:
    """Create an account with no usable password; the person chooses one through a link."""
    return create_staff(
        session=session,
        email=email,
        name=_clean_name(name),
        role=role,
        # Random and never shown: the account cannot sign in until its owner sets a password.
        password=secrets.token_urlsafe(32),
        unit_id=_unit_or_refuse(session, unit_id),
    )


def update_staff(
    *, session: Session, staff: Staff, name: str, role: str, unit_id: int | None
) -> list[str]:
    """Change name, role and unit; the last active admin keeps the admin role. Returns changes."""
    if role not in ROLES:
        raise AccountRefused(_("Okänd roll."))
    if (
        staff.role == "admin"
        and role != "admin"
        and staff.active
        and not other_active_admins(session=session, staff=staff)
    ):
        raise AccountRefused(
            _(
                "Det måste finnas minst en aktiv administratör. "
                "Gör någon annan till administratör först."
            )
        )
    name = _clean_name(name)
    unit_id = _unit_or_refuse(session, unit_id)
    changes = [
        field
        for field, old, new in (
            ("namn", staff.name, name),
            ("roll", staff.role, role),
            ("enhet", staff.unit_id, unit_id),
        )
        if old != new
    ]
    staff.name, staff.role, staff.unit_id = name, role, unit_id
    session.add(staff)
    session.commit()
    return changes


def set_active(*, session: Session, staff: Staff, acting: Staff, active: bool) -> None:
    """Deactivate (signs out everywhere, links stop working) or reactivate an account."""
    if not active:
        if staff.id == acting.id:
            raise AccountRefused(_("Du kan inte avaktivera ditt eget konto."))
        if staff.role == "admin" and not other_active_admins(session=session, staff=staff):
            raise AccountRefused(_("Det måste finnas minst en aktiv administratör."))
        staff.session_epoch += 1
        server_sessions.end_sessions(session, staff.id)
        cancel_invite(session=session, staff_id=staff.id or 0)
    staff.active = active
    staff.failed_logins, staff.locked_until = 0, None
    session.add(staff)
    session.commit()


def children_of(*, session: Session, staff: Staff) -> int:
    """How many children have this person as barnkontakt."""
    query = select(func.count()).select_from(Child).where(Child.barnkontakt_id == staff.id)
    return int(session.exec(query).one())


def barnkontakter(*, session: Session) -> list[Staff]:
    """Active barnkontakter, by name: who a child can be given to."""
    query = (
        select(Staff)
        .where(Staff.role == "barnkontakt", Staff.active == True)  # noqa: E712
        .order_by(Staff.name)
    )
    return list(session.exec(query).all())


def _receiver(session: Session, staff_id: int | None) -> Staff:
    receiver = session.get(Staff, staff_id) if staff_id is not None else None
    if receiver is None or receiver.role != "barnkontakt" or not receiver.active:
        raise AccountRefused(_("Välj en aktiv barnkontakt att flytta till."))
    return receiver


def reassign_child(*, session: Session, child: Child, to_staff_id: int | None) -> Staff:
    """Give a child another barnkontakt; returns the new one."""
    receiver = _receiver(session, to_staff_id)
    if child.barnkontakt_id == receiver.id:
        raise AccountRefused(_("Barnet har redan den barnkontakten."))
    child.barnkontakt_id = receiver.id
    session.add(child)
    session.commit()
    return receiver


def reassign_all(*, session: Session, from_staff: Staff, to_staff_id: int | None) -> list[int]:
    """Give every child of one barnkontakt to another; returns the children's ids."""
    receiver = _receiver(session, to_staff_id)
    if receiver.id == from_staff.id:
        raise AccountRefused(_("Välj en annan barnkontakt än den barnen har nu."))
    children = session.exec(select(Child).where(Child.barnkontakt_id == from_staff.id)).all()
    for child in children:
        child.barnkontakt_id = receiver.id
        session.add(child)
    session.commit()
    return [child.id for child in children if child.id is not None]


def search_children(*, session: Session, query: str, limit: int = 50) -> list[Child]:
    """Children by number (id) or part of the name, at most `limit`."""
    text = query.strip()[:80]
    if not text:
        return []
    wanted = inputs.number(text)
    if wanted is not None:
        found = session.get(Child, wanted)
        return [found] if found is not None else []
    statement = (
        select(Child)
        .where(name_contains(text))
        .order_by(col(Child.name), col(Child.id))
        .limit(limit)
    )
    return list(session.exec(statement).all())


# Units -------------------------------------------------------------------------------------


def _unit_fields(session: Session, name: str, kind: str, unit_id: int | None = None) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise AccountRefused(_("Skriv enhetens namn."))
    if len(cleaned) > 120:
        raise AccountRefused(_("Namnet får vara högst 120 tecken."))
    if kind not in UNIT_KINDS:
        raise AccountRefused(_("Välj förskola eller skola."))
    clash = session.exec(
        select(Unit).where(func.lower(Unit.name) == cleaned.lower(), Unit.id != unit_id)
    ).first()
    if clash is not None:
        raise AccountRefused(_("Det finns redan en enhet med det namnet."))
    return cleaned


def create_unit(*, session: Session, name: str, kind: str) -> Unit:
    """Add a förskola or skola."""
    unit = Unit(name=_unit_fields(session, name, kind), kind=kind)
    session.add(unit)
    session.commit()
    return unit


def update_unit(*, session: Session, unit: Unit, name: str, kind: str) -> None:
    """Rename a unit or change its kind."""
    unit.name, unit.kind = _unit_fields(session, name, kind, unit.id), kind
    session.add(unit)
    session.commit()


# Retention ---------------------------------------------------------------------------------


# The audit log -----------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditFilter:
    """What the admin filters the audit log by; None means any."""

    child_id: int | None = None
    staff_id: int | None = None
    action: str | None = None
    date_from: date | None = None
    date_to: date | None = None


def _local_midnight(day: date) -> datetime:
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    # Stored times are UTC; SQLite compares them as text, so the bound must be UTC too.
    return datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC)


def audit_page(
    *, session: Session, filters: AuditFilter, page: int = 1, per_page: int = AUDIT_PAGE_SIZE
) -> tuple[list[AuditEntry], bool]:
    """One page of audit entries, newest first, and whether there is a next page."""
    query = select(AuditEntry)
    if filters.child_id is not None:
        query = query.where(AuditEntry.child_id == filters.child_id)
    if filters.staff_id is not None:
        query = query.where(AuditEntry.staff_id == filters.staff_id)
    if filters.action:
        query = query.where(AuditEntry.action == filters.action)
    if filters.date_from is not None:
        query = query.where(AuditEntry.at >= _local_midnight(filters.date_from))
    if filters.date_to is not None:
        query = query.where(AuditEntry.at < _local_midnight(filters.date_to + timedelta(days=1)))
    page = max(page, 1)
    query = query.order_by(col(AuditEntry.id).desc()).offset((page - 1) * per_page)
    rows = list(session.exec(query.limit(per_page + 1)).all())
    return rows[:per_page], len(rows) > per_page


def audit_actions(*, session: Session) -> list[str]:
    """Every action that occurs in the log, for the filter."""
    found = session.exec(select(AuditEntry.action).distinct()).all()
    return sorted(str(action) for action in found)


def create_staff(
    *,
    session: Session,
    email: str,
    name: str,
    role: str,
    password: str,
    unit_id: int | None = None,
) -> Staff:
    """Create a staff account; refuses unknown roles, short passwords and taken addresses."""
    email = email.strip().lower()
    if role not in ROLES:
        raise AccountRefused(_("Okänd roll."))
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountRefused(
            _("Lösenordet behöver minst %(count)d tecken.", count=MIN_PASSWORD_LENGTH)
        )
    if "@" not in email or len(email) > 254:
        raise AccountRefused(_("Skriv en giltig e-postadress."))
    if session.exec(select(Staff).where(Staff.email == email)).first():
        raise AccountRefused(_("Det finns redan ett konto med den e-postadressen."))
    staff = Staff(
        email=email,
        name=name.strip()[:120] or email,
        role=role,
        unit_id=unit_id,
        password_hash=hash_password(password),
    )
    session.add(staff)
    session.commit()
    return staff


def change_password(*, session: Session, staff: Staff, current: str, new: str, repeat: str) -> None:
    """Change one's own password; every other signed-in session of the account ends.

    A wrong current password counts as a failed sign-in, so the form cannot be used to guess.
    """
    verdict = passwords.check_password(session, staff, current)
    if verdict == "locked":
        raise AccountRefused(_("För många misslyckade försök. Vänta en kvart och försök igen."))
    if verdict == "wrong":
        raise AccountRefused(_("Det nuvarande lösenordet stämmer inte."))
    session.refresh(staff)
    check_new_password(new, repeat, email=staff.email, name=staff.name)
    if new == current:
        raise AccountRefused(_("Välj ett nytt lösenord, inte samma som förut."))
    staff.password_hash = hash_password(new)
    staff.session_epoch += 1
    staff.failed_logins = 0
    server_sessions.end_sessions(session, staff.id)
    session.add(staff)
    session.commit()


def end_all_sessions(*, session: Session, staff: Staff) -> None:
    """Sign the account out in every browser, this one included."""
    staff.session_epoch += 1
    server_sessions.end_sessions(session, staff.id)
    session.add(staff)
    session.commit()


def invite_key(staff_id: int | None) -> str:
    """The setting that holds the nonce of an account's set-password link."""
    return f"invite:{staff_id}"


def cancel_invite(*, session: Session, staff_id: int) -> None:
    """Make every set-password link of an account stop working."""
    settings.write(session, invite_key(staff_id), None)
