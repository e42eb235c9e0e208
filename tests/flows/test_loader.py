"""Flow files: a broken file stops the start with file and step named; the real flows all load."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from samtal.config import ROOT
from samtal.flows import FLOWS_DIR, FlowError, load_library, texts_used
from samtal.flows.extract import extract_texts
from samtal.illustrations import load_pictures
from tests.builders import TEST_FLOWS, make_app

PICTURES = set(load_pictures())
REAL = load_library([FLOWS_DIR], known_pictures=PICTURES)


def library_with(tmp_path: Path, edit, name: str = "test-fast.toml", **checks):
    """Load a copy of the tiny test flows after edit(text) -> text has changed one file."""
    directory = tmp_path / "flows"
    directory.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(TEST_FLOWS, directory)
    path = directory / name
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    return load_library([directory], **checks)


def replace(old: str, new: str):
    """An edit that replaces exactly one occurrence of old."""

    def edit(text: str) -> str:
        assert text.count(old) == 1, f"{old!r} must occur once in the test flow"
        return text.replace(old, new)

    return edit


def remove_block(header: str, first_line: str):
    """An edit that removes one [[…]] block, found by its header and its first line."""

    def edit(text: str) -> str:
        start = text.index(f"{header}\n{first_line}\n")
        end = text.find("\n[", start + len(header))
        return text[:start] + (text[end + 1 :] if end != -1 else "")

    return edit


CHOOSE_STEP = '[[intro]]\nid = "valj"\nkind = "choose_area"\ntext = "Vad vill du prata om?"\n\n'

BROKEN = {
    "unknown picture": (
        replace('picture = "guide"', 'picture = "finns.inte"'),
        "hej",
        "finns.inte",
    ),
    "missing area": (remove_block("[[areas.lek]]", 'id = "lek.hur"'), None, "'lek' saknas"),
    "area not in framework": (
        replace("[[areas.lek]]", "[[areas.skola]]"),
        None,
        "'skola' finns inte i ramverket",
    ),
    "condition refers to nothing": (
        replace('step = "mat.hur", in = ["3"]', 'step = "mat.finns_inte", in = ["3"]'),
        "mat.bra",
        "mat.finns_inte",
    ),
    "condition refers to a later step": (
        replace('step = "mat.hur", in = ["3"]', 'step = "lek.hur", in = ["3"]'),
        "mat.bra",
        "inte finns före steget",
    ),
    "condition value the step cannot have": (
        replace('step = "mat.hur", in = ["3"]', 'step = "mat.hur", in = ["7"]'),
        "mat.bra",
        "'7'",
    ),
    "duplicated step id": (
        replace('id = "lek.hur"', 'id = "mat.hur"'),
        "mat.hur",
        "två gånger",
    ),
    "unknown kind": (
        replace('id = "lek.hur"\nkind = "rating"', 'id = "lek.hur"\nkind = "slider"'),
        "lek.hur",
        "'slider'",
    ),
    "toml syntax error": (lambda text: text + "\nid = = trasig\n", None, "TOML"),
    "choose_area in a fixed flow": (
        replace('[[areas.mat]]\nid = "mat.hur"', CHOOSE_STEP + '[[areas.mat]]\nid = "mat.hur"'),
        None,
        "choose_area",
    ),
    "no review step": (remove_block("[[outro]]", 'id = "granska"'), None, "review"),
    "no goodbye step": (remove_block("[[outro]]", 'id = "hejda"'), None, "goodbye"),
    "pictures required but missing": (
        replace('area_order = "fixed"', 'area_order = "fixed"\npictures_required = true'),
        "mat.hur",
        "picture",
    ),
    "ending option without end_text": (
        replace('end_text = "Okej. Hej då!"\n', ""),
        "hej",
        "end_text",
    ),
    "option without text": (
        replace('{ value = "lunch", text = "Lunch" }', '{ value = "lunch" }'),
        "mat.battre",
        "'text'",
    ),
    "unknown key in a step": (
        replace('id = "lek.hur"\n', 'id = "lek.hur"\nqestion = "stavfel"\n'),
        "lek.hur",
        "qestion",
    ),
}


@pytest.mark.parametrize(("edit", "step", "says"), BROKEN.values(), ids=BROKEN.keys())
def test_broken_flow_stops_the_start_naming_file_and_step(tmp_path, edit, step, says):
    """A mistake in a flow file stops the app with the file, the step and what is wrong."""
    with pytest.raises(FlowError) as caught:
        library_with(tmp_path, edit, known_pictures=PICTURES)
    message = str(caught.value)
    assert "test-fast.toml" in message
    assert says in message
    if step is not None:
        assert caught.value.step == step
        assert repr(step) in message


def test_the_unbroken_copy_loads(tmp_path):
    """The copies used above load when left alone, so each failure is the edit's doing."""
    library = library_with(tmp_path, lambda text: text, known_pictures=PICTURES)
    assert {"test-fast", "test-valj"} <= set(library.flows)


def test_a_choose_step_is_required_when_the_child_chooses(tmp_path):
    """A flow where the child chooses the order must have the compass step."""
    edit = remove_block("[[intro]]", 'id = "valj"')
    with pytest.raises(FlowError, match="choose_area") as caught:
        library_with(tmp_path, edit, name="test-valj.toml")
    assert "test-valj.toml" in str(caught.value)


def _template(path: Path, texts) -> Path:
    catalog = Catalog()
    for text in texts:
        catalog.add(text)
    with path.open("wb") as handle:
        write_po(handle, catalog)
    return path


def test_text_missing_from_the_translation_template_stops_the_start(tmp_path):
    """A text nobody has added to the translation template is named with its step."""
    library = library_with(tmp_path / "first", lambda text: text)
    texts = {text for flow in library.flows.values() for _step, text in texts_used(flow)}
    complete = _template(tmp_path / "complete.pot", texts)
    assert library_with(tmp_path / "second", lambda text: text, translation_template=complete)
    lacking = _template(tmp_path / "lacking.pot", texts - {"Hur är leken?"})
    with pytest.raises(FlowError, match="Hur är leken") as caught:
        library_with(tmp_path / "third", lambda text: text, translation_template=lacking)
    assert caught.value.step == "lek.hur"
    assert "test-fast.toml" in str(caught.value)


def test_app_refuses_to_start_with_untranslated_flow_text(tmp_path):
    """The app itself checks the real template: the tiny test flows are not in it."""
    with pytest.raises(FlowError, match="översättningsmallen"):
        make_app(f"sqlite:///{tmp_path / 'x.db'}", CHECK_TRANSLATION_TEMPLATE=True)


def test_real_flows_load_with_real_pictures_and_template(tmp_path):
    """Every real flow passes every check the app makes when it starts."""
    app = make_app(
        f"sqlite:///{tmp_path / 'x.db'}", CHECK_TRANSLATION_TEMPLATE=True, EXTRA_FLOW_DIRS=[]
    )
    try:
        flows = app.extensions["samtal.flows"].flows
        assert {"barn-4-6", "barn-7-9", "barn-10-12", "barn-13-17"} <= set(flows)
    finally:
        app.extensions["samtal.engine"].dispose()


BANDS = [(age, "barn-4-6") for age in range(4, 7)]
BANDS += [(age, "barn-7-9") for age in range(7, 10)]
BANDS += [(age, "barn-10-12") for age in range(10, 13)]
BANDS += [(age, "barn-13-17") for age in range(13, 18)]


@pytest.mark.parametrize(("age", "flow_id"), BANDS)
def test_age_picks_its_band(age, flow_id):
    """A child's age picks the questions for their age band."""
    flow = REAL.for_age(age)
    assert flow is not None and flow.id == flow_id


@pytest.mark.parametrize("age", [2, 3, 18, 40])
def test_no_child_band_outside_4_to_17(age):
    """Ages outside the child bands get no child flow by default."""
    assert REAL.for_age(age) is None


@pytest.mark.parametrize(
    ("flow_id", "faces", "order"),
    [
        ("barn-4-6", 3, "fixed"),
        ("barn-7-9", 3, "child_chooses"),
        ("barn-10-12", 5, "child_chooses"),
        ("barn-13-17", 5, "child_chooses"),
    ],
)
def test_band_shape(flow_id, faces, order):
    """Younger children get three faces and a fixed order; from 7 the child chooses."""
    flow = REAL.get(flow_id)
    assert flow is not None
    assert [o.value for o in flow.scale] == [str(n) for n in range(1, faces + 1)]
    assert flow.area_order == order


@pytest.mark.parametrize("flow_id", ["barn-4-6", "barn-7-9", "barn-10-12", "barn-13-17"])
def test_only_13_to_17_choose_what_guardians_see(flow_id):
    """Only teenagers get the step about what their guardians may see."""
    flow = REAL.get(flow_id)
    assert flow is not None
    has_sharing = any(step.kind == "sharing" for step in flow.all_steps())
    assert has_sharing == (flow_id == "barn-13-17")


@pytest.mark.parametrize("flow_id", ["barn-4-6", "barn-7-9"])
def test_young_bands_have_a_picture_for_everything(flow_id):
    """For 4–9 every question and answer has a picture."""
    flow = REAL.get(flow_id)
    assert flow is not None and flow.pictures_required


def test_every_area_of_every_flow_asks_how_it_is_and_leaves_room_for_words():
    """Each area asks how it is (a rating) and leaves room for the child's own words."""
    for flow in REAL.flows.values():
        for area_id, steps in flow.area_steps.items():
            kinds = [step.kind for step in steps]
            assert "rating" in kinds and "words" in kinds, (flow.id, area_id)


def test_extractor_yields_texts_with_step_id_as_comment():
    """Translators see every flow text with the step it belongs to."""
    with (TEST_FLOWS / "test-fast.toml").open("rb") as handle:
        found = [(text, notes) for _line, _f, text, notes in extract_texts(handle, [], [], {})]
    assert ("Vad kan bli bättre?", ["mat.battre"]) in found
    assert ("Frukost", ["mat.battre"]) in found
    assert ("Okej. Hej då!", ["hej"]) in found
    assert ("Vill du säga mer?", ["vanner.ord"]) in found


def test_extractor_line_numbers_point_at_the_text():
    """Each extracted text carries the line where it stands in the file."""
    path = TEST_FLOWS / "test-fast.toml"
    lines = path.read_text(encoding="utf-8").splitlines()
    with path.open("rb") as handle:
        for line, _f, text, _comments in extract_texts(handle, [], [], {}):
            assert f'"{text}"' in lines[line - 1]


def _ids(path: Path) -> set:
    with path.open("rb") as handle:
        return {m.id for m in read_po(handle) if m.id}


def test_committed_translation_template_is_up_to_date(tmp_path):
    """Every text in the code, templates and flows is in the committed i18n/messages.pot."""
    pybabel = Path(sys.executable).parent / "pybabel"
    out = tmp_path / "messages.pot"
    subprocess.run(
        [
            str(pybabel),
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "--no-location",
            "--omit-header",
            "-o",
            str(out),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    missing = _ids(out) - _ids(ROOT / "i18n" / "messages.pot")
    assert not missing, f"run 'flask --app app translate update'; missing: {sorted(missing)[:10]}"
