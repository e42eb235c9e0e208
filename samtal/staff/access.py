"""Who is signed in, with which role: the staff session, the guard on every staff route, and
which child a staff member may see."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from flask import (
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _

from samtal import audit, server_sessions
from samtal.db import get_session
from samtal.models import Child, Staff, utcnow
from samtal.staff import pending_forms
from samtal.web.security import check_csrf, refuse_stale_form

ROLES = ("admin", "barnkontakt", "statistik", "oversattare")


SESSION_KEY = server_sessions.STAFF_KEY


def sign_in(staff: Staff) -> None:
    """Start a staff session in this browser: a new server-side session under a new id (no
    fixation), keeping only what this same person typed before their sign-in ran out."""
    kept = pending_forms.carried_over(staff.id)
    session.clear()
    if kept:
        session[pending_forms.PENDING_KEY] = kept
    session[SESSION_KEY] = {"id": staff.id, "epoch": staff.session_epoch, "seen": time.time()}
    session.permanent = False
    assert isinstance(session, server_sessions.ServerSession)
    session.rotate()


def finish_sign_in(staff: Staff, target: str | None, method: str | None = None):
    """Sign in someone whose identity is proven (password and code, or the IdP) and go on."""
    db = get_session()
    staff.last_login_at = utcnow()
    db.add(staff)
    db.commit()
    sign_in(staff)
    g.staff_member = staff
    audit.record("login", detail=method)
    target = pending_forms.page_of(staff.id) or _safe_next(target)
    return redirect(target or url_for("auth.home"), code=303)


def sign_out() -> None:
    """End the session in this browser: it is deleted, so no copy of its cookie works."""
    assert isinstance(session, server_sessions.ServerSession)
    session.end()


def current_staff() -> Staff | None:
    """The signed-in staff member, or None (also when idle too long or signed out everywhere)."""
    if "staff_member" in g:
        return g.staff_member
    g.staff_member = None
    data = session.get(SESSION_KEY)
    if not data:
        return None
    idle_limit = current_app.config["IDLE_MINUTES"] * 60
    now = time.time()
    if now - data.get("seen", 0) > idle_limit:
        g.session_expired = True
        session.pop(SESSION_KEY, None)
        pending_forms.ran_out(data.get("id"))
        return None
    staff = get_session().get(Staff, data.get("id"))
    if staff is None or not staff.active or staff.session_epoch != data.get("epoch"):
        session.pop(SESSION_KEY, None)
        return None
    if now - data.get("seen", 0) > server_sessions.SEEN_EVERY.total_seconds():
        # Written at most every half minute: a page view need not be a database write.
        data["seen"] = now
        session[SESSION_KEY] = data
    g.staff_member = staff
    return staff


def login_required(*roles: str) -> Callable:
    """Guard a staff view: signed in, one of the roles, CSRF on every change.

    A POST whose sign-in has run out keeps what was typed, on the server and for the same
    person only (pending_forms); after signing in they land on the same page with the form
    filled in again. A POST without that session and its CSRF token keeps nothing.
    """

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any):
            staff = current_staff()
            if staff is None:
                kept = False
                if request.method == "POST" and check_csrf():
                    form = {k: v for k, v in request.form.items() if k != "csrf_token"}
                    kept = pending_forms.keep(request.path, form)
                if request.headers.get("HX-Request") == "true":
                    return render_template("staff/_signed_out.html", kept=kept), 401
                if kept:
                    flash(
                        _("Du har varit borta en stund. Logga in igen, så finns det du skrev kvar.")
                    )
                target = request.referrer if request.method == "POST" else request.full_path
                return redirect(url_for("auth.login", next=_safe_next(target)), code=303)
            if roles and staff.role not in roles:
                audit.record("refused", detail=f"{request.method} {request.path}")
                abort(403)
            if request.method == "POST":
                # Back to a page of this app, never to wherever the request came from.
                refused = refuse_stale_form(_safe_next(request.referrer) or url_for("auth.home"))
                if refused is not None:
                    return refused
            return view(*args, **kwargs)

        return guarded

    return decorate


def restored_form(path: str | None = None) -> dict[str, str]:
    """What this person typed into this page's form before their sign-in ran out (once)."""
    staff = current_staff()
    return pending_forms.take(staff.id if staff else None, path or request.path)


def _safe_next(target: str | None) -> str | None:
    """Only a path on this site: never an open redirect."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.netloc and parts.netloc != request.host:
        return None
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return path if path.startswith("/") and not path.startswith("//") else None


def may_see(staff: Staff | None, child: Child) -> bool:
    """Admin: any child; barnkontakt: own children only; everyone else: none."""
    if staff is None or not staff.active:
        return False
    if staff.role == "admin":
        return True
    return staff.role == "barnkontakt" and child.barnkontakt_id == staff.id


def visible_child(child_id: int | None) -> Child | None:
    """The child if the signed-in staff member may see it, else None: a child that is not
    yours answers exactly as one that does not exist."""
    from samtal.staff.access import current_staff

    child = get_session().get(Child, child_id) if child_id is not None else None
    if child is None or not may_see(current_staff(), child):
        # In the log for the admin, never on the page: the answer is the same either way.
        audit.record(
            "refused_child", child.id if child else None, f"{request.method} {request.path}"
        )
        return None
    return child


def child_or_404(child_id: int) -> Child:
    """The child if the signed-in staff member may see it, else 404 (never 403: a child that
    is not yours might as well not exist)."""
    child = visible_child(child_id)
    if child is None:
        abort(404)
    return child
