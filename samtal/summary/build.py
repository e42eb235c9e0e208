"""The summary (sammanställning): built from stored answers, never retyped; signed versions.

Building is pure: flows and the answers given (the engine's Given) go in, a plain, JSON-able
dict comes out. That dict is what the barnkontakt reviews, what a signature freezes (with a
sha256 of its canonical JSON) and what the exports carry. It holds codes and the flows' own
(Swedish) texts only, so the staff templates and the child's copy word it in their language.

Where an answer goes is its step's summary role, written in the flow file (summary = "…",
the roles are samtal/flows/kinds.ROLES), never its step id: renaming a step moves nothing. A
step whose role is "other" is kept with its question, so nothing said is ever dropped; nor is
an answer to a step the flow does not have (its version is no longer kept): it is shown as
stored, under its step id, with the other answers (unknown_answers).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from samtal.conversation import engine
from samtal.conversation.followup import direction
from samtal.flows import SILENT, SKIP_VALUES, Flow, Framework, Step
from samtal.flows.kinds import KINDS

QUESTIONS = ("hinder", "information", "gora_nu", "verksamheten", "andra")
DECISIONS = (
    "inget_vidare",
    "stod_egen_verksamhet",
    "barnteam",
    "individuellt_barnteam",
    "sip",
    "orosanmalan_gjord",
)
AGREEMENTS = ("samma", "nara", "skiljer_sig", "kan_inte_jamforas")
# A follow-up asks whether the help helped (GIRFEC's review questions) instead of the five.
EVALUATION = ("skillnad", "forandrat", "mer_stod", "horts")
SUPPORT = ("fortsatta", "andras", "avslutas")
# Summary role → the list it fills (in an area's view; after the areas in closing()).
AREA_LISTS = {"strengths": "strengths", "wishes": "wishes", "own_words": "words"}
CLOSING_LISTS = {
    "meeting": "meeting",
    "trusted_adult": "adult",
    "meeting_language": "meeting_language",
}
# One step on the five-step scale is 0.25; on the three-step scale 0.5 ("skiljer sig").
NEAR = 0.25 + 1e-9
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class Part:
    """One person's conversation: its flow, its current answers and the words written beside."""

    flow: Flow
    answers: engine.Answers
    words: engine.Answers = field(default_factory=dict)
    name: str = ""
    language: str = "sv"
    ref: int | None = None  # the guardian's id (guardian parts)
    # id, status, started, finished, and the flow_version it ran under
    conversation: Mapping[str, Any] = field(default_factory=dict)
    round: int | None = None  # 0: a first conversation; n: the n:th follow-up
    same_round: bool = True  # a guardian's answers belong to the round of the child's
    earlier: Part | None = None  # the same person's conversation before, to compare with


def round_of(part: Part) -> dict[str, Any]:
    """Which round a person's answers come from, and the day they were given."""
    moment = part.conversation.get("finished") or part.conversation.get("started")
    return {"number": part.round, "date": day(moment)}


# ---------------------------------------------------------------- building (pure)


def _item(
    text: str, picture: str | None = None, status: str = "answered", question: str = ""
) -> dict[str, Any]:
    return {
        "text": text,
        "picture": picture,
        "status": status,
        "own_words": False,
        "question": question,
    }


def _words_item(given: engine.Given, question: str, step_id: str) -> dict[str, Any]:
    return {
        "text": given.words or "",
        "picture": None,
        "status": "answered",
        "own_words": True,
        "language": given.language,
        "by": given.by,
        "question": question,
        "step": step_id,
        "drawing": given.drawing,
    }


def items(flow: Flow, step: Step, given: engine.Given) -> list[dict[str, Any]]:
    """One answer as items to show: chosen options, own words, or the skip itself."""
    if given.status in SILENT:
        return []
    if KINDS[step.kind].answers == "words":
        return [_words_item(given, step.text, step.id)] if given.status == "answered" else []
    if given.status in SKIP_VALUES:
        option = flow.always[given.status]
        return [_item(option.text, option.picture, given.status, step.text)]
    return [
        _item(o.text, o.picture, question=step.text)
        for o in engine.answer_labels(flow, step, given)
    ]


def rating(flow: Flow, area_id: str, answers: engine.Answers) -> dict[str, Any]:
    """How it is in an area: the value and its place on a 0..1 scale, or the skip as such."""
    step = flow.rating_step(area_id)
    found: dict[str, Any] = {
        "status": "not_asked" if step is None else "not_answered",
        "value": None,
        "label": None,
        "picture": None,
        "steps": len(flow.scale),
        "position": None,
    }
    given = answers.get(step.id) if step is not None else None
    if given is None:
        return found
    if given.status in SKIP_VALUES:
        option = flow.always[given.status]
        return {**found, "status": given.status, "label": option.text, "picture": option.picture}
    place = flow.scale_step(str(given.value))
    if place is None:
        return found
    option = flow.scale[place - 1]
    position = flow.scale_position(option.value)
    return {
        **found,
        "status": "answered",
        "value": option.value,
        "label": option.text,
        "picture": option.picture,
        "position": position,
    }


def agreement(first: Mapping[str, Any] | None, second: Mapping[str, Any] | None) -> str:
    """Compare two ratings on the 0..1 scale: samma, nara, skiljer_sig or kan_inte_jamforas."""
    a = first.get("position") if first else None
    b = second.get("position") if second else None
    if a is None or b is None:
        return "kan_inte_jamforas"
    difference = abs(a - b)
    if difference < 0.01:
        return "samma"
    return "nara" if difference <= NEAR else "skiljer_sig"


def area_view(part: Part, area_id: str) -> dict[str, Any]:
    """One person's answers in one area: rating, strengths, wishes, own words, the rest."""
    flow, answers = part.flow, part.answers
    view: dict[str, Any] = {
        "rating": rating(flow, area_id, answers),
        "strengths": [],
        "wishes": [],
        "words": [],
        "other": [],
    }
    for step in flow.area_steps.get(area_id, ()):
        written = part.words.get(step.id)
        if written is not None and written.words:
            view["words"].append(_words_item(written, step.text, step.id))
        given = answers.get(step.id)
        if given is None or step.summary in (None, "rating"):
            continue
        if not engine.applies(step, answers):
            continue  # an answer the person moved away from (the rating changed)
        shown = items(flow, step, given)
        if step.summary in AREA_LISTS:
            view[AREA_LISTS[step.summary]].extend(shown)
        elif shown:
            view["other"].append({"question": step.text, "items": shown})
    return view


def closing(part: Part) -> dict[str, Any]:
    """The answers after the areas: priorities, sharing, the meeting, the adult, the rest,
    and which of these the flow asked at all (a follow-up asks fewer)."""
    flow, answers = part.flow, part.answers
    found: dict[str, Any] = {
        "asked": sorted({s.summary for s in (*flow.intro, *flow.outro) if s.summary}),
        "priorities": None,
        "priorities_status": "not_asked",
        "sharing": None,
        "has_sharing_step": False,
        "meeting": [],
        "adult": [],
        "meeting_language": [],
        "interpreter": None,
        "other": [],
    }
    for step in (*flow.intro, *flow.outro):
        role = step.summary
        if role == "sharing":
            found["has_sharing_step"] = True
        given = answers.get(step.id)
        if role == "priorities":
            found["priorities_status"] = given.status if given else "not_answered"
        if given is None or role is None or not engine.applies(step, answers):
            continue
        if role in ("priorities", "sharing"):
            found[role] = given.values() if given.status == "answered" else []
            continue
        shown = items(flow, step, given)
        written = part.words.get(step.id)
        if written is not None and written.words:
            shown.append(_words_item(written, step.text, step.id))
        if role in CLOSING_LISTS:
            found[CLOSING_LISTS[role]].extend(shown)
            if role == "meeting_language" and given.status == "answered" and step.kind == "choice":
                found["meeting_language_code"] = given.value
        elif role == "interpreter":
            found["interpreter"] = {"ja": True, "nej": False}.get(str(given.value))
        elif shown:
            found["other"].append({"question": step.text, "items": shown})
    found["other"].extend(unknown_answers(part))
    return found


def unknown_answers(part: Part) -> list[dict[str, Any]]:
    """Answers to steps the part's flow does not have, as stored, each under its step id.

    They are there when a conversation's own version of its flow is no longer kept (see
    FlowLibrary.get): what was said must not vanish with the file that asked it."""
    found = []
    for step_id in dict.fromkeys([*part.answers, *part.words]):
        if part.flow.step(step_id) is not None:
            continue
        shown = []
        for given in (part.answers.get(step_id), part.words.get(step_id)):
            if given is None or given.status in SILENT:
                continue
            if given.status in SKIP_VALUES:
                option = part.flow.always[given.status]
                shown.append(_item(option.text, option.picture, given.status, step_id))
            elif given.words:
                shown.append(_words_item(given, step_id, step_id))
            else:
                shown.extend(_item(str(value), question=step_id) for value in given.values())
        if shown:
            found.append({"question": step_id, "items": shown})
    return found


def compared(view: dict[str, Any], earlier: Part, area_id: str, kept: bool = False) -> None:
    """Put beside a view the same person's rating last time, from which round, and the change.

    kept: the young person kept this area from the guardians last time, which a guardians'
    copy respects even if they share it now.
    """
    before = rating(earlier.flow, area_id, earlier.answers)
    view["before"] = {"rating": before, "round": round_of(earlier), "kept_from_guardians": kept}
    view["change"] = direction(before["position"], view["rating"]["position"])


def kept_from_guardians(part: Part | None, area_ids: Sequence[str]) -> list[str]:
    """Areas a young person chose not to show their guardians (13–17 sharing step).

    Where the flow asks and no choice was made (skipped, ended before), nothing is shared:
    the barnkontakt talks it over with the young person first.
    """
    if part is None:
        return []
    found = closing(part)
    if not found["has_sharing_step"]:
        return []
    shared = set(found["sharing"] or [])
    return [area_id for area_id in area_ids if area_id not in shared]


def ordered_areas(
    framework: Framework,
    labels: Mapping[str, str] | None = None,
    order: Sequence[str] | None = None,
) -> list[dict[str, str]]:
    """The framework's areas in the configured order, with configured labels."""
    labels = labels or {}
    rank = {area_id: index for index, area_id in enumerate(order or ())}
    areas = sorted(
        framework.areas,
        key=lambda a: (rank.get(a.id, len(rank)), [x.id for x in framework.areas].index(a.id)),
    )
    return [{"id": a.id, "label": labels.get(a.id) or a.label, "picture": a.picture} for a in areas]


def clean_text(text: Any) -> str:
    """Text as kept: no control characters, Windows line ends made plain, trimmed."""
    return _CONTROL.sub("", str(text or "").replace("\r\n", "\n")).strip()


def translation_key(writer: str, step_id: str) -> str:
    """Where the barnkontakt's translation of one person's words on one step is kept:
    'child/<step>' or 'guardian-<id>/<step>'."""
    return f"{writer}/{step_id}"


def _add_translations(found: Any, writer: str, translations: Mapping[str, Any]) -> None:
    """Put the barnkontakt's translation on each of these own words that has one."""
    if isinstance(found, list):
        for value in found:
            _add_translations(value, writer, translations)
    elif isinstance(found, dict):
        if found.get("own_words"):
            text = clean_text(translations.get(translation_key(writer, found.get("step", ""))))
            if text:
                found["translation"] = text
            return
        for value in found.values():
            _add_translations(value, writer, translations)


def translatable(summary: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every free-text answer not written in Swedish (and every one already translated), in
    the order the summary shows them: what the barnkontakt can add a translation to."""
    found: list[dict[str, Any]] = []

    def collect(value: Any, writer: str, who: str, area: str | None) -> None:
        if isinstance(value, list):
            for item in value:
                collect(item, writer, who, area)
        elif isinstance(value, dict):
            if value.get("own_words"):
                if value.get("language", "sv") != "sv" or value.get("translation"):
                    key = translation_key(writer, value.get("step", ""))
                    found.append({"key": key, "who": who, "area": area, "item": value})
                return
            for inner in value.values():
                collect(inner, writer, who, area)

    for area in summary.get("areas", []):
        collect(area.get("child"), "child", "child", area["id"])
        for view in area.get("guardians", []):
            collect(view, f"guardian-{view.get('guardian_id')}", view.get("name", ""), area["id"])
    for name in ("meeting", "adult", "child_other"):
        collect(summary.get(name), "child", "child", None)
    for guardian in summary.get("guardians", []):
        writer = f"guardian-{guardian.get('id')}"
        collect(guardian, writer, guardian.get("name", ""), None)
    return found


def build_summary(
    *,
    framework: Framework,
    header: Mapping[str, Any],
    child_part: Part | None,
    guardian_parts: Sequence[Part] = (),
    safety: Sequence[Mapping[str, Any]] = (),
    notes: Mapping[str, Any] | None = None,
    consent: Sequence[Mapping[str, Any]] = (),
    labels: Mapping[str, str] | None = None,
    order: Sequence[str] | None = None,
    role: str | None = None,
) -> dict[str, Any]:
    """The whole summary as a plain, JSON-able dict (see schema/summary-v1.schema.json).

    `role` is the contact role's name as the installation calls it (the framework's own if None).
    """
    notes = notes or {}
    area_notes = notes.get("areas", {})
    translations = notes.get("translations") or {}
    areas = ordered_areas(framework, labels, order)
    area_ids = [a["id"] for a in areas]
    child_closing = closing(child_part) if child_part else closing_empty()
    priorities = [a for a in (child_closing["priorities"] or []) if a in area_ids]
    kept = kept_from_guardians(child_part, area_ids)
    earlier = child_part.earlier if child_part else None
    kept_before = kept_from_guardians(earlier, area_ids)
    guardians_closing = [closing(part) for part in guardian_parts]

    built_areas = []
    for area in areas:
        child_view = area_view(child_part, area["id"]) if child_part else None
        if child_view is not None and earlier is not None:
            compared(child_view, earlier, area["id"], area["id"] in kept_before)
        guardian_views = []
        for part in guardian_parts:
            view = area_view(part, area["id"])
            if part.earlier is not None:
                compared(view, part.earlier, area["id"])
            # Like with like: a guardian's answers from another round say nothing about
            # whether they see it as the child does now.
            with_child = child_view["rating"] if child_view and part.same_round else None
            guardian_views.append(
                {
                    "guardian_id": part.ref,
                    "name": part.name,
                    **view,
                    "round": round_of(part),
                    "same_round": part.same_round,
                    "agreement": agreement(with_child, view["rating"]),
                }
            )
        _add_translations(child_view, "child", translations)
        for shown in guardian_views:
            _add_translations(shown, f"guardian-{shown['guardian_id']}", translations)
        own = area_notes.get(area["id"], {})
        built_areas.append(
            {
                **area,
                "priority": area["id"] in priorities,
                "kept_from_guardians": area["id"] in kept,
                "child": child_view,
                "guardians": guardian_views,
                "note": clean_text(own.get("note")),
                "translation": clean_text(own.get("translation")),
            }
        )

    guardians = []
    for part, found in zip(guardian_parts, guardians_closing, strict=True):
        guardians.append(
            {
                "id": part.ref,
                "name": part.name,
                "language": part.language,
                "status": part.conversation.get("status"),
                "finished": day(part.conversation.get("finished")),
                "flow": part.flow.id,
                "round": round_of(part),
                "same_round": part.same_round,
                "asked": found["asked"],
                "interpreter": found["interpreter"],
                "meeting_language": found["meeting_language"],
                "meeting": found["meeting"],
                "other": found["other"],
            }
        )
    wanted = [g["interpreter"] for g in guardians if g["interpreter"] is not None]
    languages = [child_part.language] if child_part else []
    languages += [part.language for part in guardian_parts]
    languages += [
        f["meeting_language_code"] for f in guardians_closing if "meeting_language_code" in f
    ]
    _add_translations(child_closing, "child", translations)
    for guardian in guardians:
        _add_translations(guardian, f"guardian-{guardian['id']}", translations)
    conversation = child_part.conversation if child_part else {}
    decision = notes.get("decision") or None
    return {
        "framework": {
            "id": framework.id,
            "name": framework.name,
            "version": framework.version,
            "role": role or framework.role,
        },
        "header": {
            "child_id": header.get("child_id"),
            "child_name": header.get("child_name", ""),
            "age": header.get("age"),
            "age_band": list(child_part.flow.ages) if child_part else None,
            "flow": child_part.flow.id if child_part else None,
            "flow_version": (
                conversation.get("flow_version", child_part.flow.version) if child_part else None
            ),
            "purpose": getattr(child_part.flow, "purpose", "first") if child_part else None,
            "round": round_of(child_part) if child_part else None,
            "conversation_id": conversation.get("id"),
            "conversation_status": conversation.get("status"),
            "conversation_started": day(conversation.get("started")),
            "conversation_finished": day(conversation.get("finished")),
            "language": child_part.language if child_part else None,
            "home_languages": header.get("home_languages"),
            "barnkontakt": header.get("barnkontakt", ""),
            "languages": sorted(set(filter(None, languages)) - {"annat"}),
            "interpreter_wanted": True if any(wanted) else (False if wanted else None),
            "consent": [dict(c) for c in consent],
        },
        "areas": built_areas,
        "priorities": priorities,
        "priorities_status": child_closing["priorities_status"],
        "closing_asked": child_closing["asked"],
        "meeting": child_closing["meeting"],
        "adult": child_closing["adult"],
        "child_other": child_closing["other"],
        "kept_from_guardians": kept,
        "guardians": guardians,
        "safety": [dict(s) for s in safety],
        "analysis": {key: clean_text(notes.get("questions", {}).get(key)) for key in QUESTIONS},
        "decision": {"code": decision, "text": clean_text(notes.get("decision_text"))},
        "evaluation": evaluation(notes)
        if child_part and child_part.flow.purpose == "followup"
        else None,
        "shared": False,
    }


def evaluation(notes: Mapping[str, Any]) -> dict[str, Any]:
    """The barnkontakt's evaluation of the support in a follow-up: the review questions and
    whether the support goes on, changes or ends."""
    answers = notes.get("evaluation") or {}
    return {
        "questions": {key: clean_text(answers.get(key)) for key in EVALUATION},
        "support": {
            "code": notes.get("support") or None,
            "text": clean_text(notes.get("support_text")),
        },
    }


def closing_empty() -> dict[str, Any]:
    """What closing() gives when there is no conversation at all."""
    return {
        "asked": None,
        "priorities": None,
        "priorities_status": "not_asked",
        "meeting": [],
        "adult": [],
        "other": [],
    }


def day(moment: Any) -> str | None:
    if isinstance(moment, datetime):
        return moment.date().isoformat()
    if isinstance(moment, date):
        return moment.isoformat()
    return moment if isinstance(moment, str) else None
