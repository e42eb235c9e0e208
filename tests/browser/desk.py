"""The barnkontakt's side in the browser: a desk-sized screen, signing in, registering, consent."""

from __future__ import annotations

import json
import re
import subprocess
from datetime import date, timedelta
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.builders import STAFF_PASSWORD

DESK = {"viewport": {"width": 1280, "height": 900}, "has_touch": False, "is_mobile": False}


EMAIL = "lina.barnkontakt@kommun.example"


def sign_in(page: Page, base: str, email: str = EMAIL) -> None:
    """Sign in through the login form."""
    page.goto(f"{base}/logga-in")
    page.get_by_label("E-postadress").fill(email)
    page.get_by_label("Lösenord").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Logga in").click()


def register_child(page: Page) -> None:
    """Fill in the register form: the child and one guardian."""
    page.get_by_role("link", name="Registrera ett barn").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Registrera ett barn")
    child = page.get_by_role("group", name="Barnet")
    child.get_by_label("Namn eller pseudonym").fill("Sam")
    child.get_by_label("Födelsedatum").fill("2017-05-04")
    child.get_by_label("Språk hemma").fill("arabiska, svenska")
    guardian = page.get_by_role("group", name="Vårdnadshavare", exact=True)
    guardian.get_by_label("Namn").fill("Amira Berg")
    guardian.get_by_label("Språk").select_option("ar")
    guardian.get_by_label("Så nås vårdnadshavaren").fill("070-111 22 33")
    page.get_by_role("button", name="Registrera barnet").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sam")


def record_consent(page: Page) -> None:
    """Record the guardian's consent to share the summary with the barnteam."""
    page.get_by_role("link", name="Registrera samtycke").click()
    page.get_by_role("checkbox", name="Amira Berg (vårdnadshavare)").check()
    page.get_by_role("checkbox", name="Sammanställningen").check()
    page.get_by_role("checkbox", name="Barnteam").check()
    until = (date.today() + timedelta(days=365)).isoformat()
    page.get_by_label("Gäller till och med").fill(until)
    page.get_by_role("button", name="Registrera samtycket").click()
    # Forgot the box that they were told what it means: refused, everything kept.
    expect(page.get_by_role("alert")).to_contain_text("fått veta vad det innebär")
    expect(page.get_by_role("checkbox", name="Amira Berg (vårdnadshavare)")).to_be_checked()
    expect(page.get_by_label("Gäller till och med")).to_have_value(until)
    page.get_by_role("checkbox", name=re.compile("De har fått veta vad samtycket innebär")).check()
    page.get_by_role("button", name="Registrera samtycket").click()
    expect(page.get_by_role("status").first).to_have_text("Samtycket är registrerat.")
    expect(page.get_by_text("Samtycke finns för att dela sammanställningen")).to_be_visible()


SCHEMA = json.loads((Path(__file__).parents[2] / "schema" / "summary-v1.schema.json").read_text())


def pdf_to_text(file: Path) -> str:
    """The PDF's text (poppler-utils)."""
    return subprocess.run(
        ["pdftotext", "-layout", str(file), "-"], check=True, capture_output=True, text=True
    ).stdout
