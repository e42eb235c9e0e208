"""Who may open the adult's panel: proof that a staff member is there, never the child's link.

Three proofs: the kiosk (this browser became the child's screen from a signed-in
barnkontakt's session, and the conversation is not paused), the child's barnkontakt signed
in on this browser, or the conversation's PIN. The PIN is derived from the instance secret,
the conversation and its link nonce, so it is never stored, shows only in the workspace and
dies with the link when the barnkontakt makes a new one.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import case, or_, update
from sqlmodel import Session, col

from samtal.models import Child, Conversation, Staff, utcnow

# Where the staff session records that this browser became a child's screen (the kiosk).
KIOSK_KEY = "kiosk"
PIN_DIGITS = 6
PIN_ATTEMPTS = 5  # wrong PINs per conversation in one window
PIN_WINDOW_MINUTES = 15
FINISHED = ("completed", "ended", "declined")


@dataclass(frozen=True)
class Actor:
    """Who acts in the panel: a staff member, or only "whoever held conversation N's PIN"."""

    staff_id: int | None
    via: str  # kiosk, staff or pin
    conversation_id: int

    def describe(self, staff_name: str | None) -> str:
        """For the audit log, honestly: the staff member, or the PIN holder."""
        if self.staff_id is None:
            return f"PIN-innehavare för samtal {self.conversation_id}"
        return f"{staff_name or self.staff_id} ({self.via})"


def pin_for(conversation: Conversation) -> str:
    """The conversation's panel PIN: six digits, the same on every app process."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    message = f"samtal.panel-pin:{conversation.id}:{conversation.link_nonce}".encode()
    number = int.from_bytes(hmac.new(key, message, hashlib.sha256).digest()[:8], "big")
    return str(number % 10**PIN_DIGITS).zfill(PIN_DIGITS)


def take_attempt(session: Session, conversation: Conversation) -> bool:
    """Reserve one PIN attempt; False when the window's attempts are used up.

    One UPDATE decides, so two tablets guessing at once cannot both slip past the limit: the
    row lock makes the second see the first's count.
    """
    now = utcnow()
    window_over = or_(
        col(Conversation.pin_window_at).is_(None),
        col(Conversation.pin_window_at) < now - timedelta(minutes=PIN_WINDOW_MINUTES),
    )
    result = session.execute(
        update(Conversation)
        .where(
            col(Conversation.id) == conversation.id,
            or_(window_over, col(Conversation.pin_attempts) < PIN_ATTEMPTS),
        )
        .values(
            pin_attempts=case((window_over, 1), else_=col(Conversation.pin_attempts) + 1),
            pin_window_at=case((window_over, now), else_=col(Conversation.pin_window_at)),
        )
    )
    session.commit()
    return bool(getattr(result, "rowcount", 0))


def check_pin(session: Session, conversation: Conversation, typed: str) -> str:
    """Check a typed PIN: "ok", "wrong" or "throttled"; a right PIN clears the count."""
    if not take_attempt(session, conversation):
        return "throttled"
    typed = "".join(ch for ch in typed if ch.isdigit())[: PIN_DIGITS + 1]
    if not secrets.compare_digest(typed, pin_for(conversation)):
        return "wrong"
    session.execute(
        update(Conversation)
        .where(col(Conversation.id) == conversation.id)
        .values(pin_attempts=0, pin_window_at=None)
    )
    session.commit()
    return "ok"


def kiosk_proof(kiosk: dict | None, conversation: Conversation) -> Actor | None:
    """The kiosk started from a barnkontakt's session for this conversation, while running."""
    if not kiosk or kiosk.get("conversation") != conversation.id:
        return None
    # Pause hands the tablet to the child: from then on only the PIN opens the panel.
    if conversation.status != "active" or not isinstance(kiosk.get("staff"), int):
        return None
    return Actor(kiosk["staff"], "kiosk", conversation.id or 0)


def staff_proof(staff: Staff | None, session: Session, conversation: Conversation) -> Actor | None:
    """The child's own barnkontakt, signed in on this browser."""
    if staff is None or not staff.active or staff.role != "barnkontakt":
        return None
    child = session.get(Child, conversation.child_id)
    if child is None or child.barnkontakt_id != staff.id:
        return None
    return Actor(staff.id, "staff", conversation.id or 0)


def is_finished(conversation: Conversation) -> bool:
    """A conversation that is over: its link shows only a kind page, never the panel."""
    return conversation.status in FINISHED
