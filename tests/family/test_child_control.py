"""The child in control: a stop control on every question, and a stray "Nej" the adult undoes."""

from __future__ import annotations

import re
from datetime import timedelta

from samtal.db import get_session
from samtal.models import Conversation, utcnow
from tests.builders import (
    answer,
    entries,
    form_token,
    page_of,
    panel_pin,
    reload_conversation,
    rows,
)

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _csrf(client, page: str) -> str:
    found = CSRF.search(page_of(client, page))
    assert found
    return found.group(1)


def _panel(client, path: str) -> str:
    panel = f"{path}vuxen/"
    pin = panel_pin(client.application, path)
    client.post(panel, data={"csrf_token": _csrf(client, panel), "pin": pin})
    return panel


def _stop(client, path: str, choice: str):
    page = page_of(client, f"{path}sluta")
    assert "Vill du pausa eller sluta?" in page
    return client.post(f"{path}sluta", data={"form_token": form_token(page), "val": choice})


def test_the_stop_control_is_on_every_question(client, start):
    """ "Jag vill sluta" is on the child's screen from the first question to the review."""
    _conversation, path = start()
    assert "Jag vill sluta" in page_of(client, path)
    answer(client, path, value="ja")
    assert "Jag vill sluta" in page_of(client, path)


def test_the_child_pauses_and_the_adult_resumes(app, client, start):
    """A pause asked for by the child holds every answer until the adult goes on."""
    conversation, path = start()
    answer(client, path, value="ja")
    assert _stop(client, path, "pausa").status_code == 303
    assert reload_conversation(app, conversation.id).status == "paused"
    paused = page_of(client, path)
    assert "Vi tar en paus" in paused and "Jag vill sluta" not in paused
    assert entries(app, "conversation_paused_by_child")
    panel = _panel(client, path)
    client.post(f"{panel}status", data={"csrf_token": _csrf(client, panel), "status": "active"})
    assert reload_conversation(app, conversation.id).status == "active"
    assert "Hur är maten?" in page_of(client, path)


def test_the_child_stops_for_today(app, client, start):
    """ "Sluta för i dag" ends the conversation kindly; "Fortsätta prata" changes nothing."""
    conversation, path = start()
    _stop(client, path, "fortsatta")
    assert reload_conversation(app, conversation.id).status == "active"
    _stop(client, path, "sluta")
    assert reload_conversation(app, conversation.id).status == "ended"
    assert "Nu slutar vi för i dag" in page_of(client, path)


def test_a_stop_without_the_form_key_does_nothing(app, client, start):
    """A stop sent without the screen's signed form key is ignored."""
    conversation, path = start()
    client.post(f"{path}sluta", data={"val": "sluta"})
    assert reload_conversation(app, conversation.id).status == "active"


def test_the_adult_undoes_a_stray_no(app, client, start):
    """A "Nej" at the start can be taken back in the same visit; the no is kept as history."""
    conversation, path = start()
    answer(client, path, value="nej")
    assert reload_conversation(app, conversation.id).status == "declined"
    panel = _panel(client, path)
    assert "Ångra nej" in page_of(client, panel)
    response = client.post(f"{panel}angra-nej", data={"csrf_token": _csrf(client, panel)})
    assert response.status_code == 303
    assert reload_conversation(app, conversation.id).status == "active"
    assert "Vill du prata?" in page_of(client, path)
    hej = [r for r in rows(app, conversation.id) if r.step_id == "hej"]
    assert [(r.value, r.replaced_at is not None) for r in hej] == [("nej", True)]
    assert entries(app, "decline_undone")
    answer(client, path, value="ja")
    assert "Hur är maten?" in page_of(client, path)


def test_a_no_from_an_earlier_visit_stands(app, client, start):
    """After the visit (UNDO_DECLINE_MINUTES) the no stands and the panel offers no undo."""
    conversation, path = start()
    answer(client, path, value="nej")
    with app.app_context():
        session = get_session()
        stored = session.get(Conversation, conversation.id)
        stored.finished_at = utcnow() - timedelta(minutes=app.config["UNDO_DECLINE_MINUTES"] + 1)
        session.add(stored)
        session.commit()
    panel = f"{path}vuxen/"
    shown = page_of(client, panel)
    assert "Det här samtalet är avslutat" in shown and "Ångra nej" not in shown
    client.post(f"{panel}angra-nej", data={"pin": panel_pin(app, path)})
    assert reload_conversation(app, conversation.id).status == "declined"
