"""A staff member's own phone number, printed on the guardian invitations they send."""

from __future__ import annotations

import re

from flask_babel import gettext as _
from sqlmodel import Session

from samtal.models import Staff

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
