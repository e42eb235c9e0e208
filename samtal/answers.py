"""Reading a submitted answer and storing it: every write of an answer goes through here."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from samtal import conversation as engine
from samtal.flows import DECLINED, SKIP_VALUES, UNKNOWN, Flow, FlowLibrary, Step
from samtal.models import Answer, Child, Conversation, ConversationEvent, Guardian, utcnow

WORDS_LIMIT = 2000
# Control characters other than tab and newline: never meant, and PostgreSQL refuses NUL.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class AnswerRefused(ValueError):
    """An answer that cannot be stored as sent; the message is shown to the person, in Swedish."""


@dataclass(frozen=True)
class Parsed:
    """A checked answer, ready to store."""

    status: str
    value: str | list[str] | None = None
    words: str | None = None


FormData = Mapping[str, list[str]]


def _skip(form: FormData, allowed: tuple[str, ...]) -> Parsed | None:
    sent = form.get("skip")
    if not sent:
        return None
    skip = sent[0]
    if skip not in allowed:
        raise AnswerRefused(_l("Det svaret finns inte här. Välj ett av svaren på skärmen."))
    return Parsed(status=skip)


def _one_of(flow: Flow, step: Step, form: FormData, _answers: engine.Answers) -> Parsed:
    values = form.get("value") or []
    allowed = {o.value for o in flow.options_for(step)}
    if len(values) != 1 or values[0] not in allowed:
        raise AnswerRefused(_l("Det svaret finns inte här. Välj ett av svaren på skärmen."))
    if values[0] in SKIP_VALUES:
        return Parsed(status=values[0])
    return Parsed(status="answered", value=values[0])


def _some_of(allowed: set[str], maximum: int | None, form: FormData) -> Parsed:
    values = list(dict.fromkeys(form.get("value") or []))
    if not values:
        raise AnswerRefused(_l("Välj minst en bild. Du kan också trycka på ”Vill inte svara”."))
    if any(v not in allowed for v in values):
        raise AnswerRefused(_l("Det svaret finns inte här. Välj ett av svaren på skärmen."))
    if maximum is not None and len(values) > maximum:
        raise AnswerRefused(_l("Du kan välja högst %(max)d.", max=maximum))
    return Parsed(status="answered", value=values)


def _choice(flow: Flow, step: Step, form: FormData, answers: engine.Answers) -> Parsed:
    if not step.multiple:
        return _one_of(flow, step, form, answers)
    skipped = _skip(form, SKIP_VALUES)
    return skipped or _some_of({o.value for o in step.options}, step.max, form)


def _areas(flow: Flow, step: Step, form: FormData, _answers: engine.Answers) -> Parsed:
    skipped = _skip(form, (DECLINED,))
    if skipped is None and step.none is not None and form.get("none"):
        # "Inget har blivit bättre": an answer that names no area.
        return Parsed(status="answered", value=[])
    return skipped or _some_of({a.id for a in flow.framework.areas}, step.max, form)


def _choose_area(flow: Flow, step: Step, form: FormData, answers: engine.Answers) -> Parsed:
    remaining = [a.id for a in engine.remaining_areas(flow, answers)]
    if _skip(form, (UNKNOWN,)):
        # "Du väljer": the guide takes the next area in the framework's order.
        return Parsed(status=UNKNOWN, value=remaining[0] if remaining else None)
    values = form.get("value") or []
    if len(values) != 1 or values[0] not in remaining:
        raise AnswerRefused(_l("Välj ett av områdena på skärmen."))
    return Parsed(status="answered", value=values[0])


def _words(_flow: Flow, _step: Step, form: FormData, _answers: engine.Answers) -> Parsed:
    skipped = _skip(form, (DECLINED,))
    if skipped:
        return skipped
    text = clean_words((form.get("words") or [""])[0])
    return Parsed(status="answered", words=text) if text else Parsed(status=DECLINED)


def _go_on(_flow: Flow, _step: Step, _form: FormData, _answers: engine.Answers) -> Parsed:
    return Parsed(status="answered")


# One reader per kind of step: the engine stays free of form details.
READERS: dict[str, Callable[[Flow, Step, FormData, engine.Answers], Parsed]] = {
    "assent": _one_of,
    "rating": _one_of,
    "choice": _choice,
    "words": _words,
    "choose_area": _choose_area,
    "priorities": _areas,
    "sharing": _areas,
    "message": _go_on,
    "review": _go_on,
}


def clean_words(text: str) -> str:
    """Own words as stored: trimmed, at most WORDS_LIMIT characters or refused."""
    text = _CONTROL.sub("", text.replace("\r\n", "\n")).strip()
    if len(text) > WORDS_LIMIT:
        raise AnswerRefused(
            _l(
                "Texten är för lång: högst %(limit)d tecken (nu %(count)d). Korta den lite.",
                limit=WORDS_LIMIT,
                count=len(text),
            )
        )
    return text


def read_answer(flow: Flow, step: Step, form: FormData, answers: engine.Answers) -> Parsed:
    """Check a submitted form against the step; raises AnswerRefused with a kind message."""
    reader = READERS.get(step.kind)
    if reader is None:
        raise AnswerRefused(_l("Här behövs inget svar."))
    return reader(flow, step, form, answers)


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


def _given(row: Answer) -> engine.Given:
    return engine.Given(
        status=row.status,
        value=row.value,
        words=row.words,
        by=row.answered_by,
        language=row.language,
        at=row.created_at,
    )


def stored_answers(
    session: Session, conversation_id: int, part: str = "answer"
) -> dict[str, engine.Given]:
    """The current revision of every answer (or words) in a conversation, by step id."""
    return {row.step_id: _given(row) for row in _current_rows(session, conversation_id, part)}


def stored_answers_and_words(
    session: Session, conversation_id: int
) -> tuple[dict[str, engine.Given], dict[str, engine.Given]]:
    """The answers and the adult's notes of the child's words beside them, in one read."""
    answers: dict[str, engine.Given] = {}
    words: dict[str, engine.Given] = {}
    for row in _current_rows(session, conversation_id, "answer", "words"):
        (words if row.part == "words" else answers)[row.step_id] = _given(row)
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
        if before and (before.status, before.value, before.words) == (
            parsed.status,
            parsed.value,
            parsed.words,
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


def start_conversation(
    *,
    session: Session,
    flow: Flow,
    name: str,
    age: int,
    language: str = "sv",
    child: Child | None = None,
    guardian_id: int | None = None,
) -> Conversation:
    """Create the child (unless given) and a new conversation running the flow."""
    if child is None:
        child = Child(name=name.strip()[:80], birth_year=utcnow().year - age, language=language)
        session.add(child)
        session.flush()
    conversation = Conversation(
        child_id=child.id or 0,
        guardian_id=guardian_id,
        flow_id=flow.id,
        flow_version=flow.version,
        framework_id=flow.framework.id,
        age=age,
        language=language,
        link_nonce=secrets.token_hex(8),
    )
    session.add(conversation)
    session.flush()
    log_event(session, conversation, "started", detail=f"{flow.id} v{flow.version}")
    session.commit()
    return conversation


def set_language(*, session: Session, conversation: Conversation, language: str) -> None:
    """Switch a conversation's language; answers keep the language they were given in."""
    if language == conversation.language:
        return
    log_event(session, conversation, "language", detail=f"{conversation.language}->{language}")
    conversation.language = language
    conversation.updated_at = utcnow()
    session.add(conversation)
    session.commit()


class FollowupRefused(ValueError):
    """A follow-up that cannot start; the message says why, in Swedish."""


def age_of(child: Child, on: date | None = None) -> int | None:
    """The child's age in whole years on a day (today unless told), from birth date or year."""
    on = on or utcnow().date()
    if child.birth_date is not None:
        born = child.birth_date
        return on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    if child.birth_year is not None:
        return on.year - child.birth_year
    return None


def previous_conversation(session: Session, conversation: Conversation) -> Conversation | None:
    """The latest completed conversation of the same child before this one, or None.

    Same audience: a child's conversation looks only at the child's own earlier conversations
    (never a guardian's); a guardian's only at the same guardian's. Unfinished, declined and
    ended conversations do not count.
    """
    query = select(Conversation).where(
        Conversation.child_id == conversation.child_id,
        Conversation.status == "completed",
        Conversation.id < (conversation.id or 0),  # type: ignore[operator]
    )
    if conversation.guardian_id is None:
        query = query.where(Conversation.guardian_id.is_(None))  # type: ignore[union-attr]
    else:
        query = query.where(Conversation.guardian_id == conversation.guardian_id)
    return session.exec(
        query.order_by(
            Conversation.created_at.desc(),  # type: ignore[attr-defined]
            Conversation.id.desc(),  # type: ignore[union-attr]
        )
    ).first()


def start_followup(
    *,
    session: Session,
    flows: FlowLibrary,
    child: Child,
    guardian: Guardian | None = None,
    flow: Flow | None = None,
    age: int | None = None,
    language: str | None = None,
) -> Conversation:
    """Start a follow-up conversation for a child (or one of their guardians).

    The flow is the follow-up flow for the child's age (or the one given); the language is
    the child's (or guardian's) unless told. Raises FollowupRefused when no flow fits.
    """
    age = age if age is not None else age_of(child)
    if age is None:
        raise FollowupRefused("Barnets ålder är okänd: ange åldern eller ett flöde.")
    audience = "child" if guardian is None else "guardian"
    flow = flow or flows.for_age(age, audience=audience, purpose="followup")
    if flow is None or flow.purpose != "followup" or flow.audience != audience:
        raise FollowupRefused(f"Det finns inget uppföljningssamtal för {age} år.")
    if guardian is not None and guardian.child_id != child.id:
        raise FollowupRefused("Vårdnadshavaren hör inte till barnet.")
    return start_conversation(
        session=session,
        flow=flow,
        name=child.name,
        age=age,
        language=language or (guardian.language if guardian else child.language),
        child=child,
        guardian_id=guardian.id if guardian else None,
    )
