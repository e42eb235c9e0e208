"""The one registry of step kinds: where each may stand, what its answer holds, how it is read.

A new kind is one entry in KINDS plus one template (templates/conversation/steps/<kind>.html).
The loader checks flows against it, the form reader reads answers by it, and the engine, the
child's review and the summary ask it whether an answer is the person's own view.
"""

from __future__ import annotations

from dataclasses import dataclass

UNKNOWN = "vet_inte"
DECLINED = "vill_inte_svara"
SKIP_VALUES = (UNKNOWN, DECLINED)
EVERYWHERE = frozenset({"intro", "area", "outro"})


@dataclass(frozen=True)
class StepKind:
    """What one kind of step is."""

    name: str
    sections: frozenset[str]
    # What an answer holds: "options" (the step's own), "scale" (the flow's scale), "areas"
    # (areas of the framework), "words" (free text) or "nothing" (the step only goes on).
    answers: str = "nothing"
    # The answers offered on every such step besides its own (Vet inte, Vill inte svara).
    always: tuple[str, ...] = ()
    # How the submitted form is read: a reader in samtal/conversation/reading.py, or None
    # when the step takes no answer at all.
    reads: str | None = "go_on"
    # The answer is the person's own view: on the child's review screen and in the summary.
    view: bool = False
    # The answer is shown back as the person's own speech bubble.
    echoed: bool = False

    @property
    def own_options(self) -> bool:
        """True when a step of this kind lists its options in the flow file."""
        return self.answers == "options"


KINDS: dict[str, StepKind] = {
    kind.name: kind
    for kind in (
        StepKind("assent", frozenset({"intro"}), "options", reads="one_of", echoed=True),
        StepKind("message", EVERYWHERE),
        StepKind("rating", EVERYWHERE, "scale", SKIP_VALUES, "one_of", view=True, echoed=True),
        StepKind("choice", EVERYWHERE, "options", SKIP_VALUES, "choice", view=True, echoed=True),
        StepKind("words", EVERYWHERE, "words", (DECLINED,), "words", view=True, echoed=True),
        StepKind(
            "choose_area", frozenset({"intro"}), "areas", (UNKNOWN,), "choose_area", echoed=True
        ),
        StepKind("priorities", frozenset({"outro"}), "areas", (DECLINED,), "areas", True, True),
        StepKind("sharing", frozenset({"outro"}), "areas", (DECLINED,), "areas", True, True),
        StepKind("review", frozenset({"outro"})),
        StepKind("goodbye", frozenset({"outro"}), reads=None),
    )
}
