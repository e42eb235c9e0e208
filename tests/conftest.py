"""Fixtures: app → client, on a fresh SQLite file per test; PostgreSQL when the server is there."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from samtal import create_app, library, migrations
from samtal.conversation import lifecycle, links
from samtal.db import get_session, make_engine
from samtal.models import Conversation

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
        conversation = lifecycle.start_conversation(
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
    from samtal.staff import accounts

    def _make(role: str = "barnkontakt", email: str | None = None, unit_id: int | None = None):
        with app.app_context():
            return accounts.create_staff(
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
