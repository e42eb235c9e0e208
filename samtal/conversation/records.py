"""Stored answers: every write of an answer goes through here; history and events are kept."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from samtal.conversation import drawings, engine
from samtal.conversation.reading import Parsed
from samtal.flows import Flow, Step
from samtal.models import Answer, Conversation, ConversationEvent, Drawing, utcnow


def _current_rows(session: Session, conversation_id: int, *parts: str) -> list[Answer]:
    """The current revision of every answer of these parts in a conversation."""
    return list(
        session.exec(
            select(Answer).where(
                Answer.conversation_id == conversation_id,
                Answer.part.in_(parts),  # type: ignore[attr-defined]
                Answer.replaced_at.is_(None),  # type: ignore[union-attr]
            )
        ).all()
    )


def _given(row: Answer, drawing: int | None = None) -> engine.Given:
    return engine.Given(
        status=row.status,
        value=row.value,
        words=row.words,
        by=row.answered_by,
        language=row.language,
        at=row.created_at,
        drawing=drawing,
    )


def _with_drawings(session: Session, rows: list[Answer]) -> list[tuple[Answer, int | None]]:
    """Each row with its drawing's id, if it has one (one read for all words answers)."""
    found = drawings.drawing_ids(session, [r.id or 0 for r in rows if r.status == "answered"])
    return [(row, found.get(row.id or 0)) for row in rows]


def stored_answers(
    session: Session, conversation_id: int, part: str = "answer"
) -> dict[str, engine.Given]:
    """The current revision of every answer (or words) in a conversation, by step id."""
    rows = _with_drawings(session, _current_rows(session, conversation_id, part))
    return {row.step_id: _given(row, drawing) for row, drawing in rows}


def stored_answers_and_words(
    session: Session, conversation_id: int
) -> tuple[dict[str, engine.Given], dict[str, engine.Given]]:
    """The answers and the adult's notes of the child's words beside them, in one read."""
    answers: dict[str, engine.Given] = {}
    words: dict[str, engine.Given] = {}
    rows = _with_drawings(session, _current_rows(session, conversation_id, "answer", "words"))
    for row, drawing in rows:
        (words if row.part == "words" else answers)[row.step_id] = _given(row, drawing)
    return answers, words


def history(session: Session, conversation_id: int, step_id: str) -> list[Answer]:
    """Every revision of a step's answer, oldest first."""
    return list(
        session.exec(
            select(Answer)
            .where(Answer.conversation_id == conversation_id, Answer.step_id == step_id)
            .order_by(Answer.id)  # type: ignore[arg-type]
        ).all()
    )


def log_event(
    session: Session,
    conversation: Conversation,
    kind: str,
    step_id: str | None = None,
    detail: str | None = None,
) -> None:
    """Append an event to the conversation's log (committed by the caller)."""
    session.add(
        ConversationEvent(
            conversation_id=conversation.id or 0,
            kind=kind,
            step_id=step_id,
            detail=(detail or "")[:500],
        )
    )


def store_answer(
    *,
    session: Session,
    conversation: Conversation,
    flow: Flow,
    step: Step,
    parsed: Parsed,
    request_key: str | None,
    part: str = "answer",
    by: str = "child",
    current: engine.Answers | None = None,
) -> bool:
    """Store a new revision unless it repeats a request or the current answer; True if stored.

    current: the conversation's current answers of this part, when the caller has just read
    them (saves reading them again). The earlier revision is kept with replaced_at set, so
    changing an answer keeps history. Two screens answering the same step at once: the last
    write wins and the other answer stays in the history (a unique index keeps exactly one
    current revision). Afterwards the conversation's status follows where it now stands.
    """
    conversation_id = conversation.id or 0
    for attempt in range(3):
        if _repeated(session, conversation_id, request_key):
            return False
        if current is None or attempt:
            current = stored_answers(session, conversation_id, part)
        before = current.get(step.id)
        # A drawing sent, or one that was there and is not sent again, makes a new revision.
        unchanged_drawing = parsed.drawing is None and (before is None or before.drawing is None)
        if (
            before
            and unchanged_drawing
            and (before.status, before.value, before.words)
            == (
                parsed.status,
                parsed.value,
                parsed.words,
            )
        ):
            return False
        now = utcnow()
        stored = Answer(
            conversation_id=conversation_id,
            step_id=step.id,
            part=part,
            status=parsed.status,
            value=parsed.value,
            words=parsed.words,
            language=conversation.language,
            answered_by=by,
            request_key=request_key,
            created_at=now,
        )
        # Everything is worked out before the first write: on SQLite the write lock is held
        # from the first write to the commit, and every other tablet's answer waits for it.
        if part == "answer":
            _follow_status(session, conversation, flow, {**current, step.id: _given(stored)})
        conversation.updated_at = now
        session.execute(
            update(Answer)
            .where(
                col(Answer.conversation_id) == conversation_id,
                col(Answer.step_id) == step.id,
                col(Answer.part) == part,
                col(Answer.replaced_at).is_(None),
            )
            .values(replaced_at=now)
        )
        session.add(stored)
        session.add(conversation)
        try:
            if parsed.drawing is not None:
                png, width, height = parsed.drawing
                session.flush()  # the answer's id, which the drawing is kept with
                session.add(Drawing(answer_id=stored.id or 0, png=png, width=width, height=height))
            session.commit()
        except IntegrityError:
            # A double tap raced us to the same request key (the first one counts), or another
            # screen answered the same step at the same moment: the unique current revision
            # refused one of the two. Last write wins: read again and replace theirs.
            session.rollback()
            if attempt == 2:
                raise
            continue
        return True
    return False


def _repeated(session: Session, conversation_id: int, request_key: str | None) -> bool:
    """True when this form's one-time key has been stored already."""
    return bool(
        request_key
        and session.exec(
            select(Answer.id).where(
                Answer.conversation_id == conversation_id, Answer.request_key == request_key
            )
        ).first()
    )


def _follow_status(
    session: Session, conversation: Conversation, flow: Flow, answers: engine.Answers
) -> None:
    now = engine.position(flow, answers)
    status = conversation.status
    if now.ended_by is not None:
        status = "declined"
    elif now.finished:
        status = "completed"
    if status != conversation.status:
        conversation.status = status
        conversation.finished_at = utcnow()
        log_event(session, conversation, status)
