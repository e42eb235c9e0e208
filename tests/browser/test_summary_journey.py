"""The summary in Chromium: review side by side, notes, next step, sign, PDF, JSON, child copy.

The child's conversation and the guardian's answers are stored through the same service
functions the tablet and the questionnaire use; everything the barnkontakt does goes through
the browser, by role and label.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest
from playwright.sync_api import expect

from samtal.db import get_session
from samtal.staff import accounts
from tests.browser.checks import ARTIFACTS, screenshot, violations
from tests.browser.desk import DESK, SCHEMA, pdf_to_text, sign_in
from tests.builders import STAFF_PASSWORD, make_child

EMAIL = "kim.barnkontakt@kommun.example"
PICKS = {
    "omsorg.hur": "2",
    "omsorg.battre": ["frukost"],
    "omsorg.ord": "Jag vill äta frukost i skolan.",
    "trygghet.hur": "vet_inte",
    "ma_bra.hur": "vill_inte_svara",
    "fritid.hur": "4",
    "viktigast": ["omsorg", "fritid"],
    "dela": ["omsorg", "fritid", "utvecklas"],
}
GUARDIAN = {
    "omsorg.hur": "3",
    "omsorg.bra": "Han äter bra hemma.",
    "omsorg.battre": "Morgnarna är stressiga.",
    "fritid.hur": "2",
    "tolk": "ja",
    "sprak": "ar",
}


def test_barnkontakt_reviews_writes_signs_and_exports(open_page, live_app, tmp_path):
    """Open the summary of a child who talked and a guardian who answered, write notes and the
    next step, sign, see the hash, download the PDF and the JSON, open the child's copy."""
    if not shutil.which("pdftotext"):
        pytest.fail("pdftotext is not installed (poppler-utils): run scripts/setup.sh")
    base = live_app.config["BASE_URL"]
    with live_app.app_context():
        staff = accounts.create_staff(
            session=get_session(),
            email=EMAIL,
            name="Kim Berg",
            role="barnkontakt",
            password=STAFF_PASSWORD,
        )
    child_id = make_child(
        live_app,
        staff.id,
        flow_id="barn-13-17",
        age=14,
        picks=PICKS,
        guardians=(("Anna Andersson", GUARDIAN),),
        name="Sam",
    )
    page = open_page(**DESK)
    sign_in(page, base, EMAIL)
    page.goto(f"{base}/arbete/barn/{child_id}")
    page.get_by_role("link", name=re.compile("sammanställningen")).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Sammanställning: Sam")
    wheel = page.get_by_role("img", name="Behovskompassen: barnets och vårdnadshavarnas syn")
    expect(wheel).to_be_visible()
    table = page.get_by_role("table", name="Samma sak i tabellform")
    omsorg_row = table.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Omsorg"))
    expect(omsorg_row).to_contain_text("Inte så bra (2 av 5)")
    expect(omsorg_row).to_contain_text("Varken bra eller dåligt (3 av 5)")
    expect(omsorg_row).to_contain_text("Nära")
    expect(table.get_by_role("row").filter(has_text="Trygghet")).to_contain_text("Vet inte")
    omsorg = page.get_by_role("region", name=re.compile("^Omsorg"))
    expect(omsorg).to_contain_text("Jag vill äta frukost i skolan.")
    expect(omsorg).to_contain_text("Han äter bra hemma.")
    trygghet = page.get_by_role("region", name=re.compile("^Trygghet"))
    expect(trygghet).to_contain_text("Hålls från vårdnadshavarna")
    assert violations(page) == []

    page.get_by_label("Din anteckning om Omsorg").fill("Ordna frukost i skolan.")
    # htmx saves while typing; the status says so.
    expect(page.locator("#sparat")).to_contain_text("Sparat kl.", timeout=10_000)
    page.get_by_label("3. Vad kan jag göra nu?").fill("Prata med skolköket i dag.")
    page.get_by_label("5. Vilket ytterligare stöd behövs från andra, om något?").fill(
        "Barnteam om tryggheten."
    )
    page.get_by_role("radio", name="Barnteam", exact=True).check()
    page.get_by_label("Beskriv nästa steg").fill("Barnteam inom två veckor.")
    screenshot(page, "summary-page")

    page.get_by_role("button", name="Signera", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("Kryssa i rutan")
    expect(page.get_by_label("Beskriv nästa steg")).to_have_value("Barnteam inom två veckor.")
    page.get_by_role("checkbox", name="Jag har läst igenom sammanställningen").check()
    page.get_by_role("button", name="Signera", exact=True).click()

    expect(page.get_by_role("status").first).to_have_text("Version 1 är signerad.")
    expect(page.get_by_text("Kontrollsumman stämmer")).to_be_visible()
    digest = page.locator("code.hash").first.inner_text()
    assert re.fullmatch(r"[0-9a-f]{64}", digest)
    expect(page.get_by_text("Ordna frukost i skolan.")).to_be_visible()
    screenshot(page, "summary-signed-version")

    with page.expect_download() as pdf_download:
        page.get_by_role("link", name="Ladda ner PDF").click()
    pdf = tmp_path / "sammanstallning.pdf"
    pdf_download.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    text = pdf_to_text(pdf)
    for expected in (
        "Sammanställning: Sam",
        "Signerad version 1",
        digest[:32],
        "Jag vill äta frukost i skolan.",
        "Ordna frukost i skolan.",
        "Prata med skolköket i dag.",
        "Barnteam inom två veckor.",
    ):
        assert expected in text, expected
    if shutil.which("pdftoppm"):
        ARTIFACTS.mkdir(exist_ok=True)
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "60",
                "-f",
                "1",
                "-l",
                "3",
                str(pdf),
                str(ARTIFACTS / "summary-pdf"),
            ],
            check=True,
        )

    with page.expect_download() as json_download:
        page.get_by_role("link", name="Ladda ner JSON").click()
    document = json.loads(Path(json_download.value.path()).read_text("utf-8"))
    jsonschema.Draft202012Validator(SCHEMA).validate(document)
    assert document["signature"]["content_hash"] == digest
    assert document["summary"]["decision"] == {
        "code": "barnteam",
        "text": "Barnteam inom två veckor.",
    }

    # Sharing without consent is refused (403), clearly, and nothing leaves.
    refused = open_page(allow_errors=True, **DESK)
    sign_in(refused, base, EMAIL)
    refused.goto(f"{base}/arbete/barn/{child_id}/sammanstallning")
    refused.get_by_role("button", name="PDF för delning").click()
    expect(refused.get_by_role("alert")).to_contain_text("Det finns inget samtycke")
    expect(refused.get_by_role("link", name="Registrera samtycke")).to_be_visible()

    page.goto(f"{base}/arbete/barn/{child_id}/sammanstallning")
    page.get_by_role("link", name="Barnets kopia").click()
    # The barnkontakt first sees every item and ticks what goes home.
    expect(page.get_by_role("heading", level=1)).to_have_text("Vad ska med i barnets kopia?")
    assert violations(page) == []
    page.get_by_role("button", name="Spara och visa kopian").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Det här berättade du")
    expect(page.get_by_text("Jag vill äta frukost i skolan.")).to_be_visible()
    expect(page.get_by_text("Han äter bra hemma.")).to_have_count(0)
    assert violations(page) == []
    screenshot(page, "summary-child-copy")

    page.goto(f"{base}/arbete/barn/{child_id}/sammanstallning/utskrift")
    page.emulate_media(media="print")
    expect(page.get_by_role("button", name="Skriv ut")).to_be_hidden()
    screenshot(page, "summary-print")
