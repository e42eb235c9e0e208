"""Database tables: the child, the conversation, every answer with its history, and events."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    Index,
    LargeBinary,
    Text,
    UniqueConstraint,
    event,
    text,
)
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    """Now, in UTC."""
    return datetime.now(UTC)


class Unit(SQLModel, table=True):
    """A förskola or skola: where a child's barnkontakt works."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120, unique=True)
    kind: str = Field(default="skola", max_length=12)  # förskola or skola
    created_at: datetime = Field(default_factory=utcnow)


class Staff(SQLModel, table=True):
    """A staff account: admin, barnkontakt or statistik (aggregates only)."""

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)
    name: str = Field(max_length=120)
    role: str = Field(max_length=12)
    unit_id: int | None = Field(default=None, foreign_key="unit.id")
    # Printed on guardian invitations, so a family can call the barnkontakt who sent one.
    phone: str | None = Field(default=None, max_length=40)
    password_hash: str = Field(max_length=255)
    active: bool = True
    # Raising the epoch ends every signed-in session of this account ("log out everywhere").
    session_epoch: int = 0
    failed_logins: int = 0
    locked_until: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    last_login_at: datetime | None = None
    # Two-factor sign-in (TOTP, RFC 6238) for password sign-in: the shared secret in base32,
    # the last time step used (a code works once), and wrong codes since the last right one.
    totp_secret: str | None = Field(default=None, max_length=64)
    totp_last_step: int | None = None
    totp_failures: int = 0
    totp_failed_at: datetime | None = None


def fold_name(name: str) -> str:
    """A name as it is searched: case folded the same way on every database ("åsa" finds
    "Åsa"; SQLite's own lower() knows only ASCII)."""
    return name.casefold()


class Child(SQLModel, table=True):
    """Only what the work needs: a name or pseudonym, birth date, languages, unit, barnkontakt."""

    # The caseload: one barnkontakt's children in name order (ties by id), a page at a time;
    # a search reads the folded names from the same index instead of folding every name.
    __table_args__ = (
        Index("ix_child_caseload", "barnkontakt_id", "name", "id", "search_name"),
        # The caseload filtered by where the children stand, in name order.
        Index("ix_child_stage", "barnkontakt_id", "stage", "name", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80, index=True)
    # fold_name(name), kept in step by the ORM (see below); folding can lengthen a name.
    search_name: str = Field(default="", max_length=160)
    # Where the child stands in the process, apart from follow-up (which depends on the day):
    # one of staff.caseload.STATUSES, kept by stages.refresh_stages.
    stage: str = Field(default="none", max_length=20)
    birth_year: int | None = None
    # The exact date picks the age band and the follow-up age; a year is enough for CLI demos.
    birth_date: date | None = None
    language: str = Field(default="sv", max_length=12)
    # Home languages as the family states them, e.g. "arabiska, svenska".
    home_languages: str | None = Field(default=None, max_length=120)
    unit_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    barnkontakt_id: int | None = Field(default=None, foreign_key="staff.id", index=True)
    followup_due: date | None = Field(default=None, index=True)
    created_at: datetime = Field(default_factory=utcnow)


@event.listens_for(Child, "before_insert")
@event.listens_for(Child, "before_update")
def _fold_search_name(_mapper, _connection, child: Child) -> None:
    child.search_name = fold_name(child.name)


class Conversation(SQLModel, table=True):
    """One barnsamtal: which flow (and version) it runs, its language and where it stands."""

    # The caseload's status per child reads only this index (child's or a guardian's, status).
    __table_args__ = (
        Index("ix_conversation_child_guardian_status", "child_id", "guardian_id", "status"),
    )

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
    # Wrong PINs for the adult's panel: counted per conversation in a window, in one atomic
    # UPDATE (samtal.panel_access), never on the staff account.
    pin_attempts: int = 0
    pin_window_at: datetime | None = None


class Answer(SQLModel, table=True):
    """One revision of an answer. The current one has replaced_at = None; older ones are history."""

    __table_args__ = (
        UniqueConstraint("conversation_id", "request_key"),
        # Exactly one current revision per step and part, whatever two screens send at once.
        Index(
            "ux_answer_current",
            "conversation_id",
            "step_id",
            "part",
            unique=True,
            sqlite_where=text("replaced_at IS NULL"),
            postgresql_where=text("replaced_at IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="conversation.id", index=True)
    step_id: str = Field(max_length=80)
    # "answer": what was chosen; "words": the child's own words, typed or written by the adult.
    part: str = Field(default="answer", max_length=8)
    # answered, vet_inte or vill_inte_svara: never folded into a value on the scale; skipped
    # for a words step saved empty (before 2026-12 such a save was stored as vill_inte_svara).
    status: str = Field(default="answered", max_length=16)
    value: list[str] | str | None = Field(default=None, sa_column=Column(JSON))
    words: str | None = None
    language: str = Field(default="sv", max_length=12)
    answered_by: str = Field(default="child", max_length=8)  # child or adult
    request_key: str | None = Field(default=None, max_length=40)
    created_at: datetime = Field(default_factory=utcnow)
    replaced_at: datetime | None = None


class Drawing(SQLModel, table=True):
    """A child's drawing on an own-words step: a PNG kept with one revision of the answer, so
    it has the answer's history, sharing and gallring."""

    id: int | None = Field(default=None, primary_key=True)
    answer_id: int = Field(foreign_key="answer.id", unique=True)
    png: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    width: int
    height: int
    created_at: datetime = Field(default_factory=utcnow)


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
    # Who marked it: a staff member, or None when the panel was opened with the PIN alone
    # (then marked_via says "pin": whoever held the conversation's PIN). Concerns marked
    # before this was recorded say "unknown".
    marked_by: int | None = Field(default=None, foreign_key="staff.id")
    marked_via: str = Field(default="unknown", max_length=8)  # staff, kiosk, pin or unknown
    report_made_at: datetime | None = None
    report_made_by: int | None = Field(default=None, foreign_key="staff.id")
    # The barnkontakt's recorded decision not to report, and why; closes the concern too.
    no_report_reason: str | None = Field(default=None, max_length=2000)
    decided_by: int | None = Field(default=None, foreign_key="staff.id")
    decided_at: datetime | None = None


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


class InvitationDelivery(SQLModel, table=True):
    """One attempt to send an invitation to a guardian (by e-mail): to where, and how it went."""

    id: int | None = Field(default=None, primary_key=True)
    invitation_id: int = Field(foreign_key="invitation.id", index=True)
    channel: str = Field(default="email", max_length=12)
    address: str = Field(max_length=254)
    status: str = Field(max_length=12)  # sent or failed
    # Why it failed, in Swedish for the barnkontakt (the mail server's answer, shortened).
    reason: str | None = Field(default=None, max_length=500)
    sent_by: int | None = Field(default=None, foreign_key="staff.id")
    created_at: datetime = Field(default_factory=utcnow)


class Consent(SQLModel, table=True):
    """Consent to share: who gave it, what information, with whom, for how long; withdrawable."""

    id: int | None = Field(default=None, primary_key=True)
    child_id: int = Field(foreign_key="child.id", index=True)
    given_by: str = Field(max_length=12)  # guardian or child
    guardian_id: int | None = Field(default=None, foreign_key="guardian.id")
    information: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    recipients: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    given_on: date
    valid_until: date
    informed: bool = False  # they were told what it means
    recorded_by: int | None = Field(default=None, foreign_key="staff.id")
    created_at: datetime = Field(default_factory=utcnow)
    withdrawn_at: datetime | None = None


class SiblingLink(SQLModel, table=True):
    """Two children's records linked as siblings: one row per pair, the lower id first.

    Access stays per child: to someone who may not see the other child, a link says only that
    a sibling is there (staff/siblings.py). Erasing either child deletes the link (it is found
    by records/owned.py through both keys).
    """

    __table_args__ = (
        UniqueConstraint("child_id", "sibling_id", name="uq_siblinglink_pair"),
        CheckConstraint("child_id < sibling_id", name="ck_siblinglink_order"),
    )

    id: int | None = Field(default=None, primary_key=True)
    child_id: int = Field(foreign_key="child.id")
    sibling_id: int = Field(foreign_key="child.id", index=True)
    created_by: int | None = Field(default=None, foreign_key="staff.id")
    created_at: datetime = Field(default_factory=utcnow)


class SummaryDraft(SQLModel, table=True):
    """The barnkontakt's working copy of a child's summary: notes, analysis and next step."""

    id: int | None = Field(default=None, primary_key=True)
    child_id: int = Field(foreign_key="child.id", index=True)
    conversation_id: int | None = Field(default=None, foreign_key="conversation.id")
    notes: dict = Field(default_factory=dict, sa_column=Column(JSON))
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by: int | None = Field(default=None, foreign_key="staff.id")


class SummaryVersion(SQLModel, table=True):
    """A signed, immutable summary. Editing afterwards makes a new version; history is kept."""

    __table_args__ = (UniqueConstraint("child_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    child_id: int = Field(foreign_key="child.id", index=True)
    number: int
    content: dict = Field(sa_column=Column(JSON))
    content_hash: str = Field(max_length=64)
    signed_by: int = Field(foreign_key="staff.id")
    signed_at: datetime = Field(default_factory=utcnow)


class ChildCopyChoice(SQLModel, table=True):
    """What the barnkontakt let go home in the child's copy; the newest row counts.

    Item keys come from samtal.child_copy.items(); an item not among `reviewed` (something the
    child said after the review) stays out until the barnkontakt looks again.
    """

    id: int | None = Field(default=None, primary_key=True)
    child_id: int = Field(foreign_key="child.id", index=True)
    reviewed: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    included: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    chosen_by: int = Field(foreign_key="staff.id")
    chosen_at: datetime = Field(default_factory=utcnow)


class AuditEntry(SQLModel, table=True):
    """Who did what with which child's data, when. Never deleted; erasing a child clears the
    details of the entries about that child and nothing else (samtal/records/erasure.py)."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    staff_id: int | None = Field(default=None, foreign_key="staff.id", index=True)
    action: str = Field(max_length=40, index=True)
    child_id: int | None = Field(default=None, index=True)
    detail: str | None = Field(default=None, max_length=500)
    address: str | None = Field(default=None, max_length=64)


class Setting(SQLModel, table=True):
    """Settings an admin changes at run time (area labels, retention, languages, setup link)."""

    key: str = Field(primary_key=True, max_length=60)
    value: dict = Field(default_factory=dict, sa_column=Column(JSON))


class WebSession(SQLModel, table=True):
    """A browser's session: its cookie holds only a random id, whose sha256 is the key."""

    id: str = Field(primary_key=True, max_length=64)
    # The signed-in staff member, so that signing out everywhere can end every one of theirs.
    staff_id: int | None = Field(default=None, index=True)
    data: dict = Field(default_factory=dict, sa_column=Column(JSON))
    created_at: datetime = Field(default_factory=utcnow, index=True)
    seen_at: datetime = Field(default_factory=utcnow)


class AttemptCount(SQLModel, table=True):
    """Attempts of one kind from one source (an address, a kiosk) in the current window."""

    key: str = Field(primary_key=True, max_length=100)
    count: int = 0
    window_start: datetime = Field(default_factory=utcnow)


class Recording(SQLModel, table=True):
    """A human voice reading one text of the conversations aloud in one language: the text is
    the Swedish source (a step's question or an answer option), so one recording of "Ja" in
    Arabic serves every flow that says it."""

    __table_args__ = (UniqueConstraint("language", "text_key"),)

    id: int | None = Field(default=None, primary_key=True)
    language: str = Field(max_length=8)
    # sha256 of the Swedish source text: texts are too long for a unique index on every database.
    text_key: str = Field(max_length=64)
    text: str = Field(sa_column=Column(Text, nullable=False))
    mimetype: str = Field(max_length=40)  # audio/webm or audio/ogg, Opus, mono
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    # sha256 of data: in the recording's URL, so a new take is a new URL (cached for good).
    digest: str = Field(max_length=64)
    recorded_by: int | None = Field(default=None, foreign_key="staff.id")
    recorded_at: datetime = Field(default_factory=utcnow)


class MessageReview(SQLModel, table=True):
    """A translator's review of one catalog message in one language, and their correction."""

    __table_args__ = (UniqueConstraint("language", "message_key"),)

    id: int | None = Field(default=None, primary_key=True)
    language: str = Field(max_length=8)
    # sha256 of the message context and Swedish source (msgid).
    message_key: str = Field(max_length=64)
    context: str | None = Field(default=None, max_length=80)
    source: str = Field(sa_column=Column(Text, nullable=False))
    # The corrected translation; None when the translator accepted the catalog's as it is.
    correction: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    reviewed_by: int | None = Field(default=None, foreign_key="staff.id")
    reviewed_at: datetime = Field(default_factory=utcnow)
