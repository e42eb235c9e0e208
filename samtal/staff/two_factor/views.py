"""The pages of two-factor sign-in: the code after the password, enrolment, admin controls."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from samtal import audit
from samtal.db import get_session
from samtal.models import Staff
from samtal.staff.access import current_staff, finish_sign_in, login_required
from samtal.staff.two_factor import codes, second_step, service
from samtal.web.qr import qr_svg
from samtal.web.security import check_csrf, refuse_stale_form

ENROL_KEY = "two_factor_enrol"
ISSUER = "Samtal"


def _start_over():
    session.pop(second_step.PENDING_KEY, None)
    flash(_("Inloggningen tog för lång tid. Logga in igen."))
    return redirect(url_for("auth.login"), code=303)


def _refused(staff: Staff, refused: service.CodeRefused) -> int:
    """Audit a refused code; the HTTP status that says why."""
    audit.record("two_factor_failed", detail=f"{staff.email}: {refused.reason}")
    return 429 if refused.reason == "throttled" else 401


def code():
    """The second step of a password sign-in: the code from the authenticator app."""
    staff = second_step.pending_staff()
    if staff is None or not service.enrolled(staff):
        return _start_over()
    if request.method == "GET":
        return render_template("staff/two_factor/code.html")
    stale = refuse_stale_form(url_for("two_factor.code"))
    if stale is not None:
        return stale
    try:
        typed = request.form.get("code", "")[:20]
        service.check_code(session=get_session(), staff=staff, code=typed)
    except service.CodeRefused as refused:
        status = _refused(staff, refused)
        return render_template("staff/two_factor/code.html", error=str(refused)), status
    return finish_sign_in(staff, second_step.done(), "totp")


def _enrolment_page(staff: Staff, secret: str, action: str, error: str | None = None):
    uri = codes.provisioning_uri(secret, staff.email, ISSUER)
    return render_template(
        "staff/two_factor/enrol.html",
        qr=qr_svg(uri, _("QR-kod för att lägga till Samtal i appen")),
        secret=codes.grouped(secret),
        action=action,
        error=error,
    )


def enrol_at_sign_in():
    """Two-factor sign-in is required and this account has none yet: set it up, then go on."""
    staff = second_step.pending_staff()
    if staff is None or service.enrolled(staff):
        return _start_over()
    pending = session[second_step.PENDING_KEY]
    secret = pending.setdefault("secret", codes.new_secret())
    session[second_step.PENDING_KEY] = pending
    action = url_for("two_factor.enrol_at_sign_in")
    if request.method == "GET":
        return _enrolment_page(staff, secret, action)
    if not check_csrf():
        return _enrolment_page(staff, secret, action, _("Sidan var för gammal. Försök igen.")), 422
    try:
        service.confirm_enrolment(
            session=get_session(), staff=staff, secret=secret, code=request.form.get("code", "")
        )
    except service.CodeRefused as refused:
        return _enrolment_page(staff, secret, action, str(refused)), _refused(staff, refused)
    audit.record("two_factor_enrolled", detail=staff.email)
    return finish_sign_in(staff, second_step.done(), "totp")


@login_required()
def enrol():
    """Add (or replace) the authenticator app of one's own account."""
    staff = current_staff()
    assert staff is not None
    secret = session.setdefault(ENROL_KEY, codes.new_secret())
    action = url_for("two_factor.enrol")
    if request.method == "GET":
        return _enrolment_page(staff, secret, action)
    try:
        service.confirm_enrolment(
            session=get_session(), staff=staff, secret=secret, code=request.form.get("code", "")
        )
    except service.CodeRefused as refused:
        return _enrolment_page(staff, secret, action, str(refused)), _refused(staff, refused)
    session.pop(ENROL_KEY, None)
    audit.record("two_factor_enrolled", detail=staff.email)
    flash(_("Tvåstegsverifieringen är på. Nästa gång du loggar in frågar Samtal efter en kod."))
    return redirect(url_for("auth.account"), code=303)


@login_required("admin")
def admin_setting():
    """Whether every password account must use two-factor sign-in."""
    db = get_session()
    if request.method == "POST":
        required = request.form.get("required") == "1"
        service.set_required_for_everyone(session=db, required=required)
        audit.record("two_factor_required", detail="på" if required else "av")
        flash(_("Inställningen är sparad."))
        return redirect(url_for("two_factor.admin_setting"), code=303)
    return render_template(
        "staff/two_factor/admin.html", required=service.required_for_everyone(session=db)
    )


@login_required("admin")
def admin_reset(staff_id: int):
    """Remove an account's authenticator app, e.g. when the phone is lost."""
    db = get_session()
    staff = db.get(Staff, staff_id)
    if staff is None:
        abort(404)
    service.reset(session=db, staff=staff)
    audit.record("two_factor_reset", detail=f"{staff.id} {staff.email}")
    flash(_("Tvåstegsverifieringen för %(name)s är borttagen.", name=staff.name))
    return redirect(url_for("admin.staff_detail", staff_id=staff.id), code=303)
