"""Sessions kept in the database: the cookie holds only a random id, never data.

Signing out deletes the row, so a copy of the cookie taken earlier opens nothing; every
session ends SESSION_HOURS after it began, however busy; signing in starts a new id.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask, Request
from flask.sessions import SessionInterface, SessionMixin
from flask.wrappers import Response
from sqlalchemy import delete, update
from sqlmodel import Session, col
from werkzeug.datastructures import CallbackDict

from samtal import db as db_module
from samtal.models import WebSession, utcnow

STAFF_KEY = "staff"
# The row's last-seen time is written at most this often: a page view is not a write.
SEEN_EVERY = timedelta(seconds=30)


class ServerSession(CallbackDict, SessionMixin):
    """The session's data; rotate() gives it a new id, end() deletes it."""

    def __init__(self, initial: dict[str, Any] | None = None, key: str | None = None):
        def changed(_self: ServerSession) -> None:
            _self.modified = True

        super().__init__(initial, changed)
        self.key = key
        self.seen_at: datetime | None = None
        self.modified = False
        self.drop_key = False

    def rotate(self) -> None:
        """Keep the data under a new id (signing in: no fixation)."""
        self.drop_key = True
        self.modified = True

    def end(self) -> None:
        """Delete the session; anything written afterwards starts a new one."""
        self.clear()
        self.rotate()


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _staff_id(data: dict[str, Any]) -> int | None:
    staff = data.get(STAFF_KEY)
    return staff.get("id") if isinstance(staff, dict) else None


def end_sessions(db: Session, staff_id: int | None) -> None:
    """End every session of a staff member, in every browser (committed by the caller)."""
    if staff_id is not None:
        db.execute(delete(WebSession).where(col(WebSession.staff_id) == staff_id))


class ServerSessionInterface(SessionInterface):
    """Flask's session, read from and written to the WebSession table."""

    def _engine(self, app: Flask):
        return app.extensions["samtal.engine"]

    def _lifetime(self, app: Flask) -> timedelta:
        return timedelta(hours=app.config["SESSION_HOURS"])

    def open_session(self, app: Flask, request: Request) -> ServerSession:
        raw = request.cookies.get(self.get_cookie_name(app), "")
        static = app.static_url_path or "/static"
        if not raw or len(raw) > 64 or request.path.startswith(static + "/"):
            return ServerSession()
        key = _digest(raw)
        with Session(self._engine(app)) as db:
            row = db.get(WebSession, key)
        if row is None or _aware(row.created_at) < utcnow() - self._lifetime(app):
            return ServerSession()
        session = ServerSession(dict(row.data or {}), key=key)
        session.seen_at = _aware(row.seen_at)
        return session

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        assert isinstance(session, ServerSession)
        db_module.release()  # one pooled connection per request, never two at once
        name = self.get_cookie_name(app)
        now = utcnow()
        with Session(self._engine(app)) as db:
            if session.key is not None and (session.drop_key or not session):
                db.execute(delete(WebSession).where(col(WebSession.id) == session.key))
                db.commit()
                session.key = None
                if not session:
                    response.delete_cookie(
                        name,
                        domain=self.get_cookie_domain(app),
                        path=self.get_cookie_path(app),
                        secure=self.get_cookie_secure(app),
                        httponly=self.get_cookie_httponly(app),
                        samesite=self.get_cookie_samesite(app),
                    )
            if not session:
                return
            response.vary.add("Cookie")
            if session.key is None:
                raw = secrets.token_urlsafe(32)
                db.execute(
                    delete(WebSession).where(col(WebSession.created_at) < now - self._lifetime(app))
                )
                db.add(
                    WebSession(
                        id=_digest(raw),
                        staff_id=_staff_id(dict(session)),
                        data=dict(session),
                        created_at=now,
                        seen_at=now,
                    )
                )
                db.commit()
                response.set_cookie(
                    name,
                    raw,
                    domain=self.get_cookie_domain(app),
                    path=self.get_cookie_path(app),
                    secure=self.get_cookie_secure(app),
                    httponly=self.get_cookie_httponly(app),
                    samesite=self.get_cookie_samesite(app),
                )
                return
            if session.modified or session.seen_at is None or now - session.seen_at > SEEN_EVERY:
                # An UPDATE, never an insert: a session ended meanwhile elsewhere stays ended.
                db.execute(
                    update(WebSession)
                    .where(col(WebSession.id) == session.key)
                    .values(data=dict(session), staff_id=_staff_id(dict(session)), seen_at=now)
                )
                db.commit()


def init_app(app: Flask) -> None:
    """Keep sessions in the database."""
    app.session_interface = ServerSessionInterface()
