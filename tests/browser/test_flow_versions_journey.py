"""Flow versions in Chromium: a 4–6 conversation begun under barn-4-6 version 1 goes on with
its own questions and its summary shows what was said to them; a summary whose version is no
longer kept says so and still shows every answer; the other frameworks' new 4–6 flows are at
most 20 screens."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from samtal.db import get_session
from samtal.models import Answer, Conversation
from samtal.staff import accounts
from tests.browser.checks import violations
from tests.browser.desk import DESK, sign_in
from tests.browser.journey import answer_in_any_language, kind, question, tap
from tests.builders import STAFF_PASSWORD, make_child, start_conversation_in

EMAIL = "ada.barnkontakt@kommun.example"
V1_PICKS = {"ansvarstagande.hur": "3", "ansvarstagande.bra": ["lek", "klader"]}


def barnkontakt(live_app) -> int:
    """A barnkontakt account; its id."""
    with live_app.app_context():
        staff = accounts.create_staff(
            session=get_session(),
            email=EMAIL,
            name="Ada Berg",
            role="barnkontakt",
            password=STAFF_PASSWORD,
        )
    return staff.id or 0


def test_a_conversation_begun_under_version_1_goes_on_and_is_summarised(open_page, live_app):
    """The child goes on with version 1's next screen; the barnkontakt reads version 1's
    answers in the summary, which passes axe."""
    base = live_app.config["BASE_URL"]
    _started, path = start_conversation_in(live_app, "barn-4-6", 5, version=1)
    tablet = open_page()
    tablet.goto(base + path)
    tap(tablet, "Ja")
    expect(question(tablet)).to_contain_text("Vi ska prata om hur du har det.")
    assert violations(tablet) == []

    child_id = make_child(
        live_app, barnkontakt(live_app), flow_id="barn-4-6", version=1, age=5, picks=V1_PICKS,
        guardians=(), name="Mio",
    )  # fmt: skip
    desk = open_page(**DESK)
    sign_in(desk, base, EMAIL)
    desk.goto(f"{base}/arbete/barn/{child_id}/sammanstallning")
    summary = desk.get_by_role("main")
    expect(summary).to_contain_text("Vad vi ska leka")
    expect(summary).to_contain_text("Mina kläder")
    expect(desk.get_by_role("note")).to_have_count(0)
    assert violations(desk) == []


def test_a_summary_whose_version_is_gone_says_so_and_keeps_every_answer(open_page, live_app):
    """Answers to steps the newest version lacks are under the child's other answers, with
    their step id; a note says why."""
    base = live_app.config["BASE_URL"]
    child_id = make_child(
        live_app, barnkontakt(live_app), flow_id="test-fast", age=20, picks={}, guardians=()
    )
    with live_app.app_context():
        session = get_session()
        talk = session.exec(select(Conversation).where(Conversation.child_id == child_id)).one()
        talk.flow_version = 1
        said = Answer(conversation_id=talk.id or 0, step_id="mat.forr", words="Mer glass.")
        session.add_all([talk, said])
        session.commit()
    desk = open_page(**DESK)
    sign_in(desk, base, EMAIL)
    desk.goto(f"{base}/arbete/barn/{child_id}/sammanstallning")
    expect(desk.get_by_role("note")).to_contain_text("Den versionen finns inte kvar i appen")
    expect(desk.get_by_role("main")).to_contain_text("mat.forr")
    expect(desk.get_by_role("main")).to_contain_text("Mer glass.")
    assert violations(desk) == []


@pytest.mark.parametrize("flow_id", ["bbh-barn-4-6", "shanarri-barn-4-6"])
def test_the_other_frameworks_4_6_flows_are_twenty_screens_at_most(open_page, live_app, flow_id):
    """A 5-year-old on Barnets bästa-hjulet or SHANARRI reaches the goodbye within 20
    screens, with the young screens, and each kind of screen passes axe."""
    _started, path = start_conversation_in(live_app, flow_id, 5)
    tablet = open_page()
    tablet.goto(live_app.config["BASE_URL"] + path)
    screens, checked = 1, {}
    while kind(tablet):
        if kind(tablet) not in checked:
            checked[kind(tablet)] = violations(tablet)
        answer_in_any_language(tablet)
        screens += 1
        assert screens <= 20, flow_id
    expect(tablet.locator("body.style-young")).to_be_attached()
    assert {"assent", "rating", "review"} <= set(checked)
    assert not any(checked.values()), checked
