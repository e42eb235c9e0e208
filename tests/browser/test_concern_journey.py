"""A concern from the kiosk to its decision, in Chromium: the panel on the kiosk tablet opens
with the barnkontakt's session and a confirmation, the note is write-only there, and the open
concern shows on the caseload and the child page until a decision with its reason."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from samtal.db import get_session
from samtal.staff import accounts
from tests.browser.checks import screenshot, violations
from tests.builders import STAFF_PASSWORD

EMAIL = "oro.barnkontakt@kommun.example"
NOTE = "Berättade om att bli slagen hemma QV3"


def test_a_concern_marked_on_the_kiosk_stays_visible_until_decided(open_page, live_app):
    base = live_app.config["BASE_URL"]
    with live_app.app_context():
        accounts.create_staff(
            session=get_session(),
            email=EMAIL,
            name="Lina Lind",
            role="barnkontakt",
            password=STAFF_PASSWORD,
        )
    page = open_page(viewport={"width": 1280, "height": 900}, has_touch=False, is_mobile=False)
    page.goto(f"{base}/logga-in")
    page.get_by_label("E-postadress").fill(EMAIL)
    page.get_by_label("Lösenord").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.get_by_role("link", name="Registrera ett barn").click()
    child = page.get_by_role("group", name="Barnet")
    child.get_by_label("Namn eller pseudonym").fill("Noa")
    child.get_by_label("Födelsedatum").fill("2016-03-02")
    page.get_by_role("group", name="Vårdnadshavare", exact=True).get_by_label("Namn").fill("Eva")
    page.get_by_role("button", name="Registrera barnet").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Noa")
    start = page.get_by_role("region", name="Starta barnets samtal")
    start.get_by_role("button", name="Starta på den här surfplattan").click()

    # The kiosk: "Vuxen" and a confirmation open the panel (the barnkontakt started it here).
    page.get_by_role("link", name=re.compile("^Vuxen")).click()
    page.get_by_role("button", name="Jag är den vuxna – öppna panelen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Panel för den vuxna")
    page.get_by_label("Vad väckte oron?").fill(NOTE)
    page.get_by_role("button", name="Markera oro för barnets säkerhet").click()
    reminder = page.get_by_role("alert")
    expect(reminder).to_contain_text(re.compile(r"Oro markerad .+ av Lina Lind"))
    assert NOTE not in page.content()
    screenshot(page, "concern-01-kiosk-panel-write-only")
    page.get_by_role("button", name="Tillbaka till samtalet").first.click()

    # Leaving the kiosk takes the password; then the child page leads with the open concern.
    page.goto(f"{base}/arbete/barn")
    page.get_by_label("Lösenord för barnkontakt").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Lämna barnets skärm").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Noa")
    alert = page.get_by_role("alert").filter(has_text="öppen oro")
    expect(alert).to_be_visible()
    concern = page.get_by_role("region", name="Oro för barnets säkerhet")
    expect(concern).to_contain_text(NOTE)
    expect(concern).to_contain_text("Markerad")
    assert violations(page) == []
    screenshot(page, "concern-02-child-page-open-concern")

    # The caseload: a red badge, and a filter for children with an open concern.
    page.goto(f"{base}/arbete/barn")
    expect(page.get_by_text("Öppen oro", exact=True)).to_be_visible()
    page.get_by_role("checkbox", name="Bara barn med öppen oro").check()
    page.get_by_role("button", name="Visa", exact=True).click()
    expect(page.get_by_role("link", name="Noa")).to_be_visible()
    assert violations(page) == []
    screenshot(page, "concern-03-caseload-badge")

    # The summary's sign-off asks for the report or the decision first.
    page.get_by_role("link", name="Noa").click()
    page.goto(page.url + "/sammanstallning")
    expect(page.get_by_role("alert").filter(has_text="innan du signerar")).to_be_visible()
    page.get_by_role("link", name="Till oron").click()
    concern = page.get_by_role("region", name="Oro för barnets säkerhet")
    concern.get_by_label("Ingen orosanmälan, därför att …").fill(
        "Samtalet gällde en händelse som socialtjänsten redan utreder."
    )
    concern.get_by_role("button", name="Spara beslutet att inte anmäla").click()
    expect(page.get_by_role("status").first).to_contain_text("Beslutet att inte göra orosanmälan")
    expect(page.get_by_role("alert").filter(has_text="öppen oro")).to_have_count(0)
    expect(concern).to_contain_text("Ingen orosanmälan, beslutat")
    page.goto(f"{base}/arbete/barn")
    expect(page.get_by_text("Öppen oro", exact=True)).to_have_count(0)
