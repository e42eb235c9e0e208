"""Staff sign-in: hashed passwords, roles, idle timeout, and the guard every staff route uses."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
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
from sqlmodel import Session, select
from werkzeug.security import check_password_hash, generate_password_hash

from samtal import audit
from samtal.db import get_session
from samtal.models import Staff, utcnow
from samtal.security import check_csrf

bp = Blueprint("auth", __name__)
ROLES = ("admin", "barnkontakt", "statistik")
SESSION_KEY = "staff"
MIN_PASSWORD_LENGTH = 12


class AccountRefused(ValueError):
    """A staff account that cannot be made as asked; the message is for the person, in Swedish."""


def hash_password(password: str) -> str:
    """A salted, slow hash (scrypt) of a password."""
    return generate_password_hash(password, method="scrypt")


def create_staff(
    *,
    session: Session,
    email: str,
    name: str,
    role: str,
    password: str,
    unit_id: int | None = None,
) -> Staff:
    """Create a staff account; refuses unknown roles, short passwords and taken addresses."""
    email = email.strip().lower()
    if role not in ROLES:
        raise AccountRefused(_("Okänd roll."))
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountRefused(
            _("Lösenordet behöver minst %(count)d tecken.", count=MIN_PASSWORD_LENGTH)
        )
    if "@" not in email or len(email) > 254:
        raise AccountRefused(_("Skriv en giltig e-postadress."))
    if session.exec(select(Staff).where(Staff.email == email)).first():
        raise AccountRefused(_("Det finns redan ett konto med den e-postadressen."))
    staff = Staff(
        email=email,
        name=name.strip()[:120] or email,
        role=role,
        unit_id=unit_id,
        password_hash=hash_password(password),
    )
    session.add(staff)
    session.commit()
    return staff


def sign_in(staff: Staff) -> None:
    """Start a staff session in this browser (a fresh session: no fixation)."""
    kept = {k: v for k, v in session.items() if k in ("pending_form",)}
    session.clear()
    session.update(kept)
    session[SESSION_KEY] = {"id": staff.id, "epoch": staff.session_epoch, "seen": time.time()}
    session.permanent = False


def sign_out() -> None:
    """End the staff session in this browser."""
    session.pop(SESSION_KEY, None)
    session.pop("kiosk", None)


def current_staff() -> Staff | None:
    """The signed-in staff member, or None (also when idle too long or signed out everywhere)."""
    if "staff_member" in g:
        return g.staff_member
    g.staff_member = None
    data = session.get(SESSION_KEY)
    if not data:
        return None
    idle_limit = current_app.config["IDLE_MINUTES"] * 60
    if time.time() - data.get("seen", 0) > idle_limit:
        g.session_expired = True
        session.pop(SESSION_KEY, None)
        return None
    staff = get_session().get(Staff, data.get("id"))
    if staff is None or not staff.active or staff.session_epoch != data.get("epoch"):
        session.pop(SESSION_KEY, None)
        return None
    data["seen"] = time.time()
    session[SESSION_KEY] = data
    g.staff_member = staff
    return staff


def login_required(*roles: str) -> Callable:
    """Guard a staff view: signed in, one of the roles, CSRF on every change.

    A POST whose session has run out keeps what was typed: it is stashed, and after signing
    in the person lands on the same page with the form filled in again.
    """

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any):
            staff = current_staff()
            if staff is None:
                if request.method == "POST":
                    form = {k: v for k, v in request.form.items() if k != "csrf_token"}
                    session["pending_form"] = {"path": request.path, "form": form}
                    flash(
                        _("Du har varit borta en stund. Logga in igen, så finns det du skrev kvar.")
                    )
                target = request.referrer if request.method == "POST" else request.full_path
                return redirect(url_for("auth.login", next=_safe_next(target)), code=303)
            if roles and staff.role not in roles:
                audit.record("refused", detail=f"{request.method} {request.path}")
                abort(403)
            if request.method == "POST" and not check_csrf():
                flash(_("Sidan var för gammal. Försök igen."))
                return redirect(request.referrer or url_for("auth.home"), code=303)
            return view(*args, **kwargs)

        return guarded

    return decorate


def restored_form(path: str | None = None) -> dict[str, str]:
    """What was typed into a form before the session ran out (once), for this page."""
    pending = session.get("pending_form")
    if not pending or pending.get("path") != (path or request.path):
        return {}
    session.pop("pending_form", None)
    return dict(pending.get("form", {}))


def _safe_next(target: str | None) -> str | None:
    """Only a path on this site: never an open redirect."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.netloc and parts.netloc != request.host:
        return None
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return path if path.startswith("/") and not path.startswith("//") else None


@bp.route("/logga-in", methods=["GET", "POST"])
def login():
    """Sign in with e-mail and password."""
    if request.method == "GET":
        return render_template("staff/login.html", next=request.args.get("next"))
    if not check_csrf():
        flash(_("Sidan var för gammal. Försök igen."))
        return redirect(url_for("auth.login"), code=303)
    db = get_session()
    email = request.form.get("email", "").strip().lower()[:254]
    staff = db.exec(select(Staff).where(Staff.email == email)).first()
    now = utcnow()
    locked = (
        staff is not None and staff.locked_until is not None and _aware(staff.locked_until) > now
    )
    if (
        locked
        or staff is None
        or not staff.active
        or not check_password_hash(staff.password_hash, request.form.get("password", ""))
    ):
        if staff is not None and not locked:
            register_failure(db, staff)
        audit.record("login_failed", detail=email)
        message = (
            _("För många misslyckade försök. Vänta en kvart och försök igen.")
            if locked
            else _("E-postadressen eller lösenordet stämmer inte.")
        )
        return render_template(
            "staff/login.html", error=message, email=email, next=request.form.get("next")
        ), 401
    staff.failed_logins, staff.locked_until, staff.last_login_at = 0, None, now
    db.add(staff)
    db.commit()
    sign_in(staff)
    g.staff_member = staff
    audit.record("login")
    pending = session.get("pending_form")
    target = pending["path"] if pending else _safe_next(request.form.get("next"))
    return redirect(target or url_for("auth.home"), code=303)


def register_failure(db: Session, staff: Staff) -> None:
    """Count a failed sign-in; after five in a row the account waits fifteen minutes."""
    staff.failed_logins += 1
    if staff.failed_logins >= current_app.config["LOGIN_ATTEMPTS"]:
        staff.locked_until = utcnow() + timedelta(minutes=15)
        staff.failed_logins = 0
    db.add(staff)
    db.commit()


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@bp.post("/logga-ut")
def logout():
    """Sign out in this browser."""
    if current_staff() is not None and check_csrf():
        audit.record("logout")
        sign_out()
    return redirect(url_for("auth.login"), code=303)


@bp.get("/arbete/")
@login_required()
def home():
    """Where a signed-in person starts: the caseload, admin or statistics by role."""
    staff = current_staff()
    assert staff is not None
    endpoint = {"admin": "admin.index", "statistik": "auth.statistics_only"}.get(
        staff.role, "workspace.caseload"
    )
    if endpoint not in current_app.view_functions:
        endpoint = "auth.statistics_only"
    return redirect(url_for(endpoint), code=303)


@bp.get("/arbete/statistik")
@login_required("statistik", "admin")
def statistics_only():
    """The statistics role sees aggregates only; the statistics page is a later issue."""
    return render_template("staff/statistics.html")
