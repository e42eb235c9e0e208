"""The account page's phone number form (the number is printed on guardian invitations)."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _

from samtal import audit
from samtal.db import get_session
from samtal.staff.access import current_staff, login_required
from samtal.staff.phone import PhoneRefused, set_phone


@login_required()
def account_phone():
    """Change my phone number (shown to families on invitations)."""
    staff = current_staff()
    assert staff is not None
    try:
        set_phone(session=get_session(), staff=staff, phone=request.form.get("phone", ""))
    except PhoneRefused as refused:
        flash(str(refused))
        return redirect(url_for("auth.account", _anchor="telefon"), code=303)
    audit.record("phone_changed")
    flash(_("Telefonnumret är sparat."))
    return redirect(url_for("auth.account"), code=303)
