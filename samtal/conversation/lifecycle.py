"""A conversation's life: starting one (first or follow-up), its language, the one before it."""

from __future__ import annotations

import secrets

from sqlmodel import Session, select

from samtal.ages import age_of
from samtal.conversation.records import log_event
from samtal.flows import Flow, FlowLibrary
from samtal.models import Child, Conversation, Guardian, utcnow


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
