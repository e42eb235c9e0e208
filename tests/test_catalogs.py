"""Every catalog is complete, not fuzzy, and keeps the placeholders of its Swedish source."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from samtal.config import DEFAULTS, ROOT

I18N = ROOT / "i18n"
TRANSLATED = [code for code in DEFAULTS["LANGUAGES"] if code != "sv"]
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]")


def read_catalog(path: Path):
    """A .po or .pot file as a Babel catalog."""
    with path.open("rb") as handle:
        return read_po(handle)


def placeholders(text: str) -> set[str]:
    """The %(name)s placeholders in a message."""
    return set(PLACEHOLDER.findall(text))


@pytest.fixture(scope="module")
def template_ids() -> set[str]:
    """Every message id in the translation template."""
    return {
        str(m.id if isinstance(m.id, str) else m.id[0])
        for m in read_catalog(I18N / "messages.pot")
        if m.id
    }


@pytest.mark.parametrize("language", TRANSLATED)
def test_catalog_has_every_message_translated(language: str, template_ids: set[str]):
    """A family reading their language never meets an untranslated Swedish text."""
    catalog = read_catalog(I18N / language / "LC_MESSAGES" / "messages.po")
    translated = {}
    for message in catalog:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        translated[key] = all(s.strip() for s in strings)
    missing = sorted(i for i in template_ids if not translated.get(i))
    assert not missing, f"{language}: {len(missing)} untranslated, e.g. {missing[:5]}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_catalog_has_no_fuzzy_or_stale_entries(language: str, template_ids: set[str]):
    """No guessed (fuzzy) translation is shown, and no message is left over from old texts."""
    catalog = read_catalog(I18N / language / "LC_MESSAGES" / "messages.po")
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert not fuzzy, f"{language}: fuzzy entries {fuzzy[:5]}"
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}
    assert not ids - template_ids, (
        f"{language}: entries not in the template {sorted(ids - template_ids)[:5]}"
    )


@pytest.mark.parametrize("language", TRANSLATED)
def test_placeholders_match_the_source(language: str):
    """A translated message keeps every %(name)s of its source, so nothing goes missing."""
    catalog = read_catalog(I18N / language / "LC_MESSAGES" / "messages.po")
    wrong = []
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            expected = placeholders(message.id[1])
            for form in message.string:
                if placeholders(form) - expected:
                    wrong.append(message.id[0])
            if placeholders(message.string[-1]) != expected:
                wrong.append(message.id[0])
        elif placeholders(message.string) != placeholders(message.id):
            wrong.append(message.id)
    assert not wrong, f"{language}: placeholder mismatch in {wrong[:5]}"


def test_every_language_has_a_review_status():
    """The adult can be told whether a human translator has reviewed the catalog in use."""
    statuses = tomllib.loads((I18N / "catalogs.toml").read_text("utf-8"))
    for language in DEFAULTS["LANGUAGES"]:
        assert statuses.get(language, {}).get("status") in ("source", "reviewed", "not-reviewed")
