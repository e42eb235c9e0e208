"""Database tables: the child, the conversation, every answer with its history, and events."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    """Now, in UTC."""
    return datetime.now(UTC)


class Child(SQLModel, table=True):
    """Only what the conversation needs: a name or pseudonym, birth year, language."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80)
    birth_year: int | None = None
    language: str = Field(default="sv", max_length=12)
    created_at: datetime = Field(default_factory=utcnow)


class Conversation(SQLModel, table=True):
    """One barnsamtal: which flow (and version) it runs, its language and where it stands."""

    id: int | None = Field(default=None, primary_key=True)
    child_id: int = Field(foreign_key="child.id", index=True)
    # Set for a guardian's questionnaire; None for the child's own conversation.
    guardian_id: int | None = Field(default=None, foreign_key="guardian.id", index=True)
    flow_id: str = Field(max_length=40)
    flow_version: int
    framework_id: str = Field(max_length=40)
    age: int
    language: str = Field(default="sv", max_length=12)
    # active, paused, declined (the child said no), ended (by the adult), completed
    status: str = Field(default="active", max_length=12)
    # Changing the nonce revokes every link handed out for this conversation.
    link_nonce: str = Field(max_length=32)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None


class Answer(SQLModel, table=True):
    """One revision of an answer. The current one has replaced_at = None; older ones are history."""

    __table_args__ = (UniqueConstraint("conversation_id", "request_key"),)

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="conversation.id", index=True)
    step_id: str = Field(max_length=80)
    # "answer": what was chosen; "words": the child's own words, typed or written by the adult.
    part: str = Field(default="answer", max_length=8)
    # answered, vet_inte or vill_inte_svara: never folded into a value on the scale.
    status: str = Field(default="answered", max_length=16)
    value: list[str] | str | None = Field(default=None, sa_column=Column(JSON))
    words: str | None = None
    language: str = Field(default="sv", max_length=12)
    answered_by: str = Field(default="child", max_length=8)  # child or adult
    request_key: str | None = Field(default=None, max_length=40)
    created_at: datetime = Field(default_factory=utcnow)
    replaced_at: datetime | None = None


class ConversationEvent(SQLModel, table=True):
    """Something that happened in a conversation: declined, paused, ended, refused input, …"""

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="conversation.id", index=True)
    kind: str = Field(max_length=32)
    step_id: str | None = Field(default=None, max_length=80)
    detail: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(default_factory=utcnow)


class SafetyConcern(SQLModel, table=True):
    """An adult's mark that something the child said raises suspicion of harm. Staff only."""

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="conversation.id", index=True)
    step_id: str | None = Field(default=None, max_length=80)
    note: str | None = None
    created_at: datetime = Field(default_factory=utcnow)
    report_made_at: datetime | None = None


class Guardian(SQLModel, table=True):
    """A guardian of a child: a name, their language, how to reach them."""

    id: int | None = Field(default=None, primary_key=True)
    child_id: int = Field(foreign_key="child.id", index=True)
    name: str = Field(max_length=80)
    language: str = Field(default="sv", max_length=12)
    contact: str | None = Field(default=None, max_length=120)
    created_at: datetime = Field(default_factory=utcnow)


class Invitation(SQLModel, table=True):
    """A guardian's invitation: one guardian, one child, one questionnaire; signed and expiring."""

    id: int | None = Field(default=None, primary_key=True)
    guardian_id: int = Field(foreign_key="guardian.id", index=True)
    conversation_id: int = Field(foreign_key="conversation.id", unique=True)
    nonce: str = Field(max_length=32)
    # Optional short code said aloud or sent separately; only its HMAC is kept.
    code_hash: str | None = Field(default=None, max_length=64)
    failed_codes: int = 0
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
