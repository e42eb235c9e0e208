"""How long each child's conversation is: screens and taps per answer pattern, counted by
walking the real flows with the engine (samtal/tools/screens.py)."""

from __future__ import annotations

import pytest

from samtal import library
from samtal.tools import screens

# A preschooler gives about twelve minutes with an adult reading aloud (SPEC §3).
YOUNGEST_SCREENS = 20


@pytest.mark.parametrize("pattern", screens.PATTERNS)
@pytest.mark.parametrize("flow_id", ["barn-4-6", "uppfoljning-4-6"])
def test_a_preschoolers_conversation_is_at_most_twenty_screens(app, flow_id, pattern):
    """However a 4–6 child answers, the conversation is at most 20 screens."""
    with app.app_context():
        flow = library.flows().get(flow_id)
        assert flow is not None
        walked = screens.walk(flow, pattern)
    assert walked.screens <= YOUNGEST_SCREENS, (flow_id, pattern, walked)
    assert walked.taps <= walked.screens + 3, (flow_id, pattern, walked)


def test_one_rating_and_at_most_one_picture_choice_per_area(app):
    """For 4–6 each area asks how it is once and shows at most one picture choice; its
    own-words step waits for the adult to open it."""
    with app.app_context():
        flow = library.flows().get("barn-4-6")
    assert flow is not None
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


def test_a_child_who_does_not_know_is_not_asked_more(app):
    """ "Vet inte" on every face is the shortest way through, never longer than answering."""
    with app.app_context():
        flow = library.flows().get("barn-4-6")
        assert flow is not None
        walks = {p: screens.walk(flow, p) for p in screens.PATTERNS}
    assert walks["vet_inte"].screens < min(w.screens for p, w in walks.items() if p != "vet_inte")
