"""Retired versions: an earlier version of a flow stays loaded, checked like the others, for
the conversations run under it; a new conversation never gets it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from samtal.flows import FLOWS_DIR, FlowError, load_library
from samtal.illustrations import load_pictures
from tests.builders import TEST_FLOWS

PICTURES = set(load_pictures())
REAL = load_library([FLOWS_DIR], known_pictures=PICTURES)


def with_retired(tmp_path: Path, files: dict[str, str]):
    """The tiny test flows with these files (name → text) in retired/, loaded."""
    directory = tmp_path / "flows"
    shutil.copytree(TEST_FLOWS, directory)
    (directory / "retired").mkdir()
    for name, text in files.items():
        (directory / "retired" / name).write_text(text, encoding="utf-8")
    return load_library([directory], known_pictures=PICTURES)


def fast(version: int) -> str:
    """test-fast.toml (version 3) as if it were another version."""
    text = (TEST_FLOWS / "test-fast.toml").read_text(encoding="utf-8")
    assert text.count("version = 3\n") == 1
    return text.replace("version = 3\n", f"version = {version}\n")


def test_the_first_4_6_version_is_kept_for_its_conversations_and_never_offered():
    """barn-4-6 version 1 (the one before 20 screens) is loaded with its own steps; every age,
    audience and list of flows to start still gives the current version."""
    first, now = REAL.get("barn-4-6", 1), REAL.get("barn-4-6")
    assert first is not None and now is not None
    assert (first.version, first.retired, now.retired) == (1, True, False)
    assert now.version > 1
    assert first.step("ansvarstagande.bra") is not None
    assert now.step("ansvarstagande.bra") is None
    assert REAL.for_age(5) is now
    offered = REAL.for_audience("child", purpose=None) + REAL.for_audience("guardian", None)
    assert not any(flow.retired for flow in offered)
    assert first not in REAL.flows.values()


def test_a_version_not_kept_is_read_with_the_newest_one():
    """A conversation whose own version is gone opens with the newest version of its flow;
    a flow of which no version is kept gives nothing."""
    assert REAL.get("barn-4-6", 99) is REAL.get("barn-4-6")
    assert REAL.get("barn-4-6", 2) is REAL.get("barn-4-6")
    assert REAL.get("finns-inte", 1) is None


def test_a_retired_version_loads_beside_the_current_one(tmp_path):
    """retired/test-fast.v2.toml is version 2; its audio is found beside the current file."""
    library = with_retired(tmp_path, {"test-fast.v2.toml": fast(2)})
    earlier = library.get("test-fast", 2)
    assert earlier is not None and earlier.retired and earlier.version == 2
    assert library.get("test-fast").version == 3  # type: ignore[union-attr]
    assert earlier.step("hej").audio["sv"].parent == tmp_path / "flows" / "audio"  # type: ignore[union-attr]
    assert sorted(library.retired) == [("test-fast", 2)]


@pytest.mark.parametrize(
    ("files", "says"),
    [
        ({"test-fast.v1.toml": fast(2)}, "<namn>.v2.toml"),
        ({"test-fast.v3.toml": fast(3)}, "lägre version"),
        ({"a.v2.toml": fast(2), "b.v2.toml": fast(2)}, "finns redan"),
        (
            {"test-fast.v2.toml": fast(2).replace('picture = "guide"', 'picture = "finns.inte"')},
            "okänd bild",
        ),
    ],
    ids=["named after another version", "not older", "twice", "broken like any flow"],
)
def test_a_retired_file_that_does_not_fit_stops_the_start(tmp_path, files, says):
    """A retired version is checked like any flow, and must say unambiguously which it is."""
    with pytest.raises(FlowError, match=says) as caught:
        with_retired(tmp_path, files)
    assert "retired" in caught.value.file
