"""The database engine and a per-request session."""

from __future__ import annotations

import os

from flask import Flask, current_app, g
from sqlalchemy import event, make_url
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, create_engine

from samtal import (
    models,  # noqa: F401  (registers the tables on SQLModel.metadata)
    stages,
    upgrades,
)


def make_engine(url: str) -> Engine:
    """An engine for the URL; SQLite gets WAL and a busy timeout so tablets share it well."""
    if url.startswith("sqlite"):
        _private_file(make_url(url).database)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 15})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(connection, _record):
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)


def _private_file(path: str | None) -> None:
    """Create the SQLite file readable by its owner only (SQLite gives its WAL and SHM files
    the same mode): it holds every child's data."""
    if not path or path == ":memory:" or path.startswith("file:"):
        return
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    os.close(descriptor)
    os.chmod(path, 0o600)


def init_app(app: Flask) -> None:
    """Create the engine and the tables, and close each request's session after it."""
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["samtal.engine"] = engine
    stages.install()
    SQLModel.metadata.create_all(engine)
    upgrades.apply(engine)
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
