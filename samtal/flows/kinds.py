"""The one registry of step kinds: where each may stand, what its answer holds, how it is read.

A new kind is one entry in KINDS plus one template (templates/conversation/steps/<kind>.html).
The loader checks flows against it, the form reader reads answers by it, and the engine, the
child's review and the summary ask it whether an answer is the person's own view. ROLES says
what an answer may be in the summary; each step that holds a view names its role in the flow
file (summary = "…"), so the summary places answers by role and never by step id.
"""

from __future__ import annotations

from dataclasses import dataclass

UNKNOWN = "vet_inte"
DECLINED = "vill_inte_svara"
SKIP_VALUES = (UNKNOWN, DECLINED)
# A words step saved empty: the child went on without saying anything. Not a refusal (only the
# "Vill inte svara" button is one), so it is shown as nothing, anywhere.
SKIPPED = "skipped"
# An adult_opens step the adult has opened from the panel: waiting for the child, shown as nothing.
OPENED = "opened"
# Stored states that say nothing of the child's view: never shown back, never in a summary.
SILENT = (SKIPPED, OPENED)
EVERYWHERE = frozenset({"intro", "area", "outro"})
AROUND = frozenset({"intro", "outro"})


@dataclass(frozen=True)
class SummaryRole:
    """What an answer is in the summary; `meaning` is for the validator's messages (Swedish)."""

    name: str
    sections: frozenset[str]
    meaning: str
    # At most one step with this role per area (area roles) or per flow (the others).
    once: bool = False


ROLES: dict[str, SummaryRole] = {
    role.name: role
    for role in (
        SummaryRole("rating", frozenset({"area"}), "hur det är i området (skalan)", once=True),
        SummaryRole("strengths", frozenset({"area"}), "det som är bra i området"),
        SummaryRole("wishes", frozenset({"area"}), "det som kan bli bättre i området"),
        SummaryRole("own_words", frozenset({"area"}), "egna ord om området"),
        SummaryRole("priorities", frozenset({"outro"}), "det viktigaste", once=True),
        SummaryRole("sharing", frozenset({"outro"}), "vad vårdnadshavarna får se", once=True),
        SummaryRole("meeting", AROUND, "hur mötet ska vara"),
        SummaryRole("trusted_adult", AROUND, "vuxna att vända sig till"),
        SummaryRole("meeting_language", AROUND, "språket på mötet"),
        SummaryRole("interpreter", AROUND, "om tolk behövs (ja eller nej)", once=True),
        # Shown with its question like "other"; a "ja" also shows a hint on the child page.
        SummaryRole(
            "sibling_support",
            AROUND,
            "om ett syskon också behöver någon att prata med (ja eller nej)",
            once=True,
        ),
        SummaryRole("other", EVERYWHERE, "övrigt, visas med sin fråga"),
    )
}


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
    # The summary roles a step of this kind may name; none for kinds that hold no view.
    roles: tuple[str, ...] = ()

    @property
    def own_options(self) -> bool:
        """True when a step of this kind lists its options in the flow file."""
        return self.answers == "options"


KINDS: dict[str, StepKind] = {
    kind.name: kind
    for kind in (
        StepKind("assent", frozenset({"intro"}), "options", reads="one_of", echoed=True),
        StepKind("message", EVERYWHERE),
        StepKind(
            "rating",
            EVERYWHERE,
            "scale",
            SKIP_VALUES,
            "one_of",
            view=True,
            echoed=True,
            roles=("rating", "other"),
        ),
        StepKind(
            "choice",
            EVERYWHERE,
            "options",
            SKIP_VALUES,
            "choice",
            view=True,
            echoed=True,
            roles=(
                "strengths",
                "wishes",
                "meeting",
                "trusted_adult",
                "meeting_language",
                "interpreter",
                "sibling_support",
                "other",
            ),
        ),
        StepKind(
            "words",
            EVERYWHERE,
            "words",
            (DECLINED,),
            "words",
            view=True,
            echoed=True,
            roles=(
                "own_words",
                "strengths",
                "wishes",
                "meeting",
                "trusted_adult",
                "meeting_language",
                "other",
            ),
        ),
        StepKind(
            "choose_area", frozenset({"intro"}), "areas", (UNKNOWN,), "choose_area", echoed=True
        ),
        StepKind(
            "priorities",
            frozenset({"outro"}),
            "areas",
            (DECLINED,),
            "areas",
            True,
            True,
            roles=("priorities", "other"),
        ),
        StepKind(
            "sharing", frozenset({"outro"}), "areas", (DECLINED,), "areas", True, True, ("sharing",)
        ),
        StepKind("review", frozenset({"outro"})),
        StepKind("goodbye", frozenset({"outro"}), reads=None),
    )
}
