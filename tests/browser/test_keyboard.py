"""A whole conversation with only the keyboard: Tab, Space, Enter and typing."""

from __future__ import annotations

from playwright.sync_api import Page, expect

FOCUSED = """() => {
  const e = document.activeElement;
  return {id: e.id, tag: e.tagName, type: e.type || "", inForm: !!e.closest("form.answer"),
          primary: e.classList.contains("primary"), ring: getComputedStyle(e).outlineStyle};
}"""


def tab_to(page: Page, wanted) -> dict:
    """Press Tab until the focused element matches; fail if it is never reached."""
    for _ in range(80):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if wanted(focused):
            return focused
    raise AssertionError("the keyboard never reached the control")


def answer_with_keyboard(page: Page) -> None:
    """Answer the step on screen: type or tick the first thing, then send it with Enter."""
    form = page.locator("form.answer")
    old = page.locator("#samtal").element_handle()
    if form.get_by_role("textbox").count():
        tab_to(page, lambda f: f["tag"] == "TEXTAREA")
        page.keyboard.type("Jag skrev med tangentbordet.")
    if form.get_by_role("checkbox").count():
        tab_to(page, lambda f: f["type"] == "checkbox")
        page.keyboard.press("Space")
    if form.locator("button.primary").count():
        focused = tab_to(page, lambda f: f["primary"])
    else:
        focused = tab_to(page, lambda f: f["inForm"] and f["tag"] == "BUTTON")
    assert focused["ring"] != "none", "the focused control shows where focus is"
    page.keyboard.press("Enter")
    old.wait_for_element_state("hidden")


def test_a_whole_conversation_works_with_the_keyboard_only(tablet: Page, start_tablet):
    """Every step can be answered without touch or mouse, and focus lands on each new question."""
    _id, url = start_tablet("barn-7-9", age=8)
    tablet.goto(url)
    steps = 0
    while tablet.locator("form.answer").count():
        answer_with_keyboard(tablet)
        steps += 1
        expect(tablet.locator("#fraga")).to_be_focused()
        assert steps < 80
    assert steps > 30
    assert "Tack" in tablet.get_by_role("heading", level=1).inner_text()
