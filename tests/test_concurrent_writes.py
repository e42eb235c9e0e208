"""Two screens writing at once (issue 12, finding 7), with real concurrent requests over HTTP
on SQLite and PostgreSQL: one current answer always, and each sign-off signs its own notes."""

from __future__ import annotations

import re

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from samtal.db import get_session
from samtal.models import Answer, SummaryVersion
from samtal.staff import accounts
from tests.builders import (
    AT_ONCE,
    STAFF_PASSWORD,
    at_once,
    csrf_token_of,
    form_token,
    http,
    make_app,
    session_cookie,
    start_conversation_in,
)


def test_forty_screens_answering_one_step_leave_one_current_answer(any_database_url, serve):
    """Forty screens change one answer at once. Last write wins: exactly one current
    revision, the latest; every other is history."""
    app = make_app(any_database_url)
    try:
        base = serve(app)
        conversation, path = start_conversation_in(app, "test-fast")
        tablet = base + path
        for value in ("ja", "1"):  # the assent, then a first answer to "Hur är maten?"
            given = http(
                f"{tablet}svar", {"form_token": form_token(http(tablet).text), "value": value}
            )
            assert given.status == 303
        change = f"{tablet}andra/mat.hur"
        tokens = [form_token(http(change).text) for _ in range(AT_ONCE)]
        answers = at_once(
            lambda i: http(f"{tablet}svar", {"form_token": tokens[i], "value": ["2", "3"][i % 2]})
        )
        assert {a.status for a in answers} == {303}
        with app.app_context():
            rows = (
                get_session()
                .exec(
                    select(Answer)
                    .where(Answer.conversation_id == conversation.id, Answer.step_id == "mat.hur")
                    .order_by(col(Answer.id))
                )
                .all()
            )
        current = [row for row in rows if row.replaced_at is None]
        assert len(current) == 1
        assert current[0].id == rows[-1].id
    finally:
        app.extensions["samtal.engine"].dispose()


def test_forty_sign_offs_at_once_each_sign_their_own_notes(any_database_url, serve):
    """Each sign-off's version holds the notes that very request sent, never another's."""
    app = make_app(any_database_url)
    try:
        base = serve(app)
        with app.app_context():
            staff = accounts.create_staff(
                session=get_session(),
                email="bk@kommun.example",
                name="Bo",
                role="barnkontakt",
                password=STAFF_PASSWORD,
            )
        page = http(f"{base}/logga-in")
        signed_in = http(
            f"{base}/logga-in",
            {
                "csrf_token": csrf_token_of(page.text),
                "email": staff.email,
                "password": STAFF_PASSWORD,
            },
            session_cookie(page),
        )
        cookie = session_cookie(signed_in)
        assert signed_in.status == 303 and cookie
        token = csrf_token_of(http(f"{base}/arbete/barn/ny", cookie=cookie).text)
        registered = http(
            f"{base}/arbete/barn/ny",
            {
                "csrf_token": token,
                "name": "Sam Berg",
                "birth_date": "2017-05-04",
                "language": "sv",
                "guardian1_name": "Amira Berg",
                "guardian1_language": "sv",
            },
            cookie,
        )
        assert registered.status == 303
        child_id = registered.headers["Location"].rsplit("/", 1)[-1]
        sign = f"{base}/arbete/barn/{child_id}/sammanstallning/signera"
        answers = at_once(
            lambda i: http(
                sign,
                {
                    "csrf_token": token,
                    "anteckningar": "1",
                    "q-hinder": f"Anteckning nummer {i}.",
                    "bekrafta": "ja",
                },
                cookie,
            )
        )
        assert {a.status for a in answers} == {303}
        with app.app_context():
            versions = {
                v.number: v.content for v in get_session().exec(select(SummaryVersion)).all()
            }
        for i, answer in enumerate(answers):
            number = int(answer.headers["Location"].rsplit("/", 1)[-1])
            assert versions[number]["analysis"]["hinder"] == f"Anteckning nummer {i}."
        assert len(versions) == AT_ONCE
    finally:
        app.extensions["samtal.engine"].dispose()


def test_the_database_itself_refuses_a_second_current_answer(any_database_url):
    """The rule is in the schema: however a write races, a step has one current answer."""
    app = make_app(any_database_url)
    try:
        conversation, _path = start_conversation_in(app, "test-fast")
        with app.app_context():
            db = get_session()
            for key in ("tab-1", "tab-2"):
                db.add(
                    Answer(
                        conversation_id=conversation.id or 0,
                        step_id="hej",
                        value="ja",
                        request_key=key,
                    )
                )
            with pytest.raises(IntegrityError):
                db.commit()
    finally:
        app.extensions["samtal.engine"].dispose()


def test_a_screen_that_answers_over_an_answer_it_never_saw_is_told(app, client, start):
    """Two tabs show the same question; both answer. The last write wins, the tab that wrote
    over the other's answer is told so, and the history keeps both."""
    conversation, path = start("test-fast")

    def send(page_html: str, value: str):
        seen = re.search(r'name="seen" value="([^"]*)"', page_html)
        assert seen
        return client.post(
            f"{path}svar",
            data={"form_token": form_token(page_html), "seen": seen.group(1), "value": value},
            follow_redirects=True,
        ).get_data(as_text=True)

    send(client.get(path).get_data(as_text=True), "ja")
    send(client.get(path).get_data(as_text=True), "1")
    first_tab = client.get(f"{path}andra/mat.hur").get_data(as_text=True)
    second_tab = client.get(f"{path}andra/mat.hur").get_data(as_text=True)
    told = "Samma fråga besvarades nyss på en annan skärm"
    assert told not in send(first_tab, "2")
    assert told in send(second_tab, "3")
    with app.app_context():
        rows = (
            get_session()
            .exec(
                select(Answer)
                .where(Answer.conversation_id == conversation.id, Answer.step_id == "mat.hur")
                .order_by(col(Answer.id))
            )
            .all()
        )
    assert [(row.value, row.replaced_at is None) for row in rows] == [
        ("1", False),
        ("2", False),
        ("3", True),
    ]
