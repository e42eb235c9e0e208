"""A five-year-old draws with a finger and the barnkontakt sees it; a fifteen-year-old's style."""

from __future__ import annotations

import re
import subprocess
from urllib.parse import urlsplit

from playwright.sync_api import Page, expect

from samtal.db import get_session
from samtal.models import Child, Conversation
from samtal.staff import accounts
from tests.browser.checks import screenshot, violations
from tests.browser.desk import DESK, sign_in
from tests.browser.journey import (
    answer_until,
    button,
    childs_bubble,
    question,
    swap,
    tap,
)
from tests.builders import STAFF_PASSWORD, panel_pin

EMAIL = "ida.barnkontakt@kommun.example"


def _barnkontakt_of(live_app, conversation_id: int) -> int:
    """A barnkontakt who owns the conversation's child; returns the child's id."""
    with live_app.app_context():
        session = get_session()
        staff = accounts.create_staff(
            session=session, email=EMAIL, name="Ida Ek", role="barnkontakt", password=STAFF_PASSWORD
        )
        child = session.get(Child, session.get(Conversation, conversation_id).child_id)
        child.barnkontakt_id = staff.id
        session.add(child)
        session.commit()
        return child.id


def _draw_with_a_finger(page: Page) -> None:
    """Two strokes on the pad, sent as real touch events (touchStart, touchMove, touchEnd)."""
    box = page.locator("canvas.draw-canvas").bounding_box()
    assert box is not None
    cdp = page.context.new_cdp_session(page)
    for row in (0.3, 0.6):
        path = [
            (box["x"] + box["width"] * (0.2 + i * 0.06), box["y"] + box["height"] * row)
            for i in range(10)
        ]
        cdp.send(
            "Input.dispatchTouchEvent",
            {"type": "touchStart", "touchPoints": [{"x": path[0][0], "y": path[0][1]}]},
        )
        for x, y in path[1:]:
            cdp.send(
                "Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y}]}
            )
        cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})


def test_a_five_year_old_draws_and_the_drawing_reaches_the_summary_and_pdf(
    open_page, start_tablet, live_app, tmp_path
):
    conversation_id, url = start_tablet("barn-4-6", age=5)
    child_id = _barnkontakt_of(live_app, conversation_id)
    page = open_page()
    page.goto(url)
    tap(page, "Ja")
    tap(page, "Bra")
    tap(page, "Maten")
    expect(question(page)).to_contain_text("Trygg är när")

    # The adult sees there is more to say about food: the area's own-words step opens.
    page.get_by_role("link", name=re.compile("^Vuxen")).tap()
    page.get_by_label("Koden till panelen").fill(panel_pin(live_app, urlsplit(url).path))
    page.get_by_role("button", name="Öppna panelen").tap()
    page.get_by_label("Om vilket område?").select_option(label="Omsorg")
    page.get_by_role("button", name="Visa rutan för egna ord och teckning").tap()
    expect(page.get_by_role("status")).to_have_text("Barnet kan nu säga mer eller rita om det.")
    page.get_by_role("button", name="Tillbaka till samtalet").tap()
    expect(question(page)).to_contain_text("Vill du säga något mer om mat och sömn?")

    # A drawing with a finger; undo takes the last stroke away, a new stroke is drawn in red.
    canvas = page.get_by_role("img", name="Du kan också rita")
    expect(canvas).to_be_visible()
    _draw_with_a_finger(page)
    drawing = page.locator('input[name="drawing"]')
    assert drawing.input_value().startswith("data:image/png;base64,")
    page.get_by_role("button", name="Ångra").tap()
    page.get_by_role("button", name="Röd").tap()
    expect(page.get_by_role("button", name="Röd")).to_have_attribute("aria-pressed", "true")
    _draw_with_a_finger(page)
    assert violations(page) == []
    screenshot(page, "barn-4-6-drawing")
    # Chromium's gesture detector takes the first tap after synthetic touch strokes as part of
    # them; the adult's click on "Spara" sends the answer the same way.
    swap(page, button(page, "Spara").click)
    expect(question(page)).to_contain_text("Trygg är när")
    shown = childs_bubble(page).get_by_role("img", name="Din teckning")
    expect(shown).to_be_visible()
    assert shown.evaluate("image => image.naturalWidth") == 800

    # The barnkontakt sees it in the summary beside the question, and in the PDF.
    desk = open_page(**DESK)
    base = live_app.config["BASE_URL"]
    sign_in(desk, base, EMAIL)
    desk.goto(f"{base}/arbete/barn/{child_id}/sammanstallning")
    in_summary = desk.get_by_role("img", name="Barnets teckning")
    expect(in_summary).to_be_visible()
    assert in_summary.evaluate("image => image.naturalWidth") == 800
    reply = desk.request.get(f"{base}/arbete/barn/{child_id}/sammanstallning/pdf")
    assert reply.ok and reply.headers["content-type"] == "application/pdf"
    pdf = tmp_path / "sammanstallning.pdf"
    pdf.write_bytes(reply.body())
    listed = subprocess.run(
        ["pdfimages", "-list", str(pdf)], check=True, capture_output=True, text=True
    ).stdout
    assert re.search(r"\bimage\s+800\s+600\b", listed), listed


def test_a_fifteen_year_old_gets_the_calm_teen_style(open_page, start_tablet):
    """13–17: no mascot, quieter pictures, and own words in the young person's own voice."""
    _id, url = start_tablet("barn-13-17", age=15)
    page = open_page()
    page.goto(url)
    expect(page.locator("body")).to_have_class(re.compile(r"\bstyle-teen\b"))
    expect(page.locator("img.guide")).to_have_count(0)
    expect(page.get_by_role("link", name="Jag vill sluta")).to_be_visible()
    screenshot(page, "barn-13-17-teen-assent")
    answer_until(page, "rating")
    filter_ = page.locator(".option img, .option svg").first.evaluate(
        "element => getComputedStyle(element).filter"
    )
    assert "saturate" in filter_
    screenshot(page, "barn-13-17-teen-rating")
    answer_until(page, "words")
    expect(page.get_by_label("Den vuxna skriver det jag säger")).to_be_visible()
    expect(page.get_by_text("Skriv med dina egna ord")).to_be_visible()
    expect(page.get_by_text("barnet")).to_have_count(0)
    screenshot(page, "barn-13-17-teen-words")

    # The pad works without a pointer too: arrow keys draw, the picture goes with the form.
    canvas = page.get_by_role("img", name="Du kan också rita")
    canvas.focus()
    for key in ("ArrowRight", "ArrowRight", "ArrowDown", "Space", "ArrowLeft"):
        page.keyboard.press(key)
    assert page.locator('input[name="drawing"]').input_value().startswith("data:image/png")
    assert violations(page) == []
