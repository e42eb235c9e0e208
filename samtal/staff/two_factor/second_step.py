"""Between a right password and a signed-in session: who is waiting for the code step."""

from __future__ import annotations

import time

from flask import redirect, session, url_for

from samtal.db import get_session
from samtal.models import Staff
from samtal.staff.access import SESSION_KEY
from samtal.staff.two_factor import service

PENDING_KEY = "two_factor"
# Between the password and the code; long enough to find the phone, short enough to forget.
PENDING_SECONDS = 5 * 60


def needed(staff: Staff) -> bool:
    """True when this password account must also show a code (or enrol first)."""
    return service.enrolled(staff) or service.required_for_everyone(session=get_session())


def begin(staff: Staff, target: str | None):
    """The password was right: remember that (briefly) and ask for the code, or for enrolment."""
    session.pop(SESSION_KEY, None)
    session[PENDING_KEY] = {
        "id": staff.id,
        "epoch": staff.session_epoch,
        "at": time.time(),
        "next": target,
    }
    endpoint = "two_factor.code" if service.enrolled(staff) else "two_factor.enrol_at_sign_in"
    return redirect(url_for(endpoint), code=303)


def pending_staff() -> Staff | None:
    """Whose password was just right in this browser, if recently and the account still may."""
    pending = session.get(PENDING_KEY)
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    staff = get_session().get(Staff, pending.get("id"))
    if staff is None or not staff.active or staff.session_epoch != pending.get("epoch"):
        return None
    return staff


def done() -> str | None:
    """Forget the waiting sign-in; where it was going."""
    return session.pop(PENDING_KEY, {}).get("next")
