"""The child in control: stopping from the child's own screen, and taking back a stray "Nej"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col

from samtal import audit
from samtal.conversation import engine, records
from samtal.flows import Flow
from samtal.models import Answer, Conversation, utcnow

# What the child may choose on "Vill du pausa eller sluta?", and the status each leads to.
CHILD_STOPS = {"pausa": "paused", "sluta": "ended"}


def child_stops(*, session: Session, conversation: Conversation, choice: str) -> bool:
    """Pause or end a running conversation because the child asked to; True if it changed."""
    status = CHILD_STOPS.get(choice)
    if status is None or conversation.status != "active":
        return False
    now = utcnow()
    conversation.status = status
    conversation.updated_at = now
    if status == "ended":
        conversation.finished_at = now
    records.log_event(session, conversation, f"{status}_by_child")
    session.add(conversation)
    session.commit()
    audit.record(
        f"conversation_{status}_by_child", conversation.child_id, f"samtal {conversation.id}"
    )
    return True


def _aware(moment: datetime) -> datetime:
    # SQLite gives naive datetimes back; they were stored in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def decline_undoable(conversation: Conversation, minutes: int) -> bool:
    """True when the child said no at the start within the last minutes (the same visit)."""
    return (
        conversation.status == "declined"
        and conversation.finished_at is not None
        and utcnow() - _aware(conversation.finished_at) <= timedelta(minutes=minutes)
    )


def undo_decline(*, session: Session, conversation: Conversation, flow: Flow, minutes: int) -> bool:
    """Take back the "Nej" that ended the conversation; the answer is kept as history."""
    if not decline_undoable(conversation, minutes):
        return False
    answers = records.stored_answers(session, conversation.id or 0)
    ending = engine.position(flow, answers).ended_by
    if ending is None:
        return False
    now = utcnow()
    session.execute(
        update(Answer)
        .where(
            col(Answer.conversation_id) == conversation.id,
            col(Answer.step_id) == ending.id,
            col(Answer.part) == "answer",
            col(Answer.replaced_at).is_(None),
        )
        .values(replaced_at=now)
    )
    conversation.status = "active"
    conversation.finished_at = None
    conversation.updated_at = now
    records.log_event(session, conversation, "decline_undone", ending.id)
    session.add(conversation)
    session.commit()
    audit.record("decline_undone", conversation.child_id, f"samtal {conversation.id}")
    return True
