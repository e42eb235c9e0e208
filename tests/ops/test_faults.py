"""No answer lost when the servers die: tablets answer while every gunicorn process is
SIGKILLed and started again; every answer the server acknowledged (303) is stored, once, and
every conversation resumes and ends."""

from __future__ import annotations

import threading
import time
from collections import Counter

import pytest
from sqlmodel import col, select

from samtal.conversation import links
from samtal.db import get_session
from samtal.models import Answer, Conversation
from tests.builders import make_app, start_conversation_in
from tests.ops.deployed import Tablet, plain_sender, server_env

TABLETS = 8
KILLS = 3
KILL_AFTER_ANSWERS = (40, 120, 200)  # of about 8 × 40


def stored_keys(app, conversation_id: int) -> list[str]:
    """The request keys of every answer stored for a conversation, history included."""
    with app.app_context():
        rows = get_session().exec(
            select(Answer.request_key).where(
                Answer.conversation_id == conversation_id, col(Answer.request_key).is_not(None)
            )
        )
        return [str(key) for key in rows.all()]


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_every_acknowledged_answer_survives_sigkill(kind, empty_database, gunicorn):
    """8 tablets answer the 7–9 flow while the arbiter and all workers are SIGKILLed three
    times (and started again): acknowledged answers = stored answers, no duplicates, every
    conversation ends."""
    url = empty_database(kind)
    app = make_app(url)
    with app.app_context():
        from samtal import library

        flow_id = library.flows().for_age(8).id
    started = [start_conversation_in(app, flow_id, 8) for _ in range(TABLETS)]
    env = server_env(url)
    server = gunicorn(env, workers=2, threads=4)
    assert server.ready()
    tablets = [Tablet(path, plain_sender(server.port)) for _, path in started]
    finished: dict[int, bool] = {}
    runs = [
        threading.Thread(target=lambda n=n: finished.__setitem__(n, tablets[n].answer_all()))
        for n in range(TABLETS)
    ]
    began = time.monotonic()
    for run in runs:
        run.start()
    kills = 0
    # Each kill waits for the tablets to have stored more answers (a tablet is about forty),
    # so every kill lands mid-conversation however fast or slow this machine is.
    for threshold in KILL_AFTER_ANSWERS:
        while sum(len(t.acknowledged) for t in tablets) < threshold:
            assert any(run.is_alive() for run in runs), "the flow is shorter than the kills"
            time.sleep(0.05)
        server.kill()
        kills += 1
        server.start()
        assert server.ready(), server.log.read_text()[-2000:]
    for run in runs:
        run.join(timeout=120)
    seconds = time.monotonic() - began

    unfinished = {n: tablets[n].last_page[:500] for n in range(TABLETS) if not finished.get(n)}
    assert unfinished == {}
    acknowledged = stored = duplicates = 0
    for (conversation, _), tablet in zip(started, tablets, strict=True):
        with app.test_request_context():
            keys = {links.read_step_form_token(token).key for token in tablet.acknowledged}  # type: ignore[union-attr]
        found = stored_keys(app, conversation.id or 0)
        acknowledged += len(keys)
        stored += len(found)
        duplicates += len(found) - len(set(found))
        assert keys == set(found), f"conversation {conversation.id}"
        with app.app_context():
            current = get_session().exec(
                select(Answer.step_id, Answer.part).where(
                    Answer.conversation_id == conversation.id, col(Answer.replaced_at).is_(None)
                )
            )
            assert max(Counter(current.all()).values()) == 1
            assert get_session().get(Conversation, conversation.id).status == "completed"  # type: ignore[union-attr]
    retries = sum(tablet.retries for tablet in tablets)
    app.extensions["samtal.engine"].dispose()
    print(
        f"\n{kind}: {kills} SIGKILLs of every gunicorn process; {acknowledged} answers "
        f"acknowledged, {stored} stored, {duplicates} duplicates, {retries} retried requests, "
        f"{len(finished)} of {TABLETS} conversations ended, {seconds:.0f} s"
    )
    assert kills == KILLS == len(KILL_AFTER_ANSWERS)
    assert duplicates == 0
