"""Swedish spelling of every text a child or a guardian reads in a flow, checked with hunspell.

The texts are the flows' steps and answers, the framework's areas and the scales (through
load_library + texts_used), every other text in those TOML files (e.g. the framework's name),
and the pictures' descriptions, which screen readers read aloud. Each is checked against
Debian's Swedish dictionary (`hunspell-sv`, installed by scripts/setup.sh). Words the
dictionary lacks but that are right go into samtal/flows/allowed_words.txt with a reason.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from samtal.config import ROOT
from samtal.flows import FLOWS_DIR, load_library, texts_used
from samtal.flows.extract import extract_texts

DICTIONARY = "sv_SE"
DICTIONARY_DIRS = [Path("/usr/share/hunspell"), Path("/usr/share/myspell/dicts")]
ALLOWED_FILE = FLOWS_DIR / "allowed_words.txt"
PICTURE_FILES = sorted((ROOT / "samtal" / "illustrations").glob("*.toml"))


def hunspell_or_skip() -> str:
    """The hunspell program, or skip (fail in CI) when it or the Swedish dictionary is missing."""
    program = shutil.which("hunspell")
    found = any((directory / f"{DICTIONARY}.dic").exists() for directory in DICTIONARY_DIRS)
    if program and found:
        return program
    message = (
        "hunspell or its Swedish dictionary is missing (Debian packages hunspell and "
        "hunspell-sv, installed by scripts/setup.sh): Swedish spelling not checked"
    )
    if os.environ.get("SAMTAL_REQUIRE_SERVICES") == "1":
        pytest.fail(message)
    pytest.skip(message)


def allowed_words() -> dict[str, str]:
    """The reviewed allow-list: word → why it is right."""
    allowed: dict[str, str] = {}
    for number, line in enumerate(ALLOWED_FILE.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        word, _hash, why = line.partition("#")
        word = word.strip()
        assert word and " " not in word, f"{ALLOWED_FILE.name}:{number}: one word per line"
        assert why.strip(), f"{ALLOWED_FILE.name}:{number}: say why {word!r} is right"
        allowed[word] = why.strip()
    return allowed


def shown_texts() -> dict[str, list[str]]:
    """Every text a child or guardian reads → where it stands ("file step")."""
    places: dict[str, list[str]] = {}
    library = load_library([FLOWS_DIR])
    for flow in sorted(library.flows.values(), key=lambda f: f.id):
        for step_id, text in texts_used(flow):
            places.setdefault(text, []).append(f"{flow.source.name} {step_id}")
    toml_files = sorted(FLOWS_DIR.rglob("*.toml")) + PICTURE_FILES
    for path in toml_files:
        with path.open("rb") as handle:
            for line, _function, text, comments in extract_texts(handle, [], [], {}):
                where = f"{path.relative_to(ROOT)}:{line} {' '.join(comments)}".strip()
                places.setdefault(text, []).append(where)
    return places


def unknown_words(program: str, texts: list[str]) -> set[str]:
    """The words hunspell's Swedish dictionary does not know, in all the texts at once."""
    result = subprocess.run(
        [program, "-i", "UTF-8", "-d", DICTIONARY, "-l"],
        input="\n".join(texts),
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**os.environ, "LC_ALL": "C.UTF-8"},
        check=True,
        timeout=120,
    )
    return set(result.stdout.split())


def occurs(word: str, text: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text) is not None


TEXTS = shown_texts()


def test_dictionary_catches_a_misspelling():
    """The check itself works: hunspell knows Swedish, with å, ä and ö, and flags a typo."""
    program = hunspell_or_skip()
    found = unknown_words(program, ["Vårdnadshavaren läser frågorna på förskolan.", "Jag gilar"])
    assert found == {"gilar"}


def test_every_flow_text_is_spelled_right():
    """No word unknown to the Swedish dictionary unless it is on the reviewed allow-list."""
    program = hunspell_or_skip()
    allowed = allowed_words()
    # %(role)s is filled with the role's configured name, so it is checked as that word.
    filled = [text.replace("%(role)s", "barnkontakt") for text in TEXTS]
    unknown = unknown_words(program, filled) - set(allowed)
    wrong = [
        f"{word!r} in {place}: {text!r}"
        for word in sorted(unknown)
        for text, places in TEXTS.items()
        if occurs(word, text)
        for place in places
    ]
    assert not unknown, (
        "unknown Swedish words (fix the text, or add the word with a reason to "
        f"{ALLOWED_FILE.relative_to(ROOT)}):\n" + "\n".join(wrong or sorted(unknown))
    )


def test_allow_list_holds_only_words_still_in_use():
    """The allow-list stays small: a word no text uses any more is removed from it."""
    unused = [word for word in allowed_words() if not any(occurs(word, t) for t in TEXTS)]
    assert not unused, f"no text uses these words any more; remove them from the list: {unused}"
