"""The guardian's questionnaire on a phone, in Arabic, end to end (SPEC §4 and §6).

The helpers here do not read any text: what to do on a step comes from the form's class
(answer-<kind>), and doing it goes through roles and the page's structure, so they work in
every language. test_languages.py uses them too.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from playwright.sync_api import Page, expect

from samtal import library
from samtal.conversation import invitations
from samtal.db import get_session
from samtal.models import Child, Conversation
from tests.browser.checks import PHONE, screenshot
from tests.browser.journey import (
    answer_form,
    answer_until,
    expect_language,
    expect_own_language_first,
    faces,
    give_any_answer,
    kind,
    question,
    swap,
    write_words,
)

CHILDS_SECRET = "HEMLIGT-BARN-ORD"
ARABIC = re.compile(r"[\u0600-\u06FF]")
# The guardian's own words, one per words step, in Arabic with a number to find them again.
WORDS = "كلماتي رقم {:02d}"
CHANGED = "جواب جديد بعد التغيير"
WELCOME_SV = "Hej! Ditt barns barnkontakt vill veta hur du ser på ditt barns vardag."
ARABIC_PHONE = {**PHONE, "locale": "ar"}


# ---------------------------------------------------------------- language-neutral helpers


def expect_scale_right_to_left(page: Page) -> None:
    """The first face is on the right; in each row the faces go from right to left."""
    boxes = [faces(page).nth(i).bounding_box() for i in range(faces(page).count())]
    assert len(boxes) == 5
    assert boxes[0]["x"] > boxes[-1]["x"], boxes
    for before, after in zip(boxes, boxes[1:], strict=False):
        if abs(before["y"] - after["y"]) < 2:  # same row
            assert after["x"] + after["width"] <= before["x"] + 1, (before, after)


def expect_fits_the_phone(page: Page) -> None:
    """Nothing sticks out sideways on the 360 px screen (no horizontal scrolling)."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["viewport"]["width"], f"page is {width}px wide"


# ---------------------------------------------------------------- setting the scene


def childs_conversation_with_a_secret(open_page, start_tablet) -> int:
    """The child talks first on the tablet and says something secret; returns the child's id."""
    conversation_id, url = start_tablet("barn-7-9", age=8)
    page = open_page()
    page.goto(url)
    answer_until(page, "words")
    write_words(page, f"{CHILDS_SECRET} om maten")
    answer_until(page, "words")
    write_words(page, f"{CHILDS_SECRET} om tryggheten")
    expect(page.locator(".child-bubble")).to_contain_text(CHILDS_SECRET)  # it is really there
    page.context.close()
    return conversation_id


def invite_guardian(live_app, conversation_id: int, language: str = "ar") -> str:
    """Invite the guardian of the child in this conversation; returns the link."""
    with live_app.test_request_context():
        db = get_session()
        child = db.get(Child, db.get(Conversation, conversation_id).child_id)
        issued = invitations.issue(
            session=db,
            child=child,
            flow=library.flows().get("vardnadshavare"),
            guardian_name="Förälder",
            language=language,
        )
    return f"{live_app.config['BASE_URL']}/v/{issued.token}/"


def expect_guardian_screen(page: Page) -> None:
    """On every guardian screen: Arabic, right to left, nothing of the child's, fits the phone."""
    expect_language(page, "ar", "rtl")
    assert CHILDS_SECRET not in page.content()
    expect_fits_the_phone(page)


# ---------------------------------------------------------------- the journey


def test_guardian_answers_everything_in_arabic_on_a_phone(
    open_page, start_tablet, live_app, tmp_path
):
    child_conversation = childs_conversation_with_a_secret(open_page, start_tablet)
    link = invite_guardian(live_app, child_conversation)
    page = open_page(**ARABIC_PHONE)
    page.goto(link)

    # The welcome: Arabic first, the Swedish source beside it.
    expect_guardian_screen(page)
    expect_own_language_first(question(page), ARABIC)
    expect(question(page).locator(".swedish-beside")).to_contain_text(WELCOME_SV)
    screenshot(page, "guardian-ar-01-welcome")
    give_any_answer(page)
    give_any_answer(page)

    # Omsorg: the scale runs right to left; "Ganska bra" needs no follow-up on what worries.
    expect_guardian_screen(page)
    expect_own_language_first(question(page), ARABIC)
    expect_scale_right_to_left(page)
    for index in range(faces(page).count()):
        expect_own_language_first(faces(page).nth(index), ARABIC)
    screenshot(page, "guardian-ar-02-rating")
    given: list[str] = []
    answered = 0
    while len(given) < 4:  # three areas: omsorg (4), trygghet (2, so it asks more), må bra (4)
        expect_guardian_screen(page)
        expect_own_language_first(question(page), ARABIC)
        if kind(page) == "words":
            given.append(WORDS.format(len(given) + 1))
            if len(given) == 1:
                answer_form(page).get_by_role("textbox").fill(given[-1])
                screenshot(page, "guardian-ar-03-words")
            give_any_answer(page, words=given[-1])
        else:
            give_any_answer(page, face=[3, 1, 3][answered])
            answered += 1

    # Pause: close nothing, just open the same link on another device (a brand-new context).
    asked = question(page).inner_text()
    done = page.locator(".compass-area.is-done").count()
    assert done == 3
    resumed = open_page(**ARABIC_PHONE)
    resumed.goto(link)
    expect_guardian_screen(resumed)
    expect(question(resumed)).to_have_text(asked)
    expect(resumed.locator(".child-bubble")).to_contain_text(given[-1])
    expect(resumed.locator(".compass-area.is-done")).to_have_count(done)
    screenshot(resumed, "guardian-ar-04-resumed")
    page.context.close()
    page = resumed

    # Answer the rest on the second device, until the review.
    for _ in range(60):
        if kind(page) == "review":
            break
        expect_guardian_screen(page)
        expect_own_language_first(question(page), ARABIC)
        if kind(page) == "words":
            given.append(WORDS.format(len(given) + 1))
            give_any_answer(page, words=given[-1])
        else:
            give_any_answer(page, face=3)
    else:
        raise AssertionError("never reached the review")

    # The review shows every answer, from both devices; one of them is changed.
    expect_guardian_screen(page)
    review = answer_form(page).locator(".review")
    for words in given:
        expect(review.get_by_text(words, exact=True)).to_be_visible()
    screenshot(page, "guardian-ar-05-review")
    item = review.locator(".review-item").filter(has_text=given[0])
    swap(page, item.get_by_role("link").tap)
    expect_guardian_screen(page)
    expect(answer_form(page).get_by_role("textbox")).to_have_value(given[0])
    give_any_answer(page, words=CHANGED)
    assert kind(page) == "review"
    review = answer_form(page).locator(".review")
    expect(review.get_by_text(CHANGED, exact=True)).to_be_visible()
    expect(review.get_by_text(given[0], exact=True)).to_have_count(0)
    given[0] = CHANGED

    # Send: the thanks, with the links to a copy.
    give_any_answer(page)
    expect_guardian_screen(page)
    expect(answer_form(page)).to_have_count(0)
    expect_own_language_first(question(page), ARABIC)
    copy_links = page.locator(".copy-links").get_by_role("link")
    expect(copy_links).to_have_count(2)
    screenshot(page, "guardian-ar-06-thanks")
    with page.expect_download() as downloading:  # a real download, not swapped into the page
        copy_links.nth(1).tap()
    download = downloading.value
    assert download.suggested_filename == "mina-svar.pdf"
    saved = pdf_words(Path(download.path()).read_bytes(), tmp_path)
    assert all(set(words.split()) <= saved for words in given)
    assert CHILDS_SECRET not in saved
    download_url = copy_links.nth(1).get_attribute("href")
    copy_links.first.tap()

    # The copy: their own words, in Arabic with the Swedish beside; nothing of the child's.
    expect(page).to_have_url(re.compile(r"/kopia$"))
    expect_guardian_screen(page)
    for words in given:
        expect(page.get_by_text(words, exact=True)).to_be_visible()
    expect_own_language_first(page.locator("dt").first, ARABIC)
    screenshot(page, "guardian-ar-07-copy")
    response = page.request.get(page.url.rsplit("/v/", 1)[0] + download_url)
    assert response.ok
    assert response.headers["content-disposition"].startswith("attachment")
    body = pdf_words(response.body(), tmp_path)
    assert all(set(words.split()) <= body for words in given)
    assert CHILDS_SECRET not in body


def pdf_words(pdf: bytes, tmp_path: Path) -> set[str]:
    """The words of a PDF as pdftotext reads them (without the marks it adds around
    right-to-left runs)."""
    assert pdf.startswith(b"%PDF")
    (tmp_path / "kopia.pdf").write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "kopia.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    return set(re.sub("[\u200e\u200f\u202a-\u202e\u2066-\u2069]", "", text).split())


def refusal(open_page, link: str, status: int) -> Page:
    """Open a link that must be refused; the kind page answers with this status."""
    page = open_page(allow_errors=True, **ARABIC_PHONE)  # 404/410 are logged as console errors
    response = page.goto(link)
    assert response.status == status
    return page


def test_expired_or_tampered_link_is_refused_kindly_in_arabic(open_page, start_tablet, live_app):
    child_conversation = childs_conversation_with_a_secret(open_page, start_tablet)
    link = invite_guardian(live_app, child_conversation)
    tampered = link[:-4] + "abc/"
    pages = {"tampered": refusal(open_page, tampered, 404)}
    live_app.config["INVITATION_DAYS"] = -1
    pages["expired"] = refusal(open_page, link, 410)
    for name, page in pages.items():
        expect_language(page, "ar", "rtl")
        expect(page.get_by_role("heading", level=1)).to_have_text(ARABIC)
        expect(page.locator("main")).to_contain_text(ARABIC)
        html = page.content()
        for private in (CHILDS_SECRET, "Testbarn", "Förälder", "form_token"):
            assert private not in html, (name, private)
        expect_fits_the_phone(page)
        screenshot(page, f"guardian-ar-refused-{name}")
