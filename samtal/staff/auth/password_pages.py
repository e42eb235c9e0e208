"""The pages of the one-time password links: first-run setup and an account's set-password link."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from samtal import audit
from samtal.conversation.links import LinkRefused
from samtal.db import get_session
from samtal.models import Staff
from samtal.staff import password_links
from samtal.staff.access import sign_in
from samtal.staff.passwords import AccountRefused
from samtal.web.security import check_csrf


def _link_refused(reason: str, kind: str):
    status = 404 if reason == "invalid" else 410
    return render_template("staff/password_link_refused.html", reason=reason, kind=kind), status


def _read(token: str, kind: str) -> password_links.PasswordLink | str:
    """What a link of this kind grants, or why it is refused."""
    try:
        link = password_links.read_token(token, session=get_session())
    except LinkRefused as refused:
        return refused.reason
    return link if link.kind == kind else "invalid"


def setup(token: str):
    """First run: the one-time link printed by `samtal init` creates the first admin."""
    db = get_session()
    link = _read(token, "setup")
    if isinstance(link, str):
        return _link_refused(link, "setup")
    if request.method == "GET":
        return render_template("staff/setup.html", token=token, form={})
    form = {"name": request.form.get("name", "")[:120], "email": request.form.get("email", "")}
    if not check_csrf():
        return render_template(
            "staff/setup.html",
            token=token,
            form=form,
            error=_("Sidan var för gammal. Försök igen."),
        ), 422
    try:
        staff = password_links.complete_setup(
            session=db,
            token=token,
            name=form["name"],
            email=form["email"],
            password=request.form.get("password", ""),
            repeat=request.form.get("repeat", ""),
        )
    except LinkRefused as refused:
        return _link_refused(refused.reason, "setup")
    except AccountRefused as refused:
        return render_template("staff/setup.html", token=token, form=form, error=str(refused)), 422
    sign_in(staff)
    g.staff_member = staff
    audit.record("setup_admin_created", detail=staff.email)
    audit.record("login")
    flash(_("Välkommen! Ditt administratörskonto är skapat och länken fungerar inte längre."))
    return redirect(url_for("auth.home"), code=303)


def set_password(token: str):
    """A staff member chooses their password through the one-time link an admin gave them."""
    db = get_session()
    link = _read(token, "invite")
    if isinstance(link, str):
        return _link_refused(link, "invite")
    staff = db.get(Staff, link.staff_id)
    assert staff is not None
    if request.method == "GET":
        return render_template("staff/set_password.html", token=token, staff=staff)
    if not check_csrf():
        error = _("Sidan var för gammal. Försök igen.")
        return render_template(
            "staff/set_password.html", token=token, staff=staff, error=error
        ), 422
    try:
        password_links.complete_invite(
            session=db,
            token=token,
            password=request.form.get("password", ""),
            repeat=request.form.get("repeat", ""),
        )
    except LinkRefused as refused:
        return _link_refused(refused.reason, "invite")
    except AccountRefused as refused:
        return render_template(
            "staff/set_password.html", token=token, staff=staff, error=str(refused)
        ), 422
    g.staff_member = staff  # the audit entry names whose password it was
    audit.record("password_set_by_link")
    flash(_("Ditt lösenord är sparat. Logga in med det."))
    return redirect(url_for("auth.login"), code=303)
