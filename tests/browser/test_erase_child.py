"""An admin erases a child in Chromium: a reason that names the child is refused, then two
steps, and nothing about the child is left."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlmodel import select

from samtal.db import get_session
from samtal.models import Answer, Child, Conversation
from samtal.staff import accounts
from tests.browser.checks import screenshot, violations
from tests.browser.desk import DESK
from tests.builders import STAFF_PASSWORD


def test_admin_erases_a_child_after_two_confirmations(open_page, live_app, start_tablet):
    base = live_app.config["BASE_URL"]
    conversation_id, link = start_tablet("barn-7-9", 8)
    with live_app.app_context():
        accounts.create_staff(
            session=get_session(),
            email="ada.admin@kommun.example",
            name="Ada Admin",
            role="admin",
            password=STAFF_PASSWORD,
        )
        child_id = get_session().get(Conversation, conversation_id).child_id
    tablet = open_page()
    tablet.goto(link)
    tablet.get_by_role("button", name=re.compile("^Ja")).first.click()
    expect(tablet.get_by_role("heading", level=1)).not_to_have_text(re.compile("Vill du"))

    page = open_page(allow_errors=True, **DESK)  # a refused reason answers 422 on purpose
    page.goto(f"{base}/logga-in")
    page.get_by_label("E-postadress").fill("ada.admin@kommun.example")
    page.get_by_label("Lösenord").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.goto(f"{base}/arbete/admin/barn")
    page.get_by_label("Barnets nummer eller namn").fill("Testbarn")
    page.get_by_role("button", name="Sök").click()
    page.get_by_role("link", name="Testbarn").click()
    page.get_by_role("link", name="Radera allt om barnet").click()
    expect(page.get_by_text("Steg 1 av 2")).to_be_visible()

    page.get_by_label("Begäran om radering (GDPR art. 17)").check()
    page.get_by_label("Skälet med egna ord").fill("Testbarn vill inte vara med")
    page.get_by_role("button", name="Fortsätt").click()
    expect(page.get_by_role("alert")).to_contain_text("utan namn, personnummer")
    expect(page.get_by_label("Skälet med egna ord")).to_have_value("Testbarn vill inte vara med")
    page.get_by_label("Skälet med egna ord").fill("Dnr BUN 2026/17")
    page.get_by_role("button", name="Fortsätt").click()
    expect(page.get_by_text("Steg 2 av 2")).to_be_visible()
    screenshot(page, "admin-erase-step-2")
    assert violations(page) == []
    with live_app.app_context():
        assert get_session().get(Child, child_id) is not None  # nothing erased yet

    page.get_by_role("button", name="Ja, radera allt om Testbarn").click()
    expect(page.get_by_role("status")).to_have_text(f"Allt om barn nummer {child_id} är raderat.")
    with live_app.app_context():
        session = get_session()
        assert session.get(Child, child_id) is None
        assert (
            session.exec(select(Answer).where(Answer.conversation_id == conversation_id)).all()
            == []
        )
    later = open_page(allow_errors=True)  # the erased conversation's link answers 404
    response = later.goto(link)
    assert response is not None and response.status == 404
