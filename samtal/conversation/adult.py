"""What the adult beside the child does: write the child's words, pause, end, mark a concern."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, select

from samtal.conversation import engine, reading, records
from samtal.conversation.panel_access import Actor
from samtal.flows import OPENED, SILENT, Area, Flow, Step
from samtal.flows.kinds import KINDS
from samtal.models import Conversation, SafetyConcern, utcnow

RUNNING = ("active", "paused")


def write_childs_words(
    *, session: Session, conversation: Conversation, flow: Flow, step: Step, text: str
) -> bool:
    """Store the child's words for a step as written down by the adult; True if stored."""
    words = reading.clean_words(text)
    if not words:
        raise reading.AnswerRefused(_l("Skriv barnets ord i rutan först."))
    # On a words step the adult's writing is the answer itself; elsewhere it sits beside it.
    return records.store_answer(
        session=session,
        conversation=conversation,
        flow=flow,
        step=step,
        parsed=reading.Parsed(status="answered", words=words),
        request_key=None,
        part="answer" if KINDS[step.kind].answers == "words" else "words",
        by="adult",
    )


def set_status(*, session: Session, conversation: Conversation, status: str) -> None:
    """Pause, resume or end a running conversation, and log it."""
    if conversation.status not in RUNNING or status not in ("active", "paused", "ended"):
        return
    conversation.status = status
    conversation.updated_at = utcnow()
    if status == "ended":
        conversation.finished_at = utcnow()
    records.log_event(session, conversation, {"active": "resumed"}.get(status, status))
    session.add(conversation)
    session.commit()


def mark_concern(
    *,
    session: Session,
    conversation: Conversation,
    step_id: str | None,
    note: str,
    actor: Actor,
) -> SafetyConcern:
    """Record that something the child said raises suspicion of harm, and who marked it."""
    concern = SafetyConcern(
        conversation_id=conversation.id or 0,
        step_id=step_id,
        note=reading.clean_words(note) or None,
        marked_by=actor.staff_id,
        marked_via=actor.via,
    )
    session.add(concern)
    records.log_event(session, conversation, "safety_concern", step_id)
    session.commit()
    return concern


def confirm_report(
    *, session: Session, conversation: Conversation, concern_id: int, staff_id: int
) -> bool:
    """Record that a staff member has made the orosanmälan for a concern; True if it was open."""
    concern = session.get(SafetyConcern, concern_id)
    if concern is None or concern.conversation_id != conversation.id or concern.report_made_at:
        return False
    concern.report_made_at = utcnow()
    concern.report_made_by = staff_id
    session.add(concern)
    records.log_event(session, conversation, "report_made", concern.step_id)
    session.commit()
    return True


def concerns(session: Session, conversation_id: int) -> list[SafetyConcern]:
    """The conversation's safety concerns, oldest first."""
    return list(
        session.exec(
            select(SafetyConcern)
            .where(SafetyConcern.conversation_id == conversation_id)
            .order_by(SafetyConcern.id)  # type: ignore[arg-type]
        ).all()
    )


def change_flow(
    *, session: Session, conversation: Conversation, old_flow: Flow, flow: Flow
) -> bool:
    """Switch to another age band's flow while only the opening has been answered; True if so."""
    opening = {step.id for step in old_flow.intro}
    if conversation.status not in RUNNING or flow.framework.id != old_flow.framework.id:
        return False
    if set(records.stored_answers(session, conversation.id or 0)) - opening:
        return False
    conversation.flow_id, conversation.flow_version = flow.id, flow.version
    conversation.framework_id = flow.framework.id
    conversation.updated_at = utcnow()
    records.log_event(session, conversation, "flow_changed", detail=f"{flow.id} v{flow.version}")
    session.add(conversation)
    session.commit()
    return True


def openable(flow: Flow, answers: engine.Answers) -> list[tuple[Area, Step]]:
    """The areas the adult may open further now: each with its adult_opens step, if that
    applies and the child has not said anything there yet."""
    found = []
    for area in flow.framework.areas:
        for step in flow.area_steps[area.id]:
            given = answers.get(step.id)
            if (
                step.adult_opens
                and engine.applies(step, answers)
                and (given is None or given.status in SILENT)
            ):
                found.append((area, step))
                break
    return found


def open_further(*, session: Session, conversation: Conversation, flow: Flow, area_id: str) -> bool:
    """Let the child say more, or draw, about an area: its adult_opens step comes next."""
    if conversation.status != "active":
        return False
    answers = records.stored_answers(session, conversation.id or 0)
    step = next((s for a, s in openable(flow, answers) if a.id == area_id), None)
    if step is None or (step.id in answers and answers[step.id].status == OPENED):
        return False
    return records.store_answer(
        session=session,
        conversation=conversation,
        flow=flow,
        step=step,
        parsed=reading.Parsed(status=OPENED),
        request_key=None,
        by="adult",
        current=answers,
    )
