"""In Chromium: the barnkontakt sends a guardian's invitation by e-mail (received by a real SMTP
server on loopback), sees it sent on the child page, and prints the Arabic invitation."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from samtal.db import get_session
from samtal.models import Child, Guardian, Unit
from samtal.staff import accounts
from tests.browser.checks import ARTIFACTS, screenshot, violations
from tests.browser.desk import DESK
from tests.builders import STAFF_PASSWORD, use_mail_server

EMAIL = "kim.barnkontakt@kommun.example"


def test_barnkontakt_sends_the_invitation_by_email_and_prints_it_in_arabic(
    open_page, live_app, smtp_server
):
    port, received = smtp_server
    use_mail_server(live_app, port)
    base = live_app.config["BASE_URL"]
    with live_app.app_context():
        session = get_session()
        unit = Unit(name="Björkskolan")
        session.add(unit)
        session.commit()
        staff = accounts.create_staff(
            session=session,
            email=EMAIL,
            name="Kim Lind",
            role="barnkontakt",
            password=STAFF_PASSWORD,
            unit_id=unit.id,
        )
        staff.phone = "08-123 456 78"
        child = Child(name="Sara Ali", birth_year=2016, barnkontakt_id=staff.id, unit_id=unit.id)
        session.add_all([staff, child])
        session.commit()
        session.add(Guardian(child_id=child.id or 0, name="Amal Hassan", language="ar"))
        session.commit()
        child_url = f"{base}/arbete/barn/{child.id}"

    page = open_page(**DESK)
    page.goto(f"{base}/logga-in")
    page.get_by_label("E-postadress").fill(EMAIL)
    page.get_by_label("Lösenord").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.goto(child_url)
    guardians = page.get_by_role("region", name="Vårdnadshavare och inbjudningar")
    guardians.get_by_role("button", name="Skapa inbjudan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Inbjudan till Amal Hassan")

    sending = page.get_by_role("region", name="Så når inbjudan familjen")
    sending.get_by_label("Vårdnadshavarens e-postadress").fill("amal@example.se")
    sending.get_by_role("button", name="Skicka med e-post").click()
    expect(page.get_by_role("status").first).to_have_text(
        "Inbjudan är skickad med e-post till amal@example.se."
    )
    expect(page.get_by_text(re.compile("^Skickad med e-post till amal@example.se"))).to_be_visible()
    screenshot(page, "invitation-01-sent-by-email")
    assert violations(page) == []
    assert len(received.messages) == 1
    message = received.messages[0]
    assert message["To"] == "Amal Hassan <amal@example.se>"
    assert "Kim Lind" in message.get_body(("plain",)).get_content()

    page.get_by_role("link", name="Tillbaka till Sara Ali").click()
    invitations = page.get_by_role("table", name="Inbjudningar")
    expect(invitations.get_by_role("row").nth(1)).to_contain_text("Skickad till amal@example.se")
    seen = page.get_by_role("region", name="Vem har sett barnets uppgifter")
    expect(seen).to_contain_text("Skickade en inbjudan med e-post")
    screenshot(page, "invitation-02-child-page-status")

    invitations.get_by_role("link", name="Visa länken igen").click()
    page.get_by_role("link", name="Inbjudan att skriva ut, på arabiska och svenska").click()
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page.get_by_role("heading", level=1)).to_have_text("أسئلة عن أحوال Sara")
    expect(page.get_by_text("Frågor om hur Sara har det")).to_be_visible()
    expect(page.get_by_role("img", name="رمز QR يحتوي على الرابط")).to_be_visible()
    assert violations(page) == []
    page.emulate_media(media="print")
    # The whole link stays inside the page: it wraps instead of running off.
    link = page.locator(".letter-link")
    expect(link).to_contain_text(f"{base}/v/")
    fits = link.evaluate("e => e.scrollWidth <= e.clientWidth")
    inside = link.evaluate("e => e.getBoundingClientRect().right <= window.innerWidth")
    assert fits and inside
    screenshot(page, "invitation-03-printed-letter-ar")
    ARTIFACTS.mkdir(exist_ok=True)
    page.pdf(path=str(ARTIFACTS / "invitation-letter-ar.pdf"), format="A4", print_background=True)
