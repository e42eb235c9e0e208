"""Which Samtal account an identity provider's user is: by e-mail, never a new account."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlmodel import Session, func, select

from samtal.models import Staff


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
