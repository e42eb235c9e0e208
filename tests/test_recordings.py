"""Recorded read-aloud: a translator records each text per language; the tablet plays it."""

from __future__ import annotations

import re
import shutil
import subprocess
from io import BytesIO
from pathlib import Path

import pytest
from sqlmodel import select

from samtal import library, recordings
from samtal.config import DEFAULTS
from samtal.db import get_session
from samtal.models import Recording
from tests.builders import STAFF_PASSWORD, answer_steps, csrf_token_of, make_app

LANGUAGES = DEFAULTS["LANGUAGES"]
# espeak-ng has a voice for these; Somali and Tigrinya get a tone (espeak-ng has no voice).
SPOKEN = {"sv": "Hej", "en": "Hello", "ar": "مرحبا", "fa": "سلام", "uk": "Привіт", "fi": "Hei"}
TOOLS = ("espeak-ng", "sox", "opusenc")


def _opus(wav: Path) -> Path:
    out = wav.with_suffix(".opus")
    subprocess.run(
        ["opusenc", "--quiet", "--downmix-mono", "--bitrate", "24", str(wav), str(out)], check=True
    )
    return out


@pytest.fixture(scope="module")
def voices(tmp_path_factory) -> dict[str, bytes]:
    """A short mono Ogg Opus per language, made from a generated WAV like a recording would be."""
    missing = [tool for tool in TOOLS if not shutil.which(tool)]
    assert not missing, f"run scripts/setup.sh: {missing} missing"
    folder = tmp_path_factory.mktemp("voices")
    made = {}
    for language in LANGUAGES:
        wav = folder / f"{language}.wav"
        if language in SPOKEN:
            subprocess.run(
                ["espeak-ng", "-v", language, "-w", str(wav), SPOKEN[language]], check=True
            )
        else:
            tone = ["-r", "16000", "-c", "2", "-b", "16", str(wav), "synth", "1", "sine", "440"]
            subprocess.run(["sox", "-n", *tone], check=True)
        made[language] = _opus(wav).read_bytes()
    # Two refused files: a stereo Opus and the WAV itself.
    stereo = folder / "stereo.opus"
    subprocess.run(["opusenc", "--quiet", str(folder / "so.wav"), str(stereo)], check=True)
    made["stereo"] = stereo.read_bytes()
    made["wav"] = (folder / "sv.wav").read_bytes()
    return made


def upload(client, language: str, flow_id: str, text: str, data: bytes, name="inspelning.ogg"):
    """Post a recording of one text through the recording page's form."""
    page = client.get(f"/arbete/oversattning/{language}/inspelningar?flode={flow_id}")
    assert page.status_code == 200
    return client.post(
        f"/arbete/oversattning/{language}/inspelningar",
        data={
            "csrf_token": csrf_token_of(page.get_data(as_text=True)),
            "flode": flow_id,
            "text": recordings.text_key(text),
            "file": (BytesIO(data), name),
        },
        content_type="multipart/form-data",
    )


def read_aloud_audio(html: str) -> list[str]:
    """The recorded sounds the page's read-aloud buttons play, in page order."""
    return re.findall(r'data-read-aloud="[^"]*" data-audio="([^"]+)"', html)


def first_step(app, flow_id: str):
    with app.app_context():
        return next(library.flows().flows[flow_id].all_steps())


def test_a_recording_per_language_plays_on_the_tablet_question_and_answers(
    app, staff_client, start, voices
):
    translator, _staff = staff_client("oversattare")
    hello = first_step(app, "barn-4-6")
    yes = next(o for o in hello.options if o.value == "ja")
    for language in LANGUAGES:
        saved = upload(translator, language, "barn-4-6", hello.text, voices[language])
        assert saved.status_code == 303, saved.get_data(as_text=True)
    assert upload(translator, "ar", "barn-4-6", yes.text, voices["ar"]).status_code == 303

    for language in LANGUAGES:
        _conversation, path = start("barn-4-6", language=language)
        html = translator.get(path).get_data(as_text=True)
        played = read_aloud_audio(html)
        assert played and played[0].startswith("/ljud/inspelning/"), (language, played)
        sound = translator.get(played[0])
        assert sound.status_code == 200
        assert sound.mimetype == "audio/ogg"
        assert sound.data == voices[language]
        # A 4–6-year-old gets a speaker beside each answer: recorded only where one was made.
        speakers = re.findall(r'class="read-aloud option-voice" data-read-aloud="([^"]*)"', html)
        assert len(speakers) == len(hello.options), (language, speakers)
        assert (len(played) == 2) == (language == "ar"), (language, played)
        # No voice on the device and no recording: the note for the adult is there to show.
        assert "data-no-read-aloud" in html

    _conversation, path = start("barn-10-12", language="ar")
    assert "option-voice" not in translator.get(path).get_data(as_text=True)

    # A child of 7–9 choosing what to talk about hears each area's name.
    with app.app_context():
        safety = library.flows().flows["barn-7-9"].framework.area("trygghet")
    assert upload(translator, "ar", "barn-7-9", safety.label, voices["ar"]).status_code == 303
    conversation, path = start("barn-7-9", language="ar")
    answer_steps(app, conversation.id, "hej", "inga_fel", "vem_laser")
    html = translator.get(path).get_data(as_text=True)
    areas = re.findall(
        r'class="read-aloud option-voice" data-read-aloud="[^"]*"( data-audio)?', html
    )
    assert len(areas) == 8 and areas.count(" data-audio") == 1, areas


def test_what_is_not_a_short_mono_opus_recording_is_refused_with_a_message(
    app, staff_client, voices
):
    translator, _staff = staff_client("oversattare")
    hello = first_step(app, "barn-4-6")
    too_large = voices["sv"][:200] + b"\0" * (recordings.MAX_BYTES + 10)
    refused = {
        "stereo": (voices["stereo"], "mono"),
        "wav": (voices["wav"], "ingen Opus-inspelning"),
        "large": (too_large, "för stor"),
        "empty": (b"", "tom"),
    }
    for name, (data, message) in refused.items():
        response = upload(translator, "so", "barn-4-6", hello.text, data)
        assert response.status_code == 400, name
        assert message in response.get_data(as_text=True), name
    with app.app_context():
        assert get_session().exec(select(Recording)).all() == []
    # A text that is not in the flow is not a place for a recording.
    assert upload(translator, "so", "barn-4-6", "Något annat", voices["so"]).status_code == 404


def test_a_recording_takes_precedence_over_the_flow_file_and_can_be_replaced(
    app, staff_client, start, voices
):
    translator, _staff = staff_client("admin")
    question = first_step(app, "test-fast")
    _conversation, path = start("test-fast")
    assert read_aloud_audio(translator.get(path).get_data(as_text=True)) == [
        "/ljud/test-fast/hej/sv?version=3"
    ]

    assert upload(translator, "sv", "test-fast", question.text, voices["sv"]).status_code == 303
    first = read_aloud_audio(translator.get(path).get_data(as_text=True))[0]
    assert first.startswith("/ljud/inspelning/")
    assert upload(translator, "sv", "test-fast", question.text, voices["fi"]).status_code == 303
    second = read_aloud_audio(translator.get(path).get_data(as_text=True))[0]
    assert second != first
    assert translator.get(first).status_code == 404
    assert translator.get(second).data == voices["fi"]

    page = translator.get("/arbete/oversattning/sv/inspelningar?flode=test-fast")
    removed = translator.post(
        "/arbete/oversattning/sv/inspelningar/radera",
        data={
            "csrf_token": csrf_token_of(page.get_data(as_text=True)),
            "flode": "test-fast",
            "text": recordings.text_key(question.text),
        },
    )
    assert removed.status_code == 303
    assert read_aloud_audio(translator.get(path).get_data(as_text=True)) == [
        "/ljud/test-fast/hej/sv?version=3"
    ]


def test_the_recording_page_may_use_the_microphone_and_only_translators_and_admins_see_it(
    staff_client,
):
    translator, _staff = staff_client("oversattare")
    assert translator.get("/arbete/").headers["Location"].endswith("/arbete/oversattning/")
    page = translator.get("/arbete/oversattning/ar/inspelningar")
    assert "microphone=(self)" in page.headers["Permissions-Policy"]
    assert "media-src 'self' blob:" in page.headers["Content-Security-Policy"]
    html = page.get_data(as_text=True)
    assert 'lang="ar" dir="rtl"' in html
    overview = translator.get("/arbete/oversattning/").get_data(as_text=True)
    assert "inte granskad" in overview
    barnkontakt, _staff = staff_client("barnkontakt")
    assert barnkontakt.get("/arbete/oversattning/ar/inspelningar").status_code == 403
    assert translator.get("/arbete/oversattning/xx/inspelningar").status_code == 404


def test_a_recording_and_a_review_are_kept_on_every_database(any_database_url, voices):
    from samtal.tools import review as catalog_review

    app = make_app(any_database_url)
    try:
        staff = accounts_for(app)
        with app.test_request_context():
            db = get_session()
            first = recordings.save(
                session=db, language="ti", text="Ja", data=voices["ti"], staff_id=staff
            )
            again = recordings.save(
                session=db, language="ti", text="Ja", data=voices["so"], staff_id=staff
            )
            db.expire_all()
            (kept,) = db.exec(select(Recording)).all()  # a new take replaces the old one
            assert (kept.id, kept.data) == (first.id, voices["so"])
            assert again.digest == kept.digest
            directory = app.config["BABEL_TRANSLATION_DIRECTORIES"]
            message = next(m for m in catalog_review.messages(directory, "ti") if m.source == "Ja")
            catalog_review.review(
                session=db, language="ti", message=message, correction="እወ!", staff_id=staff
            )
            assert catalog_review.reviews(db, "ti")[message.key].correction == "እወ!"
    finally:
        app.extensions["samtal.engine"].dispose()


def accounts_for(app) -> int:
    """A translator's id in this app's database."""
    from samtal.staff import accounts

    with app.app_context():
        staff = accounts.create_staff(
            session=get_session(),
            email="oversattare@kommun.example",
            name="Översättare",
            role="oversattare",
            password=STAFF_PASSWORD,
        )
        assert staff.id is not None
        return staff.id
