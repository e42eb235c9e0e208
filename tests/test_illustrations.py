"""Pictures: every registry entry loads, is described in Swedish and is a safe SVG."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from samtal.flows import FLOWS_DIR, load_library, pictures_used
from samtal.illustrations import PictureError, load_pictures

PICTURES = load_pictures()
FLOWS = sorted(load_library([FLOWS_DIR]).flows.values(), key=lambda f: f.id)
ENGLISH = re.compile(r"\b(the|with|and|of|is|smiling|face|woman|man|girl|boy)\b", re.IGNORECASE)
UNSAFE = re.compile(
    rb"<script|<style|style=|\bon[a-z]+\s*=|javascript:|<foreignobject", re.IGNORECASE
)


def test_registry_has_the_core_pictures():
    """The guide, the faces, the answers and the eight areas are all there."""
    needed = {"guide", "answer.ja", "answer.nej", "answer.vet_inte", "answer.vill_inte_svara"}
    needed |= {f"face.{n}of3" for n in range(1, 4)} | {f"face.{n}of5" for n in range(1, 6)}
    needed |= {
        f"area.{a}"
        for a in (
            "omsorg",
            "trygghet",
            "ma_bra",
            "fritid",
            "tillhorighet",
            "ansvarstagande",
            "respekteras",
            "utvecklas",
        )
    }
    assert needed <= set(PICTURES)


@pytest.mark.parametrize("picture", PICTURES.values(), ids=lambda p: p.id)
def test_every_picture_has_a_swedish_alt(picture):
    """Each picture is described in Swedish for screen readers and reading aloud."""
    assert picture.alt.strip() == picture.alt and len(picture.alt) >= 3
    assert picture.alt[0].isupper() or picture.alt[0].isdigit()
    assert not ENGLISH.search(picture.alt), picture.alt


@pytest.mark.parametrize("picture", PICTURES.values(), ids=lambda p: p.id)
def test_every_picture_is_a_safe_svg(picture):
    """Each picture is an SVG document with nothing that could run or restyle the page."""
    root = ElementTree.fromstring(picture.svg)
    assert root.tag.endswith("svg")
    assert not UNSAFE.search(picture.svg), picture.id
    assert len(picture.version) == 10


def test_drawn_pictures_have_no_script_or_style():
    """The pictures drawn for Samtal carry no script and no style (the CSP forbids both)."""
    drawn = [p for p in PICTURES.values() if p.origin == "drawn"]
    assert drawn
    for picture in drawn:
        lowered = picture.svg.lower()
        assert b"<script" not in lowered and b"<style" not in lowered
        assert b"style=" not in lowered, picture.id


@pytest.mark.parametrize("flow", FLOWS, ids=lambda f: f.id)
def test_every_picture_a_flow_uses_exists(flow):
    """Every picture a real flow names is in the registry."""
    missing = [(step, pid) for step, pid in pictures_used(flow) if pid not in PICTURES]
    assert not missing


def write_registry(directory: Path, text: str) -> Path:
    directory.mkdir(exist_ok=True)
    (directory / "test.toml").write_text(text, encoding="utf-8")
    return directory


@pytest.mark.parametrize(
    ("registry", "says"),
    [
        ('[[picture]]\nid = "x"\ndrawn = "guide.svg"\n', "alt"),
        ('[[picture]]\nid = "x"\nalt = "En x"\n', "openmoji eller drawn"),
        ('[[picture]]\nid = "x"\nalt = "En x"\ndrawn = "finns-inte.svg"\n', "saknas"),
        ('[[picture]]\nid = "x"\nalt = "En x"\nopenmoji = "FFFFFFF"\n', "saknas"),
        (
            '[[picture]]\nid = "x"\nalt = "A"\ndrawn = "guide.svg"\n'
            '[[picture]]\nid = "x"\nalt = "B"\ndrawn = "guide.svg"\n',
            "två gånger",
        ),
        ("[[picture]\n", "test.toml"),
    ],
    ids=["no alt", "no source", "missing drawn file", "unknown openmoji", "twice", "bad toml"],
)
def test_broken_registry_is_refused(tmp_path, registry, says):
    """A registry entry that points at nothing or repeats an id stops the start."""
    with pytest.raises(PictureError, match=says):
        load_pictures(write_registry(tmp_path / "registry", registry))


def test_svg_with_script_is_refused(tmp_path):
    """A drawn picture with a script in it is refused."""
    bad = tmp_path / "bad.svg"
    bad.write_bytes(b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
    registry = f'[[picture]]\nid = "x"\nalt = "En x"\ndrawn = "{bad}"\n'
    with pytest.raises(PictureError, match="script"):
        load_pictures(write_registry(tmp_path / "registry", registry))
