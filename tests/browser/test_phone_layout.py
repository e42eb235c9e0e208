"""On a 360×740 phone, in Arabic and Somali, every step's question is on the first screen
(language switch and notices folded away), labels are in the language and nothing overlaps."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from samtal import library
from samtal.conversation import invitations
from samtal.db import get_session
from samtal.models import Child, Conversation
from tests.browser.checks import PHONE, screenshot
from tests.browser.journey import answer_form, give_any_answer, kind, question

pytestmark = pytest.mark.browser

LANGUAGES = ["ar", "so"]


def expect_question_on_first_screen(page: Page, where: str) -> None:
    """Without scrolling, the whole question heading is inside the viewport."""
    page.evaluate("window.scrollTo(0, 0)")
    box = question(page).bounding_box()
    assert box is not None, where
    height = PHONE["viewport"]["height"]
    assert box["y"] >= 0 and box["y"] + box["height"] <= height, (where, box)


def expect_no_overlaps(page: Page, where: str) -> None:
    """No checkbox, tick badge or picture covers an answer's words."""
    overlaps = page.evaluate(
        """() => {
          const hits = [];
          const boxes = (selector) => [...document.querySelectorAll(selector)]
            .filter((e) => e.offsetParent !== null).map((e) => [e, e.getBoundingClientRect()]);
          const cover = (a, b) => a.left < b.right - 1 && b.left < a.right - 1
            && a.top < b.bottom - 1 && b.top < a.bottom - 1;
          const words = boxes(".option span, .option .area-label, label.check");
          const marks = boxes(".tile input, .option img, .option svg, .compass-area.is-done");
          for (const [w, wb] of words) for (const [m, mb] of marks)
            if (!w.contains(m) && !m.contains(w) && cover(wb, mb)) hits.push(w.textContent.trim());
          return hits;
        }"""
    )
    assert not overlaps, (where, overlaps)


def walk(page: Page, name: str, language: str) -> list[str]:
    """Answer every step; check each one; returns the primary buttons' texts seen."""
    buttons: list[str] = []
    for number in range(80):
        where = f"{name}-{language} step {number} ({kind(page)})"
        if number in (0, 3) or kind(page) == "choice":
            screenshot(page, f"phone-{name}-{language}-{number:02d}")
        expect_question_on_first_screen(page, where)
        expect_no_overlaps(page, where)
        if not kind(page):
            return buttons
        if kind(page) == "review":
            buttons.append(answer_form(page).locator("button.primary").inner_text())
        give_any_answer(page)
    raise AssertionError(f"{name} in {language} never ended")


def guardian_link(live_app, start_tablet, language: str) -> str:
    conversation_id, _url = start_tablet("barn-10-12", age=11)
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


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_guardian_sees_every_question_first_on_a_phone(
    open_page, start_tablet, live_app, language
):
    page = open_page(**{**PHONE, "locale": language})
    page.goto(guardian_link(live_app, start_tablet, language))
    # The language switch is there, folded behind one control.
    switch = page.locator("details.page-tools")
    expect(switch.get_by_role("combobox")).to_be_hidden()
    switch.locator("summary").tap()
    expect(switch.get_by_role("combobox")).to_be_visible()
    switch.locator("summary").tap()
    (send,) = walk(page, "guardian", language)
    assert "Ja, det stämmer" not in send and "Skicka" in send, send


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_child_of_10_to_12_sees_every_question_first_on_a_phone(
    open_page, start_tablet, language
):
    _id, url = start_tablet("barn-10-12", age=11, language=language)
    page = open_page(**{**PHONE, "locale": language})
    page.goto(url)
    walk(page, "barn-10-12", language)
