"""The database engine and a per-request session."""

from __future__ import annotations

import os
from typing import Any

import click
from flask import Flask, abort, current_app, g
from sqlalchemy import event, make_url
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from samtal import migrations, stages


def pool_options(config: dict[str, Any]) -> dict[str, int]:
    """Pool size and overflow: from DATABASE_POOL_SIZE / DATABASE_MAX_OVERFLOW, by default one
    connection per thread of the worker (THREADS) so no request ever waits for one."""
    size = config.get("DATABASE_POOL_SIZE") or config["THREADS"]
    overflow = config.get("DATABASE_MAX_OVERFLOW")
    return {"pool_size": int(size), "max_overflow": int(4 if overflow is None else overflow)}


def make_engine(url: str, config: dict[str, Any] | None = None) -> Engine:
    """An engine for the URL; SQLite gets WAL and a busy timeout so tablets share it well."""
    pool = pool_options(config or {"THREADS": 8})
    if url.startswith("sqlite"):
        in_memory = url in ("sqlite://", "sqlite:///:memory:")  # one connection, no pool
        _private_file(make_url(url).database)
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 15},
            **({} if in_memory else pool),
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(connection, _record):
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True, **pool)


def _private_file(path: str | None) -> None:
    """Create the SQLite file readable by its owner only (SQLite gives its WAL and SHM files
    the same mode): it holds every child's data."""
    if not path or path == ":memory:" or path.startswith("file:"):
        return
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    os.close(descriptor)
    os.chmod(path, 0o600)


def init_app(app: Flask) -> None:
    """Create the engine, refuse a database whose schema is not current, close each request's
    session after it. Commands (`flask … samtal migrate` among them) get the engine either way:
    the samtal command group refuses every other command on an old schema itself."""
    engine = make_engine(app.config["DATABASE_URL"], app.config)
    app.extensions["samtal.engine"] = engine
    stages.install()
    problem = migrations.schema_problem(engine)
    if problem and click.get_current_context(silent=True) is None:
        engine.dispose()
        raise migrations.SchemaBehind(problem)
    app.extensions["samtal.schema_problem"] = problem
    if problem:
        # `flask run` on an old schema: every page says so instead of failing half-way.
        app.before_request(lambda: abort(503, problem))
    app.teardown_appcontext(_close_session)


def get_session() -> Session:
    """The current request's database session."""
    if "db_session" not in g:
        g.db_session = Session(current_app.extensions["samtal.engine"], expire_on_commit=False)
    return g.db_session


def release() -> None:
    """Close the request's session now (as teardown would): its connection goes back to the
    pool before the response's own bookkeeping takes another one."""
    _close_session(None)


def _close_session(_exception: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
