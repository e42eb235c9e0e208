"""Storing answers on SQLite and PostgreSQL: history, no duplicates, skips kept as what they are."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlmodel import Session, select

from samtal import library
from samtal.conversation import engine, lifecycle, reading, records
from samtal.db import get_session
from samtal.models import Answer, Conversation, ConversationEvent
from tests.builders import make_app


@pytest.fixture
def db_app(any_database_url) -> Iterator[Flask]:
    """The app on each database the product runs on."""
    app = make_app(any_database_url)
    with app.app_context():
        yield app
    app.extensions["samtal.engine"].dispose()


@pytest.fixture
def fast(db_app):
    """A new test-fast conversation, its flow and the database session."""
    flow = library.flows().get("test-fast")
    session = get_session()
    conversation = lifecycle.start_conversation(session=session, flow=flow, name="Testbarn", age=20)
    return conversation, flow, session


def store(fast, step_id: str, form: dict[str, list[str]], key: str | None = None) -> bool:
    """Read a form for a step the way the tablet does, and store it."""
    conversation, flow, session = fast
    step = flow.step(step_id)
    answers = records.stored_answers(session, conversation.id)
    parsed = reading.read_answer(flow, step, form, answers)
    return records.store_answer(
        session=session,
        conversation=conversation,
        flow=flow,
        step=step,
        parsed=parsed,
        request_key=key,
    )


def status_of(fast) -> str:
    conversation, _flow, session = fast
    session.expire_all()
    found = session.get(Conversation, conversation.id)
    assert found is not None
    return found.status


def test_changing_an_answer_keeps_the_earlier_one(fast):
    """A changed answer replaces the current one; the earlier stays in history."""
    conversation, _flow, session = fast
    assert store(fast, "hej", {"value": ["ja"]}, key="k1")
    assert store(fast, "mat.hur", {"value": ["1"]}, key="k2")
    assert store(fast, "mat.hur", {"value": ["3"]}, key="k3")
    current = records.stored_answers(session, conversation.id)
    assert current["mat.hur"].value == "3"
    rows = records.history(session, conversation.id, "mat.hur")
    assert [(row.value, row.replaced_at is None) for row in rows] == [("1", False), ("3", True)]


def test_same_request_twice_stores_once(fast):
    """A double tap (the same form sent twice) stores one answer, the first."""
    conversation, _flow, session = fast
    assert store(fast, "hej", {"value": ["ja"]}, key="samma")
    assert not store(fast, "mat.hur", {"value": ["2"]}, key="samma")
    assert "mat.hur" not in records.stored_answers(session, conversation.id)
    assert len(records.history(session, conversation.id, "hej")) == 1


def test_a_double_tap_racing_past_the_check_stores_once(fast, monkeypatch):
    """The second of two identical requests can pass the request-key check before the first is
    committed; the database's unique key refuses it and the first answer stands."""
    conversation, flow, session = fast
    assert store(fast, "hej", {"value": ["ja"]}, key="k1")
    read_answers = records.stored_answers

    def first_request_commits_meanwhile(*args, **kwargs):
        monkeypatch.setattr(records, "stored_answers", read_answers)
        with Session(session.get_bind()) as other:
            twin = other.get(Conversation, conversation.id)
            assert records.store_answer(
                session=other,
                conversation=twin,
                flow=flow,
                step=flow.step("mat.hur"),
                parsed=reading.Parsed(status="answered", value="1"),
                request_key="dubbel",
            )
        return read_answers(*args, **kwargs)

    monkeypatch.setattr(records, "stored_answers", first_request_commits_meanwhile)
    stored = records.store_answer(
        session=session,
        conversation=conversation,
        flow=flow,
        step=flow.step("mat.hur"),
        parsed=reading.Parsed(status="answered", value="1"),
        request_key="dubbel",
    )
    assert stored is False
    assert len(records.history(session, conversation.id, "mat.hur")) == 1
    assert records.stored_answers(session, conversation.id)["mat.hur"].value == "1"


def test_same_answer_again_stores_nothing_new(fast):
    """Giving the same answer again adds no revision."""
    conversation, _flow, session = fast
    assert store(fast, "hej", {"value": ["ja"]}, key="a")
    assert store(fast, "mat.hur", {"value": ["1"]}, key="b")
    assert store(fast, "mat.battre", {"value": ["lunch", "frukost"]}, key="c")
    assert not store(fast, "mat.hur", {"value": ["1"]}, key="d")
    assert not store(fast, "mat.battre", {"value": ["lunch", "frukost"]}, key="e")
    assert len(records.history(session, conversation.id, "mat.hur")) == 1
    assert records.stored_answers(session, conversation.id)["mat.battre"].value == [
        "lunch",
        "frukost",
    ]


@pytest.mark.parametrize(
    ("step_id", "form", "status"),
    [
        ("mat.hur", {"value": ["vet_inte"]}, "vet_inte"),
        ("mat.hur", {"value": ["vill_inte_svara"]}, "vill_inte_svara"),
        ("mat.battre", {"skip": ["vet_inte"]}, "vet_inte"),
        ("mat.battre", {"skip": ["vill_inte_svara"], "value": ["lunch"]}, "vill_inte_svara"),
    ],
)
def test_skips_are_stored_as_status_never_as_a_value(fast, step_id, form, status):
    """'Vet inte' and 'Vill inte svara' are kept as what they are, with no scale value."""
    conversation, _flow, session = fast
    store(fast, "hej", {"value": ["ja"]})
    if step_id != "mat.hur":
        store(fast, "mat.hur", {"value": ["1"]})
    assert store(fast, step_id, form)
    row = session.exec(
        select(Answer).where(Answer.conversation_id == conversation.id, Answer.step_id == step_id)
    ).one()
    assert (row.status, row.value) == (status, None)


def test_no_to_the_assent_declines(fast):
    """A no to 'do you want to talk' marks the conversation declined."""
    store(fast, "hej", {"value": ["nej"]})
    assert status_of(fast) == "declined"


def test_confirmed_review_completes(fast):
    """The conversation is completed once the child confirms the review, not before."""
    conversation, flow, session = fast
    for step_id, form in [
        ("hej", {"value": ["ja"]}),
        ("mat.hur", {"value": ["3"]}),
        ("mat.bra", {"value": ["frukt"]}),
        ("lek.hur", {"value": ["2"]}),
        ("vanner.hur", {"value": ["vill_inte_svara"]}),
        ("vanner.ord", {"words": ["  Jag har en hund.\r\nHan heter Bo.  "]}),
        ("viktigast", {"value": ["mat", "lek"]}),
        ("dela", {"skip": ["vill_inte_svara"]}),
    ]:
        assert store(fast, step_id, form)
    assert engine.position(flow, records.stored_answers(session, conversation.id)).step.id == (
        "granska"
    )
    assert status_of(fast) == "active"
    assert store(fast, "granska", {})
    assert status_of(fast) == "completed"
    words = records.stored_answers(session, conversation.id)["vanner.ord"]
    assert words.words == "Jag har en hund.\nHan heter Bo."
    kinds = session.exec(
        select(ConversationEvent.kind).where(ConversationEvent.conversation_id == conversation.id)
    ).all()
    assert "completed" in kinds


def test_answers_of_one_conversation_stay_there(fast):
    """Another conversation sees none of this conversation's answers."""
    conversation, flow, session = fast
    store(fast, "hej", {"value": ["ja"]}, key="x")
    other = lifecycle.start_conversation(session=session, flow=flow, name="Annan", age=20)
    assert records.stored_answers(session, other.id) == {}
    # The same request key in another conversation is its own request.
    assert store((other, flow, session), "hej", {"value": ["ja"]}, key="x")


def test_control_characters_in_words_are_dropped(fast):
    """Stray control characters (even NUL, which PostgreSQL refuses) never stop an answer."""
    conversation, _flow, session = fast
    store(fast, "hej", {"value": ["ja"]})
    steps: list[tuple[str, str | list[str]]] = [
        ("mat.hur", "2"),
        ("mat.battre", ["lunch"]),
        ("lek.hur", "2"),
        ("vanner.hur", "2"),
    ]
    for step_id, value in steps:
        store(fast, step_id, {"value": value if isinstance(value, list) else [value]})
    assert store(fast, "vanner.ord", {"words": ["Hej\x00 d\x07å!\tSlut"]})
    words = records.stored_answers(session, conversation.id)["vanner.ord"].words
    assert words == "Hej då!\tSlut"


@pytest.fixture
def test_flow(app):
    """test-fast on the plain SQLite app, inside an app context."""
    with app.app_context():
        yield library.flows().get("test-fast")


REFUSED = {
    "rating value not on the scale": ("mat.hur", {"value": ["9"]}, "finns inte här"),
    "rating with two values": ("mat.hur", {"value": ["1", "2"]}, "finns inte här"),
    "rating with nothing": ("mat.hur", {}, "finns inte här"),
    "assent value not an option": ("hej", {"value": ["kanske"]}, "finns inte här"),
    "choice value not an option": ("mat.battre", {"value": ["glass"]}, "finns inte här"),
    "too many choices": ("mat.battre", {"value": ["frukost", "lunch", "middag"]}, "högst 2"),
    "no choice at all": ("mat.battre", {}, "Välj minst en"),
    "unknown skip": ("mat.battre", {"skip": ["kanske"]}, "finns inte här"),
    "skip a words step may not have": ("vanner.ord", {"skip": ["vet_inte"]}, "finns inte här"),
    "area that does not exist": ("viktigast", {"value": ["skola"]}, "finns inte här"),
    "too many areas": ("viktigast", {"value": ["mat", "lek", "vanner"]}, "högst 2"),
    "words too long": ("vanner.ord", {"words": ["a" * 2001]}, "för lång"),
    "nothing to answer on a goodbye": ("hejda", {}, "inget svar"),
}


@pytest.mark.parametrize(("step_id", "form", "says"), REFUSED.values(), ids=REFUSED.keys())
def test_read_answer_refuses_with_a_swedish_message(test_flow, step_id, form, says):
    """An answer that does not fit the question is refused with a kind Swedish message."""
    with pytest.raises(reading.AnswerRefused) as refused:
        reading.read_answer(test_flow, test_flow.step(step_id), form, {})
    assert says in str(refused.value)


def test_words_at_the_limit_are_kept(test_flow):
    """2000 characters of own words are accepted; empty words are skipped, not refused."""
    step = test_flow.step("vanner.ord")
    parsed = reading.read_answer(test_flow, step, {"words": ["å" * 2000]}, {})
    assert parsed.status == "answered" and parsed.words == "å" * 2000
    empty = reading.read_answer(test_flow, step, {"words": ["   "]}, {})
    assert (empty.status, empty.words) == ("skipped", None)


def test_double_choices_are_counted_once(test_flow):
    """Sending the same picture twice is one choice, not two."""
    step = test_flow.step("mat.battre")
    parsed = reading.read_answer(test_flow, step, {"value": ["lunch", "lunch"]}, {})
    assert parsed.value == ["lunch"]
