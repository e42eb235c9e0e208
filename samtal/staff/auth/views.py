"""Staff sign-in: hashed passwords, roles, idle timeout, and the guard every staff route uses."""

from __future__ import annotations

from flask import (
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from sqlmodel import select

from samtal import audit
from samtal.db import get_session
from samtal.models import Staff, Unit
from samtal.staff import passwords
from samtal.staff.access import (
    _safe_next,
    current_staff,
    finish_sign_in,
    login_required,
    sign_in,
    sign_out,
)
from samtal.staff.accounts import change_password, end_all_sessions
from samtal.staff.passwords import AccountRefused
from samtal.staff.two_factor import second_step
from samtal.web.security import check_csrf, refuse_stale_form


def login():
    """Sign in with e-mail and password."""
    if request.method == "GET":
        return render_template("staff/login.html", next=request.args.get("next"))
    refused = refuse_stale_form(url_for("auth.login"))
    if refused is not None:
        return refused
    db = get_session()
    email = request.form.get("email", "").strip().lower()[:254]
    if not passwords.claim_address(db):
        audit.record("login_throttled", detail=email)
        message = _(
            "För många misslyckade inloggningar från den här anslutningen. "
            "Vänta en kvart och försök igen."
        )
        return render_template(
            "staff/login.html", error=message, email=email, next=request.form.get("next")
        ), 429
    staff = db.exec(select(Staff).where(Staff.email == email)).first()
    # The slow password check holds no pooled connection (the audit entry takes its own).
    db.commit()
    verdict = passwords.check_password(db, staff, request.form.get("password", ""))
    if verdict != "ok":
        # The log tells the admin what the page does not: checked, or refused while locked.
        audit.record("login_locked" if verdict == "locked" else "login_failed", detail=email)
        message = _(
            "E-postadressen eller lösenordet stämmer inte, eller så är kontot tillfälligt "
            "låst efter för många försök. Kontrollera och försök igen om en kvart."
        )
        return render_template(
            "staff/login.html", error=message, email=email, next=request.form.get("next")
        ), 401
    assert staff is not None
    passwords.forgive_address(db)
    db.refresh(staff)
    if second_step.needed(staff):
        return second_step.begin(staff, _safe_next(request.form.get("next")))
    return finish_sign_in(staff, request.form.get("next"))


def logout():
    """Sign out in this browser."""
    if current_staff() is not None and check_csrf():
        audit.record("logout")
        sign_out()
    return redirect(url_for("auth.login"), code=303)


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


def _account_page(error: str | None = None, status: int = 200):
    staff = current_staff()
    assert staff is not None
    unit = get_session().get(Unit, staff.unit_id) if staff.unit_id else None
    return render_template("staff/account.html", staff=staff, unit=unit, error=error), status


@login_required()
def account():
    """My account: who I am, change my password, log out everywhere."""
    return _account_page()


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
