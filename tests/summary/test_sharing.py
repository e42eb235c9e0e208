"""samtal.sharing: a summary prepared for staff, the barnteam or guardians (pure)."""

from __future__ import annotations

from typing import Any

import pytest

from samtal.summary.sharing import prepare


def view(status: str, **extra: Any) -> dict[str, Any]:
    rating = {"status": status, "value": "3" if status == "answered" else None}
    return {"rating": rating, "strengths": [], "wishes": [], "words": [], "other": [], **extra}


def summary(conversation_status: str = "ended") -> dict[str, Any]:
    areas = {
        "a": view("answered"),
        "b": view("vet_inte"),
        "c": view("vill_inte_svara"),
        "d": view("not_answered"),
        "e": view("not_asked"),
        "f": None,
    }
    return {
        "header": {"conversation_status": conversation_status},
        "areas": [
            {
                "id": k,
                "child": v,
                "guardians": [],
                "note": "n",
                "translation": "",
                "priority": False,
            }
            | {"kept_from_guardians": False}
            for k, v in areas.items()
        ],
        "priorities": ["a"],
        "priorities_status": "answered",
        "kept_from_guardians": [],
        "meeting": [{"text": "Mamma"}],
        "adult": [],
        "child_other": [],
        "safety": [{"note": "x"}],
        "shared": False,
    }


@pytest.mark.parametrize(
    ("status", "expected_d"),
    [("ended", "skipped"), ("declined", "skipped"), ("active", "not_answered")],
)
def test_each_missing_answer_says_why(status, expected_d):
    """Don't know, didn't want to say, not asked, and skipped only when the conversation
    ended before the area."""
    _shown, missing = prepare(summary(status), audience="staff")
    assert missing["areas"] == {
        "a": None,
        "b": "vet_inte",
        "c": "vill_inte_svara",
        "d": expected_d,
        "e": "not_asked",
        "f": "not_asked",
    }


def test_the_barnteam_gets_only_the_chosen_areas_and_never_a_safety_note():
    shown, missing = prepare(summary(), audience="barnteam", areas=["b"])
    assert shown["safety"] == [] and shown["shared"] is True
    assert [a["id"] for a in shown["areas"] if a["child"] is not None] == ["b"]
    assert missing["areas"]["a"] == "not_shared" and missing["priorities"] == "not_shared"
    assert all(a["note"] == "" for a in shown["areas"] if a["id"] != "b")


def test_an_unknown_audience_is_refused():
    with pytest.raises(ValueError):
        prepare(summary(), audience="alla")
