"""Safety concerns after they are marked: open until a report or a reasoned "no report".

A concern is open while neither an orosanmälan nor the barnkontakt's decision not to report
(with the reason) is recorded; open concerns show on the caseload and the child page, and
signing the summary waits for them.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from samtal.models import Child, Conversation, SafetyConcern, Staff, utcnow

REASON_LIMIT = 2000


class ConcernRefused(ValueError):
    """A decision that cannot be recorded: "reason" (none given) or "closed" (already)."""


def is_open() -> ColumnElement:
    """The condition of an open concern."""
    return col(SafetyConcern.report_made_at).is_(None) & col(SafetyConcern.decided_at).is_(None)


def open_exists() -> ColumnElement:
    """For a query over children: the child has an open concern.

    Asked from the concerns (few) outward, not child by child: a correlated EXISTS made
    SQLite visit every child's conversations, which at 10,000 children was most of the
    caseload's time.
    """
    open_in = select(SafetyConcern.conversation_id).where(is_open())
    return col(Child.id).in_(select(Conversation.child_id).where(col(Conversation.id).in_(open_in)))


@dataclass(frozen=True)
class ConcernView:
    """One concern as staff see it in the workspace, with who did what."""

    concern: SafetyConcern
    marked_by: str | None  # the staff member's name; None when only the PIN was used
    report_made_by: str | None
    decided_by: str | None

    @property
    def open(self) -> bool:
        """Neither reported nor decided."""
        return self.concern.report_made_at is None and self.concern.decided_at is None


def of_child(session: Session, child_id: int) -> list[ConcernView]:
    """Every concern marked in the child's conversations, newest first."""
    rows = session.exec(
        select(SafetyConcern)
        .join(Conversation, col(Conversation.id) == SafetyConcern.conversation_id)
        .where(Conversation.child_id == child_id)
        .order_by(col(SafetyConcern.id).desc())
    ).all()
    ids = {i for r in rows for i in (r.marked_by, r.report_made_by, r.decided_by) if i}
    names = {s.id: s.name for s in session.exec(select(Staff).where(col(Staff.id).in_(ids)))}
    return [
        ConcernView(
            r,
            names.get(r.marked_by or 0),
            names.get(r.report_made_by or 0),
            names.get(r.decided_by or 0),
        )
        for r in rows
    ]


def open_count(session: Session, child_id: int) -> int:
    """How many of the child's concerns are open."""
    return sum(1 for view in of_child(session, child_id) if view.open)


def concern_of(session: Session, child_id: int, concern_id: int) -> SafetyConcern | None:
    """One concern of the child's, or None."""
    concern = session.get(SafetyConcern, concern_id)
    conversation = session.get(Conversation, concern.conversation_id) if concern else None
    if conversation is None or conversation.child_id != child_id:
        return None
    return concern


def record_report(*, session: Session, concern: SafetyConcern, staff: Staff) -> None:
    """Record that the staff member made the orosanmälan; refuses a concern already closed."""
    if concern.report_made_at is not None or concern.decided_at is not None:
        raise ConcernRefused("closed")
    concern.report_made_at = utcnow()
    concern.report_made_by = staff.id
    session.add(concern)
    session.commit()


def record_no_report(
    *, session: Session, concern: SafetyConcern, staff: Staff, reason: str
) -> None:
    """Record the barnkontakt's decision not to report, with the reason (required)."""
    reason = " ".join(reason.split())[:REASON_LIMIT]
    if not reason:
        raise ConcernRefused("reason")
    if concern.report_made_at is not None or concern.decided_at is not None:
        raise ConcernRefused("closed")
    concern.no_report_reason = reason
    concern.decided_by = staff.id
    concern.decided_at = utcnow()
    session.add(concern)
    session.commit()
