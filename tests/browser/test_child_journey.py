"""Whole conversations on the tablet, tapped through the way a child does it (SPEC §3)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from playwright.sync_api import Page, expect

from samtal.conversation import records
from samtal.db import get_session
from tests.browser.checks import screenshot, violations
from tests.browser.journey import (
    AREAS,
    FACES3,
    FACES5,
    SKIPS,
    answer_buttons,
    answer_current_step,
    button,
    childs_bubble,
    compass,
    compass_item,
    conversation,
    current_area,
    current_area_label,
    kind,
    pick,
    pick_and_done,
    question,
    swap,
    tap,
    tiles,
)
from tests.builders import panel_pin


def review_answer(page: Page, asked: str):
    """On the review screen: the answer shown to the question that starts `asked`."""
    term = conversation(page).get_by_role("term").filter(has_text=asked)
    expect(term).to_have_count(1)
    return term.locator("xpath=following-sibling::dd[1]")


def expect_review(page: Page, asked: str, *shown: str) -> None:
    """The review shows exactly these answers (in this order) to the question, then "Ändra"."""
    pattern = r",?\s*".join(re.escape(text) for text in shown)
    expect(review_answer(page, asked)).to_have_text(re.compile(rf"^\s*{pattern}\s*Ändra"))


def area_button(page: Page, label: str):
    """An area to choose on the compass step (its name is the label, then the description)."""
    return conversation(page).get_by_role("button", name=re.compile(rf"^{re.escape(label)}\b"))


def history(app, conversation_id: int, step_id: str) -> list:
    """Every stored revision of a step's answer."""
    with app.app_context():
        return records.history(get_session(), conversation_id, step_id)


def test_five_year_old_talks_through_all_eight_areas(tablet: Page, start_tablet, live_app):
    """A preschooler's whole conversation: at most 20 screens, a review made of pictures."""
    conversation_id, url = start_tablet("barn-4-6", age=5)
    page = tablet
    page.goto(url)
    screens = 1

    # Assent: one tap and the first area begins.
    expect(question(page)).to_have_text(
        "Hej! Jag heter Kim. Det finns inga fel svar. Vill du prata med mig i dag?"
    )
    expect(button(page, "Ja")).to_be_visible()
    expect(button(page, "Nej")).to_be_visible()
    expect(page.get_by_role("link", name="Jag vill sluta")).to_be_visible()
    expect(current_area(page)).to_have_count(0)
    if not page.evaluate("speechSynthesis.getVoices().length"):  # no voice: no read-aloud button
        expect(page.get_by_role("button", name="Läs upp")).to_be_hidden()
    screenshot(page, "barn-4-6-01-assent")
    tap(page, "Ja")
    screens += 1
    seen = [current_area_label(page)]

    # Omsorg: the happiest face, then one picture, one tap.
    expect(question(page)).to_have_text("Nu pratar vi om mat. Hur är det med maten hemma?")
    for shown in FACES3 + SKIPS:
        expect(button(page, shown)).to_be_visible()
    screenshot(page, "barn-4-6-02-rating")
    tap(page, "Bra")
    screens += 1
    expect(question(page)).to_have_text("Vad är bäst hemma?")
    expect(childs_bubble(page)).to_contain_text("Bra")
    expect(tiles(page)).to_have_count(0)
    screenshot(page, "barn-4-6-03-choice")
    tap(page, "Maten")
    screens += 1

    # Trygghet: "Vet inte" is taken as it is, and nothing more is asked.
    seen.append(current_area_label(page))
    tap(page, "Vet inte")
    screens += 1
    expect(question(page)).to_have_text("Nu pratar vi om hur du mår. Hur mår du?")

    # Må bra: the middle face leads to what would help.
    seen.append(current_area_label(page))
    tap(page, "Sådär")
    screens += 1
    expect(question(page)).to_have_text("Vad skulle få dig att må bättre?")

    # The child wants to stop: a pause in pictures, then the adult resumes from the panel.
    page.get_by_role("link", name="Jag vill sluta").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vill du pausa eller sluta?")
    for choice in ("Pausa", "Sluta för i dag", "Fortsätta prata"):
        expect(page.get_by_role("button", name=choice)).to_be_visible()
    screenshot(page, "barn-4-6-04-stop")
    assert violations(page) == []
    page.get_by_role("button", name="Pausa").tap()
    expect(question(page)).to_have_text("Vi tar en paus. Den vuxna säger till när vi fortsätter.")
    expect(page.get_by_role("link", name="Jag vill sluta")).to_have_count(0)
    expect(answer_buttons(page)).to_have_count(0)
    page.get_by_role("link", name=re.compile("^Vuxen")).tap()
    page.get_by_label("Koden till panelen").fill(panel_pin(live_app, urlsplit(url).path))
    page.get_by_role("button", name="Öppna panelen").tap()
    page.get_by_role("button", name="Fortsätt samtalet").tap()
    page.get_by_role("button", name="Tillbaka till samtalet").tap()
    expect(question(page)).to_have_text("Vad skulle få dig att må bättre?")
    tap(page, "En kram")
    screens += 1

    # The other areas, answered plainly (the happiest face and the first picture).
    while kind(page) != "priorities":
        if kind(page) == "rating":
            seen.append(current_area_label(page))
        answer_current_step(page)
        screens += 1
    assert seen == AREAS

    # What matters most: the areas as big pictures, tapped.
    expect(question(page)).to_contain_text("Vad är viktigast för dig?")
    pick_and_done(page, "Omsorg", "Fritid")
    screens += 1
    expect(question(page)).to_contain_text("Vem vill du ska vara med då?")
    pick_and_done(page, "Mamma")
    screens += 1
    expect(question(page)).to_have_text("Vem vill du helst gå till när du behöver hjälp?")
    tap(page, "Pappa")
    screens += 1

    # The review: a card of pictures per area, the child's face in it; no text rows.
    expect(question(page)).to_have_text(
        "Här är det du har sagt. Tryck på en bild om du vill ändra."
    )
    cards = conversation(page).locator(".review-card")
    expect(cards).to_have_count(len(AREAS) + 1)
    expect(conversation(page).get_by_role("term")).to_have_count(0)
    omsorg = cards.filter(has_text="Omsorg")
    expect(omsorg.get_by_role("link")).to_have_count(2)
    face = omsorg.get_by_role("link", name=re.compile(r"^Ändra: Nu pratar vi om mat.* – Bra$"))
    expect(face).to_be_visible()
    assert face.locator("img").first.get_attribute("width") == "72"
    screenshot(page, "barn-4-6-05-review")
    assert violations(page) == []

    # A tap on the face changes it; the follow-up question comes, then the review again.
    swap(page, face.tap)
    expect(button(page, "Bra")).to_have_accessible_description("ditt svar nu")
    tap(page, "Inte så bra")
    expect(question(page)).to_have_text("Vad skulle hjälpa dig?")
    tap(page, "Mer mat")
    expect(question(page)).to_contain_text("Här är det du har sagt.")
    expect(
        omsorg.get_by_role("link", name=re.compile(r"^Ändra: Nu pratar vi om mat.* – Inte så bra$"))
    ).to_be_visible()
    assert [row.value for row in history(live_app, conversation_id, "omsorg.hur")] == ["3", "1"]

    # Confirm → goodbye: the whole way was at most 20 screens.
    tap(page, "Ja, det stämmer")
    screens += 1
    expect(question(page)).to_contain_text("Tack för att du pratade med mig!")
    expect(page.locator("form.answer")).to_have_count(0)
    expect(page.get_by_role("link", name="Jag vill sluta")).to_have_count(0)
    screenshot(page, "barn-4-6-06-goodbye")
    assert screens <= 20, screens


def test_fourteen_year_old_chooses_the_order_and_what_guardians_see(tablet: Page, start_tablet):
    _, url = start_tablet("barn-13-17", age=14)
    page = tablet
    page.goto(url)
    tap(page, "Ja")
    expect(question(page)).to_contain_text("Det finns inga rätt eller fel svar.")
    tap(page, "Fortsätt")
    expect(question(page)).to_contain_text("Din barnkontakt läser det du säger.")
    tap(page, "Fortsätt")

    # The compass step: every area can be chosen; the child picks Fritid first.
    expect(question(page)).to_have_text("Här är alla delar vi kan prata om. Vad vill du ta upp nu?")
    for label in AREAS:
        expect(area_button(page, label)).to_be_visible()
    screenshot(page, "barn-13-17-01-choose-area")
    swap(page, area_button(page, "Fritid").tap)
    seen = [current_area_label(page)]
    assert seen == ["Fritid"]
    expect(question(page)).to_contain_text("fritid")

    # Five faces, plus the two answers that are always there.
    for face in FACES5 + SKIPS:
        expect(button(page, face)).to_be_visible()
    screenshot(page, "barn-13-17-02-rating")
    tap(page, "Ganska bra")
    expect(childs_bubble(page)).to_contain_text("Ganska bra")
    while kind(page) != "choose_area":
        answer_current_step(page, words="Jag spelar fotboll tre dagar i veckan.")

    # Back on the compass: Fritid is done and no longer offered; Trygghet is chosen next.
    expect(compass_item(page, "Fritid")).to_contain_text("klart")
    expect(area_button(page, "Fritid")).to_have_count(0)
    expect(answer_buttons(page)).to_have_count(len(AREAS))  # seven areas + "Du får välja åt mig"
    swap(page, area_button(page, "Trygghet").tap)
    seen.append(current_area_label(page))
    assert seen == ["Fritid", "Trygghet"]
    tap(page, "Sådär")
    while kind(page) != "choose_area":
        answer_current_step(page)

    # "Du får välja åt mig": the guide takes the first area left in the compass order.
    swap(page, button(page, "Du får välja åt mig").tap)
    seen.append(current_area_label(page))
    screenshot(page, "barn-13-17-03-compass-midway")
    while kind(page) != "priorities":
        if kind(page) == "rating" and seen[-1] != current_area_label(page):
            seen.append(current_area_label(page))
        answer_current_step(page)
    assert seen == [
        "Fritid",
        "Trygghet",
        "Omsorg",
        "Må bra",
        "Tillhörighet",
        "Ansvarstagande",
        "Respekteras",
        "Utvecklas",
    ]

    pick_and_done(page, "Fritid", "Utvecklas")
    expect(question(page)).to_contain_text("Vilka vill du ska vara med?")
    pick_and_done(page, "Jag själv", "Mamma")
    tap(page, "Kuratorn")

    # Sharing: which areas the guardians may see.
    expect(question(page)).to_contain_text("Vilka delar får dina vårdnadshavare se?")
    expect(
        page.get_by_text("Det du inte väljer visas bara för din barnkontakt", exact=False)
    ).to_be_visible()
    pick(page, "Fritid", "Må bra")
    screenshot(page, "barn-13-17-04-sharing")
    tap(page, "Klar")

    expect(question(page)).to_contain_text("Det här berättade du.")
    expect_review(page, "Vilka delar får dina vårdnadshavare se?", "Må bra", "Fritid")
    expect_review(page, "Vilken vuxen vill du helst", "Kuratorn")
    expect(compass(page)).to_be_visible()
    screenshot(page, "barn-13-17-05-review")
    tap(page, "Ja, det stämmer")
    expect(question(page)).to_contain_text("Tack för att du tog dig tid att prata med mig.")
    expect(page.locator("form.answer")).to_have_count(0)
    screenshot(page, "barn-13-17-06-goodbye")
