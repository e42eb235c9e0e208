"""The barnkontakt's workspace in Chromium: register, consent, kiosk, invitation (issue 4)."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from samtal.db import get_session
from samtal.staff import accounts
from tests.browser.checks import PHONE, violations
from tests.browser.checks import screenshot as save_screenshot
from tests.browser.desk import DESK, EMAIL, record_consent, register_child, sign_in
from tests.browser.journey import question, tap
from tests.builders import STAFF_PASSWORD

FOUND: dict[str, list[str]] = {}


def screenshot(page: Page, name: str) -> None:
    """Save a screenshot and run axe and HTMLCS (WCAG A/AA) on the same screen."""
    save_screenshot(page, name)
    FOUND[name] = violations(page)


def test_barnkontakt_registers_consents_starts_kiosk_and_invites(open_page, live_app):
    """Sign in, register a child, record consent, start the child's conversation on this tablet,
    answer the assent, be asked for the password on the way out, invite the guardian, and open
    the invitation on another device."""
    base = live_app.config["BASE_URL"]
    with live_app.app_context():
        accounts.create_staff(
            session=get_session(),
            email=EMAIL,
            name="Lina Lind",
            role="barnkontakt",
            password=STAFF_PASSWORD,
        )
    page = open_page(allow_errors=True)  # the wrong kiosk password answers 401 on purpose
    sign_in(page, base)
    expect(page.get_by_role("heading", level=1)).to_have_text("Mina barn")
    expect(page.get_by_role("status")).to_have_text(re.compile("Du har 0 barn"))
    register_child(page)
    screenshot(page, "workspace-01-child-registered")

    record_consent(page)
    screenshot(page, "workspace-02-consent-recorded")

    # On this tablet: the browser becomes the child's screen.
    start = page.get_by_role("region", name="Starta barnets samtal")
    expect(start.get_by_label("Frågor för åldersgrupp")).to_have_value("barn-7-9")
    start.get_by_role("button", name="Starta på den här surfplattan").click()
    expect(question(page)).to_contain_text("Vill du prata med mig i dag?")
    screenshot(page, "workspace-03-kiosk-child-screen")
    tap(page, "Ja")
    expect(question(page)).to_contain_text("inga rätt eller fel svar")

    # The child (or anyone) trying the staff pages is asked for the barnkontakt's password.
    page.goto(f"{base}/arbete/barn")
    expect(page).to_have_url(f"{base}/arbete/kiosk/lamna")
    expect(page.get_by_role("heading", level=1)).to_have_text("Den här skärmen är barnets just nu")
    expect(page.get_by_text("Amira")).to_have_count(0)
    page.get_by_label("Lösenord för barnkontakt").fill("fel lösenord")
    page.get_by_role("button", name="Lämna barnets skärm").click()
    expect(page.get_by_role("alert")).to_have_text(re.compile("Lösenordet stämmer inte"))
    screenshot(page, "workspace-04-kiosk-asks-password")
    page.get_by_role("link", name="Tillbaka till samtalet").click()
    expect(question(page)).to_contain_text("inga rätt eller fel svar")  # resumed where it was
    page.goto(f"{base}/arbete/barn")
    page.get_by_label("Lösenord för barnkontakt").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Lämna barnets skärm").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sam")
    conversations = page.get_by_role("region", name="Samtal", exact=True)
    expect(conversations.get_by_role("row")).to_have_count(2)
    expect(conversations.get_by_role("cell", name="Pågår")).to_be_visible()

    # Invite the guardian, with a code.
    page.set_viewport_size(DESK["viewport"])
    guardians = page.get_by_role("region", name="Vårdnadshavare och inbjudningar")
    guardians.get_by_label("Vårdnadshavare", exact=True).select_option(label="Amira Berg")
    expect(guardians.get_by_label("Språk för frågorna")).to_have_value("ar")
    guardians.get_by_role("checkbox", name=re.compile("Kräv en kod")).check()
    guardians.get_by_role("button", name="Skapa inbjudan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Inbjudan till Amira Berg")
    expect(page.get_by_role("img", name="QR-kod till inbjudan")).to_be_visible()
    expect(page.get_by_role("button", name="Skriv ut")).to_be_visible()
    link = page.get_by_label("Länken").input_value()
    code = page.locator(".code").inner_text()
    assert link.startswith(f"{base}/v/") and re.fullmatch(r"\d{6}", code)
    screenshot(page, "workspace-05-invitation-link-and-code")

    # The guardian opens the link on their phone, in another browser.
    phone = open_page(**{**PHONE, "locale": "ar"})
    phone.goto(link)
    expect(phone.locator("html")).to_have_attribute("dir", "rtl")
    phone.get_by_role("textbox").fill(code)
    phone.get_by_role("button").filter(has_text=re.compile(".")).last.click()
    expect(phone.locator("form.answer")).to_be_visible()
    screenshot(phone, "workspace-06-guardian-opened-invitation")

    # Back on the child page: the invitation and who has seen the child's data.
    page.get_by_role("link", name="Tillbaka till Sam").click()
    invitations = page.get_by_role("table", name="Inbjudningar")
    expect(invitations.get_by_role("row")).to_have_count(2)
    expect(invitations).to_contain_text("Amira Berg")
    seen = page.get_by_role("region", name="Vem har sett barnets uppgifter")
    expect(seen).to_contain_text("Lina Lind")
    expect(seen.get_by_role("row").filter(has_text="Fel lösenord")).to_contain_text("Lina Lind")
    screenshot(page, "workspace-07-child-page")

    page.get_by_role("link", name="Barn", exact=True).click()
    table = page.get_by_role("table", name="Barnen och var de är i processen")
    expect(table.get_by_role("row").nth(1)).to_contain_text("Vårdnadshavare inbjudna")
    expect(table.get_by_role("row").nth(1)).to_contain_text("0 av 1 har svarat")
    screenshot(page, "workspace-08-caseload")
    page.get_by_role("link", name="Registrera ett barn").click()
    page.get_by_role("button", name="Registrera barnet").click()
    expect(page.get_by_role("alert")).to_contain_text("Skriv barnets namn")
    screenshot(page, "workspace-09-register-errors")
    failing = {name: found for name, found in FOUND.items() if found}
    assert not failing, failing
