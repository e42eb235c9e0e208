"""Follow-up conversations: what was said last time, and the change per area since then.

Pure functions over flows and stored answers (plus one loader that reads the database).
A follow-up flow (purpose = "followup") marks its "how is it now" steps with recall = true;
for such a step the screen shows the previous conversation's rating in the same area and the
words given there. The previous conversation is the latest completed one of the same child
and the same audience (see answers.previous_conversation); it may have run any flow, a first
conversation or an earlier follow-up, in any age band.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from samtal.conversation import lifecycle, records
from samtal.conversation.engine import Answers, Given
from samtal.flows import SKIP_VALUES, Area, Flow, FlowLibrary, Option, Step
from samtal.flows.kinds import KINDS
from samtal.models import Conversation


@dataclass(frozen=True)
class Previous:
    """An earlier conversation with its flow and its stored answers and words."""

    conversation: Conversation
    flow: Flow | None  # None when the flow file is no longer there
    answers: dict[str, Given]
    words: dict[str, Given]


@dataclass(frozen=True)
class Recall:
    """What was said about one area last time: the rating (face or skip) and own words."""

    area: Area
    step: Step | None  # the rating step of the earlier flow in this area
    given: Given | None
    labels: list[Option]  # the answer as shown: a face with its text, or Vet inte / Vill inte svara
    words: list[Given]  # own words given in the area last time, in order of the flow


@dataclass(frozen=True)
class AreaChange:
    """One area's rating in two conversations and which way it went."""

    area: Area
    before: Given | None
    after: Given | None
    before_level: float | None  # 0 (lowest face) … 1 (happiest face); None: no value
    after_level: float | None
    direction: str | None  # "better", "worse", "same", or None when either has no value


def load_previous(
    session: Session, conversation: Conversation, flows: FlowLibrary
) -> Previous | None:
    """The previous conversation of the same child and audience with its answers, or None."""
    earlier = previous_comparable(session, conversation)
    return load(session, earlier, flows) if earlier is not None else None


def previous_comparable(session: Session, conversation: Conversation) -> Conversation | None:
    """The same person's completed conversation before this one, if it ran under the same
    framework: one run under another is not compared, its areas do not mean the same."""
    earlier = lifecycle.previous_conversation(session, conversation)
    if earlier is None or earlier.framework_id != conversation.framework_id:
        return None
    return earlier


def load(session: Session, conversation: Conversation, flows: FlowLibrary) -> Previous:
    """A conversation with its flow, answers and words."""
    answers, words = records.stored_answers_and_words(session, conversation.id or 0)
    return Previous(
        conversation=conversation,
        flow=flows.of(conversation),
        answers=answers,
        words=words,
    )


def rating_labels(flow: Flow, given: Given | None) -> list[Option]:
    """A rating as shown: its face and text, or the skip it was; empty when not answered."""
    if given is None:
        return []
    if given.status in SKIP_VALUES:
        return [flow.always[given.status]]
    return [o for o in flow.scale if o.value == given.value]


def area_words(previous: Previous, area_id: str) -> list[Given]:
    """Own words given in an area: words steps, and words written down beside any step."""
    assert previous.flow is not None
    found = []
    for step in previous.flow.area_steps.get(area_id, ()):
        given = previous.answers.get(step.id)
        if KINDS[step.kind].answers == "words" and given is not None and given.words:
            found.append(given)
        extra = previous.words.get(step.id)
        if extra is not None and extra.words:
            found.append(extra)
    return found


def recall(previous: Previous | None, area_id: str) -> Recall | None:
    """What was said about the area last time; None when there is nothing to show."""
    if previous is None or previous.flow is None:
        return None
    if area_id not in previous.flow.area_steps:
        return None
    step = previous.flow.rating_step(area_id)
    given = previous.answers.get(step.id) if step else None
    labels = rating_labels(previous.flow, given)
    words = area_words(previous, area_id)
    if not labels and not words:
        return None
    return Recall(
        area=previous.flow.framework.area(area_id),
        step=step,
        given=given,
        labels=labels,
        words=words,
    )


def level(flow: Flow, given: Given | None) -> float | None:
    """A rating as a share of its scale: 0 for the lowest face, 1 for the happiest; else None."""
    if given is None or given.status != "answered":
        return None
    return flow.scale_position(str(given.value))


def ratings(flow: Flow, answers: Answers) -> dict[str, Given | None]:
    """Each area's rating in a conversation (None when not answered)."""
    found: dict[str, Given | None] = {}
    for area in flow.framework.areas:
        step = flow.rating_step(area.id)
        found[area.id] = answers.get(step.id) if step else None
    return found


def comparable(before_flow: Flow, after_flow: Flow) -> bool:
    """True when two conversations ran under the same framework, so their areas mean the same.

    Two frameworks may share an area id (omsorg, trygghet) without sharing what it covers.
    """
    return before_flow.framework.id == after_flow.framework.id


def changes(
    before_flow: Flow, before: Answers, after_flow: Flow, after: Answers
) -> list[AreaChange]:
    """Per area of the later conversation's framework: the rating then and now, and the change.

    Scales may differ (a child who moved from the 3-face to the 5-face band): levels are
    compared as shares of each scale. Vet inte and Vill inte svara have no level, so their
    direction is None; they are never read as a value. Under another framework than before
    nothing is compared: every area's earlier rating is None.
    """
    then = ratings(before_flow, before) if comparable(before_flow, after_flow) else {}
    now = ratings(after_flow, after)
    result = []
    for area in after_flow.framework.areas:
        old, new = then.get(area.id), now.get(area.id)
        old_level, new_level = level(before_flow, old), level(after_flow, new)
        result.append(
            AreaChange(area, old, new, old_level, new_level, direction(old_level, new_level))
        )
    return result


def direction(before: float | None, after: float | None) -> str | None:
    """Which way a rating went between two levels: better, worse, same; None without both."""
    if before is None or after is None:
        return None
    difference = after - before
    return "same" if abs(difference) < 1e-9 else "better" if difference > 0 else "worse"


def history(
    session: Session, child_id: int, flows: FlowLibrary, guardian_id: int | None = None
) -> list[tuple[Previous, dict[str, float | None]]]:
    """Every completed conversation of a child (or of one guardian), oldest first, with each
    area's level (0…1, None for no value): the data for a chart of change over time."""
    query = select(Conversation).where(
        Conversation.child_id == child_id, Conversation.status == "completed"
    )
    if guardian_id is None:
        query = query.where(Conversation.guardian_id.is_(None))  # type: ignore[union-attr]
    else:
        query = query.where(Conversation.guardian_id == guardian_id)
    order = (Conversation.created_at, Conversation.id)
    rows = session.exec(query.order_by(*order)).all()  # type: ignore[arg-type]
    result = []
    for row in rows:
        loaded = load(session, row, flows)
        if loaded.flow is None:
            continue
        levels = {
            area_id: level(loaded.flow, given)
            for area_id, given in ratings(loaded.flow, loaded.answers).items()
        }
        result.append((loaded, levels))
    return result


# ---------------------------------------------------------------- rounds


def round_numbers(purposes: Sequence[str]) -> list[int]:
    """Each conversation's round, oldest first: 0 for a first conversation, n for the n:th
    follow-up (a first conversation run again is still round 0)."""
    found, followups = [], 0
    for purpose in purposes:
        followups += purpose == "followup"
        found.append(followups if purpose == "followup" else 0)
    return found


def nearest_round(
    child_rounds: Sequence[tuple[datetime, str, int]], at: datetime, purpose: str
) -> int | None:
    """The round a guardian's answers belong to: that of the child's conversation of the same
    purpose (first or follow-up) nearest in time (child_rounds: when each started, its
    purpose, its round); None when the child has had none of that purpose.

    Guardians answer from home within days of the child's conversation and rounds lie months
    apart, so the nearest follow-up is theirs.
    """
    candidates = [
        (abs((moment - at).total_seconds()), number)
        for moment, kind, number in child_rounds
        if kind == purpose
    ]
    return min(candidates)[1] if candidates else None
