"""Guardian invitations that reach the family: the letter's facts, sending it by e-mail, and
each delivery attempt kept (sent, or failed with the reason) for the child page."""

from __future__ import annotations

import re
from collections.abc import Iterable

from flask_babel import gettext as _
from sqlmodel import Session, col, select

from samtal import audit
from samtal.conversation import invitations, links
from samtal.family.invitation_letter import Letter, email
from samtal.models import (
    Child,
    Conversation,
    Guardian,
    Invitation,
    InvitationDelivery,
    Staff,
    Unit,
    utcnow,
)
from samtal.staff import mail

# One @, something on each side, a dot in the domain, no spaces: what can be checked without
# asking a server; the server says the rest.
ADDRESS = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class AddressRefused(ValueError):
    """An address that cannot be an e-mail address; the message is for the barnkontakt."""


def address_of(contact: str | None) -> str:
    """The e-mail address in a guardian's contact note, or ''."""
    for word in (contact or "").replace(",", " ").replace(";", " ").split():
        if ADDRESS.match(word.strip("<>()")):
            return word.strip("<>()")
    return ""


def letter_for(session: Session, invitation: Invitation, *, code: str | None = None) -> Letter:
    """What this invitation's letter says, from the records it belongs to."""
    guardian = session.get(Guardian, invitation.guardian_id)
    conversation = session.get(Conversation, invitation.conversation_id)
    assert guardian is not None and conversation is not None
    child = session.get(Child, guardian.child_id)
    assert child is not None
    unit = session.get(Unit, child.unit_id) if child.unit_id else None
    barnkontakt = session.get(Staff, child.barnkontakt_id) if child.barnkontakt_id else None
    token = invitations.link_token(invitation, conversation.language)
    return Letter(
        language=conversation.language,
        guardian_name=guardian.name,
        child_first_name=(child.name.split() or [""])[0],
        unit=unit.name if unit else None,
        barnkontakt=barnkontakt.name if barnkontakt else _("barnkontakten"),
        phone=barnkontakt.phone if barnkontakt else None,
        url=links.external_url("guardian.step", token=token),
        expires=invitation.expires_at.date(),
        has_code=invitation.code_hash is not None,
        code=code,
    )


def send_by_email(
    *, session: Session, invitation: Invitation, address: str, staff: Staff
) -> InvitationDelivery:
    """Send the invitation to this address and keep how it went; raises AddressRefused for an
    address that cannot be one (nothing is kept then). A failure to send is kept, not raised."""
    address = address.strip()
    if len(address) > 254 or not ADDRESS.match(address):
        raise AddressRefused(_("Skriv en e-postadress, till exempel namn@exempel.se."))
    letter = letter_for(session, invitation)
    delivery = InvitationDelivery(
        invitation_id=invitation.id or 0, address=address, status="sent", sent_by=staff.id
    )
    try:
        mail.send(email(letter, to=address, reply_to=staff.email))
    except mail.MailNotSent as error:
        delivery.status, delivery.reason = "failed", str(error)[:500]
    delivery.created_at = utcnow()
    session.add(delivery)
    session.commit()
    guardian = session.get(Guardian, invitation.guardian_id)
    audit.record(
        "invite_email" if delivery.status == "sent" else "invite_email_failed",
        guardian.child_id if guardian else None,
        f"inbjudan {invitation.id} till {address}",
    )
    return delivery


def latest_deliveries(
    session: Session, invitation_ids: Iterable[int]
) -> dict[int, InvitationDelivery]:
    """The newest delivery attempt of each of these invitations that has one."""
    found: dict[int, InvitationDelivery] = {}
    ids = list(invitation_ids)
    if not ids:
        return found
    for delivery in session.exec(
        select(InvitationDelivery)
        .where(col(InvitationDelivery.invitation_id).in_(ids))
        .order_by(col(InvitationDelivery.id))
    ).all():
        found[delivery.invitation_id] = delivery
    return found
