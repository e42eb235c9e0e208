"""Plain language: LIX is computed right, and every real flow reads easily for its age."""

from __future__ import annotations

import re

import pytest

from samtal.flows import FLOWS_DIR, Flow, load_library, texts_used
from samtal.tools.plain_language import lix, sentence_count, words

FLOWS = sorted(load_library([FLOWS_DIR]).flows.values(), key=lambda f: (f.audience, f.ages))
CHILD_FLOWS = [f for f in FLOWS if f.audience == "child"]
STIGMATISING = re.compile(r"(?<!\w)(problem|diagnos|risk|oro|ärende|svårighet)", re.IGNORECASE)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # 3 words, 1 sentence, no long word: 3/1 + 0.
        ("Jag heter Kim.", 3.0),
        # 8 words, 2 sentences, no long word: 8/2 + 0.
        ("Hej! Vill du prata med mig i dag?", 4.0),
        # 3 words, 1 sentence, 2 longer than six (kompisar, betyder): 3 + 200/3.
        ("Kompisar betyder mycket.", 3 + 200 / 3),
        # 5 words, 2 sentences (the colon ends one), 2 long (kroppen, känslorna): 2.5 + 40.
        ("Må bra: kroppen och känslorna.", 42.5),
        # Numbers are not words: 3 words, 1 sentence.
        ("Jag är 7 år.", 3.0),
        # No full stop still makes one sentence; 4 words, none long (six letters is not long).
        ("Det är mycket roligt", 4.0),
        # A hyphenated word is one long word: 2 words, 1 sentence, 1 long: 2 + 50.
        ("Hej tv-spelare", 52.0),
        ("", 0.0),
    ],
)
def test_lix_of_known_texts(text, expected):
    """LIX = words per sentence + 100 × share of words longer than six letters."""
    assert lix(text) == pytest.approx(expected)


def test_words_and_sentences_are_counted_like_a_reader_would():
    """Words include å, ä and ö; several stop marks in a row end one sentence."""
    assert words("Får jag gå ut?") == ["Får", "jag", "gå", "ut"]
    assert sentence_count("Va?! Ja... Okej") == 3


def limit_for(flow: Flow) -> int:
    """The LIX limit for a flow's readers."""
    if flow.audience == "guardian":
        return 40
    oldest = flow.ages[1]
    return 25 if oldest <= 9 else 30 if oldest <= 12 else 35


def as_sentences(texts: list[str]) -> str:
    """Texts read one after the other, each one its own sentence (an option is a sentence)."""
    return " ".join(t if t.rstrip().endswith((".", "!", "?", ":")) else f"{t}." for t in texts)


def texts_by_step(flow: Flow) -> dict[str, list[str]]:
    """The texts shown on each step: its question, its end text and its options."""
    grouped: dict[str, list[str]] = {}
    for step_id, text in texts_used(flow):
        if flow.step(step_id) is not None:
            grouped.setdefault(step_id, []).append(text)
    return grouped


def test_limit_follows_the_band():
    """The limits are 25 up to 9 years, 30 up to 12, 35 up to 17 and 40 for guardians."""
    for framework in {f.framework.id for f in CHILD_FLOWS}:
        mine = [f for f in CHILD_FLOWS if f.framework.id == framework]
        assert [limit_for(f) for f in mine if f.purpose == "first"] == [25, 25, 30, 35]
        assert [limit_for(f) for f in mine if f.purpose == "followup"] == [25, 25, 30, 35]


@pytest.mark.parametrize("flow", FLOWS, ids=lambda f: f.id)
def test_whole_flow_is_plain(flow):
    """A whole conversation reads under its band's LIX limit."""
    score = lix(as_sentences([text for _step, text in texts_used(flow)]))
    assert score < limit_for(flow), f"{flow.id}: LIX {score:.1f}"


@pytest.mark.parametrize("flow", FLOWS, ids=lambda f: f.id)
def test_every_step_is_plain(flow):
    """Each question with its answers reads under the band's LIX limit."""
    scores = sorted(
        ((lix(as_sentences(texts)), step, texts) for step, texts in texts_by_step(flow).items()),
        reverse=True,
    )
    assert len(scores) == len(list(flow.all_steps()))
    worst, step_id, texts = scores[0]
    assert worst < limit_for(flow), (
        f"{flow.id}: step {step_id!r} has LIX {worst:.1f} (limit {limit_for(flow)}): {texts}"
    )


@pytest.mark.parametrize("flow", CHILD_FLOWS, ids=lambda f: f.id)
def test_no_stigmatising_words_for_children(flow):
    """No child sees clinical or judging words like problem, risk or oro."""
    found = [(step_id, text) for step_id, text in texts_used(flow) if STIGMATISING.search(text)]
    assert not found, f"{flow.id}: {found}"


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("Har du problem hemma?", True),
        ("Är du orolig?", True),
        ("Risken är liten.", True),
        ("Ditt ärende", True),
        ("Mina svårigheter", True),
        ("Vill du säga något mer med egna ord?", False),
        ("Ordning och reda", False),
    ],
)
def test_stigmatising_word_check_finds_word_starts(text, flagged):
    """The word check catches the words and words starting with them, nothing else."""
    assert bool(STIGMATISING.search(text)) is flagged
