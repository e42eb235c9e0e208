"""A follow-up conversation on the tablet (SPEC §3, issue 4 "Follow-up").

An 8-year-old has had a first conversation (answered quickly through the service functions);
months later the barnkontakt starts a follow-up with the same service as `samtal start
--child N --followup`. On every area the tablet shows "Förra gången" with last time's face (or
Vet inte / Vill inte svara as such) and the child's own words, then asks how it is now; at the
end what has got better, what has got worse and whether what was decided helps.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from samtal import library
from samtal.conversation import invitations, lifecycle, links, records
from samtal.db import get_session
from samtal.models import Child, Guardian
from tests.browser.checks import PHONE, screenshot, violations
from tests.browser.journey import (
    AREAS,
    button,
    childs_bubble,
    compass_item,
    conversation,
    current_area_label,
    kind,
    pick_and_done,
    question,
    swap,
    tap,
    write_words,
)
from tests.builders import run_through

# What the child answered last time, per area: (step answer, what "Förra gången" shows, face).
LAST_TIME = {
    "omsorg": ("1", "Inte så bra", "face.1of3"),
    "trygghet": ("2", "Sådär", "face.2of3"),
    "ma_bra": ("3", "Bra", "face.3of3"),
    "fritid": ("vet_inte", "Vet inte", "answer.vet_inte"),
    "tillhorighet": ("vill_inte_svara", "Vill inte svara", "answer.vill_inte_svara"),
    "ansvarstagande": ("3", "Bra", "face.3of3"),
    "respekteras": ("2", "Sådär", "face.2of3"),
    "utvecklas": ("1", "Inte så bra", "face.1of3"),
}
AREA_IDS = dict(zip(AREAS, LAST_TIME, strict=True))
LAST_WORDS = "Jag är trött på morgonen."


def first_conversation_then_followup(app) -> str:
    """A child's finished first conversation, then a follow-up started; its tablet URL."""
    with app.app_context():
        session = get_session()
        child = Child(name="Testbarn", birth_year=records.utcnow().year - 8)
        session.add(child)
        session.commit()
        first = lifecycle.start_conversation(
            session=session,
            flow=library.flows().get("barn-7-9"),
            name=child.name,
            age=8,
            child=child,
        )
        first_id, child_id = first.id or 0, child.id or 0
    wanted: dict = {f"{area}.hur": answer for area, (answer, _t, _p) in LAST_TIME.items()}
    wanted["omsorg.ord"] = LAST_WORDS
    run_through(app, first_id, wanted)
    with app.app_context():
        session = get_session()
        later = lifecycle.start_followup(
            session=session, flows=library.flows(), child=session.get(Child, child_id)
        )
        assert later.flow_id == "uppfoljning-7-9"
        token = links.tablet_token(later.id or 0, later.link_nonce)
    return f"{app.config['BASE_URL']}/samtal/{token}/"


def area_button(page: Page, label: str):
    """An area to choose on the compass step."""
    return conversation(page).get_by_role("button", name=re.compile(rf"^{re.escape(label)}\b"))


def test_followup_shows_last_time_for_every_area(tablet: Page, live_app):
    page = tablet
    page.goto(first_conversation_then_followup(live_app))

    expect(question(page)).to_contain_text("Hej igen!")
    tap(page, "Ja")
    expect(question(page)).to_contain_text("Jag visar vad du sa förra gången.")
    tap(page, "Fortsätt")
    tap(page, "Fortsätt")  # who reads what the child says

    # The child chooses the order on the compass; each area shows "Förra gången" first.
    order = ["Trygghet", "Omsorg", *[a for a in AREAS if a not in ("Trygghet", "Omsorg")]]
    for number, label in enumerate(order):
        expect(question(page)).to_contain_text("Vad vill du prata om nu?")
        swap(page, area_button(page, label).tap)
        assert current_area_label(page) == label
        expect(question(page)).to_contain_text("nu")
        _answer, shown, picture = LAST_TIME[AREA_IDS[label]]
        recall = conversation(page).get_by_role("note")
        expect(recall).to_contain_text(f"Förra gången: {shown}")
        expect(recall.locator("img").first).to_have_attribute("src", re.compile(re.escape(picture)))
        if label == "Omsorg":
            expect(recall).to_contain_text(LAST_WORDS)
            screenshot(page, "uppfoljning-7-9-01-forra-gangen")
            assert violations(page) == []
        else:
            expect(recall).not_to_contain_text(LAST_WORDS)
        if number % 2:
            tap(page, "Bra")  # the happiest face: straight on, no words asked
        else:
            tap(page, "Sådär")
            expect(childs_bubble(page)).to_contain_text("Sådär")
            expect(question(page)).to_contain_text("Vill du säga något mer")
            write_words(page, f"Nu är det {label.lower()} som vanligt.")
    for label in AREAS:
        expect(compass_item(page, label)).to_contain_text("klart")

    # What has got better: the areas as pictures, as many as the child likes.
    expect(question(page)).to_have_text("Vad har blivit bättre sen förra gången?")
    expect(page.get_by_text("Välj så många du vill och tryck sedan på Klar.")).to_be_visible()
    pick_and_done(page, "Omsorg", "Fritid", "Utvecklas")
    # What has got worse: "Inget har blivit sämre" is an answer of its own.
    expect(question(page)).to_have_text("Har något blivit sämre sen förra gången?")
    screenshot(page, "uppfoljning-7-9-02-samre")
    assert violations(page) == []
    tap(page, "Inget har blivit sämre")
    expect(childs_bubble(page)).to_contain_text("Inget har blivit sämre")
    # Whether what was decided helps, then own words.
    expect(question(page)).to_contain_text("Hjälper det?")
    for answer in ("Ja", "Lite", "Nej", "Vet inte", "Vill inte svara"):
        expect(button(page, answer)).to_be_visible()
    tap(page, "Lite")
    write_words(page, "Det hjälper att fröken frågar.")

    # The review shows everything, "Inget har blivit sämre" included; then goodbye.
    assert kind(page) == "review"
    review = conversation(page)
    expect(review).to_contain_text("Inget har blivit sämre")
    expect(review).to_contain_text("Det hjälper att fröken frågar.")
    screenshot(page, "uppfoljning-7-9-03-review")
    tap(page, "Ja, det stämmer")
    expect(question(page)).to_contain_text("Tack för att du pratade med mig!")
    expect(page.locator("form.answer")).to_have_count(0)


def test_guardian_followup_shows_the_guardians_own_last_answer(open_page, live_app):
    """On a phone, the guardian's follow-up recalls their own answer, never the child's."""
    with live_app.app_context():
        session = get_session()
        child = Child(name="Testbarn", birth_year=records.utcnow().year - 8)
        session.add(child)
        session.flush()
        guardian = Guardian(child_id=child.id or 0, name="Förälder", language="sv")
        session.add(guardian)
        session.commit()
        child_first = lifecycle.start_conversation(
            session=session,
            flow=library.flows().get("barn-7-9"),
            name=child.name,
            age=8,
            child=child,
        )
        guardian_first = lifecycle.start_conversation(
            session=session,
            flow=library.flows().get("vardnadshavare"),
            name=child.name,
            age=8,
            child=child,
            guardian_id=guardian.id,
        )
        ids = (child_first.id or 0, guardian_first.id or 0, child.id or 0, guardian.id or 0)
    run_through(live_app, ids[0], {"omsorg.hur": "1", "omsorg.ord": "BARNETS EGNA ORD"})
    run_through(live_app, ids[1], {"omsorg.hur": "4", "omsorg.bra": "Han äter bra nu."})
    with live_app.test_request_context():
        session = get_session()
        issued = invitations.issue(
            session=session,
            child=session.get(Child, ids[2]),
            flow=library.flows().for_audience("guardian", purpose="followup")[0],
            language="sv",
            guardian=session.get(Guardian, ids[3]),
        )
    page = open_page(**PHONE)
    page.goto(f"{live_app.config['BASE_URL']}/v/{issued.token}/")
    expect(question(page)).to_contain_text("vad du svarade då")
    tap(page, "Fortsätt")
    tap(page, "Fortsätt")
    expect(question(page)).to_contain_text("mat, sömn, kläder och omsorg")
    recall = conversation(page).get_by_role("note")
    expect(recall).to_contain_text("Förra gången: Ganska bra")
    expect(recall).to_contain_text("Han äter bra nu.")
    expect(page.get_by_text("BARNETS EGNA ORD")).to_have_count(0)
    screenshot(page, "uppfoljning-vardnadshavare-01-forra-gangen")
    assert violations(page) == []
