"""A child's drawing in the summary, for the child's own barnkontakt (and admin) only."""

from __future__ import annotations

from flask import Response, abort
from sqlmodel import select

from samtal import audit
from samtal.conversation import drawings
from samtal.db import get_session
from samtal.models import Conversation
from samtal.staff.access import child_or_404, login_required
from samtal.staff.summary.views import READERS


@login_required(*READERS)
def drawing(child_id: int, drawing_id: int):
    """The PNG of one of this child's drawings; 404 for anyone else's."""
    child = child_or_404(child_id)
    session = get_session()
    conversations = session.exec(
        select(Conversation.id).where(Conversation.child_id == child.id)
    ).all()
    found = drawings.drawing_of(session, drawing_id, [c for c in conversations if c])
    if found is None:
        abort(404)
    audit.record("view_drawing", child.id, f"teckning {drawing_id}")
    return Response(found.png, mimetype="image/png", headers={"Cache-Control": "no-store"})
