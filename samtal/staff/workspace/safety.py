"""What the child page shows about safety: open concerns, the notes (need-to-know), the PIN."""

from __future__ import annotations

from samtal import audit
from samtal.conversation import concerns, panel_access
from samtal.db import get_session
from samtal.models import Child, Conversation
from samtal.staff.access import current_staff
from samtal.staff.need_to_know import may_read_sensitive

SIGNED_IN_STAFF = "samtal.signed_in_staff"


def offer_signed_in_staff(state) -> None:
    """Let the adult's panel (a family page, which never imports staff) ask who is signed in
    on this browser: the child's barnkontakt signed in is proof that staff are there."""
    state.app.extensions[SIGNED_IN_STAFF] = current_staff


def child_page_context(child: Child) -> dict:
    """Open concerns (for everyone who sees the child), the concerns themselves only for
    whoever needs to know, and every time the glass was broken."""
    db = get_session()
    staff = current_staff()
    views = concerns.of_child(db, child.id or 0)
    readable = may_read_sensitive(staff, child)
    if readable and views:
        audit.record("view_concerns", child.id)
    return {
        "open_concerns": sum(1 for v in views if v.open),
        "concern_views": views if readable else [],
        "sensitive_readable": readable,
        "is_owner": staff is not None
        and staff.role == "barnkontakt"
        and child.barnkontakt_id == staff.id,
        "glass_breaks": audit.entries(db, child_id=child.id, action="break_glass", limit=50),
    }


def panel_pin(conversation: Conversation) -> str | None:
    """The panel PIN of a running child conversation, for its own barnkontakt only."""
    staff = current_staff()
    child = get_session().get(Child, conversation.child_id)
    if (
        staff is None
        or child is None
        or staff.role != "barnkontakt"
        or child.barnkontakt_id != staff.id
        or conversation.guardian_id is not None
        or panel_access.is_finished(conversation)
    ):
        return None
    return panel_access.pin_for(conversation)
