"""Hooks of the summary blueprint: need-to-know for admins, and open concerns at sign-off."""

from __future__ import annotations

from flask import request
from werkzeug.wrappers import Response

from samtal.conversation import concerns
from samtal.db import get_session
from samtal.staff.access import child_or_404, current_staff
from samtal.staff.need_to_know import glass_first


def needs_to_know() -> Response | None:
    """The summary holds safety notes and the child's own words: an admin breaks the glass
    first."""
    staff = current_staff()
    child_id = (request.view_args or {}).get("child_id")
    if staff is None or staff.role != "admin" or not isinstance(child_id, int):
        return None  # login_required and child_or_404 judge everyone else, as always
    return glass_first(staff, child_or_404(child_id))


def open_concerns() -> dict:
    """The sign-off asks for the report or the decision first while a concern is open."""
    child_id = (request.view_args or {}).get("child_id")
    if not isinstance(child_id, int):
        return {}
    return {"open_concerns": concerns.open_count(get_session(), child_id)}
