"""Fixtures for running Samtal as deployed: gunicorn servers and fresh empty databases, each
cleaned up after the test."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest

from tests.builders import POSTGRES_URL, drop_postgres_schema, postgres_schema
from tests.ops.deployed import Server


@pytest.fixture
def gunicorn(tmp_path) -> Iterator[Callable[..., Server]]:
    """gunicorn(env, workers=…, threads=…) → a started Server; all stopped at the end."""
    started: list[Server] = []

    def _start(env: dict[str, str], **options) -> Server:
        server = Server(env, tmp_path / f"gunicorn-{len(started)}.log", **options)
        started.append(server)
        return server.start()

    yield _start
    for server in started:
        server.stop()


@pytest.fixture
def empty_database(tmp_path) -> Iterator[Callable[[str], str]]:
    """empty_database("sqlite" | "postgres") → the URL of a new, empty database."""
    schemas: list[str] = []

    def _new(kind: str) -> str:
        if kind == "sqlite":
            return f"sqlite:///{tmp_path / f'empty-{len(schemas)}-{time.monotonic_ns()}.db'}"
        schemas.append(postgres_schema())
        return f"{POSTGRES_URL}?options=-csearch_path%3D{schemas[-1]}"

    yield _new
    for schema in schemas:
        drop_postgres_schema(schema)
