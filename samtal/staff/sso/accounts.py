"""Which Samtal account an identity provider's user is: by e-mail, never a new account."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlmodel import Session, func, select

from samtal.models import Staff

# The IdP's clock and ours may differ a little.
CLOCK_SKEW_SECONDS = 60


@dataclass(frozen=True)
class Flow:
    """What a sign-in started here remembers until the IdP answers."""

    target: str | None = None
    # Unlocking the child's screen: only this account may, and only with a fresh sign-in.
    only: int | None = None
    started: float = 0.0


@dataclass(frozen=True)
class Answer:
    """What the IdP's verified answer says, with the flow it answers."""

    email: str | None
    authenticated_at: datetime | None
    flow: Flow


class SignInRefused(ValueError):
    """The IdP's user may not sign in; the message is for the person, in Swedish."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason  # for the audit entry: why, and the address as Samtal compares it


def staff_for_email(*, session: Session, email: str | None) -> Staff:
    """The active account with this e-mail (any case); refuses unknown and deactivated ones.

    Nobody is created here, admins least of all: an IdP account alone never reaches
    children's data; an admin in Samtal decides who has an account and which role.
    """
    address = (email or "").strip().lower()
    if "@" not in address or len(address) > 254:
        raise SignInRefused(
            _(
                "Kommunens inloggning skickade ingen e-postadress, så Samtal vet inte vem du "
                "är. Kontakta kommunens IT-avdelning."
            ),
            "no e-mail",
        )
    staff = session.exec(select(Staff).where(func.lower(Staff.email) == address)).first()
    if staff is None:
        raise SignInRefused(
            _(
                "Det finns inget konto i Samtal för %(email)s. Be en administratör i Samtal "
                "att skapa ett konto med den e-postadressen.",
                email=address,
            ),
            f"unknown {address}",
        )
    if not staff.active:
        raise SignInRefused(
            _("Ditt konto i Samtal är avaktiverat. Kontakta en administratör i Samtal."),
            f"deactivated {address}",
        )
    return staff


def check_unlock(*, staff: Staff, answer: Answer) -> None:
    """Unlocking the child's screen: the barnkontakt's own account, signed in just now."""
    only = answer.flow.only
    if only is None:
        return
    if staff.id != only:
        raise SignInRefused(
            _("Det är inte barnkontaktens konto. Barnets skärm är fortfarande låst."),
            f"kiosk: other account {staff.email}",
        )
    moment = answer.authenticated_at
    if moment is None or moment.timestamp() < answer.flow.started - CLOCK_SKEW_SECONDS:
        raise SignInRefused(
            _(
                "Kommunens inloggning frågade inte efter ditt lösenord igen, så barnets skärm "
                "är fortfarande låst. Kontakta kommunens IT-avdelning."
            ),
            f"kiosk: no fresh sign-in {staff.email}",
        )
