"""Making what tests need: apps, children, conversations answered to the end, staff signed in.

Plain functions (the fixtures in conftest.py call them); test modules import from here, never
from each other.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
import threading
import uuid
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from samtal import audit, create_app, library, migrations
from samtal.conversation import engine, invitations, lifecycle, links, reading, records
from samtal.db import get_session, make_engine
from samtal.flows.kinds import DECLINED, SKIP_VALUES
from samtal.flows.model import Flow, Step
from samtal.models import (
    Answer,
    AuditEntry,
    Child,
    Conversation,
    Guardian,
    SafetyConcern,
    Staff,
    SummaryVersion,
    Unit,
)

TEST_FLOWS = Path(__file__).parent / "flows"


POSTGRES_URL = os.environ.get(
    "SAMTAL_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


REQUIRE_SERVICES = os.environ.get("SAMTAL_REQUIRE_SERVICES") == "1"


def migrate(database_url: str) -> None:
    """The deploy step the app expects done: the database brought to the newest revision."""
    engine = make_engine(database_url)
    migrations.migrate(engine)
    engine.dispose()


def make_app(database_url: str, **config) -> Flask:
    """An app for tests (database migrated first): the real flows plus the tiny test flows."""
    migrate(database_url)
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "DATABASE_URL": database_url,
            "EXTRA_FLOW_DIRS": [str(TEST_FLOWS)],
            "CHECK_TRANSLATION_TEMPLATE": False,
            "BASE_URL": "http://localhost",
            **config,
        }
    )


PLAIN_POSTGRES_URL = POSTGRES_URL.replace("postgresql+psycopg://", "postgresql://")


def postgres_schema() -> str:
    """A fresh schema on the local PostgreSQL server, or skip (fail in CI) without the server."""
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    try:
        with psycopg.connect(PLAIN_POSTGRES_URL, connect_timeout=3, autocommit=True) as connection:
            connection.execute(f'CREATE SCHEMA "{schema}"')
    except psycopg.OperationalError as error:
        message = f"PostgreSQL is not reachable at {PLAIN_POSTGRES_URL} ({error}); tests skipped"
        if REQUIRE_SERVICES:
            pytest.fail(message)
        pytest.skip(message)
    return schema


def drop_postgres_schema(schema: str) -> None:
    """Remove a test schema and everything in it."""
    import psycopg

    with psycopg.connect(PLAIN_POSTGRES_URL, connect_timeout=3, autocommit=True) as connection:
        connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def needs(command: str) -> None:
    """Skip (fail in CI) unless one of poppler-utils' commands is installed."""
    if not shutil.which(command):
        message = f"{command} is not installed (poppler-utils): run scripts/setup.sh"
        if REQUIRE_SERVICES:
            pytest.fail(message)
        pytest.skip(message)


def pdf_text(data: bytes, tmp_path: Path) -> str:
    """The text of a PDF, read by pdftotext (Debian's poppler-utils)."""
    needs("pdftotext")
    file = tmp_path / "summary.pdf"
    file.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-layout", str(file), "-"], check=True, capture_output=True, text=True
    ).stdout


def start_conversation_in(
    app: Flask,
    flow_id: str,
    age: int | None = None,
    language: str = "sv",
    version: int | None = None,
) -> tuple[Conversation, str]:
    """Start a conversation with the app's own service function → (conversation, tablet path);
    under an earlier version kept in retired/ when one is named (as if begun before it changed)."""
    with app.test_request_context():
        flow = library.flows().get(flow_id, version)
        assert flow is not None and flow.version == (version or flow.version), flow_id
        conversation = lifecycle.start_conversation(
            session=get_session(),
            flow=flow,
            name="Testbarn",
            age=age if age is not None else flow.ages[0],
            language=language,
        )
        token = links.tablet_token(conversation.id or 0, conversation.link_nonce)
    return conversation, f"/samtal/{token}/"


def reload_conversation(app: Flask, conversation_id: int) -> Conversation:
    """The conversation as stored now."""
    with app.app_context():
        found = get_session().get(Conversation, conversation_id)
        assert found is not None
        return found


def panel_pin(app: Flask, tablet_path: str) -> str:
    """The adult panel's PIN for a tablet path's conversation, as the workspace shows it."""
    from samtal.conversation import panel_access

    token = tablet_path.split("/samtal/", 1)[1].split("/", 1)[0]
    with app.test_request_context():
        conversation_id, _nonce = links.read_tablet_token(token)
        return panel_access.pin_for(reload_conversation(app, conversation_id))


STAFF_PASSWORD = "ett långt och bra lösenord"


def csrf_token_of(html: str) -> str:
    """The CSRF token in a page's forms."""
    import re

    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def login(client: FlaskClient, email: str, password: str = STAFF_PASSWORD):
    """Sign in through the real login form; returns the response to the POST."""
    page = client.get("/logga-in").get_data(as_text=True)
    return client.post(
        "/logga-in",
        data={"csrf_token": csrf_token_of(page), "email": email, "password": password},
    )


FORM_TOKEN = re.compile(r'name="form_token" value="([^"]+)"')


def form_token(html: str) -> str:
    """The form token of the step shown on a page."""
    found = FORM_TOKEN.search(html)
    assert found, "no step form on the page"
    return found.group(1)


def answer(client, path: str, page: str | None = None, **fields):
    """Answer the step shown at page (the conversation itself unless given), as a tap would."""
    html = client.get(page or path).get_data(as_text=True)
    return client.post(f"{path}svar", data={"form_token": form_token(html), **fields})


def rows(app: Flask, conversation_id: int) -> list[Answer]:
    """Every stored answer revision of a conversation."""
    with app.app_context():
        return list(
            get_session().exec(select(Answer).where(Answer.conversation_id == conversation_id))
        )


def page_of(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.get_data(as_text=True)


FAST_ANSWERS: list[dict[str, Any]] = [
    {"value": "ja"},
    {"value": "3"},
    {"value": ["godis", "frukt"]},
    {"value": "2"},
    {"value": "1"},
    {"words": "Jag har en vän som heter Ali."},
    {"value": ["mat", "vanner"]},
    {"skip": "vill_inte_svara"},
    {},
]


REGISTRATION = {
    "name": "Sam Berg",
    "birth_date": "2017-05-04",
    "home_languages": "arabiska, svenska",
    "language": "sv",
    "guardian1_name": "Amira Berg",
    "guardian1_language": "ar",
    "guardian1_contact": "070-111 22 33",
    "guardian2_name": "Jonas Berg",
    "guardian2_language": "sv",
}


def register(client, **fields) -> int:
    """Register a child through the real form; returns its id."""
    token = csrf_token_of(client.get("/arbete/barn/ny").get_data(as_text=True))
    response = client.post("/arbete/barn/ny", data={"csrf_token": token, **REGISTRATION, **fields})
    assert response.status_code == 303, response.get_data(as_text=True)
    return int(response.headers["Location"].rsplit("/", 1)[-1])


def post(client, path: str, page: str, **data):
    """POST a form with the CSRF token taken from a page the client has seen."""
    token = csrf_token_of(client.get(page).get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **data})


def entries(app, action: str) -> list[AuditEntry]:
    """Audit entries with this action."""
    with app.app_context():
        return audit.entries(get_session(), action=action)


def plain_or_picked(flow: Flow, step: Step, pick: Any, answers: engine.Answers) -> reading.Parsed:
    """The picked answer (a Parsed, a value, a skip or words), or a plain one for the step."""
    if isinstance(pick, reading.Parsed):
        return pick
    if isinstance(pick, str) and pick in SKIP_VALUES:
        return reading.Parsed(status=pick)
    kind = step.kind
    if kind in ("message", "review"):
        return reading.Parsed(status="answered")
    if kind == "words":
        return reading.Parsed(status="answered", words=pick) if pick else reading.Parsed(DECLINED)
    if kind == "assent":
        yes = next(o.value for o in step.options if not o.ends_conversation)
        return reading.Parsed(status="answered", value=pick or yes)
    if kind == "choose_area":
        return reading.Parsed(status="answered", value=engine.remaining_areas(flow, answers)[0].id)
    if kind == "rating":
        return reading.Parsed(status="answered", value=pick or flow.scale[-1].value)
    if kind == "choice":
        if step.multiple:
            return reading.Parsed(status="answered", value=pick or [step.options[0].value])
        return reading.Parsed(status="answered", value=pick or step.options[0].value)
    if pick:
        return reading.Parsed(status="answered", value=pick)
    return reading.Parsed(status=DECLINED)


def finish(
    session: Session,
    conversation: Conversation,
    picks: Mapping[str, Any] | None = None,
    stop_at: str | None = None,
) -> None:
    """Answer step after step (picks by step id, else a plain answer) until the goodbye."""
    flow = library.flows().of(conversation)
    assert flow is not None
    picks = picks or {}
    for _ in range(300):
        answers = records.stored_answers(session, conversation.id or 0)
        step = engine.position(flow, answers).step
        if step is None or step.kind == "goodbye" or step.id == stop_at:
            return
        records.store_answer(
            session=session,
            conversation=conversation,
            flow=flow,
            step=step,
            parsed=plain_or_picked(flow, step, picks.get(step.id), answers),
            request_key=None,
            by=flow.audience,
        )
    raise AssertionError("the conversation never ended")


CHILD_PICKS = {
    "omsorg.hur": "2",
    "omsorg.battre": ["frukost", "sova_mer"],
    "omsorg.ord": "Jag vill äta frukost i skolan.",
    "trygghet.hur": "vet_inte",
    "ma_bra.hur": "vill_inte_svara",
    "fritid.hur": "3",
    "viktigast": ["omsorg", "fritid"],
}


GUARDIAN_PICKS = {
    "omsorg.hur": "3",
    "omsorg.bra": "Han äter bra hemma.",
    "omsorg.battre": "Morgnarna är stressiga.",
    "trygghet.hur": "4",
    "fritid.hur": "1",
    "tolk": "ja",
    "sprak": "ar",
}


def make_child(
    app: Flask,
    barnkontakt_id: int | None,
    *,
    flow_id: str = "barn-7-9",
    age: int = 8,
    language: str = "sv",
    picks: Mapping[str, Any] = CHILD_PICKS,
    guardians: tuple[tuple[str, Mapping[str, Any]], ...] = (("Anna", GUARDIAN_PICKS),),
    name: str = "Testbarn",
    version: int | None = None,
) -> int:
    """A child with a finished conversation (under the flow's current version unless another
    kept version is named) and guardians who answered; returns its id."""
    with app.test_request_context():
        session = get_session()
        child = Child(name=name, birth_year=date.today().year - age, barnkontakt_id=barnkontakt_id)
        session.add(child)
        session.commit()
        flow = library.flows().get(flow_id, version)
        assert flow is not None and flow.version == (version or flow.version)
        conversation = lifecycle.start_conversation(
            session=session, flow=flow, name=name, age=age, language=language, child=child
        )
        finish(session, conversation, picks)
        for guardian_name, guardian_picks in guardians:
            issued = invitations.issue(
                session=session,
                child=child,
                flow=library.flows().for_audience("guardian")[0],
                guardian_name=guardian_name,
                language="sv",
            )
            finish(session, issued.conversation, guardian_picks)
        return child.id or 0


def months_back(app: Flask, child_id: int, days: int = 120) -> None:
    """Move every conversation of the child so far this many days back: a round behind us."""
    with app.app_context():
        session = get_session()
        for row in session.exec(select(Conversation).where(Conversation.child_id == child_id)):
            row.created_at -= timedelta(days=days)
            row.finished_at = (row.finished_at or records.utcnow()) - timedelta(days=days)
            session.add(row)
        session.commit()


def run_through(app: Flask, conversation_id: int, wanted: dict | None = None) -> None:
    """Answer a whole conversation through the service functions, as fast as a test can.

    `wanted` maps step ids to answers (a Parsed, "2", "vet_inte", ["omsorg"] or words); every
    other step gets a plain answer (see _parsed).
    """
    with app.test_request_context():
        session = get_session()
        conversation = session.get(Conversation, conversation_id)
        assert conversation is not None
        finish(session, conversation, wanted)


def answer_steps(app: Flask, conversation_id: int, *step_ids: str) -> None:
    """Give a plain answer to these steps, in this order (e.g. the opening only)."""
    with app.test_request_context():
        session = get_session()
        conversation = session.get(Conversation, conversation_id)
        flow = library.flows().of(conversation)
        for step_id in step_ids:
            step = flow.step(step_id)
            answers = records.stored_answers(session, conversation_id)
            records.store_answer(
                session=session,
                conversation=conversation,
                flow=flow,
                step=step,
                parsed=plain_or_picked(flow, step, None, answers),
                request_key=None,
            )


class ReceivedMail:
    """What a loopback SMTP server received; refuse holds addresses it answers 550 for."""

    def __init__(self) -> None:
        self.messages: list = []
        self.refuse: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes
        from email.policy import default

        self.messages.append(message_from_bytes(envelope.content, policy=default))
        return "250 Message accepted"


def use_mail_server(app: Flask, port: int) -> None:
    """Point the app's mail settings at a loopback SMTP server without TLS."""
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_SECURITY="none")


class HttpAnswer:
    """A response over real HTTP: status, headers and text; redirects are not followed."""

    def __init__(self, status: int, headers, text: str):
        self.status, self.headers, self.text = status, headers, text


def http(url: str, data: dict | None = None, cookie: str | None = None, **headers) -> HttpAnswer:
    """GET (or POST the form `data`) over real HTTP, with a session cookie value if given."""
    import urllib.error
    import urllib.parse
    import urllib.request

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *_args, **_kwargs):
            return None

    body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, headers=headers)
    if cookie:
        request.add_header("Cookie", f"samtal={cookie}")
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=60) as response:
            return HttpAnswer(response.status, response.headers, response.read().decode())
    except urllib.error.HTTPError as error:
        return HttpAnswer(error.code, error.headers, error.read().decode())


def session_cookie(answer: HttpAnswer) -> str | None:
    """The session cookie's value set by a response, if any."""
    for header in answer.headers.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        if name == "samtal":
            return rest.split(";", 1)[0]
    return None


# ------------------------------------------------------------------ statistics data

# The statistics count up to the start of today: stored data for them happened before it
# (noon yesterday, so a few hours earlier is still the same day and year).
YESTERDAY = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0) - timedelta(
    days=1
)


def _finished(child_id: int, flow: Flow, age: int, at: datetime, guardian_id=None):
    return Conversation(
        child_id=child_id,
        guardian_id=guardian_id,
        flow_id=flow.id,
        flow_version=flow.version,
        framework_id=flow.framework.id,
        age=age,
        status="completed",
        link_nonce=secrets.token_hex(8),
        created_at=at,
        updated_at=at,
        finished_at=at,
    )


def _ratings(conversation: Conversation, ratings: dict[str, str]) -> list[Answer]:
    """Rating answers per area ("1".."5", or vet_inte / vill_inte_svara), stored as current."""
    found = []
    for area, given in ratings.items():
        skip = given in ("vet_inte", "vill_inte_svara")
        found.append(
            Answer(
                conversation_id=conversation.id or 0,
                step_id=f"{area}.hur",
                status=given if skip else "answered",
                value=None if skip else given,
                created_at=conversation.created_at,
            )
        )
    return found


def store_child(
    app: Flask,
    unit: str | None = "Ekskolan",
    age: int = 8,
    child: dict[str, str] | None = None,
    guardian: dict[str, str] | None = None,
    followup: dict[str, str] | None = None,
    wishes: dict[str, list[str]] | None = None,
    decision: str | None = None,
    concern: bool = False,
    name: str = "Testbarn",
    words: str | None = None,
    at: datetime = YESTERDAY,
    version: int | None = None,
) -> int:
    """For statistics: a child in a unit (made when new) with a finished first conversation
    (ratings per area: "1".."5", vet_inte, vill_inte_svara; under an earlier version of the
    flow when one is named), optionally a guardian's, a follow-up, wishes, own words, a safety
    concern and a signed summary, all stored directly at `at` (statistics only read what is
    stored). Returns the child's id."""
    with app.app_context():
        session = get_session()
        flows = library.flows()
        unit_id = None
        if unit is not None:
            found = session.exec(select(Unit).where(Unit.name == unit)).first()
            if found is None:
                found = Unit(name=unit, kind="förskola" if "förskola" in unit else "skola")
                session.add(found)
                session.flush()
            unit_id = found.id
        kid = Child(
            name=name,
            birth_date=date(at.year - age, 1, 1),
            unit_id=unit_id,
            created_at=at - timedelta(days=20),
        )
        session.add(kid)
        session.flush()
        child_id = kid.id or 0
        first = flows.for_age(age)
        assert first is not None
        first = flows.get(first.id, version)
        assert first is not None and first.version == (version or first.version)
        talk = _finished(child_id, first, age, at - timedelta(hours=3))
        session.add(talk)
        session.flush()
        session.add_all(_ratings(talk, child or {}))
        for area, chosen in (wishes or {}).items():
            session.add(
                Answer(conversation_id=talk.id or 0, step_id=f"{area}.battre", value=chosen)
            )
        if words:
            session.add(Answer(conversation_id=talk.id or 0, step_id="omsorg.ord", words=words))
        if guardian is not None:
            parent = Guardian(child_id=child_id, name=f"Vårdnadshavare till {name}")
            session.add(parent)
            session.flush()
            theirs_flow = flows.for_audience("guardian")[0]
            theirs = _finished(child_id, theirs_flow, age, talk.created_at, parent.id)
            session.add(theirs)
            session.flush()
            session.add_all(_ratings(theirs, guardian))
        if followup is not None:
            later_flow = flows.for_age(age, purpose="followup")
            assert later_flow is not None
            later = _finished(child_id, later_flow, age, at - timedelta(hours=1))
            session.add(later)
            session.flush()
            session.add_all(_ratings(later, followup))
        if concern:
            session.add(SafetyConcern(conversation_id=talk.id or 0, created_at=talk.created_at))
        if decision is not None:
            signer = session.exec(select(Staff).where(Staff.role == "barnkontakt")).first()
            if signer is None:
                signer = Staff(
                    email="signerar@kommun.example",
                    name="Signerar",
                    role="barnkontakt",
                    password_hash="-",
                )
                session.add(signer)
                session.flush()
            session.add(
                SummaryVersion(
                    child_id=child_id,
                    number=1,
                    content={"decision": {"code": decision, "text": ""}},
                    content_hash=secrets.token_hex(32),
                    signed_by=signer.id or 0,
                    signed_at=at - timedelta(hours=2),
                )
            )
        session.commit()
        return child_id


AT_ONCE = 40


def at_once(send) -> list:
    """Call send(i) from AT_ONCE threads released together; their results in order."""
    barrier = threading.Barrier(AT_ONCE)
    results: list = [None] * AT_ONCE

    def run(i: int) -> None:
        barrier.wait()
        results[i] = send(i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(AT_ONCE)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
