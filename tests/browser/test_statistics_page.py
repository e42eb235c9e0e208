"""The statistics page in Chromium: axe and HTMLCS find nothing, the choices work by keyboard,
no script."""

from __future__ import annotations

from playwright.sync_api import expect

from samtal.db import get_session
from samtal.staff import accounts
from tests.browser.checks import screenshot, violations
from tests.builders import STAFF_PASSWORD, YESTERDAY, store_child

EMAIL = "siffror@kommun.example"
DESK = {"viewport": {"width": 1280, "height": 900}, "has_touch": False, "is_mobile": False}


def test_statistics_page_passes_both_engines_both_ways(open_page, live_app):
    """Signed in as statistik: the page by age band and, chosen with the keyboard, by unit;
    tables with charts beside them, and no WCAG A/AA violation either way."""
    for n in range(7):
        store_child(
            live_app,
            unit="Ekskolan",
            child={"omsorg": "3" if n else "1", "trygghet": "2", "fritid": "vet_inte"},
            guardian={"omsorg": "4", "trygghet": "2"},
            followup={"omsorg": "2"},
            wishes={"omsorg": ["mer_mat"]},
            decision="barnteam",
        )
    for _ in range(5):
        store_child(live_app, unit="Björkens förskola", age=5, child={"omsorg": "3"})
    with live_app.app_context():
        accounts.create_staff(
            session=get_session(),
            email=EMAIL,
            name="Siv Siffra",
            role="statistik",
            password=STAFF_PASSWORD,
        )
    page = open_page(**DESK)
    page.goto(f"{live_app.config['BASE_URL']}/logga-in")
    page.get_by_label("E-postadress").fill(EMAIL)
    page.get_by_label("Lösenord").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Statistik")
    expect(page.get_by_role("table", name="Barn med samtal under året")).to_be_visible()
    expect(page.get_by_role("img", name="Diagram: Barn med samtal under året")).to_be_visible()
    assert violations(page) == []
    screenshot(page, "statistics-by-age")

    split = page.get_by_label("Dela upp efter")
    split.focus()
    split.select_option(label="Enhet")
    page.keyboard.press("Tab")  # from the choice to the button
    expect(page.get_by_role("button", name="Visa")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(
        f"{live_app.config['BASE_URL']}/arbete/statistik?ar={YESTERDAY.year}&dela=unit"
    )
    expect(page.get_by_role("rowheader", name="Ekskolan").first).to_be_visible()
    assert violations(page) == []
    screenshot(page, "statistics-by-unit")
