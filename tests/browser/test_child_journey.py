"""Whole conversations on the tablet, tapped through the way a child does it (SPEC §3)."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from samtal.conversation import records
from samtal.db import get_session
from tests.browser.checks import screenshot
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
    write_words,
)


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
    conversation_id, url = start_tablet("barn-4-6", age=5)
    page = tablet
    page.goto(url)

    # Assent.
    expect(question(page)).to_have_text("Hej! Jag heter Kim. Vill du prata med mig i dag?")
    expect(button(page, "Ja")).to_be_visible()
    expect(button(page, "Nej")).to_be_visible()
    expect(current_area(page)).to_have_count(0)
    if not page.evaluate("speechSynthesis.getVoices().length"):  # no voice: no read-aloud button
        expect(page.get_by_role("button", name="Läs upp")).to_be_hidden()
    screenshot(page, "barn-4-6-01-assent")
    tap(page, "Ja")
    expect(question(page)).to_contain_text("Det finns inga fel svar.")
    tap(page, "Fortsätt")
    seen: list[str] = []

    # Omsorg: the happiest face, then what is good (pictures + Klar), then own words.
    seen.append(current_area_label(page))
    expect(question(page)).to_contain_text("mat, sömn och vuxna")
    for face in FACES3 + SKIPS:
        expect(button(page, face)).to_be_visible()
    screenshot(page, "barn-4-6-02-rating")
    tap(page, "Bra")
    expect(question(page)).to_have_text("Vad är bra?")
    expect(childs_bubble(page)).to_contain_text("Bra")
    expect(page.get_by_text("Välj upp till 3 bilder och tryck sedan på Klar.")).to_be_visible()
    pick(page, "Maten", "Kramar")
    screenshot(page, "barn-4-6-03-choice")
    tap(page, "Klar")
    expect(question(page)).to_contain_text("Vill du säga något mer om mat och sömn?")
    expect(childs_bubble(page)).to_contain_text("Maten")
    expect(childs_bubble(page)).to_contain_text("Kramar")
    expect(page.get_by_label("Den vuxna skriver det barnet säger")).to_be_checked()
    write_words(page, "Jag gillar pannkakor.")

    # Trygghet: "Vet inte" is taken as it is and leads to what would make it better.
    seen.append(current_area_label(page))
    tap(page, "Vet inte")
    expect(question(page)).to_have_text("Vad skulle hjälpa dig att känna dig trygg?")
    expect(childs_bubble(page)).to_contain_text("Vet inte")
    pick_and_done(page, "Ljus på natten")
    tap(page, "Vill inte svara")

    # Må bra: "Vill inte svara" skips straight to the own-words step.
    seen.append(current_area_label(page))
    tap(page, "Vill inte svara")
    expect(question(page)).to_contain_text("Vill du säga något mer om hur du mår?")
    expect(childs_bubble(page)).to_contain_text("Vill inte svara")
    write_words(page, "Jag sover gott.")

    # Fritid: "Sådär", then the child changes it to "Bra" with "Ändra" on their own bubble.
    seen.append(current_area_label(page))
    tap(page, "Sådär")
    expect(question(page)).to_have_text("Vad skulle du vilja göra mer?")
    expect(childs_bubble(page)).to_contain_text("Sådär")
    swap(page, conversation(page).get_by_role("link", name="Ändra svaret").tap)
    expect(page.get_by_text("Du ändrar ett svar.")).to_be_visible()
    expect(question(page)).to_contain_text("Hur har du det när du leker?")
    expect(button(page, "Sådär")).to_have_accessible_description("ditt svar nu")
    tap(page, "Bra")
    expect(question(page)).to_have_text("Vad tycker du om att göra?")
    pick_and_done(page, "Rita", "Bygga")
    tap(page, "Vill inte svara")

    # Tillhörighet: the unhappiest face.
    seen.append(current_area_label(page))
    expect(compass_item(page, "Omsorg")).to_contain_text("klart")
    expect(compass_item(page, "Fritid")).to_contain_text("klart")
    expect(compass_item(page, "Utvecklas")).to_contain_text("inte än")
    screenshot(page, "barn-4-6-04-compass-midway")
    tap(page, "Inte så bra")
    expect(question(page)).to_have_text("Vad skulle göra det bättre?")
    pick_and_done(page, "En kompis att leka med")
    tap(page, "Vill inte svara")

    # The last three areas, answered plainly; the compass keeps leading in its order.
    while kind(page) != "priorities":
        if kind(page) == "rating":
            seen.append(current_area_label(page))
        answer_current_step(page)
    assert seen == AREAS

    # What matters most: at most three areas; a fourth is refused with a clear message.
    expect(question(page)).to_contain_text("Vad är viktigast för dig?")
    expect(current_area(page)).to_have_count(0)
    for label in AREAS:
        expect(compass_item(page, label)).to_contain_text("klart")
    pick(page, "Omsorg", "Trygghet", "Fritid", "Må bra")
    tap(page, "Klar")
    expect(page.get_by_role("alert")).to_have_text("Du kan välja högst 3.")
    expect(question(page)).to_contain_text("Vad är viktigast för dig?")
    screenshot(page, "barn-4-6-05-priorities-refused")
    pick_and_done(page, "Omsorg", "Trygghet", "Fritid")

    # Who comes to the meeting, and the adult to turn to (one tap).
    expect(question(page)).to_contain_text("Vem vill du ska vara med då?")
    pick_and_done(page, "Mamma", "En kompis")
    expect(question(page)).to_have_text("Vem vill du helst gå till när du behöver hjälp?")
    tap(page, "Någon på förskolan")

    # Det här berättade du.
    expect(question(page)).to_contain_text("Det här berättade du.")
    expect_review(page, "Nu ska vi prata om mat", "Bra")
    expect_review(page, "Vad är bra?", "Maten", "Kramar")
    expect_review(page, "Vill du säga något mer om mat", "Jag gillar pannkakor.")
    expect_review(page, "Trygg är när", "Vet inte")
    expect_review(page, "Vad skulle hjälpa dig att känna dig trygg?", "Ljus på natten")
    expect_review(page, "Vill du säga något mer om att vara trygg?", "Vill inte svara")
    expect_review(page, "Nu pratar vi om hur du mår", "Vill inte svara")
    expect_review(page, "Vill du säga något mer om hur du mår", "Jag sover gott.")
    expect_review(page, "Nu pratar vi om lek", "Bra")
    expect_review(page, "Vad tycker du om att göra?", "Rita", "Bygga")
    fritid = conversation(page).get_by_role("region", name="Fritid")
    expect(fritid).not_to_contain_text("Sådär")
    expect(fritid).not_to_contain_text("Vad skulle du vilja göra mer?")
    expect_review(page, "Nu har vi pratat om allt", "Omsorg", "Trygghet", "Fritid")
    expect_review(page, "Vuxna ska träffas", "Mamma", "En kompis")
    expect_review(page, "Vem vill du helst gå till", "Någon på förskolan")
    screenshot(page, "barn-4-6-06-review")

    # Change an answer from the review screen; the review then shows the new one.
    swap(
        page,
        conversation(page).get_by_role("link", name=re.compile(r"^Ändra\W+Vem vill du helst")).tap,
    )
    expect(question(page)).to_have_text("Vem vill du helst gå till när du behöver hjälp?")
    expect(button(page, "Någon på förskolan")).to_have_accessible_description("ditt svar nu")
    tap(page, "Pappa")
    expect(question(page)).to_contain_text("Det här berättade du.")
    expect_review(page, "Vem vill du helst gå till", "Pappa")
    assert [row.value for row in history(live_app, conversation_id, "hjalp_vuxen")] == [
        "forskollarare",
        "pappa",
    ]

    # Confirm → goodbye: nothing more to answer or change.
    tap(page, "Ja, det stämmer")
    expect(question(page)).to_contain_text("Tack för att du pratade med mig!")
    expect(page.locator("form.answer")).to_have_count(0)
    expect(answer_buttons(page)).to_have_count(0)
    expect(conversation(page).get_by_role("link", name=re.compile("Ändra"))).to_have_count(0)
    screenshot(page, "barn-4-6-07-goodbye")


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
