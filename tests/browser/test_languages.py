"""The child's conversation in other languages, switching language, recorded read-aloud (SPEC §6).

Nothing here reads a translated word to find its way: steps are answered through the form's
kind and its structure (see test_guardian_journey.py), so the tests do not depend on how a
translator phrased anything – only on the Swedish source being shown beside it.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from playwright.sync_api import Page, expect

from tests.browser.checks import screenshot
from tests.browser.journey import (
    answer_form,
    expect_language,
    expect_own_language_first,
    faces,
    give_any_answer,
    kind,
    question,
    swap,
)
from tests.builders import panel_pin

PERSIAN = re.compile(r"[\u0600-\u06FF]")
PERSIAN_WORDS = "من فوتبال دوست دارم"
# Records every played media element and every synthetic utterance, before the page's script.
RECORD_PLAYBACK = """
window.__played = [];
window.__spoken = [];
const realPlay = HTMLMediaElement.prototype.play;
HTMLMediaElement.prototype.play = function () {
  const record = {src: this.src, isAudio: this instanceof HTMLAudioElement, state: "asked"};
  window.__played.push(record);
  this.addEventListener("ended", () => { record.ended = true; });
  const started = realPlay.call(this);
  started.then(
    () => { record.state = "playing"; },
    (error) => { record.state = "refused: " + error.name; },
  );
  return started;
};
if ("speechSynthesis" in window) {
  const realSpeak = window.speechSynthesis.speak.bind(window.speechSynthesis);
  window.speechSynthesis.speak = (utterance) => {
    window.__spoken.push(utterance.text);
    return realSpeak(utterance);
  };
}
"""


def compass_state(page: Page) -> tuple[int, int]:
    """How many areas are done, and the place of the current one (-1 for none)."""
    areas = page.locator(".compass-area")
    states = [areas.nth(i).get_attribute("aria-current") for i in range(areas.count())]
    current = states.index("step") if "step" in states else -1
    return page.locator(".compass-area.is-done").count(), current


def test_somali_conversation_shows_somali_first_with_swedish_beside(tablet: Page, start_tablet):
    _id, url = start_tablet("barn-7-9", age=8, language="so")
    page = tablet
    page.goto(url)
    seen: set[str] = set()
    for _ in range(80):
        expect_language(page, "so", "ltr")
        step = kind(page)
        if step:  # the goodbye has no form; its heading is checked after the loop
            expect_own_language_first(question(page))
            own = question(page).locator(".own-language").inner_text()
            swedish = question(page).locator(".swedish-beside").inner_text()
            assert own.strip() != swedish.strip(), own
        if step in ("assent", "rating") or (step == "choice" and "choice" not in seen):
            options = answer_form(page).locator(".options").first.locator(".option")
            assert options.count() >= 2
            for index in range(options.count()):
                expect_own_language_first(options.nth(index))
        if step == "rating":
            expect(faces(page)).to_have_count(3)
            beside = faces(page).locator('.swedish-beside[lang="sv"]')
            expect(beside).to_have_count(3)  # one under each face
        if step and step not in seen:
            seen.add(step)
            screenshot(page, f"child-so-{len(seen):02d}-{step}")
        if not step:
            break
        give_any_answer(page, words="Waan ku faraxsanahay.")
    else:
        raise AssertionError("the conversation did not end")
    expect_own_language_first(question(page))
    screenshot(page, "child-so-99-goodbye")
    assert {"assent", "rating", "choice", "words", "review"} <= seen, seen


def test_switching_a_running_session_from_persian_to_swedish_keeps_everything(
    tablet: Page, start_tablet, live_app
):
    _id, url = start_tablet("barn-7-9", age=8, language="fa")
    page = tablet
    page.goto(url)
    for _ in range(20):  # to the first own-words step, answered in Persian
        expect_language(page, "fa", "rtl")
        if kind(page) == "words":
            break
        give_any_answer(page)
    else:
        raise AssertionError("never reached an own-words step")
    give_any_answer(page, words=PERSIAN_WORDS)
    expect_language(page, "fa", "rtl")
    expect(question(page).locator(".own-language")).to_have_text(PERSIAN)
    swedish_question = question(page).locator(".swedish-beside").inner_text()
    said = page.locator(".child-bubble").locator('[lang="fa"]')
    expect(said).to_have_text(PERSIAN_WORDS)
    progress = compass_state(page)
    assert progress[0] >= 1, progress
    screenshot(page, "switch-fa-sv-01-persian")

    # The adult opens the panel (in Persian: found by place, not by words) and picks Svenska.
    page.locator(".tablet-bar").get_by_role("link").tap()
    expect_language(page, "fa", "rtl")
    page.locator("#panel-kod").fill(panel_pin(live_app, urlsplit(url).path))
    page.locator('form[action$="/vuxen/"]').get_by_role("button").tap()
    switch = page.locator("form").filter(has=page.locator("select#sprak"))
    expect(switch).to_be_visible()
    expect_language(page, "fa", "rtl")
    switch.locator("select#sprak").select_option("sv")
    screenshot(page, "switch-fa-sv-02-panel")
    switch.get_by_role("button").tap()
    expect_language(page, "sv", "ltr")
    expect(page.get_by_role("status")).to_have_text("Samtalet visas nu på svenska.")
    page.get_by_role("button", name="Tillbaka till samtalet").tap()

    # The same question, now in Swedish only; the earlier answer and the compass are kept.
    expect_language(page, "sv", "ltr")
    expect(question(page)).to_have_text(swedish_question)
    expect(question(page).locator(".swedish-beside")).to_have_count(0)
    expect(page.locator(".child-bubble").locator('[lang="fa"]')).to_have_text(PERSIAN_WORDS)
    assert compass_state(page) == progress
    screenshot(page, "switch-fa-sv-03-swedish")
    give_any_answer(page)  # and the conversation goes on, in Swedish
    expect_language(page, "sv", "ltr")
    expect(page.locator(".own-language")).to_have_count(0)


def test_recorded_read_aloud_plays_instead_of_the_synthetic_voice(open_page, start_tablet):
    _id, url = start_tablet("test-fast")
    page = open_page()
    page.add_init_script(RECORD_PLAYBACK)
    page.goto(url)
    read_aloud = page.get_by_role("button", name="Läs upp")
    expect(read_aloud).to_be_visible()
    recorded = read_aloud.get_attribute("data-audio")
    assert recorded and recorded.startswith("/ljud/test-fast/hej/sv"), recorded

    response = page.request.get(page.url.split("/samtal/")[0] + recorded)
    assert response.ok
    assert response.headers["content-type"] == "audio/wav"
    assert len(response.body()) > 44  # more than a bare WAV header

    read_aloud.tap()
    page.wait_for_function("() => window.__played.length && window.__played[0].state !== 'asked'")
    played = page.evaluate("window.__played")
    assert len(played) == 1, played
    assert played[0]["isAudio"] and played[0]["src"].endswith(recorded), played
    assert played[0]["state"] == "playing", played
    assert page.evaluate("window.__spoken") == []
    # Let the short sound finish: a page closed mid-stream logs a reset connection.
    page.wait_for_function("() => window.__played[0].ended === true")

    # The next step has no recording: no Audio is made for it, whatever the device offers.
    swap(page, answer_form(page).get_by_role("button", name="Ja", exact=True).tap)
    next_read_aloud = page.locator("[data-read-aloud]")  # hidden when the device has no voice
    expect(next_read_aloud).not_to_have_attribute("data-audio", re.compile("."))
    if next_read_aloud.is_visible():  # the device has a Swedish voice: that one speaks
        next_read_aloud.tap()
        page.wait_for_function("() => window.__spoken.length > 0")
    assert len(page.evaluate("window.__played")) == 1
