"""Fixtures: app → client, on a fresh SQLite file per test; PostgreSQL when the server is there."""

from __future__ import annotations

import os
import secrets
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import select

from samtal import answers as recording
from samtal import create_app, library, links
from samtal.db import get_session
from samtal.models import (
    Answer,
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


def make_app(database_url: str, **config) -> Flask:
    """An app for tests: the real flows plus the tiny test flows in tests/flows."""
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


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_database_url(request, tmp_path) -> Iterator[str]:
    """Each database the product runs on: SQLite (embedded default) and PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'samtal.db'}"
        return
    schema = postgres_schema()
    yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    drop_postgres_schema(schema)


@pytest.fixture
def app(tmp_path) -> Iterator[Flask]:
    """The app on a fresh SQLite file."""
    app = make_app(f"sqlite:///{tmp_path / 'samtal.db'}")
    yield app
    app.extensions["samtal.engine"].dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client for the app."""
    return app.test_client()


def start_conversation_in(
    app: Flask, flow_id: str, age: int | None = None, language: str = "sv"
) -> tuple[Conversation, str]:
    """Start a conversation with the app's own service function → (conversation, tablet path)."""
    with app.test_request_context():
        flow = library.flows().get(flow_id)
        assert flow is not None, flow_id
        conversation = recording.start_conversation(
            session=get_session(),
            flow=flow,
            name="Testbarn",
            age=age if age is not None else flow.ages[0],
            language=language,
        )
        token = links.tablet_token(conversation.id or 0, conversation.link_nonce)
    return conversation, f"/samtal/{token}/"


@pytest.fixture
def start(app: Flask):
    """Start a conversation: start(flow_id=…, age=…, language=…) → (conversation, tablet path)."""

    def _start(flow_id: str = "test-fast", age: int | None = None, language: str = "sv"):
        return start_conversation_in(app, flow_id, age, language)

    return _start


def reload_conversation(app: Flask, conversation_id: int) -> Conversation:
    """The conversation as stored now."""
    with app.app_context():
        found = get_session().get(Conversation, conversation_id)
        assert found is not None
        return found


STAFF_PASSWORD = "ett långt och bra lösenord"


@pytest.fixture
def make_staff(app: Flask):
    """Create a staff account: make_staff(role=…, email=…) → the Staff row."""
    from samtal.staff import auth

    def _make(role: str = "barnkontakt", email: str | None = None, unit_id: int | None = None):
        with app.app_context():
            return auth.create_staff(
                session=get_session(),
                email=email or f"{role}-{uuid.uuid4().hex[:8]}@kommun.example",
                name=f"Test {role}",
                role=role,
                password=STAFF_PASSWORD,
                unit_id=unit_id,
            )

    return _make


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


@pytest.fixture
def staff_client(app: Flask, make_staff):
    """staff_client(role) → (a signed-in test client, the Staff row)."""

    def _client(role: str = "barnkontakt", **kwargs):
        staff = make_staff(role, **kwargs)
        client = app.test_client()
        response = login(client, staff.email)
        assert response.status_code == 303, response.get_data(as_text=True)
        return client, staff

    return _client


# ------------------------------------------------------------------ statistics data

# The statistics count up to the start of today: stored data for them happened before it
# (noon yesterday, so a few hours earlier is still the same day and year).
YESTERDAY = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0) - timedelta(
    days=1
)


def _finished(child_id: int, flow_id: str, age: int, at: datetime, guardian_id=None):
    return Conversation(
        child_id=child_id,
        guardian_id=guardian_id,
        flow_id=flow_id,
        flow_version=1,
        framework_id="behovskompass",
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
) -> int:
    """For statistics: a child in a unit (made when new) with a finished first conversation
    (ratings per area: "1".."5", vet_inte, vill_inte_svara), optionally a guardian's, a
    follow-up, wishes, own words, a safety concern and a signed summary, all stored directly
    at `at` (statistics only read what is stored). Returns the child's id."""
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
        talk = _finished(child_id, first.id, age, at - timedelta(hours=3))
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
            theirs = _finished(child_id, theirs_flow.id, age, talk.created_at, parent.id)
            session.add(theirs)
            session.flush()
            session.add_all(_ratings(theirs, guardian))
        if followup is not None:
            later_flow = flows.for_age(age, purpose="followup")
            assert later_flow is not None
            later = _finished(child_id, later_flow.id, age, at - timedelta(hours=1))
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
