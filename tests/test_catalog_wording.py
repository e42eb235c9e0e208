"""The catalogs' wording: a child is spoken to as a child, the guide's name is in each script,
fritids and Behovskompassen are explained, the barnkontakt is never "he", and what a catalog
does where its grammar has no neutral form is written down."""

from __future__ import annotations

import tomllib

import pytest
from babel.messages.pofile import read_po

from samtal.config import DEFAULTS, ROOT
from tests.builders import answer_steps

I18N = ROOT / "i18n"
HINT = "Välj så många du vill och tryck sedan på Klar."
PICK = "Välj en bild och tryck sedan på Klar."
KIM = {"ar": "كيم", "fa": "کیم", "ti": "ኪም", "uk": "Кім"}


def catalog(language: str):
    """A language's family catalog as it is in the repository."""
    with (I18N / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle)


def translations(language: str, word: str) -> list[str]:
    """Every translation whose Swedish source has this word."""
    found: list[str] = []
    for message in catalog(language):
        source = message.id if isinstance(message.id, str) else (message.id or ("",))[0]
        if message.id and word in source:
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            found.extend(strings)
    return found


@pytest.mark.parametrize(
    ("language", "formal", "informal"),
    [("fa", "کنید", "کن "), ("ti", "ምረጹ", "ምረጽ")],
)
def test_a_child_gets_the_informal_hint_and_a_guardian_the_formal_one(language, formal, informal):
    messages = catalog(language)
    for source in (HINT, PICK):
        guardian = messages.get(source).string
        child = messages.get(source, context="barn").string
        guardian, child = (s[0] if isinstance(s, tuple) else s for s in (guardian, child))
        assert formal in guardian and formal not in child, (source, child)
        assert informal in child, (source, child)


def test_the_childs_screen_shows_the_childs_hint(app, start, client):
    conversation, path = start("barn-10-12", language="fa")
    # To "Vad är bra?" about omsorg: up to three pictures, then Klar.
    answer_steps(app, conversation.id, "hej", "inga_fel", "vem_laser", "valj_omrade", "omsorg.hur")
    html = client.get(path).get_data(as_text=True)
    assert "حداکثر 3 تصویر را انتخاب کن و بعد «تمام» را بزن." in html
    assert "انتخاب کنید" not in html


@pytest.mark.parametrize("language", sorted(KIM))
def test_the_guide_is_called_kim_in_the_languages_script(language):
    said = [text for text in translations(language, "Kim") if text]
    assert said
    for text in said:
        assert KIM[language] in text and "Kim" not in text, text


def test_fritids_and_behovskompassen_are_said_in_the_language():
    for language, swedish in (("so", "fritids"), ("ti", "ፍሪቲድስ")):
        for text in translations(language, "fritids"):
            assert swedish not in text, (language, text)
    assert "Needs Compass" in catalog("en").get("Behovskompassen").string


def test_the_barnkontakt_is_never_he():
    for language, he in (("ar", "هو "), ("ti", "ንሱ")):
        for text in translations(language, "barnkontakt"):
            assert he not in text, (language, text)


def test_every_catalog_stays_not_reviewed_and_says_how_it_handles_gender():
    catalogs = tomllib.loads((I18N / "catalogs.toml").read_text("utf-8"))
    for language in DEFAULTS["LANGUAGES"]:
        expected = "source" if language == "sv" else "not-reviewed"
        assert catalogs[language]["status"] == expected
    for language in ("ar", "so", "ti", "fa"):
        assert catalogs[language]["gender"]


def test_a_declined_words_step_is_shown_in_the_language(app, start, client):
    conversation, path = start("barn-10-12", language="ar")
    steps = ("hej", "inga_fel", "vem_laser", "valj_omrade", "omsorg.hur", "omsorg.bra")
    answer_steps(app, conversation.id, *steps, "omsorg.ord")  # no words: "Vill inte svara"
    html = client.get(path).get_data(as_text=True)
    bubble = html.split('class="bubble child-bubble"')[1].split("</div>")[0]
    assert "لا أريد أن أجيب" in bubble
    assert '<span class="swedish-beside" lang="sv" dir="ltr">Vill inte svara</span>' in bubble
