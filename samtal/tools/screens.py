"""How long a conversation is for a child: screens shown and taps made, per answer pattern.

A child who answers every rating the same way (all happy, all sad, mixed, all "vet inte") is
walked through a flow with the engine itself; each step shown is one screen, and each screen
costs the taps a child needs there (one picture and "Klar" on a multiple choice, one tap on a
face). The adult's writing is not counted: it is the adult's work, not the child's.

    .venv/bin/python -m samtal.tools.screens            # every child flow
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from samtal.conversation import engine
from samtal.flows import DECLINED, SKIPPED, UNKNOWN, Flow, Step

PATTERNS = ("glad", "ledsen", "blandat", "vet_inte")


@dataclass(frozen=True)
class Walk:
    """One child's way through a flow."""

    screens: int
    taps: int


def _rating(flow: Flow, pattern: str, turn: int) -> str:
    faces = [o.value for o in flow.scale]
    if pattern == "glad":
        return faces[-1]
    if pattern == "ledsen":
        return faces[0]
    if pattern == "blandat":
        return (faces[-1], faces[0], faces[len(faces) // 2])[turn % 3]
    return UNKNOWN


def _answer(flow: Flow, step: Step, pattern: str, turn: int) -> tuple[engine.Given, int]:
    """The answer such a child gives on a step, and the taps it takes."""
    kind = step.kind
    if kind == "assent":
        yes = next(o.value for o in step.options if not o.ends_conversation)
        return engine.Given("answered", yes), 1
    if kind == "rating":
        value = _rating(flow, pattern, turn)
        return (engine.Given(value) if value == UNKNOWN else engine.Given("answered", value)), 1
    if kind == "choice":
        if pattern == "vet_inte":
            return engine.Given(UNKNOWN), 1
        first = step.options[0].value
        if step.multiple:
            return engine.Given("answered", [first]), 2
        return engine.Given("answered", first), 1
    if kind == "words":
        return engine.Given(SKIPPED), 1
    if kind in ("priorities", "sharing"):
        if pattern == "vet_inte":
            return engine.Given(DECLINED), 1
        return engine.Given("answered", [flow.framework.areas[0].id]), 2
    return engine.Given("answered"), 1


def walk(flow: Flow, pattern: str) -> Walk:
    """Screens and taps for a child who answers every rating by the pattern."""
    answers: dict[str, engine.Given] = {}
    screens = taps = turn = 0
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    while True:
        now = engine.position(flow, answers)
        if now.step is None:
            return Walk(screens, taps)
        screens += 1
        if now.step.kind == "goodbye":
            return Walk(screens, taps)
        if now.step.kind == "choose_area":
            remaining = engine.remaining_areas(flow, answers)
            given, cost = engine.Given("answered", remaining[0].id), 1
        else:
            given, cost = _answer(flow, now.step, pattern, turn)
        turn += now.step.kind == "rating"
        moment += timedelta(seconds=1)
        answers[now.step.id] = engine.Given(given.status, given.value, at=moment)
        taps += cost


def main() -> int:
    """Print screens and taps per child flow and pattern."""
    from samtal.flows import FLOWS_DIR, load_library

    library = load_library([FLOWS_DIR])
    print("flöde".ljust(24) + "".join(p.rjust(16) for p in PATTERNS))
    for flow in sorted(library.flows.values(), key=lambda f: (f.purpose, f.ages)):
        if flow.audience != "child":
            continue
        cells = [walk(flow, p) for p in PATTERNS]
        print(flow.id.ljust(24) + "".join(f"{w.screens} sk / {w.taps} tr".rjust(16) for w in cells))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
