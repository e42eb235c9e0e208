"""The child page's conversations over time: the child's (and each guardian's) finished
conversations side by side, oldest first, each column named by its round, and the change per
area since the one before as a small SVG chart with the same facts in a table."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from markupsafe import Markup

from samtal import library, settings
from samtal.conversation import followup
from samtal.conversation.engine import Given
from samtal.db import get_session
from samtal.flows import SKIP_VALUES, Flow, Framework
from samtal.models import Child, Guardian
from samtal.staff.summary.texts import CHANGES, change_texts, round_name
from samtal.staff.workspace.flow_names import flow_label
from samtal.summary.wheel import Mark, change_chart


@dataclass(frozen=True)
class Column:
    """One finished conversation in the side-by-side table."""

    conversation_id: int
    label: str  # "Första samtalet", "Uppföljning 1", …
    flow: str  # the flow in words
    finished: datetime


@dataclass(frozen=True)
class Row:
    """One area: the answer each time, and the change since last time."""

    area_id: str
    label: str
    cells: list[str]
    direction: str | None  # better, worse, same, or None (nothing to compare)
    change: str


@dataclass(frozen=True)
class Timeline:
    """The child's (or one guardian's) finished conversations, oldest first."""

    key: str  # for ids: "barnet" or "vh<guardian id>"
    who: str
    columns: list[Column]
    rows: list[Row]
    chart: Markup | None  # the change since last time; None with only one conversation
    # Set when the last two conversations ran under different frameworks: no area-by-area
    # comparison then, and each framework's areas have their own rows.
    not_comparable: str | None = None


def rating_text(flow: Flow, given: Given | None) -> str:
    """A rating as words: the face's text and its place on the scale, or Vet inte / Vill
    inte svara as such (never a value), or that nothing was answered."""
    if given is None:
        return _("Inget svar")
    labels = followup.rating_labels(flow, given)
    if given.status in SKIP_VALUES:
        return labels[0].text if labels else given.status
    step = flow.scale_step(str(given.value))
    if not labels or step is None:
        return _("Inget svar")
    steps = len(flow.scale)
    return _("%(label)s (%(value)d av %(steps)d)", label=labels[0].text, value=step, steps=steps)


def mark(flow: Flow, given: Given | None) -> Mark:
    """A rating as a mark on the change chart: a place on 0..1, or what it is instead."""
    if given is None:
        return Mark("not_answered")
    if given.status in SKIP_VALUES:
        return Mark(given.status)
    position = followup.level(flow, given)
    return Mark("answered", position) if position is not None else Mark("not_answered")


def change_word(change: followup.AreaChange | None) -> str:
    """The change in one area in words, for the table beside the chart."""
    if change is None or change.direction is None:
        return _("Kan inte jämföras")
    return str(CHANGES[change.direction])


def timeline(key: str, who: str, history: list[followup.Previous]) -> Timeline | None:
    """Finished conversations side by side (areas as in the latest one's framework, in the
    configured order and with the configured labels) and the change since the one before."""
    history = [h for h in history if h.flow is not None]
    if not history:
        return None
    db = get_session()
    latest = history[-1].flow
    assert latest is not None
    labels = settings.area_labels(latest.framework, session=db)
    areas = settings.ordered_areas(latest.framework, session=db)
    columns = []
    numbers = followup.round_numbers([h.flow.purpose for h in history if h.flow is not None])
    for item, number in zip(history, numbers, strict=True):
        assert item.flow is not None
        conversation = item.conversation
        columns.append(
            Column(
                conversation.id or 0,
                round_name(number),
                flow_label(item.flow),
                conversation.finished_at or conversation.created_at,
            )
        )
    ratings = [followup.ratings(h.flow, h.answers) for h in history if h.flow is not None]
    compared: dict[str, followup.AreaChange] = {}
    chart = None
    frameworks = list({h.flow.framework.id: h.flow.framework for h in history if h.flow}.values())
    if len(frameworks) > 1:
        return _timeline_across(key, who, history, columns, ratings, frameworks)
    if len(history) > 1:
        before, after = history[-2], history[-1]
        assert before.flow is not None and after.flow is not None
        compared = {
            c.area.id: c
            for c in followup.changes(before.flow, before.answers, after.flow, after.answers)
        }
        chart = change_chart(
            [(a.id, labels.get(a.id, a.label)) for a in areas],
            {a.id: mark(before.flow, ratings[-2].get(a.id)) for a in areas},
            {a.id: mark(after.flow, ratings[-1].get(a.id)) for a in areas},
            texts=change_texts(),
            prefix=f"forandring-{key}",
        )
    rows = []
    for area in areas:
        cells = []
        for item, rated in zip(history, ratings, strict=True):
            assert item.flow is not None
            cells.append(
                rating_text(item.flow, rated.get(area.id))
                if area.id in item.flow.area_steps
                else _("Frågades inte")
            )
        found = compared.get(area.id)
        rows.append(
            Row(
                area.id,
                labels.get(area.id, area.label),
                cells,
                found.direction if found else None,
                change_word(found),
            )
        )
    return Timeline(key, who, columns, rows, chart)


def _timeline_across(
    key: str,
    who: str,
    history: list[followup.Previous],
    columns: list[Column],
    ratings: list[dict[str, Given | None]],
    frameworks: list[Framework],
) -> Timeline:
    """Conversations under more than one framework: each framework's areas in their own rows,
    answers only where the conversation ran under that framework, and no change compared."""
    db = get_session()
    latest = history[-1].flow
    assert latest is not None
    ordered = [latest.framework, *(f for f in frameworks if f.id != latest.framework.id)]
    rows = []
    for framework in ordered:
        labels = settings.area_labels(framework, session=db)
        for area in settings.ordered_areas(framework, session=db):
            cells = []
            for item, rated in zip(history, ratings, strict=True):
                assert item.flow is not None
                same = item.flow.framework.id == framework.id and area.id in item.flow.area_steps
                cells.append(rating_text(item.flow, rated.get(area.id)) if same else "–")
            label = f"{labels.get(area.id, area.label)} ({framework.name})"
            rows.append(Row(area.id, label, cells, None, _("Kan inte jämföras")))
    names = ", ".join(f.name for f in ordered)
    notice = _(
        "Samtalen följer olika ramverk (%(names)s), så de kan inte jämföras område för "
        "område. Svaren visas under varje ramverks egna områden.",
        names=names,
    )
    return Timeline(key, who, columns, rows, None, notice)


def timelines(child: Child, guardians: list[Guardian]) -> list[Timeline]:
    """The child's conversations over time, then each guardian's who has answered."""
    db, flows = get_session(), library.flows()
    found = []
    child_history = [p for p, _levels in followup.history(db, child.id or 0, flows)]
    if (line := timeline("barnet", _("Barnet"), child_history)) is not None:
        found.append(line)
    for guardian in guardians:
        history = [p for p, _levels in followup.history(db, child.id or 0, flows, guardian.id or 0)]
        who = _("%(name)s (vårdnadshavare)", name=guardian.name)
        if (line := timeline(f"vh{guardian.id}", who, history)) is not None:
            found.append(line)
    return found
