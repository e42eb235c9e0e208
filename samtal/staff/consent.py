"""Consent to share: the rules (pure functions) and the one place consent is written.

Nothing leaves the barnkontakt's own service unless consent covers it: every guardian on
record, and the child too from CHILD_CONSENT_AGE (default 15), must have consented to that
information going to that recipient on that day. A withdrawn or expired consent does not count.

Information keys: "sammanstallning", "barnets_svar", "vardnadshavarnas_svar".
Recipients: "barnteam" or a named service as typed (compared without regard to case).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from flask import current_app, has_app_context
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlmodel import Session, col, select

from samtal import inputs
from samtal.ages import age_of
from samtal.config import DEFAULTS
from samtal.models import Child, Consent, Guardian, Staff, utcnow

BARNTEAM = "barnteam"
INFORMATION = {
    "sammanstallning": _l("Sammanställningen"),
    "barnets_svar": _l("Barnets svar"),
    "vardnadshavarnas_svar": _l("Vårdnadshavarnas svar"),
}
MAX_SERVICES = 10
MAX_SERVICE_LENGTH = 80
# Consent is asked for a purpose and a time; longer than this is not a considered answer.
MAX_YEARS = 3


class ConsentRefused(ValueError):
    """A consent form that cannot be recorded; errors by field, in Swedish."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


# ------------------------------------------------------------------------------- the rules


def recipient_key(name: str) -> str:
    """A recipient as compared: trimmed, single spaces, case folded."""
    return " ".join(name.split()).casefold()


def child_consent_age() -> int:
    """The configured age from which the child's own consent is needed (15 by default)."""
    if has_app_context():
        return int(current_app.config["CHILD_CONSENT_AGE"])
    return int(DEFAULTS["CHILD_CONSENT_AGE"])


def _day(moment: datetime | date) -> date:
    if isinstance(moment, datetime):
        aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        return aware.date()
    return moment


def state(consent: Consent, *, on_date: date) -> str:
    """'valid', 'withdrawn', 'expired', 'not_yet' or 'not_informed' on that day."""
    if consent.withdrawn_at is not None and _day(consent.withdrawn_at) <= on_date:
        return "withdrawn"
    if not consent.informed:
        return "not_informed"
    if on_date < consent.given_on:
        return "not_yet"
    if on_date > consent.valid_until:
        return "expired"
    return "valid"


def allows(consent: Consent, *, information: str, recipient: str, on_date: date) -> bool:
    """True when this one consent is in force that day for that information and recipient."""
    wanted = recipient_key(recipient)
    return (
        state(consent, on_date=on_date) == "valid"
        and information in (consent.information or [])
        and any(recipient_key(r) == wanted for r in consent.recipients or [])
    )


def child_must_consent(child_age: int | None, consent_age: int | None = None) -> bool:
    """True when the child is old enough that their own consent is needed too."""
    threshold = child_consent_age() if consent_age is None else consent_age
    return child_age is not None and child_age >= threshold


def covers(
    consents: Iterable[Consent],
    *,
    information: str,
    recipient: str,
    on_date: date,
    child_age: int | None,
    guardian_ids: Iterable[int] | None = None,
    consent_age: int | None = None,
) -> bool:
    """True when consent on record covers sharing this information with this recipient.

    Every guardian must have consented (those in guardian_ids; when not given, every guardian
    named in any consent on record, withdrawn and expired ones included), and the child too
    from the consent age. Nobody to consent means no consent.
    """
    return not missing(
        consents,
        information=information,
        recipient=recipient,
        on_date=on_date,
        child_age=child_age,
        guardian_ids=guardian_ids,
        consent_age=consent_age,
    )


def missing(
    consents: Iterable[Consent],
    *,
    information: str,
    recipient: str,
    on_date: date,
    child_age: int | None,
    guardian_ids: Iterable[int] | None = None,
    consent_age: int | None = None,
) -> list[tuple[str, int | None]]:
    """Who still has to consent: ("guardian", id) and/or ("child", None); empty when covered.

    With no guardian on record and a child below the consent age, ("guardian", None) says
    that there is nobody who has consented.
    """
    consents = list(consents)
    if guardian_ids is None:
        required = {c.guardian_id for c in consents if c.given_by == "guardian" and c.guardian_id}
    else:
        required = set(guardian_ids)
    in_force = [
        c
        for c in consents
        if allows(c, information=information, recipient=recipient, on_date=on_date)
    ]
    consented = {c.guardian_id for c in in_force if c.given_by == "guardian"}
    lacking: list[tuple[str, int | None]] = [
        ("guardian", guardian_id) for guardian_id in sorted(required - consented)
    ]
    child_needed = child_must_consent(child_age, consent_age)
    if child_needed and not any(c.given_by == "child" for c in in_force):
        lacking.append(("child", None))
    if not required and not child_needed:
        lacking.append(("guardian", None))
    return lacking


@dataclass(frozen=True)
class ConsentLine:
    """One consent as shown to staff: who, what, with whom, when, and whether it is in force."""

    id: int | None
    giver: str
    information: list[str]
    recipients: list[str]
    given_on: date
    valid_until: date
    state: str
    state_label: str
    withdrawn_on: date | None = None
    recorded_by: str | None = None
    informed: bool = True
    keys: list[str] = field(default_factory=list)


STATE_LABELS = {
    "valid": _l("Gäller"),
    "withdrawn": _l("Återkallat"),
    "expired": _l("Har gått ut"),
    "not_yet": _l("Gäller från senare datum"),
    "not_informed": _l("Ogiltigt: inte informerad"),
}


def recipient_label(recipient: str) -> str:
    """A recipient for people: 'Barnteam' for the key, a named service as typed."""
    return _("Barnteam") if recipient_key(recipient) == BARNTEAM else recipient


def describe(
    consents: Iterable[Consent],
    *,
    on_date: date,
    guardian_names: Mapping[int, str] | None = None,
    staff_names: Mapping[int, str] | None = None,
) -> list[ConsentLine]:
    """What is on record, newest first, in words staff (and exports) can show."""
    guardian_names = guardian_names or {}
    staff_names = staff_names or {}
    lines = []
    for consent in sorted(consents, key=lambda c: (c.given_on, c.id or 0), reverse=True):
        if consent.given_by == "child":
            giver = _("Barnet")
        else:
            giver = guardian_names.get(consent.guardian_id or 0) or _("Vårdnadshavare")
        now = state(consent, on_date=on_date)
        lines.append(
            ConsentLine(
                id=consent.id,
                giver=giver,
                information=[str(INFORMATION.get(i, i)) for i in consent.information or []],
                recipients=[recipient_label(r) for r in consent.recipients or []],
                given_on=consent.given_on,
                valid_until=consent.valid_until,
                state=now,
                state_label=str(STATE_LABELS[now]),
                withdrawn_on=_day(consent.withdrawn_at) if consent.withdrawn_at else None,
                recorded_by=staff_names.get(consent.recorded_by or 0),
                informed=consent.informed,
                keys=list(consent.information or []),
            )
        )
    return lines


# ------------------------------------------------------------------ reading and recording


@dataclass
class ConsentForm:
    """A checked consent form: who gave it, what, with whom, when, and that they were told."""

    givers: list[tuple[str, int | None]]
    information: list[str]
    recipients: list[str]
    given_on: date
    valid_until: date
    informed: bool


def _date(text: str) -> date | None:
    return inputs.day(text)


def read_consent_form(
    form: Mapping[str, list[str]],
    *,
    guardians: list[Guardian],
    child_age: int | None,
    today: date,
    consent_age: int | None = None,
) -> tuple[ConsentForm | None, dict[str, str]]:
    """Check a submitted consent form: the consent to record, or the errors by field."""
    errors: dict[str, str] = {}
    known = {str(g.id): g.id for g in guardians}
    givers: list[tuple[str, int | None]] = []
    for value in form.get("giver", []):
        if value == "child" and child_must_consent(child_age, consent_age):
            givers.append(("child", None))
        elif value in known:
            givers.append(("guardian", known[value]))
    if not givers:
        errors["giver"] = _("Välj vem som har gett sitt samtycke.")
    information = [i for i in dict.fromkeys(form.get("information", [])) if i in INFORMATION]
    if not information:
        errors["information"] = _("Välj vilka uppgifter samtycket gäller.")
    recipients = [BARNTEAM] if "barnteam" in form.get("barnteam", []) else []
    services_text = (form.get("services") or [""])[0]
    services = [" ".join(line.split()) for line in services_text.splitlines() if line.strip()]
    if any(len(s) > MAX_SERVICE_LENGTH for s in services) or len(services) > MAX_SERVICES:
        errors["services"] = _(
            "Skriv högst %(count)d verksamheter, en per rad och högst %(length)d tecken var.",
            count=MAX_SERVICES,
            length=MAX_SERVICE_LENGTH,
        )
    recipients += [s for s in dict.fromkeys(services) if recipient_key(s) != BARNTEAM]
    if not recipients and "services" not in errors:
        errors["recipients"] = _("Välj barnteam eller skriv vilka verksamheter det gäller.")
    given_on = _date((form.get("given_on") or [""])[0])
    if given_on is None:
        errors["given_on"] = _(
            "Skriv datumet då samtycket gavs, t.ex. %(example)s.", example=today.isoformat()
        )
    elif given_on > today:
        errors["given_on"] = _("Datumet då samtycket gavs kan inte vara i framtiden.")
    valid_until = _date((form.get("valid_until") or [""])[0])
    if valid_until is None:
        errors["valid_until"] = _(
            "Skriv hur länge samtycket gäller, t.ex. %(example)s.",
            example=(today + timedelta(days=365)).isoformat(),
        )
    elif valid_until < today or (given_on is not None and valid_until < given_on):
        errors["valid_until"] = _("Slutdatumet har redan passerat. Välj ett senare datum.")
    elif (valid_until - today).days > MAX_YEARS * 366:
        errors["valid_until"] = _(
            "Ett samtycke kan gälla högst %(years)d år. Välj ett tidigare slutdatum.",
            years=MAX_YEARS,
        )
    informed = "yes" in form.get("informed", [])
    if not informed:
        errors["informed"] = _(
            "Samtycket kan bara registreras om de har fått veta vad det innebär."
        )
    if errors:
        return None, errors
    assert given_on is not None and valid_until is not None
    return ConsentForm(givers, information, recipients, given_on, valid_until, informed), {}


def record_consent(
    *, session: Session, staff: Staff, child: Child, form: ConsentForm
) -> list[Consent]:
    """Record one consent per person who gave it; refuses a form without 'informed'."""
    if not form.informed:
        raise ConsentRefused({"informed": _("De måste ha fått veta vad samtycket innebär.")})
    guardian_ids = set(session.exec(select(Guardian.id).where(Guardian.child_id == child.id)).all())
    rows = []
    for given_by, guardian_id in form.givers:
        if given_by == "guardian" and guardian_id not in guardian_ids:
            raise ConsentRefused({"giver": _("Den vårdnadshavaren finns inte för det här barnet.")})
        rows.append(
            Consent(
                child_id=child.id or 0,
                given_by=given_by,
                guardian_id=guardian_id if given_by == "guardian" else None,
                information=list(form.information),
                recipients=list(form.recipients),
                given_on=form.given_on,
                valid_until=form.valid_until,
                informed=True,
                recorded_by=staff.id,
            )
        )
    session.add_all(rows)
    session.commit()
    return rows


def withdraw(*, session: Session, consent: Consent) -> bool:
    """Record that a consent is withdrawn (from now on); False if it already was."""
    if consent.withdrawn_at is not None:
        return False
    consent.withdrawn_at = utcnow()
    session.add(consent)
    session.commit()
    return True


def on_record(session: Session, child_id: int) -> list[Consent]:
    """Every consent recorded for a child, withdrawn and expired ones included."""
    return list(
        session.exec(
            select(Consent).where(Consent.child_id == child_id).order_by(col(Consent.id))
        ).all()
    )


def child_covered(
    *,
    session: Session,
    child: Child,
    information: str,
    recipient: str,
    on_date: date | None = None,
) -> bool:
    """covers() for a child as stored: its consents, its guardians, its age that day."""

    day = on_date or utcnow().date()
    guardian_ids = session.exec(select(Guardian.id).where(Guardian.child_id == child.id)).all()
    return covers(
        on_record(session, child.id or 0),
        information=information,
        recipient=recipient,
        on_date=day,
        child_age=age_of(child, day),
        guardian_ids=[g for g in guardian_ids if g is not None],
    )
