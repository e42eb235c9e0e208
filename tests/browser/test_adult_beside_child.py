"""The adult beside the child: the panel behind a confirmation, words, concern, pause (SPEC §3)."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.checks import screenshot
from tests.browser.journey import answer_buttons, button, conversation, current_area, question, tap

OMSORG_QUESTION = "Nu pratar vi om mat. Hur är det med maten hemma?"
NOTE = "Barnet berättade om att bli slagen hemma."


CONFIRM = "Den här delen är för den vuxna"
PANEL = "Panel för den vuxna"


def open_panel(page: Page, must_confirm: bool = True) -> None:
    """Tap "Vuxen", then confirm on the page that says it is for the adult."""
    page.get_by_role("link", name=re.compile("^Vuxen")).tap()
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(re.compile(f"^({CONFIRM}|{PANEL})$"))
    if must_confirm:
        expect(heading).to_have_text(CONFIRM)
    if heading.inner_text() == CONFIRM:
        page.get_by_role("button", name="Jag är den vuxna – öppna panelen").tap()
    expect(heading).to_have_text(PANEL)


def back_to_child(page: Page) -> None:
    """Close the panel and give the tablet back to the child."""
    page.get_by_role("button", name="Tillbaka till samtalet").tap()
    expect(page.get_by_role("link", name=re.compile("^Vuxen"))).to_be_visible()


def expect_nothing_about_the_concern(page: Page) -> None:
    """The child's screen (and its HTML) says nothing about a concern or a report."""
    html = page.content().lower()
    for word in ("orosanmälan", "oro för", "socialtjänst", NOTE.lower()):
        assert word not in html, word


def test_adult_writes_words_marks_a_concern_and_pauses_unseen_by_the_child(
    tablet: Page, start_tablet, live_app
):
    _, url = start_tablet("barn-4-6", age=5)
    page = tablet
    page.goto(url)
    tap(page, "Ja")
    expect(question(page)).to_have_text(OMSORG_QUESTION)

    # "Vuxen" leads to a confirmation first, never straight into the panel.
    open_panel(page)
    expect(page.get_by_text("pågår")).to_be_visible()

    # The child's words, written down by the adult, for the question on the screen.
    page.get_by_label(f"Till frågan: {OMSORG_QUESTION}").fill("Jag är hungrig på kvällen.")
    page.get_by_role("button", name="Spara barnets ord").tap()
    expect(page.get_by_role("status")).to_have_text("Barnets ord är sparade.")

    # A safety concern: the panel reminds the adult to make an orosanmälan at once.
    page.get_by_label("Vad väckte oron?").fill(NOTE)
    page.get_by_role("button", name="Markera oro för barnets säkerhet").tap()
    reminder = page.get_by_role("alert")
    expect(reminder).to_contain_text("Gör en orosanmälan till socialtjänsten direkt.")
    expect(reminder).to_contain_text(live_app.config["REPORTING_DUTY_REFERENCE"])
    expect(reminder).to_contain_text("Samtal gör ingen anmälan åt dig.")
    expect(reminder).to_contain_text(NOTE)
    expect(page.get_by_role("button", name="Jag har gjort orosanmälan")).to_be_visible()
    screenshot(page, "adult-panel-concern")

    # Back to the child: the same question, and nothing about the concern anywhere.
    back_to_child(page)
    expect(question(page)).to_have_text(OMSORG_QUESTION)
    expect(button(page, "Bra")).to_be_visible()
    expect_nothing_about_the_concern(page)

    # The panel closed behind us: "Vuxen" asks for the confirmation again.
    open_panel(page)
    page.get_by_role("button", name="Pausa samtalet").tap()

    # The child's screen says it is a pause and offers nothing to answer.
    expect(question(page)).to_have_text("Vi tar en paus. Den vuxna säger till när vi fortsätter.")
    expect(answer_buttons(page)).to_have_count(0)
    expect(conversation(page).locator("form")).to_have_count(0)
    expect_nothing_about_the_concern(page)
    screenshot(page, "barn-4-6-paused")
    page.reload()  # a reload does not get round the pause
    expect(question(page)).to_have_text("Vi tar en paus. Den vuxna säger till när vi fortsätter.")
    expect(answer_buttons(page)).to_have_count(0)

    # Resume from the panel: the child is back at the same question. (Whether "Vuxen" asks for
    # the confirmation again after a pause is checked, as a known bug, in the test below.)
    open_panel(page, must_confirm=False)
    expect(page.get_by_text("pausat")).to_be_visible()
    page.get_by_role("button", name="Fortsätt samtalet").tap()
    expect(page.get_by_role("status")).to_have_text("Samtalet fortsätter.")
    back_to_child(page)
    expect(question(page)).to_have_text(OMSORG_QUESTION)
    expect(current_area(page)).to_contain_text("Omsorg")
    tap(page, "Bra")
    expect(question(page)).to_have_text("Vad är bäst hemma?")


def test_after_a_pause_vuxen_asks_for_the_confirmation_again(tablet: Page, start_tablet):
    """Pausing gives the screen back to the child: "Vuxen" asks for the confirmation again."""
    _, url = start_tablet("barn-4-6", age=5)
    page = tablet
    page.goto(url)
    open_panel(page)
    page.get_by_role("button", name="Pausa samtalet").tap()
    expect(question(page)).to_have_text("Vi tar en paus. Den vuxna säger till när vi fortsätter.")
    # A child waiting during the pause taps "Vuxen": the panel must not open by that one tap.
    page.get_by_role("link", name=re.compile("^Vuxen")).tap()
    expect(page.get_by_role("heading", level=1)).to_have_text(CONFIRM, timeout=2_000)
