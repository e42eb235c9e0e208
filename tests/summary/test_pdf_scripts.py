"""Families' words in every script: a summary whose child and guardians wrote in all eight
languages comes out as PDF with every word as text, in embedded fonts that cover each script,
with no missing glyph, upright, right-to-left where the words are, tagged, in the document's
language (a signed copy PDF/A as well); the guardian's copy likewise; and the barnkontakt's
translation of any free-text answer stands beside the words in the summary and its exports."""

from __future__ import annotations

import io
import json
import logging
import re
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path

import jsonschema
import pytest
from pypdf import PdfReader
from pypdf.generic import DictionaryObject
from sqlmodel import col, select

from samtal import library
from samtal.config import ROOT
from samtal.conversation import engine, invitations, lifecycle, reading, records
from samtal.db import get_session
from samtal.flows import DECLINED
from samtal.i18n import isolated, text_direction
from samtal.models import Child, Conversation, Guardian, Invitation
from samtal.summary import exports
from tests.builders import REQUIRE_SERVICES, csrf_token_of

WORDS = {
    "sv": "Jag tycker om att rita",
    "en": "I like football",
    "ar": "أحب المدرسة كثيرا",
    "fa": "دوستانم را دوست دارم",
    "so": "Waxaan jeclahay dugsiga",
    "ti": "ቤት ትምህርቲ ይፈቱ",
    "uk": "Я люблю малювати",
    "fi": "Pidän jalkapallosta",
}
# Which words go where: the child writes in four languages (the adult switches the tablet's
# language between areas), each guardian in two.
CHILD_WORDS = {"omsorg.ord": "sv", "trygghet.ord": "fa", "ma_bra.ord": "so", "fritid.ord": "ti"}
GUARDIANS = {
    "Amal": {"omsorg.bra": "ar", "trygghet.bra": "en"},
    "Олена": {"omsorg.bra": "uk", "trygghet.bra": "fi"},
}
SCHEMA = json.loads((ROOT / "schema" / "summary-v1.schema.json").read_text())
BIDI_CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def answer_through(conversation: Conversation, words: Mapping[str, str]) -> None:
    """Answer every step to the goodbye: these steps' own words in their language, every other
    step with a plain answer."""
    session = get_session()
    flow = library.flows().of(conversation)
    assert flow is not None
    for _ in range(300):
        answers = records.stored_answers(session, conversation.id or 0)
        step = engine.position(flow, answers).step
        if step is None or step.kind == "goodbye":
            return
        if step.id in words:
            language = words[step.id]
            lifecycle.set_language(session=session, conversation=conversation, language=language)
            parsed = reading.Parsed(status="answered", words=WORDS[language])
        elif step.kind in ("message", "review"):
            parsed = reading.Parsed(status="answered")
        elif step.kind == "choose_area":
            first = engine.remaining_areas(flow, answers)[0].id
            parsed = reading.Parsed(status="answered", value=first)
        elif step.kind == "rating":
            parsed = reading.Parsed(status="answered", value=flow.scale[-1].value)
        elif step.options:
            value = next(o.value for o in step.options if not o.ends_conversation)
            parsed = reading.Parsed(status="answered", value=[value] if step.multiple else value)
        else:
            parsed = reading.Parsed(status=DECLINED)
        records.store_answer(
            session=session,
            conversation=conversation,
            flow=flow,
            step=step,
            parsed=parsed,
            request_key=None,
            by=flow.audience,
        )
    raise AssertionError("the conversation never ended")


@pytest.fixture
def multilingual(app, staff_client):
    """A barnkontakt's client, a child whose own words and guardians' words are in all eight
    languages, and each guardian's invitation token."""
    client, staff = staff_client("barnkontakt")
    with app.test_request_context():
        session = get_session()
        child = Child(name="سارا", birth_year=2015, barnkontakt_id=staff.id)
        session.add(child)
        session.commit()
        flow = library.flows().get("barn-10-12")
        assert flow is not None
        conversation = lifecycle.start_conversation(
            session=session, flow=flow, name=child.name, age=10, child=child
        )
        answer_through(conversation, CHILD_WORDS)
        tokens: dict[str, str] = {}
        for name, words in GUARDIANS.items():
            issued = invitations.issue(
                session=session,
                child=child,
                flow=library.flows().for_audience("guardian")[0],
                guardian_name=name,
                language=next(iter(words.values())),
            )
            answer_through(issued.conversation, words)
            tokens[name] = issued.token
        return client, child.id, tokens


def poppler(command: str, pdf: bytes, tmp_path: Path, *options: str) -> str:
    """What one of poppler-utils' commands prints about this PDF."""
    if not shutil.which(command):
        message = f"{command} is not installed (poppler-utils): run scripts/setup.sh"
        if REQUIRE_SERVICES:
            pytest.fail(message)
        pytest.skip(message)
    file = tmp_path / "document.pdf"
    file.write_bytes(pdf)
    return subprocess.run(
        [command, *options, str(file), *(["-"] if command == "pdftotext" else [])],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def problems(caplog) -> list[str]:
    """What WeasyPrint said about a render that matters to a reader: each character drawn as
    .notdef (a box; a warning) and anything the tagging needs left out, such as an image
    without a text alternative (an error). Ignored screen-only CSS is neither."""
    return [
        r.getMessage()
        for r in caplog.records
        if ".notdef" in r.getMessage() or r.levelno >= logging.ERROR
    ]


def summary_pdf(client, child_id: int) -> bytes:
    response = client.get(f"/arbete/barn/{child_id}/sammanstallning/pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    return response.data


def test_every_language_comes_out_as_text_in_fonts_for_its_script(multilingual, tmp_path, caplog):
    client, child_id, _tokens = multilingual
    # WeasyPrint warns once for every character it had to draw as .notdef (a box).
    caplog.set_level(logging.WARNING, logger="weasyprint")
    pdf = summary_pdf(client, child_id)
    assert problems(caplog) == []

    text = " ".join(BIDI_CONTROLS.sub("", poppler("pdftotext", pdf, tmp_path)).split())
    for language, words in WORDS.items():
        assert words in text, language
    assert "Vårdnadshavare: Олена" in text and "سارا" in text

    fonts = poppler("pdffonts", pdf, tmp_path)
    embedded = [line.split()[0].split("+")[-1] for line in fonts.splitlines()[2:]]
    assert all(line.split()[-5] == "yes" for line in fonts.splitlines()[2:]), fonts
    for family in ("Noto-Sans", "Noto-Sans-Arabic", "Noto-Sans-Ethiopic"):
        assert family in embedded, fonts
    # No slanted copy made by the renderer (Arabic and Ethiopic have no italics).
    assert not [name for name in embedded if "Oblique" in name], fonts


def test_right_to_left_words_keep_their_direction_inside_swedish(multilingual):
    client, child_id, _tokens = multilingual
    html = client.get(f"/arbete/barn/{child_id}/sammanstallning/utskrift").get_data(as_text=True)
    assert f'<q lang="ar" dir="rtl">{WORDS["ar"]}</q>' in html
    assert f'<q lang="fa" dir="rtl">{WORDS["fa"]}</q>' in html
    assert f'<q lang="ti" dir="ltr">{WORDS["ti"]}</q>' in html
    assert '<h1>Sammanställning: <bdi dir="rtl">سارا</bdi></h1>' in html


def test_a_draft_is_tagged_pdf_ua_and_a_signed_copy_pdf_a_too(multilingual, tmp_path):
    client, child_id, _tokens = multilingual
    draft = summary_pdf(client, child_id)
    info = poppler("pdfinfo", draft, tmp_path)
    assert re.search(r"^Tagged:\s+yes$", info, re.M), info
    catalog = PdfReader(io.BytesIO(draft)).root_object
    marks = catalog["/MarkInfo"].get_object()
    assert isinstance(marks, DictionaryObject)
    assert catalog["/Lang"] == "sv" and marks["/Marked"]
    metadata = poppler("pdfinfo", draft, tmp_path, "-meta")
    assert 'pdfuaid:part="1"' in metadata and "pdfaid" not in metadata

    base = f"/arbete/barn/{child_id}/sammanstallning"
    page = client.get(base).get_data(as_text=True)
    signed = client.post(
        f"{base}/signera",
        data={"csrf_token": csrf_token_of(page), "anteckningar": "1", "bekrafta": "ja"},
    )
    assert signed.status_code == 303
    archival = summary_pdf(client, child_id)
    assert re.search(r"^Tagged:\s+yes$", poppler("pdfinfo", archival, tmp_path), re.M)
    metadata = poppler("pdfinfo", archival, tmp_path, "-meta")
    assert 'pdfaid:part="2"' in metadata and 'pdfaid:conformance="A"' in metadata
    assert "<pdfuaid:part>1</pdfuaid:part>" in metadata
    # PDF/A carries the colour space it was made for.
    assert "/OutputIntents" in PdfReader(io.BytesIO(archival)).root_object


def test_a_character_no_font_has_is_counted_as_missing(app, caplog):
    """The check above can fail: a private-use character has no glyph in any font."""
    caplog.set_level(logging.WARNING, logger="weasyprint")
    stylesheet = Path(app.static_folder or "") / "samtal.css"
    exports.render_pdf('<html lang="sv"><body><p>Hej \ue123</p></body></html>', stylesheet)
    assert problems(caplog)


@pytest.mark.parametrize(
    ("text", "direction"),
    [
        ("أحب المدرسة", "rtl"),
        ("12، دوست", "rtl"),  # digits and punctuation are neutral: the first letter decides
        ("Jag tycker", "ltr"),
        ("ቤት", "ltr"),
        ("«Я»", "ltr"),
        ("", "ltr"),
        (None, "ltr"),
    ],
)
def test_text_direction_is_that_of_the_first_letter(text, direction):
    assert text_direction(text) == direction


def test_isolated_escapes_and_sets_the_direction():
    assert str(isolated("<سارا>")) == '<bdi dir="rtl">&lt;سارا&gt;</bdi>'


def test_the_guardians_copy_is_a_pdf_in_their_language(multilingual, app, tmp_path, caplog):
    _client, _child_id, tokens = multilingual
    guardian = app.test_client()
    # Amal wrote in Arabic and English and reads the questionnaire in Arabic.
    with app.test_request_context():
        session = get_session()
        invitation = session.exec(select(Invitation).order_by(col(Invitation.id))).first()
        assert invitation is not None
        conversation = session.get(Conversation, invitation.conversation_id)
        assert conversation is not None
        lifecycle.set_language(session=session, conversation=conversation, language="ar")
    caplog.set_level(logging.WARNING, logger="weasyprint")
    response = guardian.get(f"/v/{tokens['Amal']}/kopia?ladda-ner=1")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert 'filename="mina-svar.pdf"' in response.headers["Content-Disposition"]
    assert problems(caplog) == []
    pdf = response.data
    catalog = PdfReader(io.BytesIO(pdf)).root_object
    assert catalog["/Lang"] == "ar"
    assert re.search(r"^Tagged:\s+yes$", poppler("pdfinfo", pdf, tmp_path), re.M)
    text = " ".join(BIDI_CONTROLS.sub("", poppler("pdftotext", pdf, tmp_path)).split())
    assert WORDS["ar"] in text and WORDS["en"] in text
    assert "إجاباتي" in text  # the heading, "Mina svar", in her language
    assert "Noto-Sans-Arabic" in poppler("pdffonts", pdf, tmp_path)


def test_the_barnkontakts_translation_stands_beside_any_familys_words(multilingual, app, tmp_path):
    client, child_id, _tokens = multilingual
    base = f"/arbete/barn/{child_id}/sammanstallning"
    page = client.get(base).get_data(as_text=True)
    with app.app_context():
        amal = get_session().exec(select(Guardian).where(Guardian.name == "Amal")).one()
    child_field, guardian_field = "tr-child/trygghet.ord", f"tr-guardian-{amal.id}/omsorg.bra"
    # A field for every free-text answer not in Swedish, the child's and the guardians'.
    for field in (child_field, guardian_field, "tr-child/fritid.ord", "tr-child/ma_bra.ord"):
        assert f'name="{field}"' in page, field
    assert 'name="tr-child/omsorg.ord"' not in page  # written in Swedish
    saved = client.post(
        base,
        data={
            "csrf_token": csrf_token_of(page),
            "anteckningar": "1",
            child_field: "Jag tycker om mina vänner",
            guardian_field: "Jag älskar skolan mycket",
            "tr-guardian-999/annat": "aldrig visad",  # no such answer: nothing to show it by
        },
    )
    assert saved.status_code == 303

    shown = client.get(base).get_data(as_text=True)
    assert "Barnkontaktens översättning:" in shown
    assert ">Jag älskar skolan mycket</textarea>" in shown  # kept in the form too
    document = client.get(f"{base}/json").get_json()
    jsonschema.Draft202012Validator(SCHEMA).validate(document)
    omsorg = next(a for a in document["summary"]["areas"] if a["id"] == "omsorg")
    (amals,) = [g for g in omsorg["guardians"] if g["name"] == "Amal"][0]["strengths"]
    assert (amals["text"], amals["translation"]) == (WORDS["ar"], "Jag älskar skolan mycket")
    assert "aldrig visad" not in json.dumps(document, ensure_ascii=False)

    text = " ".join(
        BIDI_CONTROLS.sub("", poppler("pdftotext", summary_pdf(client, child_id), tmp_path)).split()
    )
    assert "Barnkontaktens översättning: Jag älskar skolan mycket" in text
    assert "Barnkontaktens översättning: Jag tycker om mina vänner" in text
