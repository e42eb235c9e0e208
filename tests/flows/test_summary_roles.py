"""Summary roles: each step names in its flow file what its answer is in the summary; the loader
refuses missing, unfitting and doubled roles in plain Swedish, and the summary places answers by
role, so renaming a step id moves nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from samtal.conversation import engine
from samtal.flows import FlowError, load_library
from samtal.flows.kinds import KINDS, ROLES
from samtal.summary.build import Part, build_summary
from tests.builders import TEST_FLOWS


def flows_copy(tmp_path: Path, old: str = "", new: str = "") -> Path:
    """A copy of the tiny test flows with one text replaced (exactly once) in test-fast.toml."""
    directory = tmp_path / "flows"
    shutil.copytree(TEST_FLOWS, directory)
    path = directory / "test-fast.toml"
    text = path.read_text(encoding="utf-8")
    if old:
        assert text.count(old) == 1, old
        path.write_text(text.replace(old, new), encoding="utf-8")
    return directory


BROKEN = {
    "role missing": (
        'id = "mat.bra"\nkind = "choice"\nsummary = "strengths"\n',
        'id = "mat.bra"\nkind = "choice"\n',
        "mat.bra",
        "steget säger inte vad svaret är i sammanställningen; lägg till en rad summary = …",
    ),
    "unknown role": (
        'summary = "strengths"',
        'summary = "styrkor"',
        "mat.bra",
        "summary = 'styrkor' passar inte ett choice-steg; välj ett av: \"strengths\"",
    ),
    "role of another kind": (
        'id = "vanner.ord"\nkind = "words"\nsummary = "own_words"',
        'id = "vanner.ord"\nkind = "words"\nsummary = "priorities"',
        "vanner.ord",
        "summary = 'priorities' passar inte ett words-steg",
    ),
    "role in the wrong place": (
        '[[outro]]\nid = "granska"',
        '[[outro]]\nid = "ord"\nkind = "words"\nsummary = "own_words"\ntext = "Något mer?"\n\n'
        '[[outro]]\nid = "granska"',
        "ord",
        "summary = 'own_words' hör till ett område, inte till slutet",
    ),
    "two ratings in one area": (
        'id = "mat.bra"\nkind = "choice"\nsummary = "strengths"',
        'id = "mat.igen"\nkind = "rating"\nsummary = "rating"\ntext = "Och nu?"\n'
        '[[areas.mat]]\nid = "mat.bra"\nkind = "choice"\nsummary = "strengths"',
        "mat.igen",
        "summary = 'rating' (hur det är i området (skalan)) finns redan i området 'mat', "
        "i steget 'mat.hur'; bara ett steg får ha den rollen",
    ),
    "a role on a step that gives none": (
        'id = "granska"\nkind = "review"',
        'id = "granska"\nkind = "review"\nsummary = "other"',
        "granska",
        "ett review-steg lämnar inget svar till sammanställningen; ta bort raden summary = 'other'",
    ),
}


@pytest.mark.parametrize(("old", "new", "step", "says"), BROKEN.values(), ids=BROKEN.keys())
def test_validator_names_file_step_and_the_fix(tmp_path, old, new, step, says):
    """Each mistake stops the load with the file, the step and what to write instead."""
    with pytest.raises(FlowError) as caught:
        load_library([flows_copy(tmp_path, old, new)])
    assert caught.value.file.endswith("test-fast.toml")
    assert caught.value.step == step
    assert says in caught.value.message


def test_every_role_is_offered_by_some_kind_and_every_view_kind_has_roles():
    """The registry is whole: no role nobody may name, no view without a place in the summary."""
    offered = {role for kind in KINDS.values() for role in kind.roles}
    assert offered == set(ROLES)
    assert all(bool(kind.roles) == kind.view for kind in KINDS.values())


def _summary(directory: Path, answers: dict[str, engine.Given]) -> dict:
    library = load_library([directory])
    flow = library.flows["test-fast"]
    return build_summary(
        framework=flow.framework,
        header={"child_id": 1, "child_name": "Testbarn"},
        child_part=Part(flow=flow, answers=answers),
    )


def without_step_ids(found):
    """The summary with the "step" entries of its items left out."""
    if isinstance(found, dict):
        return {k: without_step_ids(v) for k, v in found.items() if k != "step"}
    if isinstance(found, list):
        return [without_step_ids(v) for v in found]
    return found


def test_renaming_step_ids_moves_no_answer(tmp_path):
    """The same answers under renamed step ids land in the same places of the summary."""
    answers = {
        "mat.hur": engine.Given("answered", "1"),
        "mat.battre": engine.Given("answered", ["lunch"]),
        "vanner.hur": engine.Given("answered", "3"),
        "vanner.ord": engine.Given("answered", words="Jag har en kompis."),
        "viktigast": engine.Given("answered", ["vanner"]),
    }
    before = _summary(flows_copy(tmp_path / "a"), answers)
    renamed = tmp_path / "b" / "flows"
    shutil.copytree(TEST_FLOWS, renamed)
    path = renamed / "test-fast.toml"
    text = path.read_text(encoding="utf-8")
    for old, new in (
        ('"mat.battre"', '"mat.onskan"'),
        ('"vanner.ord"', '"vanner.fritt"'),
        ('"viktigast"', '"mest"'),
        ('"mat.hur"', '"mat.ansikte"'),
    ):
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    after = _summary(
        renamed.parent / "flows",
        {
            "mat.ansikte": answers["mat.hur"],
            "mat.onskan": answers["mat.battre"],
            "vanner.hur": answers["vanner.hur"],
            "vanner.fritt": answers["vanner.ord"],
            "mest": answers["viktigast"],
        },
    )
    # Own words carry their step's id as data (for their translations); nothing else differs.
    assert without_step_ids(after) == without_step_ids(before)
    mat = next(a for a in after["areas"] if a["id"] == "mat")["child"]
    assert mat["rating"]["value"] == "1"
    assert [item["text"] for item in mat["wishes"]] == ["Lunch"]
    assert mat["other"] == []
    vanner = next(a for a in after["areas"] if a["id"] == "vanner")["child"]
    assert [item["text"] for item in vanner["words"]] == ["Jag har en kompis."]
    assert after["priorities"] == ["vanner"]
