"""A translator records a text with the microphone (Chromium's fake one) on the recording page;
the tablet plays that recording, and says so when a language has no read-aloud at all."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from samtal import recordings
from samtal.db import get_session
from samtal.staff import accounts
from tests.browser.checks import TABLET, screenshot, violations
from tests.builders import STAFF_PASSWORD

pytestmark = pytest.mark.browser
CHROMIUM = os.environ.get("SAMTAL_CHROMIUM", "/usr/bin/chromium")

# Every HTMLMediaElement.play() call, so the test knows what the tablet played and that it did.
RECORD_PLAYS = """
window.__played = [];
const play = HTMLMediaElement.prototype.play;
HTMLMediaElement.prototype.play = function () {
  const entry = { src: this.src, ended: false, playing: false };
  window.__played.push(entry);
  this.addEventListener("playing", () => { entry.playing = true; });
  this.addEventListener("ended", () => { entry.ended = true; });
  return play.call(this);
};
"""


@pytest.fixture(scope="module")
def microphone_browser(browser) -> Iterator:
    """A second Chromium, from the run's own Playwright, whose microphone is the fake one and
    which never asks for permission."""
    fake = browser.browser_type.launch(
        executable_path=CHROMIUM,
        args=[
            "--no-sandbox",
            "--disable-gpu",
            "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream",
            "--autoplay-policy=no-user-gesture-required",
        ],
    )
    yield fake
    fake.close()


def test_a_text_recorded_with_the_microphone_plays_on_the_tablet(
    microphone_browser, live_app, start_tablet
):
    with live_app.app_context():
        staff = accounts.create_staff(
            session=get_session(),
            email="oversattare@kommun.example",
            name="Översättare",
            role="oversattare",
            password=STAFF_PASSWORD,
        )
    base = live_app.config["BASE_URL"]
    errors: list[str] = []
    context = microphone_browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="sv-SE", permissions=["microphone"]
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(base + "/logga-in")
    page.get_by_label("E-postadress").fill(staff.email)
    page.get_by_label("Lösenord").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Logga in", exact=True).click()
    expect(page.get_by_role("heading", name="Översättning och uppläsning")).to_be_visible()

    page.goto(base + "/arbete/oversattning/ar/inspelningar?flode=barn-4-6")
    item = page.locator(".recording-item").first
    expect(item.locator(".recording-text")).to_have_attribute("dir", "rtl")
    item.get_by_role("button", name="Spela in").click()
    expect(item.get_by_role("status")).to_contain_text("Spelar in")
    page.wait_for_timeout(1500)
    item.get_by_role("button", name="Stoppa").click()
    expect(item.locator("[data-preview]")).to_be_visible()
    expect(item.get_by_role("status")).to_contain_text("Lyssna på inspelningen")
    screenshot(page, "recording-01-recorded")
    item.get_by_role("button", name="Spara inspelningen").click()
    expect(page.get_by_role("status").first).to_have_text("Inspelningen är sparad.")
    stored = page.locator(".recording-item").first.locator(".recorded audio")
    recording_url = stored.get_attribute("src")
    assert recording_url and recording_url.startswith("/ljud/inspelning/")
    sound = page.request.get(base + recording_url)
    assert sound.headers["content-type"] == "audio/webm"
    assert recordings.check(sound.body()) == "audio/webm"  # mono Opus in WebM, as the server asks
    assert violations(page) == []
    for path in ("/arbete/oversattning/", "/arbete/oversattning/ar/granskning"):
        page.goto(base + path)
        assert violations(page) == [], path
    context.close()

    # The tablet in Arabic plays the recording for the question.
    tablet = microphone_browser.new_context(**{**TABLET, "locale": "ar"})
    tablet.set_default_timeout(10_000)
    child = tablet.new_page()
    child.on("pageerror", lambda error: errors.append(str(error)))
    child.add_init_script(RECORD_PLAYS)
    _id, url = start_tablet("barn-4-6", language="ar")
    child.goto(url)
    question_voice = child.locator(".guide-bubble [data-read-aloud]")
    expect(question_voice).to_be_visible()
    expect(question_voice).to_have_attribute("data-audio", recording_url)
    expect(child.locator("[data-no-read-aloud]")).to_be_hidden()
    question_voice.tap()
    child.wait_for_function("() => window.__played.length && window.__played[0].ended")
    played = child.evaluate("window.__played")
    assert played[0]["src"].endswith(recording_url) and played[0]["playing"], played
    # The answers have no recording; without an Arabic voice on the device they stay silent.
    has_voice = child.evaluate(
        "speechSynthesis.getVoices().some(v => v.lang.toLowerCase().startsWith('ar'))"
    )
    answer_voices = child.locator(".option-voice")
    assert answer_voices.count() == 2
    for index in range(answer_voices.count()):
        assert answer_voices.nth(index).is_visible() == has_voice
    screenshot(child, "recording-02-tablet-ar")

    # Tigrinya: nothing recorded and (on this device) no voice: the adult is told.
    _id, url = start_tablet("barn-4-6", language="ti")
    child.goto(url)
    if not child.evaluate("speechSynthesis.getVoices().some(v => v.lang.startsWith('ti'))"):
        expect(child.locator(".guide-bubble [data-read-aloud]")).to_be_hidden()
        expect(child.locator("[data-no-read-aloud]")).to_be_visible()
        expect(child.locator("[data-no-read-aloud] .swedish-beside")).to_have_text(
            "Den här enheten kan inte läsa upp det här språket. Den vuxna kan läsa för barnet."
        )
    tablet.close()
    assert not errors, errors
