"""The audit log: every view, export and change of a child's data, every sign-in. Append-only."""

from __future__ import annotations

from flask import g, has_request_context, request
from sqlmodel import Session, col, select

from samtal.db import get_session
from samtal.inputs import clean_text
from samtal.models import AuditEntry


def entry(
    action: str,
    child_id: int | None = None,
    detail: str | None = None,
    *,
    staff_id: int | None = None,
) -> AuditEntry:
    """One entry as record() appends it: who (from the request, unless staff_id names who
    acted), what, about which child."""
    staff = g.get("staff_member") if has_request_context() else None
    return AuditEntry(
        staff_id=staff_id if staff_id is not None else (staff.id if staff is not None else None),
        action=action[:40],
        child_id=child_id,
        # A path or form value may carry a NUL (PostgreSQL refuses it) or other control bytes.
        detail=clean_text(detail or "")[:500] or None,
        address=(request.remote_addr or "")[:64] if has_request_context() else None,
    )


def record(
    action: str,
    child_id: int | None = None,
    detail: str | None = None,
    *,
    staff_id: int | None = None,
) -> None:
    """Append one entry and commit it at once, so it stands whatever the request does next.

    The actor is the signed-in staff member, unless staff_id names who acted (the adult's
    panel on a kiosk tablet, where the staff session is set aside). It is written with the
    request's own session: a second connection per entry made every thread that held one
    wait for another, and a worker with more threads than its pool stalled. Callers record
    after their change is committed (or when nothing changed), so the commit carries only
    the entry."""
    session = get_session()
    session.add(entry(action, child_id, detail, staff_id=staff_id))
    session.commit()


def entries(
    session: Session,
    *,
    child_id: int | None = None,
    staff_id: int | None = None,
    action: str | None = None,
    limit: int = 200,
    offset: int = 0,
) -> list[AuditEntry]:
    """Audit entries, newest first, filtered."""
    query = select(AuditEntry)
    if child_id is not None:
        query = query.where(AuditEntry.child_id == child_id)
    if staff_id is not None:
        query = query.where(AuditEntry.staff_id == staff_id)
    if action:
        query = query.where(AuditEntry.action == action)
    query = query.order_by(col(AuditEntry.id).desc()).offset(offset).limit(limit)
    return list(session.exec(query).all())
