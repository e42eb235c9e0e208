"""What leaves the building: a summary prepared for one audience, with why anything is missing.

Two separate decisions (SPEC §6): what guardians may see is the young person's choice, always
respected in anything a guardian can receive; what goes to the barnteam is the barnkontakt's
choice per area at export time (with consent on record). Neither ever carries safety notes.

Every export says why the child's answer in an area is missing (MISSING): withheld by the
child, not asked, skipped (the conversation ended before it), don't know, didn't want to say,
no answer, or left out by the barnkontakt. An export a guardian may receive says only "not in
this copy", the same for every absent area, so it never shows which areas were kept back.
"""

from __future__ import annotations

import copy
from collections.abc import Collection, Mapping
from typing import Any

AUDIENCES = ("staff", "barnteam", "guardians")
MISSING = (
    "withheld",  # the young person kept it from guardians, and it is left out here
    "not_shared",  # the barnkontakt left the area out of this export
    "not_included",  # a guardian's copy: not in this copy (never says why)
    "not_asked",
    "skipped",  # the conversation ended before the area
    "vet_inte",
    "vill_inte_svara",
    "not_answered",
)
ENDED_EARLY = ("ended", "declined")
NOT_CONTENT = ("not_answered", "not_asked")


def _said_anything(view: Mapping[str, Any] | None) -> bool:
    if view is None:
        return False
    rated = view["rating"]["status"] not in NOT_CONTENT
    return rated or any(view.get(k) for k in ("strengths", "wishes", "words", "other"))


def _why(view: Mapping[str, Any] | None, conversation_status: str | None) -> str | None:
    """Why the child's view holds no value on the scale (None when it holds one)."""
    if view is None:
        return "not_asked"
    status = view["rating"]["status"]
    if status == "answered":
        return None
    if status == "not_answered" and conversation_status in ENDED_EARLY:
        return "skipped"
    return str(status)


def _leave_out(area: dict[str, Any]) -> None:
    area["child"] = None
    area["note"] = area["translation"] = ""
    for view in area["guardians"]:
        view["agreement"] = None


def prepare(
    content: Mapping[str, Any],
    *,
    audience: str,
    areas: Collection[str] | None = None,
    asks_sharing: bool = False,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The summary for an audience, and why each missing part is missing.

    areas: for the barnteam, the areas the barnkontakt chose to include.
    asks_sharing: the child's flow asked the young person what guardians may see; then the
    answers outside the areas (meeting, adult, other) were never offered to guardians.
    """
    if audience not in AUDIENCES:
        raise ValueError(audience)
    summary = copy.deepcopy(dict(content))
    status = summary.get("header", {}).get("conversation_status")
    kept = set(summary.get("kept_from_guardians", []))
    missing: dict[str, Any] = {"areas": {}, "priorities": None}
    priorities_before = list(summary.get("priorities", []))
    summary.setdefault("areas", [])
    if audience == "staff":
        for area in summary["areas"]:
            missing["areas"][area["id"]] = _why(area["child"], status)
        if summary.get("priorities_status") != "answered":
            missing["priorities"] = summary.get("priorities_status")
        return summary, missing
    summary["safety"] = []
    summary["shared"] = True
    included: set[str] = set()
    for area in summary["areas"]:
        area_id = area["id"]
        if audience == "guardians":
            area["kept_from_guardians"] = False
            if area_id in kept or not _said_anything(area["child"]):
                _leave_out(area)
                missing["areas"][area_id] = "not_included"
                continue
        elif areas is None or area_id not in areas:
            _leave_out(area)
            missing["areas"][area_id] = "withheld" if area_id in kept else "not_shared"
            continue
        if audience == "guardians" and (area["child"] or {}).get("before", {}).get(
            "kept_from_guardians"
        ):
            # Kept from them last time: what the young person shares now does not open it.
            area["child"].pop("before")
            area["child"].pop("change")
        included.add(area_id)
        missing["areas"][area_id] = _why(area["child"], status)
    summary["priorities"] = [a for a in priorities_before if a in included]
    for area in summary["areas"]:
        area["priority"] = area["id"] in summary["priorities"]
    if audience == "guardians":
        summary["kept_from_guardians"] = []
        if asks_sharing:
            summary["meeting"], summary["adult"], summary["child_other"] = [], [], []
        if not summary["priorities"]:
            # Said the same way whether the child chose none or kept them back.
            summary["priorities_status"] = "not_included"
            missing["priorities"] = "not_included"
        return summary, missing
    summary["kept_from_guardians"] = [a for a in kept if a in included]
    if priorities_before and not summary["priorities"]:
        summary["priorities_status"] = "not_shared"
        missing["priorities"] = "not_shared"
    elif summary.get("priorities_status") != "answered":
        missing["priorities"] = summary.get("priorities_status")
    return summary, missing
