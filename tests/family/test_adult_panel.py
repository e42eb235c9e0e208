"""The adult's panel: behind a confirmation, writes the child's words, pauses, ends, reminds."""

from __future__ import annotations

import re

from flask import Flask
from sqlmodel import select

from samtal.db import get_session
from samtal.models import Answer, SafetyConcern
from tests.builders import (
    FAST_ANSWERS,
    answer,
    form_token,
    page_of,
    panel_pin,
    reload_conversation,
    rows,
)

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
PANEL = "Panel för den vuxna"
CONFIRM = "Den här delen är för den vuxna"
LAW = "testlagen (2099:1) 14 kap. 1 §"


def csrf(client, panel: str) -> str:
    found = CSRF.search(page_of(client, panel))
    assert found, "no csrf token on the adult page"
    return found.group(1)


def unlock(client, path: str) -> str:
    """Open the panel with the conversation's PIN; returns the panel's URL."""
    panel = f"{path}vuxen/"
    pin = panel_pin(client.application, path)
    response = client.post(panel, data={"csrf_token": csrf(client, panel), "pin": pin})
    assert response.status_code == 303
    assert PANEL in page_of(client, panel)
    return panel


def act(client, panel: str, action: str, **fields):
    """Send one of the panel's forms."""
    return client.post(f"{panel}{action}", data={"csrf_token": csrf(client, panel), **fields})


def concerns(app: Flask, conversation_id: int) -> list[SafetyConcern]:
    with app.app_context():
        return list(
            get_session().exec(
                select(SafetyConcern).where(SafetyConcern.conversation_id == conversation_id)
            )
        )


def test_panel_asks_for_confirmation_first(client, start):
    """The adult link shows a confirmation, not the panel, so a child cannot open it by a tap."""
    _conversation, path = start()
    html = page_of(client, f"{path}vuxen/")
    assert CONFIRM in html and PANEL not in html
    assert "Markera oro" not in html


def test_actions_without_unlocking_do_nothing(app, client, start):
    """Without the confirmation no action of the panel has any effect."""
    conversation, path = start()
    answer(client, path, value="ja")
    panel = f"{path}vuxen/"
    for action, fields in [
        ("status", {"status": "paused"}),
        ("status", {"status": "ended", "confirm": "ja"}),
        ("ord", {"words": "Hon sa att maten är god."}),
        ("oro", {"note": "Något hon sa."}),
        ("aldersgrupp", {"flow_id": "test-valj"}),
    ]:
        assert act(client, panel, action, **fields).status_code == 303
    stored = reload_conversation(app, conversation.id)
    assert (stored.status, stored.flow_id) == ("active", "test-fast")
    assert [row.step_id for row in rows(app, conversation.id)] == ["hej"]
    assert concerns(app, conversation.id) == []
    assert PANEL not in page_of(client, panel)


def test_unlock_needs_the_csrf_token(client, start):
    """A confirmation without the page's token does not open the panel."""
    _conversation, path = start()
    panel = f"{path}vuxen/"
    page_of(client, panel)
    assert client.post(panel, data={}).status_code == 303
    assert client.post(panel, data={"csrf_token": "gissat"}).status_code == 303
    assert PANEL not in page_of(client, panel)


def test_unlocked_panel_opens_and_can_be_closed(client, start):
    """After confirming, the panel shows; closing it gives the screen back to the child."""
    _conversation, path = start()
    panel = unlock(client, path)
    response = act(client, panel, "stang")
    assert response.status_code == 303 and response.headers["Location"].endswith(path)
    assert PANEL not in page_of(client, panel)


def test_panel_closes_itself_after_a_while(app, client, start):
    """An unlocked panel locks again after the configured minutes."""
    _conversation, path = start()
    panel = unlock(client, path)
    app.config["ADULT_PANEL_MINUTES"] = 0
    assert PANEL not in page_of(client, panel)


def test_adult_writes_words_beside_a_question(app, client, start):
    """Words written for a question are stored as the adult's, beside the child's answer."""
    conversation, path = start()
    answer(client, path, value="ja")
    panel = unlock(client, path)
    assert "Hur är maten?" in page_of(client, panel)
    assert act(client, panel, "ord", words="Hon sa: maten är god.").status_code == 303
    written = [r for r in rows(app, conversation.id) if r.step_id == "mat.hur"]
    assert [(r.part, r.answered_by, r.words) for r in written] == [
        ("words", "adult", "Hon sa: maten är god.")
    ]
    assert "Hur är maten?" in page_of(client, path)


def test_adult_writes_the_answer_to_a_words_question(app, client, start):
    """On a question asking for own words, the adult's writing is the answer itself."""
    conversation, path = start()
    for fields in FAST_ANSWERS[:5]:
        answer(client, path, **fields)
    panel = unlock(client, path)
    act(client, panel, "ord", words="Han gillar att spela boll.")
    written = [r for r in rows(app, conversation.id) if r.step_id == "vanner.ord"]
    assert [(r.part, r.status, r.answered_by, r.words) for r in written] == [
        ("answer", "answered", "adult", "Han gillar att spela boll.")
    ]
    assert "Vad är viktigast?" in page_of(client, path)


def test_empty_or_too_long_words_are_refused(app, client, start):
    """Empty words or words over the limit are not stored; the adult is told why."""
    conversation, path = start()
    answer(client, path, value="ja")
    panel = unlock(client, path)
    assert act(client, panel, "ord", words="   ").status_code == 422
    response = act(client, panel, "ord", words="ord " * 600)
    assert response.status_code == 422
    assert "för lång" in response.get_data(as_text=True)
    assert [row.step_id for row in rows(app, conversation.id)] == ["hej"]


def test_pause_stops_answering_and_resume_continues(app, client, start):
    """While paused the child's page says so and answers are refused; resuming continues."""
    conversation, path = start()
    token = form_token(page_of(client, path))
    panel = unlock(client, path)
    response = act(client, panel, "status", status="paused")
    assert response.status_code == 303 and response.headers["Location"].endswith(path)
    assert reload_conversation(app, conversation.id).status == "paused"
    html = page_of(client, path)
    assert "Vi tar en paus" in html and 'name="form_token"' not in html
    client.post(f"{path}svar", data={"form_token": token, "value": "ja"})
    assert rows(app, conversation.id) == []
    assert PANEL not in page_of(client, panel), "pausing gives the screen back: panel locked"
    panel = unlock(client, path)
    act(client, panel, "status", status="active")
    assert reload_conversation(app, conversation.id).status == "active"
    assert answer(client, path, value="ja").status_code == 303
    assert [row.step_id for row in rows(app, conversation.id)] == ["hej"]


def test_ending_needs_the_confirmation_box(app, client, start):
    """Ending only happens with the box ticked; then the child's page says goodbye."""
    conversation, path = start()
    panel = unlock(client, path)
    act(client, panel, "status", status="ended")
    assert reload_conversation(app, conversation.id).status == "active"
    act(client, panel, "status", status="ended", confirm="ja")
    ended = reload_conversation(app, conversation.id)
    assert ended.status == "ended" and ended.finished_at is not None
    assert "Nu slutar vi för i dag" in page_of(client, path)
    # The panel of a finished conversation is only the kind "finished" page, without forms.
    finished = page_of(client, panel)
    assert "Det här samtalet är avslutat" in finished and "csrf_token" not in finished
    client.post(f"{panel}status", data={"status": "active"})
    assert reload_conversation(app, conversation.id).status == "ended"


def test_safety_concern_reminds_the_adult_and_never_shows_to_the_child(app, client, start):
    """A marked concern reminds the adult of the orosanmälan; the child's page shows nothing."""
    app.config["REPORTING_DUTY_REFERENCE"] = LAW
    conversation, path = start()
    answer(client, path, value="ja")
    panel = unlock(client, path)
    assert "Gör en orosanmälan" not in page_of(client, panel)
    assert act(client, panel, "oro", note="Något hon sa om hemma.").status_code == 303
    [concern] = concerns(app, conversation.id)
    assert (concern.step_id, concern.note, concern.report_made_at) == (
        "mat.hur",
        "Något hon sa om hemma.",
        None,
    )
    html = page_of(client, panel)
    assert "Gör en orosanmälan" in html and LAW in html
    child_page = page_of(client, path)
    partial = client.get(path, headers={"HX-Request": "true"}).get_data(as_text=True)
    for shown in (child_page, partial):
        assert not re.search(r"(?<!\w)oro", shown, re.IGNORECASE)
        assert "anmälan" not in shown.lower() and "hemma." not in shown


def test_with_only_the_pin_the_report_is_recorded_in_the_workspace(app, client, start):
    """Opened with the PIN alone, the panel does not record 'report made' for no one in
    particular: it says the barnkontakt records it in the workspace."""
    conversation, path = start()
    panel = unlock(client, path)
    act(client, panel, "oro", note="")
    [concern] = concerns(app, conversation.id)
    assert concern.note is None and concern.marked_via == "pin" and concern.marked_by is None
    assert act(client, panel, f"oro/{concern.id}/anmald").status_code == 303
    [concern] = concerns(app, conversation.id)
    assert concern.report_made_at is None
    html = page_of(client, panel)
    assert "registreras av barnkontakten i arbetsytan" in html
    assert "Jag har gjort orosanmälan" not in html


def test_report_for_another_conversations_concern_is_ignored(app, client, start):
    """A concern can only be confirmed from its own conversation's panel."""
    theirs, their_path = start()
    their_panel = unlock(client, their_path)
    act(client, their_panel, "oro", note="")
    [concern] = concerns(app, theirs.id)
    _mine, path = start()
    panel = unlock(client, path)
    for concern_id in (concern.id, 10**6, 10**30):
        assert act(client, panel, f"oro/{concern_id}/anmald").status_code < 500
    assert concerns(app, theirs.id)[0].report_made_at is None


def test_age_band_can_change_before_any_area_answer(app, client, start):
    """Before the areas begin the adult may switch the questions to another age band."""
    conversation, path = start()
    answer(client, path, value="ja")
    panel = unlock(client, path)
    assert 'value="test-valj"' in page_of(client, panel)
    act(client, panel, "aldersgrupp", flow_id="test-valj")
    assert reload_conversation(app, conversation.id).flow_id == "test-valj"
    assert "Vad vill du prata om?" in page_of(client, path)


def test_age_band_cannot_change_after_an_area_answer(app, client, start):
    """Once the child has answered about an area the age band stays."""
    conversation, path = start()
    answer(client, path, value="ja")
    answer(client, path, value="2")
    panel = unlock(client, path)
    response = act(client, panel, "aldersgrupp", flow_id="test-valj")
    assert response.status_code == 303
    assert reload_conversation(app, conversation.id).flow_id == "test-fast"
    assert "kan bara bytas innan" in page_of(client, panel)


def test_age_band_must_be_one_on_offer(app, client, start):
    """Only a flow for the same readers and the same areas can be chosen."""
    conversation, path = start()
    panel = unlock(client, path)
    for flow_id in ("finns-inte", "barn-7-9"):
        act(client, panel, "aldersgrupp", flow_id=flow_id)
        assert reload_conversation(app, conversation.id).flow_id == "test-fast"


def test_adult_words_are_kept_with_history(app, client, start):
    """Writing the child's words again for the same question keeps the earlier writing."""
    conversation, path = start()
    answer(client, path, value="ja")
    panel = unlock(client, path)
    act(client, panel, "ord", words="Först.")
    act(client, panel, "ord", words="Sedan.")
    with app.app_context():
        written = (
            get_session()
            .exec(
                select(Answer).where(
                    Answer.conversation_id == conversation.id, Answer.part == "words"
                )
            )
            .all()
        )
    assert [(r.words, r.replaced_at is None) for r in written] == [
        ("Först.", False),
        ("Sedan.", True),
    ]
