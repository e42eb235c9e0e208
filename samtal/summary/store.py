"""Storing the summary: the barnkontakt's notes, signed immutable versions, and comparing them.

Every write of a summary goes through here (save_draft, sign). A signed version freezes the
summary built by samtal.summary together with the sha256 of its canonical JSON.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from samtal import library, settings
from samtal.conversation import followup, records
from samtal.models import (
    Child,
    Consent,
    Conversation,
    Guardian,
    SafetyConcern,
    Staff,
    SummaryDraft,
    SummaryVersion,
    utcnow,
)
from samtal.summary.build import (
    DECISIONS,
    EVALUATION,
    QUESTIONS,
    SUPPORT,
    Part,
    build_summary,
    clean_text,
    day,
)

NOTE_LIMIT = 4000
# The barnkontakt's translation of one free-text answer: form field "tr-" + its key, which is
# build.translation_key(writer, step id); anything else sent under that prefix is dropped.
TRANSLATION_FIELD = "tr-"
TRANSLATION_KEY = re.compile(r"^(child|guardian-\d+)/[\w.\-]{1,80}$")
MAX_TRANSLATIONS = 400


class SummaryRefused(ValueError):
    """Notes that cannot be saved as sent; the view words the reason for the person."""

    def __init__(self, reason: str, field: str | None = None, count: int = 0):
        self.reason, self.field, self.count = reason, field, count
        super().__init__(f"{reason}: {field} ({count})")


# ---------------------------------------------------------------- hashing and comparing


def canonical(content: Mapping[str, Any]) -> bytes:
    """Canonical JSON: sorted keys, no spaces, UTF-8."""
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def content_hash(content: Mapping[str, Any]) -> str:
    """sha256 of the canonical JSON, in hex."""
    return hashlib.sha256(canonical(content)).hexdigest()


def _texts(entries: Sequence[Mapping[str, Any]] | None) -> str:
    """Items as one text; a translation shows beside its words, so adding one is a change."""
    return "; ".join(
        str(e.get("text", "")) + (f" [{e['translation']}]" if e.get("translation") else "")
        for e in entries or []
    )


def _view_facts(view: Mapping[str, Any] | None) -> dict[str, str]:
    if view is None:
        return {}
    return {
        "rating": view["rating"].get("label") or view["rating"]["status"],
        "strengths": _texts(view["strengths"]),
        "wishes": _texts(view["wishes"]),
        "words": _texts(view["words"]),
        "other": "; ".join(f"{o['question']} {_texts(o['items'])}" for o in view["other"]),
    }


def facts(content: Mapping[str, Any]) -> dict[tuple[str, str, str], str]:
    """The summary flattened to (section, field, who) → text, for comparing versions."""
    found: dict[tuple[str, str, str], str] = {}
    header = content.get("header", {})
    for key in ("child_name", "barnkontakt", "conversation_finished"):
        found[("header", key, "")] = str(header.get(key) or "")
    found[("header", "age_band", "")] = "–".join(map(str, header.get("age_band") or []))
    found[("header", "languages", "")] = ", ".join(header.get("languages", []))
    found[("header", "interpreter_wanted", "")] = str(header.get("interpreter_wanted"))
    found[("header", "consent", "")] = "; ".join(
        f"{c.get('name') or c.get('given_by')}: {', '.join(c.get('information', []))} → "
        f"{', '.join(c.get('recipients', []))} ({c.get('given_on')}–{c.get('valid_until')})"
        for c in header.get("consent", [])
    )
    for area in content.get("areas", []):
        section = f"area:{area['id']}"
        for key, value in _view_facts(area.get("child")).items():
            found[(section, f"child_{key}", "")] = value
        for view in area.get("guardians", []):
            for key, value in _view_facts(view).items():
                found[(section, f"guardian_{key}", view["name"])] = value
            found[(section, "agreement", view["name"])] = str(view.get("agreement") or "")
        found[(section, "note", "")] = area.get("note", "")
        found[(section, "translation", "")] = area.get("translation", "")
        found[(section, "kept_from_guardians", "")] = str(area.get("kept_from_guardians"))
    found[("closing", "priorities", "")] = ", ".join(content.get("priorities", []))
    found[("closing", "meeting", "")] = _texts(content.get("meeting"))
    found[("closing", "adult", "")] = _texts(content.get("adult"))
    for key, value in content.get("analysis", {}).items():
        found[("analysis", key, "")] = value
    evaluation = content.get("evaluation") or {}
    for key, value in (evaluation.get("questions") or {}).items():
        found[("evaluation", key, "")] = value
    support = evaluation.get("support") or {}
    found[("evaluation", "support", "")] = support.get("code") or ""
    found[("evaluation", "support_text", "")] = support.get("text") or ""
    decision = content.get("decision", {})
    found[("decision", "code", "")] = decision.get("code") or ""
    found[("decision", "text", "")] = decision.get("text") or ""
    found[("safety", "notes", "")] = _texts(
        [{"text": s.get("note") or s.get("at")} for s in content.get("safety", [])]
    )
    return found


@dataclass(frozen=True)
class Difference:
    """One field that differs between two summaries."""

    section: str
    section_label: str
    field: str
    who: str
    before: str
    after: str


def compare(first: Mapping[str, Any], second: Mapping[str, Any]) -> list[Difference]:
    """Every field whose text differs between two summaries, in reading order."""
    before, after = facts(first), facts(second)
    labels = {f"area:{a['id']}": a["label"] for a in first.get("areas", [])}
    labels.update({f"area:{a['id']}": a["label"] for a in second.get("areas", [])})
    keys = list(dict.fromkeys([*before, *after]))
    return [
        Difference(
            section=key[0],
            section_label=labels.get(key[0], key[0]),
            field=key[1],
            who=key[2],
            before=before.get(key, ""),
            after=after.get(key, ""),
        )
        for key in keys
        if before.get(key, "") != after.get(key, "")
    ]


# ---------------------------------------------------------------- notes (the draft)


def notes_from_form(form: Mapping[str, str], area_ids: Sequence[str]) -> dict[str, Any]:
    """The draft's notes from a submitted form (note-<area>, translation-<area>, q-<key>, …)."""
    return {
        "areas": {
            area_id: {
                "note": form.get(f"note-{area_id}", ""),
                "translation": form.get(f"translation-{area_id}", ""),
            }
            for area_id in area_ids
        },
        "questions": {key: form.get(f"q-{key}", "") for key in QUESTIONS},
        "evaluation": {key: form.get(f"e-{key}", "") for key in EVALUATION},
        "support": form.get("support", ""),
        "support_text": form.get("support_text", ""),
        "decision": form.get("decision", ""),
        "decision_text": form.get("decision_text", ""),
        "translations": {
            name.removeprefix(TRANSLATION_FIELD): value
            for name, value in form.items()
            if name.startswith(TRANSLATION_FIELD)
        },
    }


def form_values(notes: Mapping[str, Any]) -> dict[str, str]:
    """The notes as form field values (the inverse of notes_from_form)."""
    values = {f"q-{k}": v for k, v in notes.get("questions", {}).items()}
    values.update({f"e-{k}": v for k, v in (notes.get("evaluation") or {}).items()})
    values["support"] = notes.get("support") or ""
    values["support_text"] = notes.get("support_text", "")
    for area_id, own in notes.get("areas", {}).items():
        values[f"note-{area_id}"] = own.get("note", "")
        values[f"translation-{area_id}"] = own.get("translation", "")
    values["decision"] = notes.get("decision") or ""
    values["decision_text"] = notes.get("decision_text", "")
    for key, text in (notes.get("translations") or {}).items():
        values[TRANSLATION_FIELD + key] = text
    return values


def clean_notes(notes: Mapping[str, Any], area_ids: Sequence[str]) -> dict[str, Any]:
    """Checked notes: every text at most NOTE_LIMIT characters, the decision a known one."""

    def checked(text: Any, field_name: str) -> str:
        cleaned = clean_text(text)
        if len(cleaned) > NOTE_LIMIT:
            raise SummaryRefused("too_long", field_name, len(cleaned))
        return cleaned

    areas = {}
    for area_id in area_ids:
        own = notes.get("areas", {}).get(area_id, {})
        areas[area_id] = {
            "note": checked(own.get("note"), f"note-{area_id}"),
            "translation": checked(own.get("translation"), f"translation-{area_id}"),
        }
    questions = {k: checked(notes.get("questions", {}).get(k), f"q-{k}") for k in QUESTIONS}
    evaluation = {k: checked((notes.get("evaluation") or {}).get(k), f"e-{k}") for k in EVALUATION}
    support = clean_text(notes.get("support"))
    if support and support not in SUPPORT:
        raise SummaryRefused("unknown_support", "support")
    decision = clean_text(notes.get("decision"))
    if decision and decision not in DECISIONS:
        raise SummaryRefused("unknown_decision", "decision")
    translations = {}
    for key, text in list((notes.get("translations") or {}).items())[:MAX_TRANSLATIONS]:
        if TRANSLATION_KEY.match(str(key)) and (kept := checked(text, TRANSLATION_FIELD + key)):
            translations[str(key)] = kept
    return {
        "areas": areas,
        "questions": questions,
        "evaluation": evaluation,
        "support": support,
        "support_text": checked(notes.get("support_text"), "support_text"),
        "decision": decision,
        "decision_text": checked(notes.get("decision_text"), "decision_text"),
        "translations": translations,
    }


# ---------------------------------------------------------------- reading what is stored


def draft_of(session: Session, child_id: int) -> SummaryDraft | None:
    """The child's working copy for the round the summary is about, if any.

    A follow-up starts with empty notes (the last round's stay in its signed versions); notes
    written before the child's first conversation, or for one run again, belong to round 0.
    """
    conversation = child_conversation(session, child_id)
    rounds = child_rounds(session, child_id)
    now = rounds[conversation.id][2] if conversation and conversation.id in rounds else 0
    drafts = session.exec(
        select(SummaryDraft)
        .where(SummaryDraft.child_id == child_id)
        .order_by(col(SummaryDraft.id).desc())
    ).all()
    for draft in drafts:
        of = rounds[draft.conversation_id][2] if draft.conversation_id in rounds else 0
        if of == now:
            return draft
    return None


FINISHED = ("completed", "ended", "declined")


def child_conversation(session: Session, child_id: int) -> Conversation | None:
    """The child's latest finished own conversation (not a guardian's), else the latest one.

    A follow-up that has only just started does not hide the conversation before it.
    """
    query = (
        select(Conversation)
        .where(Conversation.child_id == child_id, col(Conversation.guardian_id).is_(None))
        .order_by(col(Conversation.created_at).desc(), col(Conversation.id).desc())
    )
    finished = session.exec(query.where(col(Conversation.status).in_(FINISHED))).first()
    return finished or session.exec(query).first()


def _purpose(conversation: Conversation) -> str:
    flow = library.flows().of(conversation)
    return flow.purpose if flow is not None else "first"


def child_rounds(session: Session, child_id: int) -> dict[int, tuple[Any, str, int]]:
    """The child's own conversations by id: when each started, its purpose and its round.

    A conversation the child said no to starts no round of its own.
    """
    rows = session.exec(
        select(Conversation)
        .where(Conversation.child_id == child_id, col(Conversation.guardian_id).is_(None))
        .order_by(col(Conversation.created_at), col(Conversation.id))
    ).all()
    purposes = [_purpose(row) for row in rows]
    counted = [p for row, p in zip(rows, purposes, strict=True) if row.status != "declined"]
    numbers = iter(followup.round_numbers(counted))
    found, last = {}, 0
    for row, purpose in zip(rows, purposes, strict=True):
        if row.status != "declined":
            last = next(numbers)
            number = last
        else:
            number = last + 1 if purpose == "followup" else 0
        found[row.id or 0] = (row.created_at, purpose, number)
    return found


def _earlier(
    session: Session,
    conversation: Conversation,
    round_of: Callable[[Conversation], int],
    **extra: Any,
) -> Part | None:
    """For a follow-up: the same person's comparable conversation before it, with its round;
    else None."""
    if _purpose(conversation) != "followup":
        return None
    before = followup.previous_comparable(session, conversation)
    return _part(session, before, round=round_of(before), **extra) if before else None


def _part(session: Session, conversation: Conversation, **extra: Any) -> Part | None:
    flow = library.flows().of(conversation)
    if flow is None:
        return None
    answers, words = records.stored_answers_and_words(session, conversation.id or 0)
    return Part(
        flow=flow,
        answers=answers,
        words=words,
        language=conversation.language,
        conversation={
            "id": conversation.id,
            "status": conversation.status,
            "started": conversation.created_at,
            "finished": conversation.finished_at,
            "flow_version": conversation.flow_version,
        },
        **extra,
    )


def version_kept(header: Mapping[str, Any]) -> bool:
    """False when the flow version the summarised conversation ran under is no longer loaded:
    its answers are then read with the newest version's questions (summary.build says how)."""
    flow_id, version = header.get("flow"), header.get("flow_version")
    if not flow_id or version is None:
        return True
    found = library.flows().get(str(flow_id), version)
    return found is not None and found.version == version


def _guardian_round(
    timing: Sequence[tuple[Any, str, int]],
    own: Mapping[int | None, int],
    conversation: Conversation,
) -> int:
    """A guardian's conversation's round: the child's round nearest in time; without one,
    the guardian's own count (own: the guardian's conversations' rounds among themselves)."""
    number = followup.nearest_round(timing, conversation.created_at, _purpose(conversation))
    return own.get(conversation.id, 0) if number is None else number


def guardian_parts(
    session: Session,
    child_id: int,
    rounds: Mapping[int, tuple[Any, str, int]],
    child_round: int | None = None,
) -> list[Part]:
    """Each guardian's sent questionnaire of the child's round (child_round; None: no child
    conversation), else their latest (one not yet sent is the guardian's still), with its
    round, whether that is the child's round, and for a follow-up the same guardian's answers
    before it. rounds: child_rounds() of the child."""
    guardians = session.exec(
        select(Guardian).where(Guardian.child_id == child_id).order_by(col(Guardian.id))
    ).all()
    timing = list(rounds.values())
    parts = []
    for guardian in guardians:
        answered = session.exec(
            select(Conversation)
            .where(Conversation.guardian_id == guardian.id, Conversation.status == "completed")
            .order_by(col(Conversation.created_at), col(Conversation.id))
        ).all()
        if not answered:
            continue
        own = followup.round_numbers([_purpose(c) for c in answered])
        round_of = partial(
            _guardian_round, timing, {c.id: n for c, n in zip(answered, own, strict=True)}
        )
        # Their answers in the child's round; without any, their latest (marked as such). A
        # guardian's follow-up sent before the child's is not yet what this summary is about.
        in_round = [
            c
            for c in answered
            if child_round is not None
            and followup.nearest_round(timing, c.created_at, _purpose(c)) == child_round
        ]
        shown = (in_round or answered)[-1]
        who: dict[str, Any] = {"name": guardian.name, "ref": guardian.id}
        part = _part(
            session,
            shown,
            **who,
            round=round_of(shown),
            same_round=child_round is None or bool(in_round),
            earlier=_earlier(session, shown, round_of, **who),
        )
        if part is not None:
            parts.append(part)
    return parts


def safety_notes(session: Session, child_id: int) -> list[dict[str, Any]]:
    """Every safety concern marked in the child's own conversations. Staff only."""
    rows = session.exec(
        select(SafetyConcern)
        .join(Conversation, col(Conversation.id) == SafetyConcern.conversation_id)
        .where(Conversation.child_id == child_id, col(Conversation.guardian_id).is_(None))
        .order_by(col(SafetyConcern.id))
    ).all()
    return [
        {
            "at": day(row.created_at),
            "step": row.step_id,
            "note": row.note or "",
            "report_made": day(row.report_made_at),
        }
        for row in rows
    ]


def consent_on_record(session: Session, child_id: int, on: date) -> list[dict[str, Any]]:
    """Consents not withdrawn and still valid on the day: who, what, with whom, how long."""
    rows = session.exec(
        select(Consent)
        .where(
            Consent.child_id == child_id,
            col(Consent.withdrawn_at).is_(None),
            col(Consent.informed).is_(True),
        )
        .order_by(col(Consent.id))
    ).all()
    names = {
        g.id: g.name
        for g in session.exec(select(Guardian).where(Guardian.child_id == child_id)).all()
    }
    return [
        {
            "given_by": row.given_by,
            "name": names.get(row.guardian_id, "") if row.guardian_id else "",
            "information": list(row.information),
            "recipients": list(row.recipients),
            "given_on": day(row.given_on),
            "valid_until": day(row.valid_until),
            "informed": row.informed,
        }
        for row in rows
        if row.given_on <= on <= row.valid_until
    ]


def gather(
    *, session: Session, child: Child, notes: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The child's summary as it stands now, from stored answers and the draft's notes."""
    conversation = child_conversation(session, child.id or 0)
    child_part, child_round = None, None
    rounds = child_rounds(session, child.id or 0)
    if conversation is not None:
        child_round = rounds[conversation.id or 0][2]
        child_part = _part(
            session,
            conversation,
            round=child_round,
            earlier=_earlier(session, conversation, lambda c: rounds[c.id or 0][2]),
        )
    if notes is None:
        draft = draft_of(session, child.id or 0)
        notes = draft.notes if draft else {}
    frameworks = library.flows().frameworks
    installed = settings.framework_id(session=session)
    framework = child_part.flow.framework if child_part is not None else frameworks[installed]
    # The configured name belongs to the installation's framework; a conversation run under
    # another one keeps that framework's own name for the role.
    role = settings.role_names(session=session)["sv"] if framework.id == installed else None
    barnkontakt = session.get(Staff, child.barnkontakt_id) if child.barnkontakt_id else None
    labels = settings.area_labels(framework, session=session)
    order = settings.area_order(framework, session=session)
    return build_summary(
        framework=framework,
        header={
            "child_id": child.id,
            "child_name": child.name,
            "age": conversation.age if conversation else None,
            "home_languages": child.home_languages,
            "barnkontakt": barnkontakt.name if barnkontakt else "",
        },
        child_part=child_part,
        guardian_parts=[
            p
            for p in guardian_parts(session, child.id or 0, rounds, child_round)
            if p.flow.framework.id == framework.id
        ],
        safety=safety_notes(session, child.id or 0),
        notes=notes,
        consent=consent_on_record(session, child.id or 0, utcnow().date()),
        labels=labels,
        order=order,
        role=role,
    )


# ---------------------------------------------------------------- writing: draft and signing


def save_draft(
    *, session: Session, child: Child, staff: Staff, notes: Mapping[str, Any]
) -> SummaryDraft:
    """Check and store the barnkontakt's notes; raises SummaryRefused, keeping nothing half."""
    conversation = child_conversation(session, child.id or 0)
    flow = library.flows().of(conversation) if conversation else None
    framework = flow.framework if flow else None
    area_ids = [a.id for a in framework.areas] if framework else list(notes.get("areas", {}))
    cleaned = clean_notes(notes, area_ids)
    draft = draft_of(session, child.id or 0) or SummaryDraft(child_id=child.id or 0)
    draft.notes = cleaned
    draft.conversation_id = conversation.id if conversation else None
    draft.updated_at = utcnow()
    draft.updated_by = staff.id
    session.add(draft)
    session.commit()
    return draft


def versions(session: Session, child_id: int) -> list[SummaryVersion]:
    """Every signed version of the child's summary, oldest first."""
    return list(
        session.exec(
            select(SummaryVersion)
            .where(SummaryVersion.child_id == child_id)
            .order_by(col(SummaryVersion.number))
        ).all()
    )


def version(session: Session, child_id: int, number: int) -> SummaryVersion | None:
    """One signed version, or None."""
    return session.exec(
        select(SummaryVersion).where(
            SummaryVersion.child_id == child_id, SummaryVersion.number == number
        )
    ).first()


def latest_version(session: Session, child_id: int) -> SummaryVersion | None:
    """The newest signed version, or None."""
    return session.exec(
        select(SummaryVersion)
        .where(SummaryVersion.child_id == child_id)
        .order_by(col(SummaryVersion.number).desc())
    ).first()


def sign(
    *,
    session: Session,
    child: Child,
    staff: Staff,
    content: Mapping[str, Any] | None = None,
) -> SummaryVersion:
    """Freeze the summary as it stands into an immutable version with its sha256.

    Signing what the newest version already says makes nothing new (a double sign-off is one
    version), also when two requests race: the (child, number) constraint lets one win and
    the other finds the winner's hash equal to its own.
    """
    content = dict(content) if content is not None else gather(session=session, child=child)
    digest = content_hash(content)
    for _attempt in range(5):
        # One sign-off of a child at a time: a no-op write takes the child's row lock
        # (PostgreSQL) or the write lock (SQLite) until the commit, so the numbers never race.
        session.execute(
            update(Child).where(col(Child.id) == child.id).values(stage=col(Child.stage))
        )
        latest = latest_version(session, child.id or 0)
        if latest is not None and latest.content_hash == digest:
            return latest
        signed = SummaryVersion(
            child_id=child.id or 0,
            number=(latest.number if latest else 0) + 1,
            content=json.loads(canonical(content)),
            content_hash=digest,
            signed_by=staff.id or 0,
        )
        session.add(signed)
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
            continue
        return signed
    raise SummaryRefused("busy")


def verify(signed: SummaryVersion) -> bool:
    """True when a stored version's content still matches its hash."""
    return content_hash(signed.content) == signed.content_hash
