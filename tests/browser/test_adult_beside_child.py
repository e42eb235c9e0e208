"""The adult beside the child: the panel behind the PIN, words, concern, pause (SPEC §3)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from playwright.sync_api import Page, expect

from tests.browser.checks import screenshot
from tests.browser.journey import answer_buttons, button, conversation, current_area, question, tap
from tests.builders import panel_pin

OMSORG_QUESTION = "Nu pratar vi om mat. Hur är det med maten hemma?"
NOTE = "Barnet berättade om att bli slagen hemma."


CONFIRM = "Den här delen är för den vuxna"
PANEL = "Panel för den vuxna"


def open_panel(page: Page, pin: str) -> None:
    """Tap "Vuxen", then type the conversation's PIN (the tablet has no staff session)."""
    page.get_by_role("link", name=re.compile("^Vuxen")).tap()
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(CONFIRM)
    page.get_by_label("Koden till panelen").fill(pin)
    page.get_by_role("button", name="Öppna panelen").tap()
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
    pin = panel_pin(live_app, urlsplit(url).path)
    page = tablet
    page.goto(url)
    tap(page, "Ja")
    expect(question(page)).to_have_text(OMSORG_QUESTION)

    # "Vuxen" asks for the PIN first, never straight into the panel.
    open_panel(page, pin)
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
    # Write-only: the tablet says when and by what, never the note's text again.
    expect(reminder).to_contain_text(re.compile(r"Oro markerad .+ med panelens kod"))
    expect(reminder).not_to_contain_text(NOTE)
    assert NOTE not in page.content()
    # Opened with the PIN alone: "report made" is recorded by the barnkontakt, by name.
    expect(reminder).to_contain_text("registreras av barnkontakten i arbetsytan")
    expect(page.get_by_role("button", name="Jag har gjort orosanmälan")).to_have_count(0)
    screenshot(page, "adult-panel-concern")

    # Back to the child: the same question, and nothing about the concern anywhere.
    back_to_child(page)
    expect(question(page)).to_have_text(OMSORG_QUESTION)
    expect(button(page, "Bra")).to_be_visible()
    expect_nothing_about_the_concern(page)

    # The panel closed behind us: "Vuxen" asks for the PIN again.
    open_panel(page, pin)
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

    # Resume from the panel: the child is back at the same question.
    open_panel(page, pin)
    expect(page.get_by_text("pausat")).to_be_visible()
    page.get_by_role("button", name="Fortsätt samtalet").tap()
    expect(page.get_by_role("status")).to_have_text("Samtalet fortsätter.")
    back_to_child(page)
    expect(question(page)).to_have_text(OMSORG_QUESTION)
    expect(current_area(page)).to_contain_text("Omsorg")
    tap(page, "Bra")
    expect(question(page)).to_have_text("Vad är bäst hemma?")


def test_after_a_pause_vuxen_asks_for_the_pin_and_a_wrong_one_is_refused(
    tablet: Page, start_tablet, live_app
):
    """Pausing gives the screen back to the child: a tap on "Vuxen" opens nothing; a wrong
    PIN is refused with a message; the right one opens the panel."""
    _, url = start_tablet("barn-4-6", age=5)
    pin = panel_pin(live_app, urlsplit(url).path)
    page = tablet
    page.goto(url)
    open_panel(page, pin)
    page.get_by_role("button", name="Pausa samtalet").tap()
    expect(question(page)).to_have_text("Vi tar en paus. Den vuxna säger till när vi fortsätter.")
    # A child waiting during the pause taps "Vuxen": the panel does not open by that tap.
    page.get_by_role("link", name=re.compile("^Vuxen")).tap()
    expect(page.get_by_role("heading", level=1)).to_have_text(CONFIRM)
    expect(page.get_by_role("button", name="Jag är den vuxna – öppna panelen")).to_have_count(0)
    page.get_by_label("Koden till panelen").fill("000000" if pin != "000000" else "111111")
    page.get_by_role("button", name="Öppna panelen").tap()
    expect(page.get_by_role("alert")).to_have_text("Koden stämmer inte.")
    field = page.get_by_label("Koden till panelen")
    expect(field).to_be_visible()
    box = field.bounding_box()
    assert box is not None and box["height"] >= 44  # a touch target
    screenshot(page, "adult-panel-pin-refused")
    page.get_by_label("Koden till panelen").fill(pin)
    page.get_by_role("button", name="Öppna panelen").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text(PANEL)
    expect(page.get_by_text("pausat")).to_be_visible()
