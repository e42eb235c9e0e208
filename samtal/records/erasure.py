"""Erasing everything Samtal holds about one child: on request (an admin, with a reason) or by
gallring (retention.py).

Every row that is the child's data goes, in one transaction (owned.py finds them in every
table). The audit log keeps that an erasure happened — who, when, the reason's category and,
for a request, the admin's reason, which is refused if it names the child or a guardian or
holds a personnummer or the birth date — and the details of the older entries about the
child are cleared (an entry keeps its action, time and staff member: the record that the data
was handled, without the data). The child's number stays on those entries; it no longer
points at anyone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import update
from sqlmodel import Session, col, select

from samtal import audit
from samtal.models import AuditEntry, Child, Guardian
from samtal.records.owned import delete_rows, owned_rows

ERASED = "child_erased"
# Why a child's data was erased: the category is what the audit log keeps.
CATEGORIES = {
    "begaran": _l("Begäran om radering (GDPR art. 17)"),
    "felregistrerad": _l("Registrerat av misstag eller fel barn"),
    "behovs_inte": _l("Uppgifterna behövs inte längre"),
    "annat": _l("Annat skäl"),
}
GALLRING = "gallring"
MIN_REASON = 5
MAX_REASON = 300
# Words a guardian is often registered as; they are no one's name.
_ROLE_WORDS = {"vårdnadshavare", "mamma", "pappa", "förälder", "vh"}
_PERSONNUMMER = re.compile(r"(?<!\d)(\d{2})?\d{6}[-+ ]?\d{4}(?!\d)")


class ErasureRefused(ValueError):
    """An erasure that cannot be done as asked; the message is for the admin, in Swedish."""


def _name_words(names: Iterable[str]) -> set[str]:
    words = {word for name in names for word in re.findall(r"\w+", name.casefold())}
    return {word for word in words if len(word) > 1} - _ROLE_WORDS


def check_reason(*, session: Session, child: Child, category: str, reason: str) -> str:
    """The reason as it will be kept; refuses an unknown category, a missing or long reason,
    or one that holds the child's personal data (it outlives everything else)."""
    if category not in CATEGORIES:
        raise ErasureRefused(gettext("Välj varför uppgifterna raderas."))
    text = " ".join(reason.split())
    if len(text) < MIN_REASON:
        raise ErasureRefused(gettext("Skriv skälet till raderingen."))
    if len(text) > MAX_REASON:
        raise ErasureRefused(gettext("Skälet får vara högst %(count)d tecken.", count=MAX_REASON))
    guardians = session.exec(select(Guardian.name).where(Guardian.child_id == child.id)).all()
    words = set(re.findall(r"\w+", text.casefold()))
    born = child.birth_date
    dates = {born.isoformat(), born.strftime("%y%m%d")} if born else set()
    if (
        words & _name_words([child.name, *guardians])
        or _PERSONNUMMER.search(text)
        or any(day in text for day in dates)
    ):
        raise ErasureRefused(
            gettext(
                "Skälet sparas i loggen när allt annat om barnet är raderat. Skriv det utan "
                "namn, personnummer eller födelsedatum (ett diarienummer går bra)."
            )
        )
    return text


def erase_child(
    *, session: Session, child: Child, category: str, reason: str | None = None
) -> dict[str, int]:
    """Delete every row that is the child's data and clear the details of the audit entries
    about the child, in one transaction with the entry that says it happened; returns the
    number of rows per table."""
    child_id = child.id
    assert child_id is not None
    rows = owned_rows(session, child_id)
    session.execute(
        update(AuditEntry).where(col(AuditEntry.child_id) == child_id).values(detail=None)
    )
    # Entries about no child in particular (a search, say) may still name this one.
    if len(child.name.strip()) > 2:
        session.execute(
            update(AuditEntry)
            .where(col(AuditEntry.child_id).is_(None))
            .where(col(AuditEntry.detail).contains(child.name.strip(), autoescape=True))
            .values(detail=None)
        )
    if child in session:  # its row is about to go; nothing may flush it back
        session.expunge(child)
    delete_rows(session, rows)
    detail = category if reason is None else f"{category}: {reason}"
    session.add(audit.entry(ERASED, child_id=child_id, detail=detail))
    session.commit()
    return {table: len(ids) for table, ids in rows.items()}
