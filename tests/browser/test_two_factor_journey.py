"""Two-factor sign-in in Chromium: a barnkontakt turns it on from the QR page's key, signs out,
and signs in again with password and code; every page passes axe and HTMLCS (WCAG A/AA)."""

from __future__ import annotations

import time

import pyotp
import pytest

from samtal.db import get_session
from samtal.staff import accounts
from tests.browser.checks import violations
from tests.browser.desk import DESK
from tests.builders import STAFF_PASSWORD

pytestmark = pytest.mark.browser


def test_turn_on_two_factor_and_sign_in_with_a_code(live_app, open_page):
    with live_app.app_context():
        accounts.create_staff(
            session=get_session(),
            email="kod@kommun.example",
            name="Karin Kod",
            role="barnkontakt",
            password=STAFF_PASSWORD,
        )
    base = live_app.config["BASE_URL"]
    page = open_page(**DESK)

    def sign_in_with_password() -> None:
        page.goto(base + "/logga-in")
        page.get_by_label("E-postadress").fill("kod@kommun.example")
        page.get_by_label("Lösenord").fill(STAFF_PASSWORD)
        page.get_by_role("button", name="Logga in").click()

    sign_in_with_password()
    page.get_by_role("link", name="Karin Kod").click()
    page.get_by_role("link", name="Slå på tvåstegsverifiering").click()
    assert page.get_by_role("img", name="QR-kod för att lägga till Samtal i appen").is_visible()
    assert violations(page) == []
    secret = page.locator("#nyckel").inner_text().replace(" ", "")
    page.get_by_label("Kod från appen (sex siffror)").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Slå på tvåstegsverifiering").click()
    assert page.get_by_role("status").filter(has_text="Tvåstegsverifieringen är på").is_visible()

    page.get_by_role("button", name="Logga ut", exact=True).click()
    sign_in_with_password()
    assert page.get_by_role("heading", name="Kod från appen").is_visible()
    assert violations(page) == []
    # The code just used is spent; the app's next one is accepted (one step's grace).
    page.get_by_label("Kod (sex siffror)").fill(pyotp.TOTP(secret).at(time.time() + 30))
    page.get_by_role("button", name="Logga in").click()
    assert page.get_by_role("heading", name="Mina barn").is_visible()
