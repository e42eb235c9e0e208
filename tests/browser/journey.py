"""Driving a conversation on the tablet the way a child does: one tap at a time.

The helpers find things by role and label. The form's kind class (answer-rating, answer-choice,
…) is read only to decide WHAT to do on a step; doing it goes through role locators.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import Locator, Page, expect

AREAS = [
    "Omsorg",
    "Trygghet",
    "Må bra",
    "Fritid",
    "Tillhörighet",
    "Ansvarstagande",
    "Respekteras",
    "Utvecklas",
]
FACES3 = ["Inte så bra", "Sådär", "Bra"]
FACES5 = ["Inte alls bra", "Inte så bra", "Sådär", "Ganska bra", "Mycket bra"]
SKIPS = ["Vet inte", "Vill inte svara"]


def question(page: Page) -> Locator:
    """The guide's question: the one level-1 heading of the child's screen."""
    return page.get_by_role("heading", level=1)


def compass(page: Page) -> Locator:
    """The compass: the eight areas as progress."""
    return page.get_by_role("navigation", name="Områden i samtalet")


def compass_item(page: Page, label: str) -> Locator:
    """One area on the compass."""
    return compass(page).get_by_role("listitem").filter(has_text=label)


def current_area(page: Page) -> Locator:
    """The compass item marked as the area being talked about now."""
    return compass(page).locator('[aria-current="step"]')


def conversation(page: Page) -> Locator:
    """The conversation region (everything htmx swaps), without the adult's link."""
    return page.get_by_role("main")


def answer_buttons(page: Page) -> Locator:
    """Every button in the conversation that answers something (all but "Läs upp")."""
    return conversation(page).get_by_role("button").filter(has_not_text="Läs upp")


def childs_bubble(page: Page) -> Locator:
    """The child's own speech bubble: the answer just given, with its "Ändra" link."""
    return page.locator(".child-bubble")


def kind(page: Page) -> str:
    """The kind of the step on screen ("rating", "choice", …), or "" when nothing is asked."""
    form = page.locator("form.answer")
    if form.count() == 0:
        return ""
    classes = (form.get_attribute("class") or "").split()
    return next((c.removeprefix("answer-") for c in classes if c.startswith("answer-")), "")


def expect_question_focused(page: Page) -> None:
    """The new question heading has focus (screen readers start reading there)."""
    expect(page.locator("#fraga")).to_be_focused()
    assert page.evaluate("document.activeElement.id") == "fraga"


def swap(page: Page, action: Callable[[], object]) -> None:
    """Do a tap that sends an answer, wait for htmx to swap in the next screen, check focus."""
    old = page.locator("#samtal").element_handle()
    action()
    old.wait_for_element_state("hidden")  # outerHTML swap: the old block is detached
    expect_question_focused(page)


def button(page: Page, name: str) -> Locator:
    """An answer button by its exact text."""
    return conversation(page).get_by_role("button", name=name, exact=True)


def tap(page: Page, name: str) -> None:
    """Tap an answer button (single tap sends it) and wait for the next screen."""
    swap(page, button(page, name).tap)


def tiles(page: Page) -> Locator:
    """The checkbox tiles: each whole picture card is the label of its checkbox."""
    return conversation(page).locator("label").filter(has=page.get_by_role("checkbox"))


def pick(page: Page, *names: str) -> None:
    """Tap checkbox tiles so exactly these are chosen (taps only those that need to change)."""
    cards = tiles(page)
    for index in range(cards.count()):
        card = cards.nth(index)
        if card.get_by_role("checkbox").is_checked() != (card.inner_text().strip() in names):
            card.tap()
    for name in names:
        expect(conversation(page).get_by_role("checkbox", name=name, exact=True)).to_be_checked()


def pick_and_done(page: Page, *names: str) -> None:
    """Choose pictures, then tap Klar."""
    pick(page, *names)
    tap(page, "Klar")


def write_words(page: Page, text: str) -> None:
    """Write own words in the words step and save them."""
    page.get_by_label("Dina egna ord").fill(text)
    tap(page, "Spara")


def answer_current_step(page: Page, words: str = "Det är bra.") -> str:
    """Answer whatever step is on screen in a plain way; returns the kind that was answered."""
    step = kind(page)
    if step == "assent":
        tap(page, "Ja")
    elif step == "message":
        tap(page, "Fortsätt")
    elif step == "rating":
        happiest = next(scale[-1] for scale in (FACES5, FACES3) if button(page, scale[-1]).count())
        tap(page, happiest)
    elif step in ("choice", "priorities", "sharing"):
        if tiles(page).count():
            pick_and_done(page, tiles(page).first.inner_text().strip())
        else:
            option = conversation(page).locator("form").get_by_role("button").first
            swap(page, option.tap)
    elif step == "words":
        write_words(page, words)
    elif step == "choose_area":
        swap(page, conversation(page).locator("form").get_by_role("button").first.tap)
    elif step == "review":
        tap(page, "Ja, det stämmer")
    else:
        raise AssertionError(f"nothing to answer on this screen: {question(page).inner_text()}")
    return step


def answer_until(page: Page, wanted: str, limit: int = 60) -> None:
    """Answer step after step until a step of the wanted kind is on screen."""
    for _ in range(limit):
        if kind(page) == wanted:
            return
        answer_current_step(page)
    raise AssertionError(f"never reached a {wanted} step")


def current_area_label(page: Page) -> str:
    """The label of the area the compass marks as current."""
    text = current_area(page).inner_text()
    return next(a for a in AREAS if re.search(rf"\b{re.escape(a)}\b", text))


def answer_in_any_language(page: Page) -> None:
    """Answer the step on screen whatever its language: some words, the first tile, the main
    button (or else the first answer button); waits for htmx to swap in the next screen."""
    form = page.locator("form.answer")
    old = page.locator("#samtal").element_handle()
    if form.get_by_role("textbox").count():
        form.get_by_role("textbox").fill("Bra.")
    if form.get_by_role("checkbox").count():
        form.get_by_role("checkbox").first.check()
    primary = form.locator("button.primary")
    (primary if primary.count() else form.get_by_role("button").first).click()
    old.wait_for_element_state("hidden")


def answer_form(page: Page) -> Locator:
    """The form that answers the step on screen."""
    return page.locator("form.answer")


def primary_button(page: Page) -> Locator:
    """The form's main button (Fortsätt, Klar, Spara, Ja, det stämmer – in any language)."""
    return answer_form(page).locator("button.primary")


def faces(page: Page) -> Locator:
    """The answer options of a rating step, in the flow's order (worst first)."""
    return answer_form(page).locator(".options-scale").get_by_role("button")


def give_any_answer(page: Page, words: str = "Bra.", face: int = -1) -> str:
    """Answer the step on screen without reading a word; returns its kind."""
    form = answer_form(page)
    step = kind(page)
    if step == "rating":
        target = faces(page).nth(face)
    elif step == "words":
        form.get_by_role("textbox").fill(words)
        target = primary_button(page)
    elif form.get_by_role("checkbox").count():
        form.get_by_role("checkbox").first.check()
        target = primary_button(page)
    elif step in ("message", "review"):
        target = primary_button(page)
    elif step:  # assent, one-answer choice, choose_area: the first option
        target = form.locator(".options").first.get_by_role("button").first
    else:
        raise AssertionError(f"nothing to answer here: {question(page).inner_text()}")
    swap(page, target.tap)
    return step


def expect_language(page: Page, lang: str, direction: str) -> None:
    """The whole page is in this language and direction."""
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.locator("html")).to_have_attribute("dir", direction)


def expect_own_language_first(where: Locator, own: re.Pattern | None = None) -> None:
    """The text in the family's language, then the Swedish source beside it (lang="sv")."""
    mine = where.locator(".own-language").first
    swedish = where.locator('.swedish-beside[lang="sv"]').first
    expect(mine).to_be_visible()
    expect(swedish).to_be_visible()
    if own is not None:
        expect(mine).to_have_text(own)
    expect(swedish).not_to_have_text("")
    assert mine.evaluate(
        "(mine, swedish) => !!(mine.compareDocumentPosition(swedish)"
        " & Node.DOCUMENT_POSITION_FOLLOWING)",
        swedish.element_handle(),
    ), "the Swedish comes after the family's language"
    assert mine.bounding_box()["y"] <= swedish.bounding_box()["y"]
