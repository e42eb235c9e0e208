"""Children's drawings on own-words steps: checked, stored as PNG beside the answer, read back."""

from __future__ import annotations

import base64
import binascii
import io
from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from PIL import Image
from sqlmodel import Session, col, select

from samtal.models import Answer, Drawing

DATA_URL = "data:image/png;base64,"
# A tablet-sized drawing of a few colours is well under this; anything larger is not a drawing.
MAX_BYTES = 500_000
MAX_SIDE = 2000


class DrawingRefused(ValueError):
    """A drawing that cannot be stored; the message is shown to the child, in Swedish."""


def _refused() -> DrawingRefused:
    return DrawingRefused(_l("Teckningen gick inte att spara. Rita den gärna igen."))


def read_drawing(sent: str | None) -> tuple[bytes, int, int] | None:
    """The PNG a drawing pad sent (a data URL) as clean PNG bytes with its size; None if none.

    Only the pixels are kept: the image is decoded and encoded again, so nothing else that came
    with the file is stored.
    """
    if not sent:
        return None
    if not sent.startswith(DATA_URL) or len(sent) > MAX_BYTES * 4 // 3 + len(DATA_URL) + 4:
        raise _refused()
    try:
        raw = base64.b64decode(sent[len(DATA_URL) :], validate=True)
    except (binascii.Error, ValueError) as error:
        raise _refused() from error
    try:
        with Image.open(io.BytesIO(raw), formats=["PNG"]) as image:
            width, height = image.size
            if max(width, height) > MAX_SIDE or min(width, height) < 1:
                raise _refused()
            image.load()
            clean = io.BytesIO()
            image.convert("RGBA").save(clean, "PNG", optimize=True)
    except (OSError, ValueError, Image.DecompressionBombError) as error:
        raise _refused() from error
    return clean.getvalue(), width, height


def drawing_ids(session: Session, answer_ids: Iterable[int]) -> dict[int, int]:
    """Answer id → the id of the drawing stored with it, for those answers that have one."""
    wanted = [i for i in answer_ids if i]
    if not wanted:
        return {}
    rows = session.exec(
        select(Drawing.answer_id, Drawing.id).where(col(Drawing.answer_id).in_(wanted))
    ).all()
    return {answer_id: drawing_id for answer_id, drawing_id in rows if drawing_id is not None}


def drawing_of(
    session: Session, drawing_id: int, conversation_ids: Iterable[int]
) -> Drawing | None:
    """The drawing, if it belongs to one of these conversations."""
    return session.exec(
        select(Drawing)
        .join(Answer, col(Answer.id) == Drawing.answer_id)
        .where(
            Drawing.id == drawing_id,
            col(Answer.conversation_id).in_(list(conversation_ids)),
        )
    ).first()
