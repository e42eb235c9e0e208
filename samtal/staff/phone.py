"""A staff member's own phone number, printed on the guardian invitations they send."""

from __future__ import annotations

import re

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from sqlmodel import Session

from samtal import audit
from samtal.db import get_session
from samtal.models import Staff
from samtal.staff.auth import login_required
from samtal.staff.workspace import bp, me

# Digits with the usual separators and an optional leading +: "08-123 456 78", "+46 70 123".
PHONE = re.compile(r"^\+?[0-9][0-9 ()\-]{4,38}$")


class PhoneRefused(ValueError):
    """A number that cannot be a phone number; the message is for the person, in Swedish."""


def set_phone(*, session: Session, staff: Staff, phone: str) -> None:
    """Set (or clear, with '') the staff member's phone number."""
    phone = " ".join(phone.split())
    if phone and not PHONE.match(phone):
        raise PhoneRefused(
            _("Skriv telefonnumret med siffror, till exempel 08-123 456 78 eller +46 70 123 45 67.")
        )
    staff.phone = phone or None
    session.add(staff)
    session.commit()


@bp.post("/konto/telefon")
@login_required()
def account_phone():
    """Change my phone number (shown to families on invitations)."""
    try:
        set_phone(session=get_session(), staff=me(), phone=request.form.get("phone", ""))
    except PhoneRefused as refused:
        flash(str(refused))
        return redirect(url_for("auth.account", _anchor="telefon"), code=303)
    audit.record("phone_changed")
    flash(_("Telefonnumret är sparat."))
    return redirect(url_for("auth.account"), code=303)
