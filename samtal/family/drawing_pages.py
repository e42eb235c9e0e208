"""A child's own drawing, shown back on the child's screen (only within its conversation)."""

from __future__ import annotations

from flask import Response, abort, g

from samtal.conversation import drawings
from samtal.db import get_session


def tablet_drawing(drawing_id: int):
    """The PNG of a drawing made in this conversation; 404 for any other."""
    found = drawings.drawing_of(get_session(), drawing_id, [g.conversation.id])
    if found is None:
        abort(404)
    return Response(found.png, mimetype="image/png", headers={"Cache-Control": "no-store"})
