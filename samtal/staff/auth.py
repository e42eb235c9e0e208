"""Staff sign-in: hashed passwords, roles, idle timeout, and the guard every staff route uses."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import cache, wraps
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
from sqlmodel import Session, func, select
from werkzeug.security import check_password_hash, generate_password_hash

from samtal import audit
from samtal.db import get_session
from samtal.models import AuditEntry, Staff, Unit, utcnow
from samtal.security import check_csrf

bp = Blueprint("auth", __name__)
ROLES = ("admin", "barnkontakt", "statistik")
SESSION_KEY = "staff"
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 256
THROTTLE_MINUTES = 15


class AccountRefused(ValueError):
    """A staff account that cannot be made as asked; the message is for the person, in Swedish."""


def hash_password(password: str) -> str:
    """A salted, slow hash (scrypt) of a password."""
    return generate_password_hash(password, method="scrypt")


@cache
def _no_account_hash() -> str:
    """Checked against when no account matches, so an unknown address takes as long to refuse."""
    return hash_password("samtal: no such account")


def check_new_password(password: str, repeat: str) -> None:
    """Refuse a new password that is too short, too long or not typed the same twice."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountRefused(
            _("Lösenordet behöver minst %(count)d tecken.", count=MIN_PASSWORD_LENGTH)
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AccountRefused(
            _("Lösenordet får vara högst %(count)d tecken.", count=MAX_PASSWORD_LENGTH)
        )
    if password != repeat:
        raise AccountRefused(
            _("De två lösenorden är inte likadana. Skriv samma lösenord två gånger.")
        )


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
    if address_throttled(db):
        audit.record("login_throttled", detail=email)
        message = _(
            "För många misslyckade inloggningar från den här anslutningen. "
            "Vänta en kvart och försök igen."
        )
        return render_template(
            "staff/login.html", error=message, email=email, next=request.form.get("next")
        ), 429
    staff = db.exec(select(Staff).where(Staff.email == email)).first()
    now = utcnow()
    locked = (
        staff is not None and staff.locked_until is not None and _aware(staff.locked_until) > now
    )
    password = request.form.get("password", "")[:MAX_PASSWORD_LENGTH]
    if staff is None:
        check_password_hash(_no_account_hash(), password)
    if (
        locked
        or staff is None
        or not staff.active
        or not check_password_hash(staff.password_hash, password)
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


def address_throttled(db: Session) -> bool:
    """True after too many failed sign-ins from this address lately (20 in 15 minutes).

    Counted from the audit log, so every app process behind a load balancer agrees. Behind a
    reverse proxy, remote_addr must be the client's (e.g. werkzeug's ProxyFix), or the whole
    municipality shares one count.
    """
    address = (request.remote_addr or "")[:64]
    if not address:
        return False
    since = utcnow() - timedelta(minutes=THROTTLE_MINUTES)
    failures = db.exec(
        select(func.count())
        .select_from(AuditEntry)
        .where(
            AuditEntry.action == "login_failed",
            AuditEntry.at >= since,
            AuditEntry.address == address,
        )
    ).one()
    return failures >= int(current_app.config.get("LOGIN_ADDRESS_ATTEMPTS", 20))


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
    endpoint = {"admin": "admin.index", "statistik": "statistics.page"}.get(
        staff.role, "workspace.caseload"
    )
    if endpoint not in current_app.view_functions:
        endpoint = "statistics.page"
    return redirect(url_for(endpoint), code=303)


# Own account: password change and "log out everywhere" --------------------------------------


def change_password(*, session: Session, staff: Staff, current: str, new: str, repeat: str) -> None:
    """Change one's own password; every other signed-in session of the account ends.

    A wrong current password counts as a failed sign-in, so the form cannot be used to guess.
    """
    if staff.locked_until is not None and _aware(staff.locked_until) > utcnow():
        raise AccountRefused(_("För många misslyckade försök. Vänta en kvart och försök igen."))
    if not check_password_hash(staff.password_hash, current[:MAX_PASSWORD_LENGTH]):
        register_failure(session, staff)
        raise AccountRefused(_("Det nuvarande lösenordet stämmer inte."))
    check_new_password(new, repeat)
    if new == current:
        raise AccountRefused(_("Välj ett nytt lösenord, inte samma som förut."))
    staff.password_hash = hash_password(new)
    staff.session_epoch += 1
    staff.failed_logins = 0
    session.add(staff)
    session.commit()


def end_all_sessions(*, session: Session, staff: Staff) -> None:
    """Sign the account out in every browser, this one included."""
    staff.session_epoch += 1
    session.add(staff)
    session.commit()


def _account_page(error: str | None = None, status: int = 200):
    staff = current_staff()
    assert staff is not None
    unit = get_session().get(Unit, staff.unit_id) if staff.unit_id else None
    return render_template("staff/account.html", staff=staff, unit=unit, error=error), status


@bp.get("/arbete/konto")
@login_required()
def account():
    """My account: who I am, change my password, log out everywhere."""
    return _account_page()


@bp.post("/arbete/konto/losenord")
@login_required()
def account_password():
    """Change my password (current once, new twice); other sessions end, this one goes on."""
    staff = current_staff()
    assert staff is not None
    try:
        change_password(
            session=get_session(),
            staff=staff,
            current=request.form.get("current", ""),
            new=request.form.get("password", ""),
            repeat=request.form.get("repeat", ""),
        )
    except AccountRefused as refused:
        audit.record("password_change_refused")
        return _account_page(str(refused), 422)
    sign_in(staff)
    audit.record("password_changed")
    flash(_("Ditt lösenord är bytt. Du är utloggad på alla andra enheter."))
    return redirect(url_for("auth.account"), code=303)


@bp.post("/arbete/konto/logga-ut-overallt")
@login_required()
def logout_everywhere():
    """End every session of my account, in every browser, this one too."""
    staff = current_staff()
    assert staff is not None
    audit.record("logout_everywhere")
    end_all_sessions(session=get_session(), staff=staff)
    sign_out()
    flash(_("Du är utloggad överallt. Logga in igen för att fortsätta här."))
    return redirect(url_for("auth.login"), code=303)


# The one-time link pages (/forsta-start/…, /nytt-losenord/…) live beside their tokens.
from samtal.staff import password_links  # noqa: E402, F401
