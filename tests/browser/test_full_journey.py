"""The whole journey of issue 4 in one Chromium test, everything through the browser.

A barnkontakt registers an 8-year-old with a guardian, records consent, starts the child's
conversation on this tablet (kiosk: leaving needs the password), the child answers every
step, the guardian is invited and answers on a phone in Arabic, the barnkontakt writes notes
and the next step, signs, downloads the PDF (its text checked) and the JSON (validated
against schema/summary-v1.schema.json), then runs a follow-up on this tablet where the child
answers differently (better in Omsorg, worse in Trygghet), and the child page shows the
change per area as a chart and a table.
"""

from __future__ import annotations

import json
import re
import shutil
from datetime import date
from pathlib import Path

import jsonschema
import pytest
from playwright.sync_api import Page, expect

from samtal.db import get_session
from samtal.staff import accounts
from tests.browser.checks import PHONE, screenshot, violations
from tests.browser.desk import EMAIL, SCHEMA, pdf_to_text, record_consent, sign_in
from tests.browser.journey import (
    answer_current_step,
    current_area,
    current_area_label,
    give_any_answer,
    kind,
    question,
    tap,
    write_words,
)
from tests.builders import STAFF_PASSWORD

# The child's face per area (barn-7-9: Inte så bra, Sådär, Bra); every other area: Sådär.
FIRST_FACES = {"Omsorg": "Inte så bra", "Trygghet": "Bra"}
LATER_FACES = {"Omsorg": "Bra", "Trygghet": "Sådär"}
FIRST_WORDS = {"Omsorg": "Jag vill äta frukost i skolan."}
NOTE = "Ordna frukost i skolan."
NEXT_STEP = "Stöd inom skolan, följ upp efter jullovet."


def eight_years_ago() -> str:
    """A birth date that makes the child 8 today."""
    today = date.today()
    return today.replace(year=today.year - 8, day=min(today.day, 28)).isoformat()


def register_eight_year_old(page: Page) -> None:
    """Register Sam (8) and the guardian Amira Berg (Arabic) through the form."""
    page.get_by_role("link", name="Registrera ett barn").click()
    child = page.get_by_role("group", name="Barnet")
    child.get_by_label("Namn eller pseudonym").fill("Sam")
    child.get_by_label("Födelsedatum").fill(eight_years_ago())
    guardian = page.get_by_role("group", name="Vårdnadshavare", exact=True)
    guardian.get_by_label("Namn").fill("Amira Berg")
    guardian.get_by_label("Språk").select_option("ar")
    page.get_by_role("button", name="Registrera barnet").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sam")
    expect(page.get_by_text("8 år")).to_be_visible()


def the_child_answers_everything(page: Page, faces: dict[str, str]) -> None:
    """The child answers every step on the tablet: these faces per area (else Sådär), own
    words where asked, the first choice elsewhere; until the goodbye."""
    for _ in range(150):
        step = kind(page)
        if not step:
            expect(question(page)).to_contain_text("Tack för att du pratade med mig!")
            return
        area = current_area_label(page) if current_area(page).count() else ""
        if step == "rating" and area:
            tap(page, faces.get(area, "Sådär"))
        elif step == "words":
            write_words(page, FIRST_WORDS.get(area, f"Det är okej med {area.lower()}."))
        else:
            answer_current_step(page)
    raise AssertionError("the conversation never ended")


def leave_the_childs_screen(page: Page, base: str) -> None:
    """Staff pages ask for the barnkontakt's password on the kiosk; give it."""
    page.goto(f"{base}/arbete/barn")
    expect(page).to_have_url(f"{base}/arbete/kiosk/lamna")
    expect(page.get_by_role("heading", level=1)).to_have_text("Den här skärmen är barnets just nu")
    page.get_by_label("Lösenord för barnkontakt").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Lämna barnets skärm").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sam")


def test_register_talk_invite_sign_export_and_follow_up(open_page, live_app, tmp_path):
    if not shutil.which("pdftotext"):
        pytest.fail("pdftotext is not installed (poppler-utils): run scripts/setup.sh")
    base = live_app.config["BASE_URL"]
    with live_app.app_context():
        accounts.create_staff(
            session=get_session(),
            email=EMAIL,
            name="Lina Lind",
            role="barnkontakt",
            password=STAFF_PASSWORD,
        )
    page = open_page()  # the barnkontakt's tablet
    sign_in(page, base)
    register_eight_year_old(page)
    record_consent(page)

    # The child's conversation on this tablet: the browser becomes the child's screen.
    start = page.get_by_role("region", name="Starta barnets samtal")
    expect(start.get_by_role("button", name=re.compile("uppföljningssamtal"))).to_have_count(0)
    expect(start.get_by_label("Frågor för åldersgrupp")).to_have_value("barn-7-9")
    start.get_by_role("button", name="Starta på den här surfplattan").click()
    expect(question(page)).to_contain_text("Vill du prata med mig i dag?")
    the_child_answers_everything(page, FIRST_FACES)
    screenshot(page, "full-journey-01-child-done")
    leave_the_childs_screen(page, base)

    # Invite the guardian; she answers on her phone, in Arabic.
    guardians = page.get_by_role("region", name="Vårdnadshavare och inbjudningar")
    guardians.get_by_role("button", name="Skapa inbjudan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Inbjudan till Amira Berg")
    link = page.get_by_label("Länken").input_value()
    phone = open_page(**{**PHONE, "locale": "ar"})
    phone.goto(link)
    expect(phone.locator("html")).to_have_attribute("dir", "rtl")
    for _ in range(80):
        if not kind(phone):
            break
        give_any_answer(phone, words="الفطور مهم.")
    expect(phone.locator("form.answer")).to_have_count(0)
    screenshot(phone, "full-journey-02-guardian-done")
    phone.context.close()
    page.get_by_role("link", name="Tillbaka till Sam").click()
    invitations = page.get_by_role("table", name="Inbjudningar")
    expect(invitations).to_contain_text("Besvarad")

    # The summary: notes, the next step, sign.
    page.get_by_role("link", name=re.compile("sammanställningen")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sammanställning: Sam")
    omsorg = page.get_by_role("region", name=re.compile("^Omsorg"))
    expect(omsorg).to_contain_text(FIRST_WORDS["Omsorg"])
    page.get_by_label("Din anteckning om Omsorg").fill(NOTE)
    expect(page.locator("#sparat")).to_contain_text("Sparat kl.", timeout=10_000)
    page.get_by_label("3. Vad kan jag göra nu?").fill("Prata med skolköket.")
    page.get_by_role("radio", name="Stöd inom egen verksamhet").check()
    page.get_by_label("Beskriv nästa steg").fill(NEXT_STEP)
    page.get_by_role("checkbox", name="Jag har läst igenom sammanställningen").check()
    page.get_by_role("button", name="Signera", exact=True).click()
    expect(page.get_by_role("status").first).to_have_text("Version 1 är signerad.")
    digest = page.locator("code.hash").first.inner_text()
    assert re.fullmatch(r"[0-9a-f]{64}", digest)
    screenshot(page, "full-journey-03-signed")

    with page.expect_download() as pdf_download:
        page.get_by_role("link", name="Ladda ner PDF").click()
    pdf = tmp_path / "sammanstallning.pdf"
    pdf_download.value.save_as(pdf)
    text = pdf_to_text(pdf)
    for expected in ("Sammanställning: Sam", "Signerad version 1", digest[:32], NOTE, NEXT_STEP):
        assert expected in text, expected
    assert FIRST_WORDS["Omsorg"] in " ".join(text.split())

    with page.expect_download() as json_download:
        page.get_by_role("link", name="Ladda ner JSON").click()
    document = json.loads(Path(json_download.value.path()).read_text("utf-8"))
    jsonschema.Draft202012Validator(SCHEMA).validate(document)
    assert document["signature"]["content_hash"] == digest
    assert document["summary"]["decision"] == {"code": "stod_egen_verksamhet", "text": NEXT_STEP}

    # Months later: the follow-up on this tablet; better in Omsorg, worse in Trygghet.
    page.goto(f"{base}/arbete/barn")
    page.get_by_role("link", name="Sam", exact=True).click()
    start = page.get_by_role("region", name="Starta barnets samtal")
    expect(start).to_contain_text("7–9 år, uppföljning")
    screenshot(page, "full-journey-04-followup-offered")
    start.get_by_role("button", name="Starta uppföljningssamtal på den här surfplattan").click()
    expect(question(page)).to_contain_text("Hej igen!")
    the_child_answers_everything(page, LATER_FACES)
    leave_the_childs_screen(page, base)

    # The child page: the conversations side by side and the change per area.
    over_time = page.get_by_role("region", name="Samtal över tid")
    child_view = over_time.get_by_role("region", name="Barnet", exact=True)
    chart = child_view.get_by_role("img", name="Förändring per område sedan förra samtalet")
    expect(chart).to_be_visible()
    assert chart.get_attribute("style") is None
    table = child_view.get_by_role("table")
    expect(table.get_by_role("columnheader")).to_have_text(
        [
            "Område",
            re.compile("^Första samtalet"),
            re.compile("^Uppföljning 1"),
            "Förändring sedan förra gången",
        ]
    )

    def area_row(label: str):
        return table.get_by_role("row").filter(has=page.get_by_role("rowheader", name=label))

    expect(area_row("Omsorg")).to_contain_text("Inte så bra (1 av 3)")
    expect(area_row("Omsorg")).to_contain_text("Bättre")
    expect(area_row("Trygghet")).to_contain_text("Sämre")
    expect(area_row("Fritid")).to_contain_text("Som förut")
    page.set_viewport_size({"width": 1280, "height": 900})
    over_time.scroll_into_view_if_needed()
    screenshot(page, "full-journey-05-change-per-area")
    assert violations(page) == []
