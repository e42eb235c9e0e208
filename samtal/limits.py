"""Attempt limits that hold when forty requests arrive at once.

Every attempt is counted by one atomic UPDATE before anything is checked, and the count that
UPDATE returns decides: a request past the limit is refused without being tried. A read of
the count followed by a separate write would let every request in flight through.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import case, or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col

from samtal.models import AttemptCount, Invitation, Staff, utcnow


def claim_account(db: Session, staff_id: int, limit: int) -> int | None:
    """Count a sign-in attempt on an account; its number, or None while the account is locked."""
    now = utcnow()
    attempt = db.execute(
        update(Staff)
        .where(
            col(Staff.id) == staff_id,
            or_(col(Staff.locked_until).is_(None), col(Staff.locked_until) <= now),
        )
        .values(failed_logins=col(Staff.failed_logins) + 1)
        .returning(col(Staff.failed_logins))
    ).scalar_one_or_none()
    db.commit()
    if attempt is not None and attempt > limit:
        # Over the limit without a lock yet (the attempts in flight have not failed yet).
        lock_account(db, staff_id)
        return None
    return attempt


def account_failed(db: Session, staff_id: int, attempt: int, limit: int) -> None:
    """After a wrong password: the attempt that reaches the limit locks the account."""
    if attempt >= limit:
        lock_account(db, staff_id)


def lock_account(db: Session, staff_id: int) -> None:
    """Make the account wait LOCK_MINUTES before the next attempt is tried."""
    minutes = int(current_app.config["LOCK_MINUTES"])
    db.execute(
        update(Staff)
        .where(col(Staff.id) == staff_id)
        .values(locked_until=utcnow() + timedelta(minutes=minutes), failed_logins=0)
    )
    db.commit()


def account_cleared(db: Session, staff_id: int) -> None:
    """A right password: the count starts again."""
    db.execute(
        update(Staff).where(col(Staff.id) == staff_id).values(failed_logins=0, locked_until=None)
    )
    db.commit()


def claim(db: Session, key: str, limit: int, minutes: int) -> bool:
    """Count an attempt under a key (e.g. an address) in a window of minutes; False past limit."""
    now = utcnow()
    expired = col(AttemptCount.window_start) < now - timedelta(minutes=minutes)
    insert = postgresql.insert if db.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = (
        insert(AttemptCount)
        .values(key=key[:100], count=1, window_start=now)
        .on_conflict_do_update(
            index_elements=["key"],
            # Both databases evaluate every SET expression on the row as it was.
            set_={
                "count": case((expired, 1), else_=col(AttemptCount.count) + 1),
                "window_start": case((expired, now), else_=col(AttemptCount.window_start)),
            },
        )
        .returning(col(AttemptCount.count))
    )
    count = db.execute(statement).scalar_one()
    db.commit()
    return count <= limit


def forgive(db: Session, key: str) -> None:
    """Take back an attempt that succeeded: only failures count."""
    db.execute(
        update(AttemptCount)
        .where(col(AttemptCount.key) == key[:100], col(AttemptCount.count) > 0)
        .values(count=col(AttemptCount.count) - 1)
    )
    db.commit()


def claim_code(db: Session, invitation_id: int, limit: int) -> int | None:
    """Count a guardian's try of the short code; its number, or None once the limit is
    reached."""
    attempt = db.execute(
        update(Invitation)
        .where(col(Invitation.id) == invitation_id)
        .values(failed_codes=col(Invitation.failed_codes) + 1)
        .returning(col(Invitation.failed_codes))
    ).scalar_one_or_none()
    db.commit()
    return attempt if attempt is not None and attempt <= limit else None


def code_right(db: Session, invitation_id: int) -> None:
    """The right code: its attempt is given back (only wrong codes count toward the lock)."""
    db.execute(
        update(Invitation)
        .where(col(Invitation.id) == invitation_id, col(Invitation.failed_codes) > 0)
        .values(failed_codes=col(Invitation.failed_codes) - 1)
    )
    db.commit()
