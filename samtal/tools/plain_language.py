"""Plain-language measures for Swedish text (LIX, läsbarhetsindex)."""

import re

_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*", re.UNICODE)
_SENTENCE_END = re.compile(r"[.!?:]+")


def words(text: str) -> list[str]:
    """Return the words of a text."""
    return _WORD.findall(text)


def sentence_count(text: str) -> int:
    """Count sentences: runs of . ! ? : and a final sentence without a full stop."""
    parts = [p for p in _SENTENCE_END.split(text) if words(p)]
    return max(1, len(parts))


def lix(text: str) -> float:
    """LIX = words/sentences + 100 × words longer than six letters / words (0 for no words)."""
    found = words(text)
    if not found:
        return 0.0
    long_words = sum(1 for w in found if len(w) > 6)
    return len(found) / sentence_count(text) + 100 * long_words / len(found)


LIMITS = {9: 25, 12: 30, 17: 35}
GUARDIAN_LIMIT = 40


def limit_for(audience: str, oldest_age: int) -> int:
    """The LIX limit of a flow: 25 up to 9 years, 30 up to 12, 35 up to 17, 40 for guardians."""
    if audience != "child":
        return GUARDIAN_LIMIT
    return next((limit for age, limit in sorted(LIMITS.items()) if oldest_age <= age), 35)


def step_text(question: str, options: list[str]) -> str:
    """What one step asks, with each answer option counted as a sentence of its own."""
    return ". ".join([question, *options])


def report(flow) -> tuple[float, list[tuple[str, float]], int]:
    """A flow's LIX as a whole, each step's LIX, and the limit for its readers."""
    steps = []
    for step in flow.all_steps():
        options = [o.text for o in flow.options_for(step)]
        steps.append((step.id, lix(step_text(step.text, options))))
    whole = ". ".join(
        step_text(s.text, [o.text for o in flow.options_for(s)]) for s in flow.all_steps()
    )
    return lix(whole), steps, limit_for(flow.audience, flow.ages[1])


def main(paths: list[str]) -> int:
    """Print LIX per flow and per step for the given flow files (all flows if none); 1 if over."""
    from pathlib import Path

    from samtal.flows import FLOWS_DIR, load_library

    library = load_library([FLOWS_DIR])
    wanted = {Path(p).resolve() for p in paths}
    over = 0
    for flow in library.flows.values():
        if wanted and flow.source.resolve() not in wanted:
            continue
        whole, steps, limit = report(flow)
        print(f"{flow.source.name}: LIX {whole:.1f} (gräns {limit}), {len(steps)} steg")
        for step_id, value in sorted(steps, key=lambda pair: -pair[1]):
            mark = "ÖVER" if value >= limit else ""
            over += value >= limit
            print(f"  {value:5.1f}  {step_id} {mark}")
        over += whole >= limit
    return 1 if over else 0


if __name__ == "__main__":
    import sys

    raise SystemExit(main(sys.argv[1:]))
