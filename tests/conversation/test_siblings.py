"""The guardian is asked about the child's siblings: how they are, whether they need someone."""

from __future__ import annotations

from samtal import library
from samtal.conversation import engine


def _walk(flow, siblings: str) -> list[str]:
    """The outro steps a guardian sees, answering the sibling question with `siblings`."""
    answers: dict[str, engine.Given] = {}
    for step in flow.all_steps():
        if step.asks and step.kind != "review" and step.id != "syskon":
            answers[step.id] = engine.Given("vill_inte_svara")
    answers["syskon"] = engine.Given("answered", siblings)
    shown = [s.id for s in flow.outro if engine.applies(s, answers)]
    return [s for s in shown if s.startswith("syskon")]


def test_the_guardian_is_asked_how_siblings_are_only_when_there_are_any(app):
    """"Ja" leads to how the siblings are and whether they need someone to talk to."""
    with app.app_context():
        flow = library.flows().get("vardnadshavare")
    assert flow is not None
    assert _walk(flow, "ja") == ["syskon", "syskon_hur", "syskon_prata"]
    assert _walk(flow, "nej") == ["syskon"]
    asked = flow.step("syskon_prata")
    assert asked is not None and asked.text.startswith("Behöver något av syskonen")
