"""Barnets bästa-hjulet end to end in Chromium: the admin chooses the framework and names the
role, a nine-year-old talks on the tablet (asked first whom they turn to), and the Barnets
bästa-ansvarig opens a summary with a seven-sector wheel and exports it."""

from __future__ import annotations

import json
import re
from datetime import date

import jsonschema
from playwright.sync_api import expect

from samtal import settings
from samtal.conversation import lifecycle, links
from samtal.db import get_session
from samtal.models import Child
from samtal.staff import accounts
from tests.browser.checks import screenshot, violations
from tests.browser.desk import DESK, SCHEMA, sign_in
from tests.browser.journey import (
    answer_current_step,
    button,
    conversation,
    kind,
    question,
    tap,
)
from tests.builders import STAFF_PASSWORD

ADMIN = "admin@kommun.example"
CONTACT = "alva.bba@kommun.example"
AREAS = ["Hälsa", "Utveckling", "Lärande", "Omsorg", "Hemmet", "Relationer", "Trygghet"]


def test_nine_year_old_on_barnets_basta_hjulet(open_page, live_app, tmp_path):
    base = live_app.config["BASE_URL"]
    with live_app.app_context():
        made = {
            role: accounts.create_staff(
                session=get_session(),
                email=email,
                name="Alva Ek",
                role=role,
                password=STAFF_PASSWORD,
            )
            for email, role in ((ADMIN, "admin"), (CONTACT, "barnkontakt"))
        }

    # The admin chooses the framework and names the role.
    desk = open_page(**DESK)
    sign_in(desk, base, ADMIN)
    desk.goto(f"{base}/arbete/admin/ramverk")
    desk.get_by_role("radio", name=re.compile("^Barnets bästa-hjulet")).check()
    desk.get_by_label("svenska").fill("Barnets bästa-ansvarig")
    desk.get_by_role("button", name="Spara").click()
    expect(desk.get_by_role("status").first).to_contain_text("är sparade")
    assert violations(desk) == []

    with live_app.test_request_context():
        session = get_session()
        flow = settings.installed_flows().for_age(9)
        assert flow is not None and flow.id == "bbh-barn-7-9"
        child = Child(
            name="Noor", birth_year=date.today().year - 9, barnkontakt_id=made["barnkontakt"].id
        )
        session.add(child)
        session.commit()
        started = lifecycle.start_conversation(
            session=session, flow=flow, name="Noor", age=9, child=child
        )
        url = f"{base}/samtal/{links.tablet_token(started.id or 0, started.link_nonce)}/"
        child_id = child.id

    # The child on the tablet: the role by its configured name, then whom to turn to, first.
    tablet = open_page()
    tablet.goto(url)
    tap(tablet, "Ja")
    tap(tablet, "Fortsätt")
    expect(question(tablet)).to_have_text(
        "Din Barnets bästa-ansvarig läser det du säger. Hen kan också berätta det för andra "
        "vuxna som ska hjälpa dig, som din familj."
    )
    tap(tablet, "Fortsätt")
    expect(question(tablet)).to_have_text(
        "Vilken vuxen vill du helst gå till när du behöver hjälp?"
    )
    tap(tablet, "Min lärare")
    expect(tablet.locator(".compass-label")).to_have_text(AREAS)
    screenshot(tablet, "barnets-basta-compass")
    for _ in range(80):
        if kind(tablet) == "review":
            break
        answer_current_step(tablet)
    expect(conversation(tablet)).to_contain_text("Min lärare")  # the first answer, passed on
    tap(tablet, "Ja, det stämmer")
    expect(button(tablet, "Ja, det stämmer")).to_have_count(0)

    # The Barnets bästa-ansvarig's summary: seven sectors, the role's name, the chosen adult.
    sign_in(desk, base, CONTACT)
    desk.goto(f"{base}/arbete/barn/{child_id}/sammanstallning")
    wheel = desk.get_by_role("img", name="Barnets bästa-hjulet: barnets och vårdnadshavarnas syn")
    expect(wheel).to_be_visible()
    expect(wheel.locator("line")).to_have_count(7)
    for label in AREAS:
        expect(wheel).to_contain_text(label)
    expect(desk.get_by_role("term").filter(has_text="Barnets bästa-ansvarig")).to_be_visible()
    expect(desk.locator("main")).to_contain_text("Min lärare")
    screenshot(desk, "barnets-basta-summary")
    assert violations(desk) == []

    exported = desk.request.get(f"{base}/arbete/barn/{child_id}/sammanstallning/json")
    document = json.loads(exported.body())
    jsonschema.validate(document, SCHEMA)
    summary = document["summary"]
    assert summary["framework"]["id"] == "barnets_basta"
    assert summary["framework"]["role"] == "Barnets bästa-ansvarig"
    assert [area["label"] for area in summary["areas"]] == AREAS
    assert [item["text"] for item in summary["adult"]] == ["Min lärare"]
