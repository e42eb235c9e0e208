"""The child's take-home copy: the barnkontakt ticks what goes home.

Issue 10's finding proved fixed here: the copy ("Det här berättade du") printed disclosures
word for word, e.g. a 5-year-old's "Jag blir rädd när pappa skriker på kvällen", with no
warning and no way to leave anything out.
"""

from __future__ import annotations

import re

import pytest
from flask import Flask

from samtal import library
from samtal.conversation import adult, engine, lifecycle, reading, records
from samtal.conversation.panel_access import Actor
from samtal.db import get_session
from samtal.models import Child, Conversation
from tests.builders import csrf_token_of

DISCLOSURE = "Jag blir rädd när pappa skriker på kvällen"
HAPPY = "Jag tycker om att rita"


def answer_until(session, conversation: Conversation, words: dict[str, str], stop: str) -> None:
    """Answer the 4–6 flow with plain answers (own words where given) up to a step."""
    flow = library.flows().of(conversation)
    assert flow is not None
    # 4–6 own-words steps wait for the adult: open the areas where words are given, as the
    # adult does from the panel.
    for step_id in words:
        step_ = flow.step(step_id)
        if step_ is not None and step_.adult_opens and step_.area:
            adult.open_further(
                session=session, conversation=conversation, flow=flow, area_id=step_.area
            )
    for _ in range(100):
        answers = records.stored_answers(session, conversation.id or 0)
        step = engine.position(flow, answers).step
        assert step is not None
        if step.id == stop:
            return
        if step.kind == "words":
            parsed = reading.Parsed(status="answered", words=words.get(step.id, HAPPY))
        elif step.kind == "rating":
            parsed = reading.Parsed(status="answered", value=flow.scale[-1].value)
        elif step.kind in ("message", "review"):
            parsed = reading.Parsed(status="answered")
        elif step.options:
            first = next(o for o in step.options if not o.ends_conversation)
            value = [first.value] if step.multiple else first.value
            parsed = reading.Parsed(status="answered", value=value)
        else:
            parsed = reading.Parsed(status="vet_inte")
        records.store_answer(
            session=session,
            conversation=conversation,
            flow=flow,
            step=step,
            parsed=parsed,
            request_key=None,
            by="child",
        )
    raise AssertionError(f"never reached {stop}")


@pytest.fixture
def five_year_old(app: Flask, staff_client):
    """A barnkontakt and a 5-year-old who told something worrying, with a concern marked in
    that area: (client, staff, child id, conversation id)."""
    client, staff = staff_client("barnkontakt")
    with app.test_request_context():
        session = get_session()
        child = Child(name="Mio", birth_year=2021, barnkontakt_id=staff.id)
        session.add(child)
        session.commit()
        flow = library.flows().get("barn-4-6")
        assert flow is not None
        conversation = lifecycle.start_conversation(
            session=session, flow=flow, name="Mio", age=5, language="sv", child=child
        )
        answer_until(session, conversation, {"omsorg.ord": DISCLOSURE}, "trygghet.hur")
        adult.mark_concern(
            session=session,
            conversation=conversation,
            step_id="omsorg.ord",
            note="",
            actor=Actor(staff.id, "staff", conversation.id or 0),
        )
        return client, staff, child.id, conversation.id


def base(child_id: int) -> str:
    return f"/arbete/barn/{child_id}/sammanstallning"


def test_a_disclosure_linked_to_a_concern_does_not_go_home_by_default(five_year_old):
    """The barnkontakt sees every item first; the disclosure is unticked and marked; the copy
    then leaves it out and says so kindly."""
    client, _staff, child_id, _conversation_id = five_year_old
    first = client.get(f"{base(child_id)}/barnets-kopia")
    assert first.status_code == 303 and first.headers["Location"].endswith("/barnets-kopia/val")
    choice = client.get(f"{base(child_id)}/barnets-kopia/val").get_data(as_text=True)
    assert DISCLOSURE in choice and "Kopplad till oro" in choice
    ticked = re.findall(r'name="med" value="([^"]+)" checked', choice)
    every = re.findall(r'name="med" value="([^"]+)"', choice)
    assert len(every) == len(ticked) + 1  # only the disclosure starts unticked
    response = client.post(
        f"{base(child_id)}/barnets-kopia/val",
        data={"csrf_token": csrf_token_of(choice), "med": ticked},
    )
    assert response.status_code == 303
    copy = client.get(f"{base(child_id)}/barnets-kopia").get_data(as_text=True)
    assert DISCLOSURE not in copy
    assert "Det här är inte allt du berättade" in copy


def test_a_copy_with_everything_ticked_has_no_note_and_new_answers_wait_for_review(
    app, five_year_old
):
    """Ticking everything gives the whole copy without the note; what the child says after
    the review is not in the copy until the barnkontakt has looked again."""
    client, _staff, child_id, conversation_id = five_year_old
    choice = client.get(f"{base(child_id)}/barnets-kopia/val").get_data(as_text=True)
    every = re.findall(r'name="med" value="([^"]+)"', choice)
    client.post(
        f"{base(child_id)}/barnets-kopia/val",
        data={"csrf_token": csrf_token_of(choice), "med": every},
    )
    copy = client.get(f"{base(child_id)}/barnets-kopia").get_data(as_text=True)
    assert DISCLOSURE in copy and "Det här är inte allt du berättade" not in copy
    with app.test_request_context():
        session = get_session()
        conversation = session.get(Conversation, conversation_id)
        assert conversation is not None
        answer_until(session, conversation, {"trygghet.ord": "NYTT-EFTER-VALET"}, "fritid.hur")
    again = client.get(f"{base(child_id)}/barnets-kopia")
    assert again.status_code == 303 and again.headers["Location"].endswith("/val")


def test_an_unticked_rating_and_the_priorities_can_stay_home_too(five_year_old):
    """Nothing ticked: the copy holds nothing the child said, and says so kindly."""
    client, _staff, child_id, _conversation_id = five_year_old
    choice = client.get(f"{base(child_id)}/barnets-kopia/val").get_data(as_text=True)
    client.post(f"{base(child_id)}/barnets-kopia/val", data={"csrf_token": csrf_token_of(choice)})
    copy = client.get(f"{base(child_id)}/barnets-kopia").get_data(as_text=True)
    assert DISCLOSURE not in copy and HAPPY not in copy
    assert "Det här är inte allt du berättade" in copy
