"""Conversations as data: the shapes a loaded flow, framework and step take."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from samtal.flows.kinds import KINDS, SKIP_VALUES

# What a conversation is for: the first conversation, or a follow-up months later that shows
# per area what was said last time (steps with recall = true) and asks how it is now.
PURPOSES = ("first", "followup")
# How the screens look, read by the templates: "young" (4–6: big pictures, the review as
# faces per area), "standard", or "teen" (13–17: no mascot, calmer pictures, own voice).
STYLES = ("young", "standard", "teen")


class FlowError(ValueError):
    """A flow, framework or scale file that cannot be run; says which file and step."""

    def __init__(self, file: Path | str, message: str, step: str | None = None):
        self.file, self.step, self.message = str(file), step, message
        where = f"{self.file}, steg {step!r}" if step else self.file
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class Option:
    """One answer a person can give."""

    value: str
    text: str
    picture: str | None = None
    ends_conversation: bool = False


@dataclass(frozen=True)
class Condition:
    """Show a step only when an earlier step's answer is (or is not) among some values."""

    step: str
    in_: frozenset[str] | None = None
    not_in: frozenset[str] | None = None

    def holds(self, value: str | None) -> bool:
        """True when the given answer value satisfies the condition."""
        if value is None:
            return False
        if self.in_ is not None and value not in self.in_:
            return False
        return not (self.not_in is not None and value in self.not_in)


@dataclass(frozen=True)
class Step:
    """One thing the guide says or asks."""

    id: str
    kind: str
    text: str
    section: str
    area: str | None = None
    picture: str | None = None
    options: tuple[Option, ...] = ()
    multiple: bool = False
    max: int | None = None
    when: Condition | None = None
    end_text: str | None = None
    # Follow-up flows: show what was answered in this area last time (rating steps only).
    recall: bool = False
    # A priorities step may offer "none of them" (e.g. "Inget har blivit bättre"): stored as
    # an answer with no areas chosen.
    none: Option | None = None
    # What the answer is in the summary (a role in kinds.ROLES); None for steps holding no view.
    summary: str | None = None
    # A words step shown only when the adult opens it from the panel (4–6: the child may say
    # more, or draw, about an area when the adult sees there is more to say).
    adult_opens: bool = False
    # Recorded read-aloud per language: language code -> audio file beside the flow (audio/).
    audio: dict[str, Path] = field(default_factory=dict, compare=False, hash=False)

    @property
    def asks(self) -> bool:
        """True when the step expects an answer to be stored."""
        return KINDS[self.kind].reads is not None


@dataclass(frozen=True)
class Area:
    """One area of a framework (e.g. Trygghet in Behovskompassen)."""

    id: str
    label: str
    description: str
    picture: str
    shanarri: str | None = None


@dataclass(frozen=True)
class Framework:
    """A set of wellbeing areas in their order, and the name of the contact role."""

    id: str
    version: int
    name: str
    role: str
    areas: tuple[Area, ...]

    def area(self, area_id: str) -> Area:
        """The area with this id."""
        return next(a for a in self.areas if a.id == area_id)


@dataclass(frozen=True)
class Flow:
    """A whole conversation: intro steps, steps per area, outro steps."""

    id: str
    version: int
    audience: str
    framework: Framework
    ages: tuple[int, int]
    scale: tuple[Option, ...]
    always: dict[str, Option]
    area_order: str
    pictures_required: bool
    intro: tuple[Step, ...]
    area_steps: dict[str, tuple[Step, ...]]
    outro: tuple[Step, ...]
    source: Path
    steps_by_id: dict[str, Step] = field(default_factory=dict)
    purpose: str = "first"
    style: str = "standard"
    # An earlier version kept in a retired/ folder: conversations run under it still read it;
    # it is never offered for a new conversation.
    retired: bool = False

    def all_steps(self) -> Iterator[Step]:
        """Every step in reading order (areas in framework order)."""
        yield from self.intro
        for area in self.framework.areas:
            yield from self.area_steps[area.id]
        yield from self.outro

    def step(self, step_id: str) -> Step | None:
        """The step with this id, or None."""
        return self.steps_by_id.get(step_id)

    def scale_step(self, value: str | None) -> int | None:
        """A value's step on the flow's scale, 1 for the lowest face; None if not on it."""
        values = [o.value for o in self.scale]
        return values.index(value) + 1 if value in values else None

    def scale_position(self, value: str | None) -> float | None:
        """A value's place on the flow's scale: 0 for the lowest face, 1 for the happiest."""
        step = self.scale_step(value)
        if step is None or len(self.scale) < 2:
            return None
        return round((step - 1) / (len(self.scale) - 1), 4)

    def rating_step(self, area_id: str) -> Step | None:
        """The step that asks how it is in an area (its summary role is "rating"), if any."""
        steps = self.area_steps.get(area_id, ())
        return next((s for s in steps if s.summary == "rating"), None)

    def options_for(self, step: Step) -> tuple[Option, ...]:
        """The answers a step offers, the always-there ones last."""
        kind = KINDS[step.kind]
        base = self.scale if kind.answers == "scale" else step.options
        if step.none is not None:
            base = (*base, step.none)
        return base + tuple(self.always[v] for v in kind.always)

    def choosable_values(self, step: Step) -> set[str]:
        """Every value a condition on this step may refer to."""
        if KINDS[step.kind].answers == "areas":
            return {a.id for a in self.framework.areas} | set(SKIP_VALUES)
        return {o.value for o in self.options_for(step)}


class RunUnder(Protocol):
    """Anything stored with the flow it ran under (a Conversation row)."""

    flow_id: str
    flow_version: int


@dataclass
class FlowLibrary:
    """Every framework and flow the app can run, checked as a whole."""

    frameworks: dict[str, Framework]
    # The current version of each flow: what new conversations are started from.
    flows: dict[str, Flow]
    # Earlier versions by (id, version), from retired/ folders: for conversations run under them.
    retired: dict[tuple[str, int], Flow] = field(default_factory=dict)

    def get(self, flow_id: str, version: int | None = None) -> Flow | None:
        """The current flow with this id; with a version, that version of it if it is kept
        (current or retired), else the newest version kept. None when none is kept.

        Without its own version a stored conversation is read with the newest one: answers to
        steps that version lacks are kept as stored (summary.build.unknown_answers)."""
        current = self.flows.get(flow_id)
        if version is None or (current is not None and current.version == version):
            return current
        earlier = [f for (kept, _v), f in self.retired.items() if kept == flow_id]
        exact = next((f for f in earlier if f.version == version), None)
        return exact or current or max(earlier, key=lambda f: f.version, default=None)

    def of(self, stored: RunUnder) -> Flow | None:
        """The flow a stored conversation ran under: its own version while that is kept."""
        return self.get(stored.flow_id, stored.flow_version)

    def every_version(self) -> Iterator[Flow]:
        """Every flow loaded: the current ones, then the retired versions."""
        yield from self.flows.values()
        yield from self.retired.values()

    def for_age(self, age: int, audience: str = "child", purpose: str = "first") -> Flow | None:
        """The flow for this purpose whose age band covers this age."""
        for flow in sorted(self.flows.values(), key=lambda f: f.ages):
            if (
                flow.audience == audience
                and flow.purpose == purpose
                and flow.ages[0] <= age <= flow.ages[1]
            ):
                return flow
        return None

    def for_audience(
        self, audience: str, framework_id: str | None = None, purpose: str | None = "first"
    ) -> list[Flow]:
        """Flows for an audience and purpose (None: any purpose), youngest first."""
        return sorted(
            (
                f
                for f in self.flows.values()
                if f.audience == audience
                and framework_id in (None, f.framework.id)
                and purpose in (None, f.purpose)
            ),
            key=lambda f: f.ages,
        )
