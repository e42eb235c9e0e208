"""Fixtures: app → client, on a fresh SQLite file per test; PostgreSQL when the server is there."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from samtal.db import get_session
from tests.builders import (
    POSTGRES_URL,
    STAFF_PASSWORD,
    ReceivedMail,
    drop_postgres_schema,
    login,
    make_app,
    postgres_schema,
    start_conversation_in,
)


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


@pytest.fixture
def start(app: Flask):
    """Start a conversation: start(flow_id=…, age=…, language=…, version=…) → (conversation,
    tablet path)."""

    def _start(
        flow_id: str = "test-fast",
        age: int | None = None,
        language: str = "sv",
        version: int | None = None,
    ):
        return start_conversation_in(app, flow_id, age, language, version)

    return _start


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


@pytest.fixture
def smtp_server() -> Iterator[tuple[int, ReceivedMail]]:
    """A real SMTP server (aiosmtpd) on a free loopback port → (port, what it received)."""
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    received = ReceivedMail()
    controller = Controller(received, hostname="127.0.0.1", port=port)
    controller.start()
    yield port, received
    controller.stop()


@pytest.fixture
def serve():
    """serve(app) → the app's base URL, served by a real threaded WSGI server on loopback."""
    import threading

    from werkzeug.serving import make_server

    servers = []

    def _serve(served: Flask) -> str:
        server = make_server("127.0.0.1", 0, served, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_port}"

    yield _serve
    for server in servers:
        server.shutdown()
