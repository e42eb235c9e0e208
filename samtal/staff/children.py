"""Children: registering a child and its guardians, who may see it, its follow-up date.

Where each child stands in the process (the caseload) is in caseload.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from samtal import inputs
from samtal.ages import age_from
from samtal.models import (
    Child,
    Guardian,
    Staff,
    fold_name,
)

MAX_GUARDIANS = 2
# Why each field is asked for: shown as a hint beside it (collect the minimum, SPEC §7).
REASONS = {
    "name": _l(
        "Det som behövs för att du ska känna igen barnet. Ett smeknamn eller en pseudonym "
        "räcker; personnummer behövs inte."
    ),
    "birth_date": _l(
        "Väljer frågor som passar barnets ålder och avgör när barnet själv ska ge samtycke."
    ),
    "home_languages": _l(
        "Så att samtalet och frågorna till vårdnadshavarna kan erbjudas på rätt språk."
    ),
    "language": _l("Språket som barnets samtal börjar på. Det går att byta under samtalet."),
    "unit": _l("Förskolan eller skolan där barnet går, så att rätt barnkontakt ansvarar."),
    "guardian_name": _l("Så att du vet vem inbjudan och samtycket gäller."),
    "guardian_language": _l("Frågorna till vårdnadshavaren visas på det här språket."),
    "guardian_contact": _l(
        "Telefon eller e-post, för att skicka inbjudan. Lämna tomt om du lämnar länken själv."
    ),
}


class ChildRefused(ValueError):
    """A registration that cannot be stored; errors by field, in Swedish."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


# ------------------------------------------------------------------------- who may see it


def name_contains(text: str) -> ColumnElement:
    """Children whose name contains the text, whatever the case (% and _ are plain letters)."""
    return col(Child.search_name).contains(fold_name(text), autoescape=True)


# ------------------------------------------------------------------------- registering


@dataclass
class Registration:
    """A checked registration form."""

    name: str
    birth_date: date
    home_languages: str | None
    language: str
    unit_id: int | None
    guardians: list[dict[str, str | None]] = field(default_factory=list)


def _text(form: Mapping[str, str], key: str) -> str:
    return " ".join(str(form.get(key, "")).split())


def read_registration(
    form: Mapping[str, str],
    *,
    languages: list[str],
    unit_ids: set[int],
    today: date,
) -> tuple[Registration | None, dict[str, str]]:
    """Check the registration form: what to register, or the errors by field (in Swedish)."""
    errors: dict[str, str] = {}
    name = _text(form, "name")
    if not name:
        errors["name"] = _("Skriv barnets namn eller en pseudonym.")
    elif len(name) > 80:
        errors["name"] = _("Namnet får vara högst 80 tecken (nu %(count)d).", count=len(name))
    birth_date = None
    raw_birth = _text(form, "birth_date")
    if not raw_birth:
        errors["birth_date"] = _("Skriv barnets födelsedatum, t.ex. 2016-03-21.")
    else:
        try:
            birth_date = date.fromisoformat(raw_birth)
        except ValueError:
            errors["birth_date"] = _("Skriv födelsedatumet som år-månad-dag, t.ex. 2016-03-21.")
    if birth_date is not None:
        years = age_from(birth_date, None, today) or 0
        if birth_date > today:
            errors["birth_date"] = _("Födelsedatumet kan inte vara i framtiden.")
        elif years >= 18:
            errors["birth_date"] = _("Samtal är för barn upp till 17 år.")
    home_languages = _text(form, "home_languages") or None
    if home_languages and len(home_languages) > 120:
        errors["home_languages"] = _("Skriv högst 120 tecken om språken.")
    language = _text(form, "language") or "sv"
    if language not in languages:
        errors["language"] = _("Välj ett av språken i listan.")
    unit_id: int | None = None
    raw_unit = _text(form, "unit_id")
    if raw_unit:
        unit_id = inputs.number(raw_unit) or -1
        if unit_id not in unit_ids:
            errors["unit_id"] = _("Välj en förskola eller skola i listan.")
    elif unit_ids:
        errors["unit_id"] = _("Välj förskola eller skola.")
    guardians: list[dict[str, str | None]] = []
    for n in range(1, MAX_GUARDIANS + 1):
        guardian, guardian_errors = read_guardian(form, f"guardian{n}_", languages=languages)
        errors.update(guardian_errors)
        if guardian is not None:
            guardians.append(guardian)
    if not guardians and "guardian1_name" not in errors:
        errors["guardian1_name"] = _("Skriv namnet på minst en vårdnadshavare.")
    if errors:
        return None, errors
    assert birth_date is not None
    return Registration(name, birth_date, home_languages, language, unit_id, guardians), {}


def read_guardian(
    form: Mapping[str, str], prefix: str, *, languages: list[str]
) -> tuple[dict[str, str | None] | None, dict[str, str]]:
    """One guardian's fields (prefix e.g. 'guardian1_'): the guardian, None if left empty,
    or errors."""
    name = _text(form, prefix + "name")
    contact = _text(form, prefix + "contact") or None
    language = _text(form, prefix + "language") or "sv"
    errors = {}
    if not name:
        if contact:
            errors[prefix + "name"] = _("Skriv vårdnadshavarens namn.")
        return None, errors
    if len(name) > 80:
        errors[prefix + "name"] = _("Namnet får vara högst 80 tecken.")
    if contact and len(contact) > 120:
        errors[prefix + "contact"] = _("Skriv högst 120 tecken om hur vårdnadshavaren nås.")
    if language not in languages:
        errors[prefix + "language"] = _("Välj ett av språken i listan.")
    if errors:
        return None, errors
    return {"name": name, "language": language, "contact": contact}, {}


def register_child(
    *,
    session: Session,
    staff: Staff,
    name: str,
    birth_date: date,
    home_languages: str | None,
    unit_id: int | None,
    guardians: list[dict[str, str | None]],
    language: str = "sv",
) -> Child:
    """Register a child with its guardians; the child becomes the registering barnkontakt's."""
    if not name.strip() or len(name) > 80:
        raise ChildRefused({"name": _("Skriv barnets namn eller en pseudonym.")})
    if not 1 <= len(guardians) <= MAX_GUARDIANS:
        raise ChildRefused({"guardian1_name": _("Skriv namnet på en eller två vårdnadshavare.")})
    child = Child(
        name=name.strip(),
        birth_date=birth_date,
        birth_year=birth_date.year,
        home_languages=home_languages,
        language=language,
        unit_id=unit_id,
        barnkontakt_id=staff.id,
    )
    session.add(child)
    session.flush()
    for guardian in guardians:
        session.add(
            Guardian(
                child_id=child.id or 0,
                name=str(guardian["name"]),
                language=str(guardian.get("language") or "sv"),
                contact=guardian.get("contact"),
            )
        )
    session.commit()
    return child


def add_guardian(
    *, session: Session, child: Child, name: str, language: str, contact: str | None
) -> Guardian:
    """Add a guardian to a child already registered (at most two)."""
    count = len(guardians_of(session, child.id or 0))
    if count >= MAX_GUARDIANS:
        raise ChildRefused({"name": _("Ett barn kan ha högst två vårdnadshavare här.")})
    guardian = Guardian(child_id=child.id or 0, name=name, language=language, contact=contact)
    session.add(guardian)
    session.commit()
    return guardian


def guardians_of(session: Session, child_id: int) -> list[Guardian]:
    """A child's guardians, in the order they were registered."""
    return list(
        session.exec(
            select(Guardian).where(Guardian.child_id == child_id).order_by(col(Guardian.id))
        ).all()
    )


def set_followup(*, session: Session, child: Child, due: date | None) -> None:
    """Set (or clear, with None) the date of the child's follow-up."""
    child.followup_due = due
    session.add(child)
    session.commit()
