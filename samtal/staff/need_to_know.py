"""Need-to-know: a child's safety notes and own words are for the child's barnkontakt.

An admin reads them (the summary, its exports, the concerns) only after "breaking the glass":
writing down why, which is audited (action break_glass, the reason as detail), shown on the
child page, and lasts GLASS_MINUTES.
"""

from __future__ import annotations

from datetime import timedelta

from flask import redirect, request, url_for
from sqlmodel import Session, func, select
from werkzeug.wrappers import Response

from samtal.db import get_session
from samtal.models import AuditEntry, Child, Staff, utcnow

GLASS_MINUTES = 60
REASON_MIN = 10


def glass_broken(session: Session, staff: Staff, child_id: int) -> bool:
    """Whether this admin wrote down a reason to read this child's sensitive data lately."""
    since = utcnow() - timedelta(minutes=GLASS_MINUTES)
    found = session.exec(
        select(func.count())
        .select_from(AuditEntry)
        .where(
            AuditEntry.action == "break_glass",
            AuditEntry.staff_id == staff.id,
            AuditEntry.child_id == child_id,
            AuditEntry.at >= since,
        )
    ).one()
    return found > 0


def may_read_sensitive(staff: Staff | None, child: Child) -> bool:
    """The child's own barnkontakt; an admin only after breaking the glass."""
    if staff is None:
        return False
    if staff.role == "barnkontakt":
        return child.barnkontakt_id == staff.id
    return staff.role == "admin" and glass_broken(get_session(), staff, child.id or 0)


def glass_first(staff: Staff | None, child: Child) -> Response | None:
    """For an admin who has not broken the glass for this child: the way to do it, coming
    back to this page after; None for everyone else (judged by login_required and
    child_or_404 as always)."""
    if staff is None or staff.role != "admin" or may_read_sensitive(staff, child):
        return None
    return redirect(url_for("workspace.break_glass", child_id=child.id, next=request.path), 303)


def places_of(child_id: int) -> tuple[str, ...]:
    """Where breaking the glass for a child may lead back to: that child's pages."""
    return (f"/arbete/barn/{child_id}", f"/arbete/admin/barn/{child_id}/")
