"""The conversation engine: which step comes next, area progress and the review screen."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from samtal.conversation import engine
from samtal.conversation.engine import Given
from samtal.flows import FLOWS_DIR, load_library
from tests.builders import TEST_FLOWS

LIBRARY = load_library([FLOWS_DIR, TEST_FLOWS])
FAST = LIBRARY.flows["test-fast"]
VALJ = LIBRARY.flows["test-valj"]


def said(value: str | list[str] | None = None, status: str = "answered", words=None) -> Given:
    """An answer as stored."""
    return Given(status=status, value=value, words=words)


def now_at(flow, answers) -> str | None:
    """The id of the step shown now."""
    step = engine.position(flow, answers).step
    return step.id if step else None


YES = {"hej": said("ja")}


def test_first_step_is_the_assent():
    """A new conversation opens by asking whether the child wants to talk."""
    assert now_at(FAST, {}) == "hej"
    assert engine.position(FAST, {}).finished is False


def test_yes_leads_to_the_first_area():
    """After a yes the first area's first question comes."""
    position = engine.position(FAST, YES)
    assert position.step is not None and position.step.id == "mat.hur"
    assert position.area is not None and position.area.id == "mat"


def test_no_ends_the_conversation_kindly():
    """A no ends the conversation, with the assent step as what ended it."""
    position = engine.position(FAST, {"hej": said("nej")})
    assert position.step is None
    assert position.ended_by is not None and position.ended_by.id == "hej"
    assert position.ended_by.end_text == "Okej. Hej då!"
    assert position.finished


def test_fixed_order_goes_through_the_areas_in_framework_order():
    """In a fixed flow the areas come one after the other: mat, lek, vänner."""
    answers = dict(YES)
    seen = []
    steps: list[tuple[str, str | list[str]]] = [
        ("mat.hur", "2"),
        ("mat.battre", ["lunch"]),
        ("lek.hur", "3"),
        ("vanner.hur", "1"),
    ]
    for step_id, value in steps:
        position = engine.position(FAST, answers)
        assert position.step is not None and position.step.id == step_id
        seen.append(position.area.id if position.area else None)
        answers[step_id] = said(value)
    assert seen == ["mat", "mat", "lek", "vanner"]
    assert now_at(FAST, answers) == "vanner.ord"


@pytest.mark.parametrize(
    ("rating", "next_step"),
    [
        (said("1"), "mat.battre"),
        (said("2"), "mat.battre"),
        (said("3"), "mat.bra"),
        (said(status="vet_inte"), "mat.battre"),
        (said(status="vill_inte_svara"), "lek.hur"),
    ],
    ids=["1", "2", "3", "vet_inte", "vill_inte_svara"],
)
def test_rating_decides_what_is_asked_next(rating, next_step):
    """A happy face asks what is good, other answers what would help; no answer asks neither."""
    assert now_at(FAST, {**YES, "mat.hur": rating}) == next_step


def test_child_chooses_the_area_first():
    """In a child-chooses flow the compass comes right after the yes."""
    position = engine.position(VALJ, YES)
    assert position.step is not None and position.step.kind == "choose_area"
    assert position.area is None
    assert [a.id for a in engine.remaining_areas(VALJ, YES)] == ["mat", "lek", "vanner"]


def test_chosen_area_comes_next_then_the_compass_again_with_fewer_areas():
    """The chosen area is talked about, then the child chooses again among the rest."""
    answers = {**YES, "valj": said("vanner")}
    position = engine.position(VALJ, answers)
    assert position.step is not None and position.step.id == "vanner.hur"
    assert position.area is not None and position.area.id == "vanner"
    answers["vanner.hur"] = said("2")
    assert now_at(VALJ, answers) == "vanner.ord"
    answers["vanner.ord"] = said(words="Jag har en vän.")
    assert now_at(VALJ, answers) == "valj"
    assert [a.id for a in engine.remaining_areas(VALJ, answers)] == ["mat", "lek"]
    answers["valj"] = said("lek")
    assert now_at(VALJ, answers) == "lek.hur"


def test_let_the_guide_choose_takes_the_next_area():
    """'Du får välja åt mig' is stored as vet_inte and goes to the area it picked."""
    answers = {**YES, "valj": said("lek", status="vet_inte")}
    assert now_at(VALJ, answers) == "lek.hur"


def test_a_started_area_is_finished_before_the_compass_returns():
    """An area the child has begun stays current until its questions are answered."""
    answers = {**YES, "valj": said("mat"), "mat.hur": said("1")}
    assert now_at(VALJ, answers) == "mat.battre"


def test_area_progress_marks_done_current_and_todo():
    """The compass shows which areas are done, which is now and which are still to come."""
    answers = {**YES, "mat.hur": said("3"), "mat.bra": said(["frukt"])}
    assert [(a.id, state) for a, state in engine.area_progress(FAST, answers)] == [
        ("mat", "done"),
        ("lek", "current"),
        ("vanner", "todo"),
    ]
    assert all(state == "todo" for _a, state in engine.area_progress(VALJ, YES))


def full_fast_answers() -> dict[str, Given]:
    """Every question of test-fast answered, up to the review."""
    return {
        **YES,
        "mat.hur": said("1"),
        "mat.battre": said(["frukost", "lunch"]),
        "lek.hur": said(status="vill_inte_svara"),
        "vanner.hur": said("3"),
        "vanner.ord": said(words="Bra kompisar."),
        "viktigast": said(["mat"]),
        "dela": said(["lek"]),
    }


def test_review_lists_answered_steps_by_area():
    """The review shows each area's answers, then the closing ones, and nothing else."""
    answers = full_fast_answers()
    assert now_at(FAST, answers) == "granska"
    sections = engine.review(FAST, answers, {})
    listed = [
        (section.area.id if section.area else None, [item.step.id for item in section.items])
        for section in sections
    ]
    assert listed == [
        ("mat", ["mat.hur", "mat.battre"]),
        ("lek", ["lek.hur"]),
        ("vanner", ["vanner.hur", "vanner.ord"]),
        (None, ["viktigast", "dela"]),
    ]
    labels = {item.step.id: [o.text for o in item.labels] for s in sections for item in s.items}
    assert labels["mat.battre"] == ["Frukost", "Lunch"]
    assert labels["lek.hur"] == ["Vill inte svara"]
    assert labels["vanner.ord"] == ["Bra kompisar."]
    assert labels["viktigast"] == ["Mat"]


def test_review_leaves_out_assent_compass_and_review():
    """The yes, the compass choice and the review itself are never shown as answers."""
    answers = {**YES, "valj": said("mat"), "mat.hur": said("2"), "granska": said()}
    steps = [item.step.id for s in engine.review(VALJ, answers, {}) for item in s.items]
    assert steps == ["mat.hur"]


def test_review_shows_words_written_beside_an_answer():
    """Words the adult wrote for a question are shown next to that answer."""
    answers = {**YES, "mat.hur": said("3")}
    words = {"mat.hur": said(words="Hon gillar fisk.")}
    item = engine.review(FAST, answers, words)[0].items[0]
    assert item.words is not None and item.words.words == "Hon gillar fisk."


def test_changing_the_rating_changes_what_follows():
    """Changing 1 to 3 asks what is good and drops what would help from the review."""
    answers = full_fast_answers()
    answers["mat.hur"] = said("3")
    assert now_at(FAST, answers) == "mat.bra"
    mat = engine.review(FAST, answers, {})[0]
    assert [item.step.id for item in mat.items] == ["mat.hur"]
    assert not engine.is_editable(FAST, FAST.steps_by_id["mat.battre"], answers)
    assert engine.is_editable(FAST, FAST.steps_by_id["mat.hur"], answers)


def test_position_reaches_the_goodbye_at_the_end():
    """After the review is confirmed the goodbye is shown and nothing more is asked."""
    answers = {**full_fast_answers(), "granska": said()}
    position = engine.position(FAST, answers)
    assert position.step is not None and position.step.kind == "goodbye"
    assert position.finished
    assert engine.remaining_areas(FAST, answers) == []
    assert all(state == "done" for _a, state in engine.area_progress(FAST, answers))


def test_skip_answers_are_their_own_status_for_conditions():
    """'Vet inte' is seen by conditions as vet_inte, never as a face on the scale."""
    assert said(status="vet_inte").values() == ["vet_inte"]
    assert said(["a", "b"]).values() == ["a", "b"]
    assert said("2").values() == ["2"]


def test_last_exchange_is_the_most_recent_answer():
    """The child's last answer is shown as their own bubble."""
    start = datetime(2025, 1, 1, tzinfo=UTC)
    answers = {
        "hej": Given(status="answered", value="ja", at=start),
        "mat.hur": Given(status="answered", value="2", at=start + timedelta(minutes=1)),
    }
    last = engine.last_exchange(FAST, answers)
    assert last is not None and last[0].id == "mat.hur"
    assert [o.text for o in engine.answer_labels(FAST, last[0], last[1])] == ["Sådär"]
    assert engine.last_exchange(FAST, {}) is None


@pytest.mark.parametrize("flow_id", ["barn-4-6", "barn-7-9", "barn-10-12", "barn-13-17"])
def test_every_real_flow_can_be_walked_to_the_goodbye(flow_id):
    """Answering every question of a real flow ends at its goodbye, every area done."""
    flow = LIBRARY.flows[flow_id]
    answers: dict[str, Given] = {}
    for _ in range(200):
        position = engine.position(flow, answers)
        assert position.step is not None
        step = position.step
        if step.kind == "goodbye":
            break
        if step.kind == "choose_area":
            answers[step.id] = said(engine.remaining_areas(flow, answers)[-1].id)
        elif step.kind == "rating":
            answers[step.id] = said(flow.scale[0].value)
        elif step.options:
            answers[step.id] = said(step.options[0].value)
        else:
            answers[step.id] = said(status="vill_inte_svara")
    assert engine.position(flow, answers).finished
    assert engine.remaining_areas(flow, answers) == []
