"""A follow-up's summary in Chromium: does the help help? (issue 14 "Follow-up that evaluates").

Four months after the first round the child and one guardian (Anna) have answered their
follow-ups, the other guardian (Omar) has not. The barnkontakt sees each person beside their
own answers last time, the change per area, Omar's answers marked as from the first round and
not compared with the child; answers the evaluation questions, decides that the support
changes, signs and downloads "Barnets plan – uppföljning" as PDF and JSON.
"""

from __future__ import annotations

import json
import re

import jsonschema
from playwright.sync_api import expect
from sqlmodel import select

from samtal import library
from samtal.conversation import invitations, lifecycle
from samtal.db import get_session
from samtal.models import Child, Guardian
from samtal.staff import accounts
from tests.browser.checks import screenshot, violations
from tests.browser.desk import DESK, SCHEMA, pdf_to_text, sign_in
from tests.builders import STAFF_PASSWORD, make_child, months_back, run_through

EMAIL = "eva.barnkontakt@kommun.example"
FIRST = {"omsorg.hur": "1", "trygghet.hur": "3", "fritid.hur": "vet_inte"}
LATER = {"omsorg.hur": "3", "trygghet.hur": "2", "fritid.hur": "2"}
ANNA_FIRST = {"omsorg.hur": "2", "trygghet.hur": "4"}
ANNA_LATER = {"omsorg.hur": "4", "trygghet.hur": "3"}
OMAR_FIRST = {"omsorg.hur": "3", "trygghet.hur": "5"}


def a_child_followed_up(app) -> int:
    """The first round (child, Anna, Omar) four months ago; the follow-ups of the child and
    of Anna today. Returns the child's id."""
    with app.app_context():
        staff = accounts.create_staff(
            session=get_session(),
            email=EMAIL,
            name="Eva Lund",
            role="barnkontakt",
            password=STAFF_PASSWORD,
        )
    child_id = make_child(
        app,
        staff.id,
        picks=FIRST,
        guardians=(("Anna Lind", ANNA_FIRST), ("Omar Lind", OMAR_FIRST)),
        name="Sam",
    )
    months_back(app, child_id)
    with app.app_context():
        session = get_session()
        child = session.get(Child, child_id)
        assert child is not None
        later = lifecycle.start_followup(session=session, flows=library.flows(), child=child)
        anna = session.exec(select(Guardian).where(Guardian.name == "Anna Lind")).one()
        flow = library.flows().for_audience("guardian", purpose="followup")[0]
        theirs = invitations.issue(
            session=session, child=child, flow=flow, language="sv", guardian=anna
        )
        later_id, theirs_id = later.id or 0, theirs.conversation.id or 0
    run_through(app, later_id, LATER)
    run_through(app, theirs_id, ANNA_LATER)
    return child_id


def test_barnkontakt_evaluates_the_support_and_exports_the_follow_up(open_page, live_app, tmp_path):
    base = live_app.config["BASE_URL"]
    child_id = a_child_followed_up(live_app)
    page = open_page(**DESK)
    sign_in(page, base, EMAIL)
    page.goto(f"{base}/arbete/barn/{child_id}/sammanstallning")

    expect(page.get_by_role("heading", level=1)).to_have_text("Barnets plan – uppföljning: Sam")
    table = page.get_by_role("table", name="Samma sak i tabellform")
    now = table.get_by_role("columnheader", name=re.compile("^Barnet \\(Uppföljning 1"))
    expect(now).to_be_visible()
    omsorg = table.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Omsorg"))
    expect(omsorg).to_contain_text("Bra (3 av 3)")
    expect(omsorg).to_contain_text("Inte så bra (1 av 3)")
    before = table.get_by_role("columnheader", name=re.compile("^Barnet förra gången"))
    expect(before).to_contain_text("(Första samtalet, ")
    expect(omsorg).to_contain_text("Bättre")
    expect(omsorg).to_contain_text("Olika omgångar")  # Omar: no follow-up answers yet
    fritid = table.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Fritid"))
    expect(fritid).to_contain_text("Vet inte")
    expect(fritid).to_contain_text("Kan inte jämföras")
    wheel = page.get_by_role("img", name="Behovskompassen: barnets och vårdnadshavarnas syn")
    expect(wheel).to_contain_text("Vårdnadshavare: Omar Lind (Första samtalet, ")
    chart = page.get_by_role("img", name="Förändring per område sedan förra samtalet")
    expect(chart).to_be_visible()
    region = page.get_by_role("region", name=re.compile("^Omsorg"))
    expect(region).to_contain_text("Förra gången (Första samtalet")
    expect(region).to_contain_text("Svar från Första samtalet")  # Omar's, said so
    expect(page.get_by_text("Vem barnet vill ha med på mötet")).to_have_count(0)
    expect(page.get_by_label("1. Vad står i vägen för barnets välbefinnande?")).to_have_count(0)
    assert violations(page) == []

    page.get_by_label("1. Har planen gjort skillnad för barnet? På vilket sätt?").fill(
        "Sam äter frukost i skolan varje dag."
    )
    expect(page.locator("#sparat")).to_contain_text("Sparat kl.", timeout=10_000)
    page.get_by_label("3. Behövs mer stöd, eller ett annat stöd?").fill(
        "Stöd på rasterna, där Sam känner sig mindre trygg."
    )
    page.get_by_label(re.compile("^4. Har barnet och vårdnadshavarna fått säga sitt")).fill(
        "Sam och Anna har sagt sitt. Omar har inte svarat än, vi ringer honom."
    )
    page.get_by_role("radio", name="Stödet ändras").check()
    page.get_by_label("Vad händer med stödet, och varför?").fill("Rastvärd från nästa vecka.")
    screenshot(page, "followup-summary-evaluation")
    page.get_by_role("checkbox", name="Jag har läst igenom sammanställningen").check()
    page.get_by_role("button", name="Signera", exact=True).click()

    # Signing builds and hashes the whole summary: give a loaded machine time.
    expect(page.get_by_role("status").first).to_have_text("Version 1 är signerad.", timeout=15_000)
    evaluation = page.get_by_role("region", name="Uppföljning: har stödet hjälpt?")
    expect(evaluation).to_contain_text("Sam äter frukost i skolan varje dag.")
    expect(evaluation).to_contain_text("Stödet ändras")

    with page.expect_download() as pdf_download:
        page.get_by_role("link", name="Ladda ner PDF").click()
    assert pdf_download.value.suggested_filename == f"barnets-plan-uppfoljning-{child_id}-v1.pdf"
    pdf = tmp_path / "uppfoljning.pdf"
    pdf_download.value.save_as(pdf)
    text = " ".join(pdf_to_text(pdf).split())
    assert "Barnets plan – uppföljning: Sam" in text
    assert "Har planen gjort skillnad för barnet? På vilket sätt?" in text
    assert "Sam äter frukost i skolan varje dag." in text
    assert "Stödet ändras" in text and "Rastvärd från nästa vecka." in text
    assert "Förra gången (Första" in text  # beside each answer (columns side by side)
    assert "Omsorg Bättre Trygghet Sämre" in text  # the change chart

    with page.expect_download() as json_download:
        page.get_by_role("link", name="Ladda ner JSON").click()
    document = json.loads(json_download.value.path().read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(SCHEMA).validate(document)
    assert document["summary"]["evaluation"]["support"]["code"] == "andras"
    omsorg_area = next(a for a in document["summary"]["areas"] if a["id"] == "omsorg")
    assert omsorg_area["child"]["change"] == "better"
