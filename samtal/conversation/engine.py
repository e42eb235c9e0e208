"""The conversation engine: pure functions over a flow and the answers stored so far.

It knows no question of its own. Given what has been answered it tells which step comes
now, how far each area has come, and what the review screen shows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from samtal.flows import DECLINED, OPENED, SILENT, SKIP_VALUES, UNKNOWN, Area, Flow, Option, Step
from samtal.flows.kinds import KINDS


@dataclass(frozen=True)
class Given:
    """The current revision of one stored answer."""

    status: str  # answered, vet_inte, vill_inte_svara or skipped (an empty words box)
    value: str | list[str] | None = None
    words: str | None = None
    by: str = "child"
    language: str = "sv"
    at: datetime | None = None
    drawing: int | None = None  # the id of a drawing made on an own-words step

    def values(self) -> list[str]:
        """What a condition looks at: the chosen values, or the skip status itself."""
        if self.status != "answered":
            return [self.status]
        if isinstance(self.value, list):
            return self.value
        return [self.value] if self.value is not None else []


Answers = Mapping[str, Given]


@dataclass(frozen=True)
class Position:
    """Where a conversation stands: the step to show, its area, or how it ended."""

    step: Step | None
    area: Area | None = None
    ended_by: Step | None = None

    @property
    def finished(self) -> bool:
        """True when nothing more is asked (declined, or the goodbye has been reached)."""
        return self.step is None or self.step.kind == "goodbye"


def applies(step: Step, answers: Answers) -> bool:
    """True when the step's condition (if any) holds for the answers given."""
    if step.when is None:
        return True
    given = answers.get(step.when.step)
    if given is None:
        return False
    return any(step.when.holds(value) for value in given.values())


def is_pending(step: Step, answers: Answers) -> bool:
    """True when the step applies and still waits for an answer."""
    if step.adult_opens:
        given = answers.get(step.id)
        return applies(step, answers) and given is not None and given.status == OPENED
    return step.asks and applies(step, answers) and step.id not in answers


def ending_option(step: Step, given: Given | None) -> Option | None:
    """The chosen option that ends the conversation (a 'no' to the assent), if any."""
    if given is None or given.status != "answered":
        return None
    return next((o for o in step.options if o.ends_conversation and o.value == given.value), None)


def area_done(flow: Flow, area_id: str, answers: Answers) -> bool:
    """True when every step of the area that applies has been answered."""
    return not any(is_pending(step, answers) for step in flow.area_steps[area_id])


def area_started(flow: Flow, area_id: str, answers: Answers) -> bool:
    """True when any step of the area has been answered."""
    return any(step.id in answers for step in flow.area_steps[area_id])


def choose_step(flow: Flow) -> Step | None:
    """The flow's choose-next-area step, if the child chooses the order."""
    return next((s for s in flow.intro if s.kind == "choose_area"), None)


def remaining_areas(flow: Flow, answers: Answers) -> list[Area]:
    """Areas not yet done, in framework order."""
    return [a for a in flow.framework.areas if not area_done(flow, a.id, answers)]


def current_area(flow: Flow, answers: Answers) -> Area | None:
    """The area being talked about now, or None when the child must choose (or all are done)."""
    remaining = remaining_areas(flow, answers)
    if not remaining:
        return None
    if flow.area_order == "fixed":
        return remaining[0]
    started = [a for a in remaining if area_started(flow, a.id, answers)]
    if started:
        return started[0]
    chooser = choose_step(flow)
    chosen = answers.get(chooser.id) if chooser else None
    if chosen is not None:
        return next((a for a in remaining if a.id == chosen.value), None)
    return None


def position(flow: Flow, answers: Answers) -> Position:
    """The step to show now, given the answers stored so far."""
    for step in flow.intro:
        if step.kind == "choose_area":
            continue
        if ending_option(step, answers.get(step.id)):
            return Position(step=None, ended_by=step)
        if is_pending(step, answers):
            return Position(step=step)
    if remaining_areas(flow, answers):
        area = current_area(flow, answers)
        if area is None:
            return Position(step=choose_step(flow))
        step = next(s for s in flow.area_steps[area.id] if is_pending(s, answers))
        return Position(step=step, area=area)
    for step in flow.outro:
        if step.kind == "goodbye" or is_pending(step, answers):
            return Position(step=step)
    return Position(step=None)


def area_progress(
    flow: Flow, answers: Answers, now: Position | None = None
) -> list[tuple[Area, str]]:
    """Each area with 'done', 'current' or 'todo', for the compass (pass the position if known)."""
    now = now or position(flow, answers)
    return [
        (
            area,
            "done"
            if area_done(flow, area.id, answers)
            else "current"
            if now.area is not None and now.area.id == area.id
            else "todo",
        )
        for area in flow.framework.areas
    ]


def is_editable(flow: Flow, step: Step, answers: Answers) -> bool:
    """True when the step may be answered again (it was answered and still applies)."""
    given = answers.get(step.id)
    return (
        KINDS[step.kind].view
        and given is not None
        and given.status != OPENED
        and applies(step, answers)
    )


def answer_labels(flow: Flow, step: Step, given: Given) -> list[Option]:
    """The answer as options to show (text and picture), whatever kind of step it was."""
    if given.status in SILENT:
        return []
    if given.status in SKIP_VALUES and step.kind != "choose_area":
        return [flow.always[given.status]]
    if KINDS[step.kind].answers == "areas":
        chosen = given.values()
        if step.none is not None and given.status == "answered" and not chosen:
            return [step.none]
        return [
            Option(value=a.id, text=a.label, picture=a.picture)
            for a in flow.framework.areas
            if a.id in chosen
        ]
    if KINDS[step.kind].answers == "words":
        return [Option(value="words", text=given.words or "")]
    chosen = given.values()
    return [o for o in flow.options_for(step) if o.value in chosen]


@dataclass(frozen=True)
class ReviewItem:
    """One answered question on the review screen."""

    step: Step
    given: Given
    labels: list[Option]
    words: Given | None


@dataclass(frozen=True)
class ReviewSection:
    """The review items of one area, or of the closing questions (area None)."""

    area: Area | None
    items: list[ReviewItem]


def review(flow: Flow, answers: Answers, words: Answers) -> list[ReviewSection]:
    """What the review screen shows: every answer that applies, by area, then the closing ones."""

    def items(steps: tuple[Step, ...]) -> list[ReviewItem]:
        return [
            ReviewItem(s, answers[s.id], answer_labels(flow, s, answers[s.id]), words.get(s.id))
            for s in steps
            if s.id in answers
            and answers[s.id].status not in SILENT
            and KINDS[s.kind].view
            and applies(s, answers)
        ]

    sections = [ReviewSection(a, items(flow.area_steps[a.id])) for a in flow.framework.areas]
    # Answers before the areas (e.g. whom the child turns to) are passed on too: shown last.
    sections.append(ReviewSection(None, items(flow.intro + flow.outro)))
    return [s for s in sections if s.items]


def last_exchange(flow: Flow, answers: Answers) -> tuple[Step, Given] | None:
    """The most recently answered step that the child would see as their own bubble."""
    shown = [
        (flow.step(step_id), given)
        for step_id, given in answers.items()
        if flow.step(step_id) is not None and given.at is not None
    ]
    shown = [
        (s, g)
        for s, g in shown
        if s is not None and KINDS[s.kind].echoed and g.status not in SILENT
    ]
    if not shown:
        return None
    step, given = max(shown, key=lambda pair: pair[1].at or datetime.min)
    assert step is not None
    return step, given


__all__ = [
    "DECLINED",
    "OPENED",
    "UNKNOWN",
    "Given",
    "Position",
    "ReviewItem",
    "ReviewSection",
    "answer_labels",
    "area_progress",
    "current_area",
    "is_editable",
    "last_exchange",
    "position",
    "remaining_areas",
    "review",
]
