"""What a staff member typed when their sign-in ran out: kept in their server-side session,
tied to them and to the form's page, and offered back only to them after signing in again.

Only a request that carries that very session and its CSRF token is kept: a request from
another site (no cookie, or no token) never puts anything here.
"""

from __future__ import annotations

from typing import Any

from flask import session

PENDING_KEY = "pending_form"
# Whose sign-in ran out in this browser: set when it runs out, gone when anyone signs in.
IDLE_KEY = "idle_staff"


def ran_out(staff_id: int | None) -> None:
    """Remember whose sign-in just ran out in this session."""
    session[IDLE_KEY] = staff_id


def keep(path: str, form: dict[str, Any]) -> bool:
    """Keep a form for the staff member whose sign-in ran out here; False when there is none."""
    staff_id = session.get(IDLE_KEY)
    if staff_id is None:
        return False
    session[PENDING_KEY] = {"staff": staff_id, "path": path, "form": form}
    return True


def carried_over(staff_id: int | None) -> dict[str, Any] | None:
    """The kept form to carry into a new sign-in: only the same person's."""
    pending = session.get(PENDING_KEY)
    if not pending or pending.get("staff") != staff_id:
        return None
    return dict(pending)


def page_of(staff_id: int | None) -> str | None:
    """The page where the kept form belongs, if it is this person's."""
    pending = carried_over(staff_id)
    return pending["path"] if pending else None


def take(staff_id: int | None, path: str) -> dict[str, str]:
    """The kept form for this person and page, once."""
    pending = carried_over(staff_id)
    if pending is None or pending.get("path") != path:
        return {}
    session.pop(PENDING_KEY, None)
    return dict(pending.get("form", {}))
