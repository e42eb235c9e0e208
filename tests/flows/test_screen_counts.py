"""How long each child's conversation is: screens and taps per answer pattern, counted by
walking the real flows with the engine (samtal/tools/screens.py)."""

from __future__ import annotations

import pytest

from samtal.flows import FLOWS_DIR, Flow, load_library
from samtal.tools import screens

# A preschooler gives about twelve minutes with an adult reading aloud (SPEC §3).
YOUNGEST_SCREENS = 20
# Every framework's 4–6 flows, first conversation and follow-up (the retired versions are
# never started, so they are not held to it).
YOUNGEST = sorted(
    (
        flow
        for flow in load_library([FLOWS_DIR]).flows.values()
        if flow.audience == "child" and flow.ages == (4, 6)
    ),
    key=lambda flow: flow.id,
)


def test_every_framework_has_its_4_6_flows_counted():
    """Behovskompassen, Barnets bästa-hjulet and SHANARRI: a first conversation and a
    follow-up each."""
    assert [f.id for f in YOUNGEST] == [
        "barn-4-6",
        "bbh-barn-4-6",
        "bbh-uppfoljning-4-6",
        "shanarri-barn-4-6",
        "shanarri-uppfoljning-4-6",
        "uppfoljning-4-6",
    ]


@pytest.mark.parametrize("pattern", screens.PATTERNS)
@pytest.mark.parametrize("flow", YOUNGEST, ids=lambda f: f.id)
def test_a_preschoolers_conversation_is_at_most_twenty_screens(flow: Flow, pattern):
    """However a 4–6 child answers, the conversation is at most 20 screens."""
    walked = screens.walk(flow, pattern)
    assert walked.screens <= YOUNGEST_SCREENS, (flow.id, pattern, walked)
    assert walked.taps <= walked.screens + 3, (flow.id, pattern, walked)


@pytest.mark.parametrize("flow", YOUNGEST, ids=lambda f: f.id)
def test_one_rating_and_at_most_one_picture_choice_per_area(flow: Flow):
    """For 4–6 each area asks how it is once and shows at most one picture choice, one tap;
    its own-words step waits for the adult to open it; the screens are the young style."""
    assert flow.style == "young"
    for area_id, steps in flow.area_steps.items():
        kinds = [s.kind for s in steps]
        assert kinds.count("rating") == 1, area_id
        assert all(s.adult_opens for s in steps if s.kind == "words"), area_id
        assert all(not s.multiple for s in steps if s.kind == "choice"), area_id
        for face in [o.value for o in flow.scale] + ["vet_inte", "vill_inte_svara"]:
            shown = [
                s for s in steps if s.kind == "choice" and (s.when is None or s.when.holds(face))
            ]
            assert len(shown) <= 1, (area_id, face)


@pytest.mark.parametrize("flow", [f for f in YOUNGEST if f.purpose == "first"], ids=lambda f: f.id)
def test_a_child_who_does_not_know_is_not_asked_more(flow: Flow):
    """ "Vet inte" on every face is the shortest way through, never longer than answering."""
    walks = {p: screens.walk(flow, p) for p in screens.PATTERNS}
    assert walks["vet_inte"].screens < min(w.screens for p, w in walks.items() if p != "vet_inte")
