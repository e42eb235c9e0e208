"""The safeguarding pages pass axe and HTMLCS (WCAG A/AA): the barnteam's per-area choice, the
de-identified consultation review, the admin's "break the glass", and the finished page."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from playwright.sync_api import Page, expect

from samtal import library
from samtal.conversation import lifecycle
from samtal.db import get_session
from samtal.models import Child, Consent, Conversation, Guardian, utcnow
from samtal.staff import accounts
from tests.browser.checks import screenshot, violations
from tests.builders import STAFF_PASSWORD, start_conversation_in

DESK = {"viewport": {"width": 1280, "height": 900}, "has_touch": False, "is_mobile": False}


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/logga-in")
    page.get_by_label("E-postadress").fill(email)
    page.get_by_label("Lösenord").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Logga in").click()


def test_safeguarding_pages_have_no_violations(open_page, live_app):
    base = live_app.config["BASE_URL"]
    with live_app.test_request_context():
        session = get_session()
        staff = {
            role: accounts.create_staff(
                session=session,
                email=f"{role}@kommun.example",
                name=f"Test {role}",
                role=role,
                password=STAFF_PASSWORD,
            )
            for role in ("barnkontakt", "admin")
        }
        child = Child(name="Ella", birth_year=2015, barnkontakt_id=staff["barnkontakt"].id)
        session.add(child)
        session.commit()
        flow = library.flows().get("barn-10-12")
        assert flow is not None
        lifecycle.start_conversation(
            session=session, flow=flow, name="Ella", age=11, language="sv", child=child
        )
        guardian = Guardian(child_id=child.id or 0, name="Maja")
        session.add(guardian)
        session.commit()
        today = utcnow().date()
        session.add(
            Consent(
                child_id=child.id or 0,
                given_by="guardian",
                guardian_id=guardian.id,
                information=["sammanstallning"],
                recipients=["barnteam"],
                given_on=today,
                valid_until=today + timedelta(days=30),
                informed=True,
            )
        )
        session.commit()
        child_id = child.id
    summary = f"{base}/arbete/barn/{child_id}/sammanstallning"
    page = open_page(**DESK)
    sign_in(page, base, "barnkontakt@kommun.example")
    page.goto(summary)
    page.get_by_role("checkbox", name="Jag har läst igenom sammanställningen").check()
    page.get_by_role("button", name="Signera", exact=True).click()
    page.goto(summary)
    page.get_by_role("button", name="PDF för delning").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Välj vad som delas med Barnteam")
    assert violations(page) == []
    screenshot(page, "safeguarding-barnteam-areas")
    page.goto(f"{summary}/konsultation")
    expect(page.get_by_role("heading", level=1)).to_have_text("Konsultation avidentifierat")
    assert violations(page) == []

    admin = open_page(**DESK)
    sign_in(admin, base, "admin@kommun.example")
    admin.goto(summary)
    expect(admin.get_by_role("heading", level=1)).to_have_text("Känsliga uppgifter om Ella")
    assert violations(admin) == []
    screenshot(admin, "safeguarding-break-the-glass")

    conversation, path = start_conversation_in(live_app, "barn-7-9", 8)
    with live_app.app_context():
        session = get_session()
        ended = session.get(Conversation, conversation.id)
        assert ended is not None
        ended.status = "ended"
        session.add(ended)
        session.commit()
    tablet = open_page()
    tablet.goto(base + urlsplit(path).path + "vuxen/")
    expect(tablet.get_by_role("heading", level=1)).to_have_text("Det här samtalet är avslutat")
    assert violations(tablet) == []
