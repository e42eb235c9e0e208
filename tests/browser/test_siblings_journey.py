"""Siblings in the browser (issue 14): the barnkontakt links two of their children and sees
each on the other's page; a colleague who has only one of them sees that a sibling exists and
nothing more; a guardian tells about the siblings in the follow-up, and the barnkontakt sees
the hint beside the siblings and the answers in the summary."""

from __future__ import annotations

import re
from datetime import date

from playwright.sync_api import Page, expect

from samtal import library
from samtal.conversation import invitations
from samtal.db import get_session
from samtal.models import Child
from samtal.staff import accounts
from tests.browser.checks import PHONE, screenshot, violations
from tests.browser.desk import DESK, EMAIL, sign_in
from tests.browser.journey import conversation, give_any_answer, kind, question, tap
from tests.builders import STAFF_PASSWORD, finish

COLLEAGUE = "kim.barnkontakt@kommun.example"
EXISTS_ONLY = (
    "Ett syskon finns också i Samtal, men du har inte tillgång till det barnets uppgifter."
)
HOW_NOW = "Storebror Bo sover dåligt sedan flytten."


def seed(app) -> dict[str, int]:
    """Lina with two children, Alva and Bo Berg; Alva's guardian Amira has answered the first
    questions (no siblings then); Kim is a colleague. Returns the ids by name."""
    with app.test_request_context():
        session = get_session()
        people = {
            email: accounts.create_staff(
                session=session, email=email, name=name, role="barnkontakt", password=STAFF_PASSWORD
            )
            for email, name in ((EMAIL, "Lina Lind"), (COLLEAGUE, "Kim Kvist"))
        }
        lina = people[EMAIL]
        alva, bo = (
            Child(name=name, birth_date=born, barnkontakt_id=lina.id)
            for name, born in (("Alva Berg", date(2017, 5, 4)), ("Bo Berg", date(2013, 2, 1)))
        )
        session.add_all([alva, bo])
        session.commit()
        first = library.flows().get("vardnadshavare")
        assert first is not None
        issued = invitations.issue(
            session=session, child=alva, flow=first, guardian_name="Amira Berg", language="sv"
        )
        finish(session, issued.conversation, {"syskon": "nej"})
        return {
            "alva": alva.id or 0,
            "bo": bo.id or 0,
            "kim": people[COLLEAGUE].id or 0,
        }


def signed_in(page: Page, base: str, email: str = EMAIL) -> None:
    """Sign in and wait for the caseload, so the next address does not cut the sign-in short."""
    sign_in(page, base, email)
    expect(page).to_have_url(re.compile(r"/arbete/barn$"))


def siblings(page: Page):
    """The child page's Syskon section."""
    return page.get_by_role("region", name="Syskon")


def test_siblings_are_linked_and_a_colleague_sees_only_that_one_exists(open_page, live_app):
    base = live_app.config["BASE_URL"]
    ids = seed(live_app)
    page = open_page(**DESK)
    signed_in(page, base)
    page.goto(f"{base}/arbete/barn/{ids['alva']}")
    expect(siblings(page)).to_contain_text("Inga syskon är länkade till barnet.")

    siblings(page).get_by_role("link", name="Länka ett syskon").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Länka ett syskon till Alva Berg")
    page.get_by_label("Sök på namn").fill("berg")
    page.get_by_role("button", name="Sök", exact=True).click()
    found = page.get_by_role("table", name="Barn som kan länkas som syskon")
    expect(found.get_by_role("row")).to_have_count(2)  # the header and Bo: never Alva herself
    screenshot(page, "siblings-01-choose")
    assert violations(page) == []
    found.get_by_role("button", name="Länka Bo Berg").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Alva Berg")
    expect(page.get_by_role("status").first).to_have_text(
        "Alva Berg och Bo Berg är länkade som syskon."
    )
    expect(siblings(page)).to_contain_text(
        re.compile(r"Bo Berg\s+·\s+\d+ år\s+·\s+Inget samtal än")
    )
    screenshot(page, "siblings-02-linked")
    assert violations(page) == []
    siblings(page).get_by_role("link", name="Bo Berg").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bo Berg")
    expect(siblings(page).get_by_role("link", name="Alva Berg")).to_be_visible()
    expect(
        siblings(page).get_by_role("button", name="Ta bort länken till Alva Berg")
    ).to_be_visible()

    # Bo moves to Kim. Kim sees that Bo has a sibling in Samtal, and nothing about Alva.
    with live_app.app_context():
        session = get_session()
        moved = session.get(Child, ids["bo"])
        assert moved is not None
        accounts.reassign_child(session=session, child=moved, to_staff_id=ids["kim"])
    colleague = open_page(**DESK)
    signed_in(colleague, base, COLLEAGUE)
    colleague.goto(f"{base}/arbete/barn/{ids['bo']}")
    expect(siblings(colleague)).to_contain_text(EXISTS_ONLY)
    expect(siblings(colleague).get_by_role("link")).to_have_count(1)  # "Länka ett syskon"
    expect(siblings(colleague).get_by_role("button")).to_have_count(0)
    assert "Alva" not in colleague.content()
    screenshot(colleague, "siblings-03-colleague-sees-existence-only")
    assert violations(colleague) == []
    # And Lina, who kept Alva, no longer sees Bo's name either.
    page.goto(f"{base}/arbete/barn/{ids['alva']}")
    expect(siblings(page)).to_contain_text(EXISTS_ONLY)
    expect(siblings(page)).not_to_contain_text("Bo Berg")


def test_a_guardian_tells_about_siblings_in_the_followup_and_the_barnkontakt_sees_it(
    open_page, live_app
):
    base = live_app.config["BASE_URL"]
    ids = seed(live_app)
    page = open_page(**DESK)
    signed_in(page, base)
    page.goto(f"{base}/arbete/barn/{ids['alva']}")
    page.get_by_role("button", name=re.compile(r"^Bjud in till uppföljning\b.*Amira Berg")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Inbjudan till uppföljning för Amira Berg"
    )
    link = page.get_by_label("Länken").input_value()

    phone = open_page(**PHONE)
    phone.goto(link)
    for _ in range(40):
        if question(phone).inner_text().strip() == "Har barnet syskon?":
            break
        give_any_answer(phone)
    expect(question(phone)).to_have_text("Har barnet syskon?")
    tap(phone, "Ja")
    expect(question(phone)).to_have_text("Hur har syskonen det nu?")
    screenshot(phone, "siblings-04-guardian-how-now")
    assert violations(phone) == []
    give_any_answer(phone, words=HOW_NOW)
    expect(question(phone)).to_have_text("Behöver något av syskonen också någon att prata med?")
    tap(phone, "Ja")
    while kind(phone) != "review":
        give_any_answer(phone)
    review = conversation(phone)
    expect(review).to_contain_text("Hur har syskonen det nu?")
    expect(review).to_contain_text(HOW_NOW)
    expect(review).to_contain_text("Behöver något av syskonen också någon att prata med?")
    give_any_answer(phone)  # sent: the answers go to the barnkontakt
    expect(question(phone)).to_contain_text("Tack för dina svar!")

    page.get_by_role("link", name="Tillbaka till Alva Berg").click()
    hint = siblings(page).locator(".notice")
    expect(hint).to_have_text(
        "Amira Berg (vårdnadshavare) svarade att ett syskon också behöver någon att prata med. "
        "Se svaren om syskonen"
    )
    screenshot(page, "siblings-05-hint")
    assert violations(page) == []
    hint.get_by_role("link", name="Se svaren om syskonen").click()
    expect(page.get_by_text(HOW_NOW)).to_be_visible()
    expect(page.get_by_text("Hur har syskonen det nu?")).to_be_visible()
