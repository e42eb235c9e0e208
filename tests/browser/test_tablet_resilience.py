"""Nothing is lost, nothing is doubled, and the tablet works for small hands (SPEC §3)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from samtal.conversation import records
from samtal.db import get_session
from samtal.models import Conversation
from tests.browser.checks import PHONE, TABLET, screenshot
from tests.browser.journey import (
    answer_buttons,
    button,
    childs_bubble,
    compass,
    compass_item,
    conversation,
    current_area,
    expect_question_focused,
    pick,
    question,
    tap,
    tiles,
)

TOUCH_TARGET = 44  # CSS px, WCAG 2.5.5 / Apple and Android guidance


def history(app, conversation_id: int, step_id: str) -> list:
    """Every stored revision of a step's answer."""
    with app.app_context():
        return records.history(get_session(), conversation_id, step_id)


def status(app, conversation_id: int) -> str:
    """The conversation's status as stored."""
    with app.app_context():
        found = get_session().get(Conversation, conversation_id)
        assert found is not None
        return found.status


def to_omsorg(page: Page, url: str) -> None:
    """Open the link and get past the assent."""
    page.goto(url)
    tap(page, "Ja")
    expect(current_area(page)).to_contain_text("Omsorg")


def expect_resumed_in_trygghet(page: Page) -> None:
    """Where the resume test left off: trygghet's follow-up, with the earlier answers intact."""
    expect(question(page)).to_have_text("Vad skulle hjälpa dig att känna dig trygg?")
    expect(childs_bubble(page)).to_contain_text("Sådär")
    expect(current_area(page)).to_contain_text("Trygghet")
    expect(compass_item(page, "Omsorg")).to_contain_text("klart")
    expect(compass_item(page, "Må bra")).to_contain_text("inte än")


def test_reload_and_another_browser_resume_at_the_same_question(
    tablet: Page, start_tablet, open_page
):
    _, url = start_tablet("barn-4-6", age=5)
    page = tablet
    to_omsorg(page, url)
    tap(page, "Bra")
    tap(page, "Maten")
    tap(page, "Sådär")
    expect_resumed_in_trygghet(page)

    page.reload()
    expect_resumed_in_trygghet(page)

    # A crashed tablet: the same link in a brand-new browser (no cookies, no cache).
    other = open_page()
    other.goto(url)
    expect_resumed_in_trygghet(other)
    screenshot(other, "resume-new-browser")
    # The earlier answer is still there to change: "Sådär" is marked as the answer now.
    other.get_by_role("link", name="Ändra svaret").tap()
    expect(button(other, "Sådär")).to_have_accessible_description("ditt svar nu")
    # …and the conversation goes on from the new browser.
    tap(other, "Sådär")
    tap(other, "Lugn och ro")
    expect(question(other)).to_have_text("Nu pratar vi om hur du mår. Hur mår du?")


def test_a_tampered_link_shows_a_kind_page_and_nothing_of_the_conversation(start_tablet, open_page):
    _, url = start_tablet("barn-4-6", age=5)
    token = url.rstrip("/").rsplit("/", 1)[1]
    payload, stamp, signature = token.split(".")
    middle = len(signature) // 2
    changed = "A" if signature[middle] != "A" else "B"
    tampered = f"{payload}.{stamp}.{signature[:middle]}{changed}{signature[middle + 1 :]}"

    page = open_page(allow_errors=True)  # the page is a 404, which Chromium logs as an error
    response = page.goto(url.replace(token, tampered))
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Länken fungerar inte")
    expect(page.get_by_text("Be den vuxna som startade samtalet om en ny länk.")).to_be_visible()
    expect(compass(page)).to_have_count(0)
    expect(page.get_by_role("button")).to_have_count(0)
    expect(page.get_by_role("link", name=re.compile("Vuxen"))).to_have_count(0)
    assert "Kim" not in page.content()
    screenshot(page, "link-tampered")


def test_no_at_the_start_ends_kindly(tablet: Page, start_tablet, live_app):
    conversation_id, url = start_tablet("barn-4-6", age=5)
    page = tablet
    page.goto(url)
    tap(page, "Nej")
    expect(question(page)).to_have_text("Det är helt okej. Tack för att du kom!")
    expect(conversation(page).locator("form")).to_have_count(0)
    expect(answer_buttons(page)).to_have_count(0)
    expect(current_area(page)).to_have_count(0)
    screenshot(page, "barn-4-6-declined")
    assert status(live_app, conversation_id) == "declined"

    page.reload()  # still kind, still no questions
    expect(question(page)).to_have_text("Det är helt okej. Tack för att du kom!")
    expect(answer_buttons(page)).to_have_count(0)


def submit_without_js(page: Page, target, expected_status: int = 200):
    """Tap a submit button with JavaScript off: a plain POST, then (usually) a redirect."""
    with page.expect_navigation() as navigation:
        target.tap()
    response = navigation.value
    assert response is not None and response.status == expected_status
    return response


def test_without_javascript_the_steps_work_by_post_and_redirect(start_tablet, open_page):
    _, url = start_tablet("barn-4-6", age=5)
    page = open_page(java_script_enabled=False)
    page.goto(url)
    expect(question(page)).to_contain_text("Vill du prata med mig i dag?")
    # Read-aloud needs JavaScript: without it, no button that does nothing.
    expect(page.get_by_role("button", name="Läs upp")).to_be_hidden()

    response = submit_without_js(page, button(page, "Ja"))
    sent = response.request.redirected_from
    assert sent is not None and sent.method == "POST" and sent.url.endswith("/svar")
    expect(current_area(page)).to_contain_text("Omsorg")
    submit_without_js(page, button(page, "Bra"))
    expect(question(page)).to_have_text("Vad är bäst hemma?")
    submit_without_js(page, button(page, "Maten"))
    expect(current_area(page)).to_contain_text("Trygghet")
    expect(compass_item(page, "Omsorg")).to_contain_text("klart")
    screenshot(page, "no-javascript-trygghet")
    while current_area(page).count():
        submit_without_js(page, button(page, "Vet inte"))

    # A refused answer comes back as the same step with the reason (422, no redirect).
    expect(question(page)).to_contain_text("Vad är viktigast för dig?")
    submit_without_js(page, button(page, "Klar"), expected_status=422)
    expect(page.get_by_role("alert")).to_contain_text("Välj minst en bild.")
    pick(page, "Omsorg", "Fritid")
    submit_without_js(page, button(page, "Klar"))
    expect(question(page)).to_contain_text("Vem vill du ska vara med då?")


def touch_targets(page: Page) -> list:
    """Everything a finger can hit in the conversation, plus the adult's link."""
    main = conversation(page)
    found = [page.get_by_role("link", name=re.compile("^Vuxen"))]
    for role in ("button", "link", "textbox"):
        found += [t for t in main.get_by_role(role).all() if t.is_visible()]
    found += tiles(page).all()
    return found


def assert_big_enough(page: Page, where: str) -> None:
    small = []
    targets = touch_targets(page)
    for target in targets:
        box = target.bounding_box()
        assert box is not None
        if box["width"] < TOUCH_TARGET or box["height"] < TOUCH_TARGET:
            small.append(f"{target.inner_text().strip()!r} {box['width']:.0f}×{box['height']:.0f}")
    assert len(targets) > 3
    assert not small, f"{where}: touch targets smaller than {TOUCH_TARGET} px: {small}"


@pytest.mark.parametrize("device", [TABLET, PHONE], ids=["tablet", "phone"])
def test_every_touch_target_is_at_least_44_px(start_tablet, open_page, device):
    _, url = start_tablet("barn-4-6", age=5)
    page = open_page(**device)
    to_omsorg(page, url)
    assert_big_enough(page, "rating step")
    tap(page, "Bra")
    assert_big_enough(page, "choice step")
    tap(page, "Maten")
    for _ in range(7):
        tap(page, "Vet inte")
    pick(page, "Omsorg")  # a chosen tile is as big as the others
    assert_big_enough(page, "priorities step")
    if device is PHONE:
        screenshot(page, "phone-priorities-step")


def slow_network(page: Page, latency_ms: int) -> None:
    """Make every request take a while, so that a second tap lands before the answer is back."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": latency_ms, "downloadThroughput": -1, "uploadThroughput": -1},
    )


def double_tap(page: Page, name: str) -> list[str]:
    """Tap the answer button twice in quick succession; returns the POSTs the browser sent."""
    posts: list[str] = []
    page.on("request", lambda sent: posts.append(sent.url) if sent.method == "POST" else None)
    box = button(page, name).bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.touchscreen.tap(x, y)
    page.touchscreen.tap(x, y)
    return posts


def test_a_double_tap_stores_one_answer(tablet: Page, start_tablet, live_app):
    conversation_id, url = start_tablet("barn-4-6", age=5)
    page = tablet
    to_omsorg(page, url)
    slow_network(page, 400)
    old = page.locator("#samtal").element_handle()
    posts = double_tap(page, "Bra")
    old.wait_for_element_state("hidden")
    expect_question_focused(page)
    expect(question(page)).to_have_text("Vad är bäst hemma?")
    assert len(posts) == 1  # htmx drops the second submit while the first is on its way
    assert [row.value for row in history(live_app, conversation_id, "omsorg.hur")] == ["3"]


def test_a_double_tap_without_javascript_stores_one_answer(start_tablet, open_page, live_app):
    conversation_id, url = start_tablet("barn-4-6", age=5)
    page = open_page(java_script_enabled=False)
    page.goto(url)
    submit_without_js(page, button(page, "Ja"))
    slow_network(page, 400)
    double_tap(page, "Bra")  # the second tap aborts the first navigation
    expect(question(page)).to_have_text("Vad är bäst hemma?")
    # Whether the browser sends one POST or both, the form's one-time key stores one answer.
    assert [row.value for row in history(live_app, conversation_id, "omsorg.hur")] == ["3"]
    expect(childs_bubble(page)).to_have_text(re.compile(r"^\s*Bra\s*Ändra svaret\s*$"))

    # The same form sent twice in full (a retry over a flaky network): still one answer.
    form = {"form_token": page.locator('input[name="form_token"]').input_value(), "value": "maten"}
    for _ in range(2):
        reply = page.request.post(f"{url}svar", form=form, max_redirects=0)
        assert reply.status == 303
    assert [row.value for row in history(live_app, conversation_id, "omsorg.bra")] == ["maten"]
