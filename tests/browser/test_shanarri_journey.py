"""A GIRFEC installation end to end in Chromium, in English: the admin chooses SHANARRI and names
the Named Person, a twelve-year-old talks on the tablet in English, and the Named Person reads
an English summary with an eight-sector wheel."""

from __future__ import annotations

import re
from datetime import date

from playwright.sync_api import expect

from samtal.conversation import lifecycle, links
from samtal.db import get_session
from samtal.models import Child
from samtal.staff import accounts
from tests.browser.checks import screenshot, violations
from tests.browser.desk import DESK
from tests.browser.journey import give_any_answer, kind, primary_button, question
from tests.builders import STAFF_PASSWORD

ADMIN = "admin@council.example"
NAMED_PERSON = "morag@council.example"
INDICATORS = [
    "Safe",
    "Healthy",
    "Achieving",
    "Nurtured",
    "Active",
    "Respected",
    "Responsible",
    "Included",
]


def sign_in_english(page, base: str, email: str) -> None:
    """The sign-in form, in English."""
    page.goto(f"{base}/logga-in")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()


def test_twelve_year_old_on_shanarri_in_english(open_page, live_app):
    live_app.config["STAFF_LANGUAGE"] = "en"
    base = live_app.config["BASE_URL"]
    with live_app.app_context():
        made = {
            role: accounts.create_staff(
                session=get_session(),
                email=email,
                name="Morag Campbell",
                role=role,
                password=STAFF_PASSWORD,
            )
            for email, role in ((ADMIN, "admin"), (NAMED_PERSON, "barnkontakt"))
        }

    desk = open_page(**DESK)
    sign_in_english(desk, base, ADMIN)
    desk.goto(f"{base}/arbete/admin/ramverk")
    expect(desk.get_by_role("heading", level=1)).to_have_text("Framework and role")
    desk.get_by_role("radio", name=re.compile("^SHANARRI")).check()
    desk.get_by_label("Swedish").fill("Named Person")
    desk.get_by_label("English").fill("Named Person")
    desk.get_by_role("button", name="Save").click()
    expect(desk.get_by_role("status").first).to_contain_text("are saved")
    assert violations(desk) == []

    with live_app.test_request_context():
        session = get_session()
        child = Child(
            name="Isla", birth_year=date.today().year - 12, barnkontakt_id=made["barnkontakt"].id
        )
        session.add(child)
        session.commit()
        flow = live_app.extensions["samtal.flows"].get("shanarri-barn-10-12")
        started = lifecycle.start_conversation(
            session=session, flow=flow, name="Isla", age=12, language="en", child=child
        )
        url = f"{base}/samtal/{links.tablet_token(started.id or 0, started.link_nonce)}/"
        child_id = child.id

    tablet = open_page()
    tablet.goto(url)
    expect(question(tablet)).to_contain_text("Hi!")
    expect(tablet.locator("html")).to_have_attribute("lang", "en")
    for _ in range(6):
        if "Named Person" in question(tablet).inner_text():
            break
        give_any_answer(tablet)
    expect(question(tablet)).to_contain_text("Your contact person (Named Person) reads")
    expect(tablet.locator(".compass-label")).to_have_text(INDICATORS)
    screenshot(tablet, "shanarri-compass-en")
    for _ in range(80):
        if kind(tablet) == "review":
            break
        give_any_answer(tablet)
    expect(primary_button(tablet)).to_contain_text("Yes, that's right")
    give_any_answer(tablet)

    sign_in_english(desk, base, NAMED_PERSON)
    desk.goto(f"{base}/arbete/barn/{child_id}/sammanstallning")
    expect(desk.get_by_role("heading", level=1)).to_contain_text("Isla")
    wheel = desk.get_by_role(
        "img", name="SHANARRI wellbeing wheel: the child's and the guardians' views"
    )
    expect(wheel.locator("line")).to_have_count(8)
    for indicator in INDICATORS:
        expect(wheel).to_contain_text(indicator)
    expect(desk.get_by_role("term").filter(has_text="Named Person")).to_be_visible()
    expect(desk.get_by_role("button", name="Sign", exact=True)).to_be_visible()
    screenshot(desk, "shanarri-summary-en")
    assert violations(desk) == []
