"""The child's copy ("Det här berättade du"): the barnkontakt chooses what goes home.

Every item the copy can show gets a stable key (its area, its kind and a hash of its text).
Before the copy is shown or printed the barnkontakt sees every item and ticks what goes home;
free text in an area where a safety concern was marked (or any free text, when a concern was
marked outside the areas) starts unticked and marked. The copy then holds only ticked items,
and says kindly when something was left out.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from samtal import library
from samtal.models import Child, ChildCopyChoice, SafetyConcern, Staff


@dataclass(frozen=True)
class CopyItem:
    """One thing the copy can show, as the barnkontakt reviews it."""

    key: str
    area_id: str | None  # None: the child's priorities
    kind: str  # priorities, rating, choice or words
    text: str
    free_text: bool
    concern: bool  # free text where a safety concern was marked


def _key(*parts: str) -> str:
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:12]
    return f"{parts[0]}:{parts[1]}:{digest}"


def _said(view: Mapping[str, Any] | None) -> bool:
    if view is None:
        return False
    answered = view["rating"]["status"] in ("answered", "vet_inte", "vill_inte_svara")
    return answered or any(view[k] for k in ("strengths", "wishes", "words"))


def concern_areas(session: Session, content: Mapping[str, Any]) -> set[str | None]:
    """The areas where a concern was marked in the summarised conversation (None: outside)."""
    header = content.get("header", {})
    conversation_id = header.get("conversation_id")
    flow = library.flows().get(str(header.get("flow") or ""), header.get("flow_version"))
    if not conversation_id:
        return set()
    steps = session.exec(
        select(SafetyConcern.step_id).where(SafetyConcern.conversation_id == conversation_id)
    ).all()
    found: set[str | None] = set()
    for step_id in steps:
        step = flow.step(step_id) if flow is not None and step_id else None
        found.add(step.area if step is not None and step.area else None)
    return found


def items(content: Mapping[str, Any], concerns: Collection[str | None]) -> list[CopyItem]:
    """Every item the child's copy can show, in the copy's order."""
    flagged_everywhere = None in concerns
    found: list[CopyItem] = []
    if any(area.get("priority") for area in content.get("areas", [])):
        labels = ", ".join(a["label"] for a in content["areas"] if a.get("priority"))
        found.append(CopyItem("prioriteringar", None, "priorities", labels, False, False))
    for area in content.get("areas", []):
        view = area.get("child")
        if not _said(view):
            continue
        area_id = area["id"]
        linked = flagged_everywhere or area_id in concerns
        if view["rating"].get("label"):
            text = str(view["rating"]["label"])
            found.append(
                CopyItem(_key(area_id, "rating", text), area_id, "rating", text, False, False)
            )
        for item in view["strengths"] + view["wishes"]:
            free = bool(item.get("own_words"))
            key = _key(area_id, "choice", str(item.get("question")), str(item["text"]))
            found.append(CopyItem(key, area_id, "choice", item["text"], free, free and linked))
        for item in view["words"]:
            key = _key(area_id, "words", str(item["text"]))
            found.append(CopyItem(key, area_id, "words", item["text"], True, linked))
    return found


def latest_choice(session: Session, child_id: int) -> ChildCopyChoice | None:
    """The barnkontakt's newest choice for the child's copy."""
    return session.exec(
        select(ChildCopyChoice)
        .where(ChildCopyChoice.child_id == child_id)
        .order_by(col(ChildCopyChoice.id).desc())
    ).first()


def needs_review(choice: ChildCopyChoice | None, found: list[CopyItem]) -> bool:
    """Whether some item has not been seen by the barnkontakt yet."""
    reviewed = set(choice.reviewed) if choice else set()
    return any(item.key not in reviewed for item in found)


def ticks(found: list[CopyItem], choice: ChildCopyChoice | None) -> dict[str, bool]:
    """What the review form starts with: the last choice for items seen before, else ticked
    unless it is free text linked to a concern."""
    reviewed = set(choice.reviewed) if choice else set()
    included = set(choice.included) if choice else set()
    return {
        item.key: (item.key in included) if item.key in reviewed else not item.concern
        for item in found
    }


def choose(
    *,
    session: Session,
    child: Child,
    staff: Staff,
    found: list[CopyItem],
    included: Collection[str],
) -> ChildCopyChoice:
    """Store what goes home: the ticked items among those reviewed now."""
    keys = [item.key for item in found]
    choice = ChildCopyChoice(
        child_id=child.id or 0,
        reviewed=keys,
        included=[key for key in keys if key in set(included)],
        chosen_by=staff.id or 0,
    )
    session.add(choice)
    session.commit()
    return choice


def apply(
    content: Mapping[str, Any], found: list[CopyItem], choice: ChildCopyChoice | None
) -> tuple[dict[str, Any], bool]:
    """The content with only the items that may go home, and whether anything was left out."""
    included = set(choice.included) if choice else set()
    out = {item.key for item in found if item.key not in included}
    by_area: dict[str | None, list[CopyItem]] = {}
    for item in found:
        by_area.setdefault(item.area_id, []).append(item)
    shown = copy.deepcopy(dict(content))
    if "prioriteringar" in out:
        for area in shown["areas"]:
            area["priority"] = False
    for area in shown["areas"]:
        view = area.get("child")
        if view is None:
            continue
        area_items = by_area.get(area["id"], [])
        keep = {item.key for item in area_items if item.key not in out}
        rating_key = next((i.key for i in area_items if i.kind == "rating"), None)
        if rating_key is not None and rating_key not in keep:
            view["rating"] = {**view["rating"], "label": None, "picture": None}
        for part in ("strengths", "wishes"):
            view[part] = [
                item
                for item in view[part]
                if _key(area["id"], "choice", str(item.get("question")), str(item["text"])) in keep
            ]
        view["words"] = [
            w for w in view["words"] if _key(area["id"], "words", str(w["text"])) in keep
        ]
    return shown, bool(out)
