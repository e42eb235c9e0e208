"""Siblings: linking two children's records, and what a link shows to whom.

Families said siblings get forgotten. A barnkontakt links two of their own children as
siblings (an admin any two); each then shows on the other's page. Access stays per child
(access.may_see, the one rule): to a staff member who may not see the other child, a link says
only that a sibling is there, never a name or a number.

A link is one row per pair, the lower id first, so linking A to B and B to A at once still
makes one row (the database's unique constraint decides).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import or_
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from samtal import stages
from samtal.ages import age_from
from samtal.conversation import engine, records
from samtal.flows import FlowLibrary
from samtal.models import Child, Conversation, Guardian, SiblingLink, Staff
from samtal.staff import caseload
from samtal.staff.access import may_see

# How many children the linking page lists at a time; a search finds the rest.
CANDIDATES = 20
# The summary role (flows/kinds.ROLES) of a guardian's "does a sibling need someone to talk
# to?": a "ja" there shows a hint on the child page.
SIBLING_SUPPORT = "sibling_support"


class SiblingRefused(ValueError):
    """A link or unlink that cannot be done; the message is for the staff member, in Swedish."""


def unknown_child() -> SiblingRefused:
    """The one answer for an id that is no child, or a child the staff member may not see:
    the same words either way, so an id cannot be probed."""
    return SiblingRefused(_("Det barnet finns inte bland barnen du har tillgång till."))


@dataclass(frozen=True)
class Sibling:
    """A linked sibling as one staff member sees it. For a sibling they may not see, nothing
    is kept here at all: the link is only there."""

    id: int | None = None
    name: str | None = None
    age: int | None = None
    status: str | None = None

    @property
    def visible(self) -> bool:
        """Whether the staff member may see this sibling (and so its name and page)."""
        return self.id is not None


@dataclass(frozen=True)
class Candidates:
    """Children that may be linked to this one, and whether a search would find more."""

    rows: list[caseload.CaseloadRow]
    more: bool


def _pair(first: int, second: int) -> tuple[int, int]:
    return (first, second) if first < second else (second, first)


def _link_of(session: Session, first: int, second: int) -> SiblingLink | None:
    low, high = _pair(first, second)
    return session.exec(
        select(SiblingLink).where(SiblingLink.child_id == low, SiblingLink.sibling_id == high)
    ).first()


def linked_ids(session: Session, child_id: int) -> list[int]:
    """The ids of the children linked to this one as siblings, in the order they were linked."""
    rows = session.exec(
        select(SiblingLink)
        .where(or_(col(SiblingLink.child_id) == child_id, col(SiblingLink.sibling_id) == child_id))
        .order_by(col(SiblingLink.id))
    ).all()
    return [row.sibling_id if row.child_id == child_id else row.child_id for row in rows]


def siblings_of(*, session: Session, child: Child, staff: Staff, today: date) -> list[Sibling]:
    """The child's linked siblings as this staff member may see them: name, age and where
    each stands for those they may see (by name), then one empty entry per other sibling."""
    ids = linked_ids(session, child.id or 0)
    if not ids:
        return []
    linked = session.exec(select(Child).where(col(Child.id).in_(ids))).all()
    visible = [c.id for c in linked if may_see(staff, c)]
    shown = []
    if visible:
        rows = stages.status_query([col(Child.id).in_(visible)], today)
        for row in session.execute(sa_select(rows).order_by(rows.c.name, rows.c.id)).all():
            age = age_from(row.birth_date, row.birth_year, today)
            shown.append(Sibling(row.id, row.name, age, row.status))
    return shown + [Sibling() for _hidden in range(len(ids) - len(shown))]


def candidates(*, session: Session, staff: Staff, child: Child, search: str) -> Candidates:
    """The children this staff member may link to this one: their caseload (an admin's is
    every child), matching the search, without this child and those already linked."""
    left_out = {child.id, *linked_ids(session, child.id or 0)}
    found = caseload.caseload(
        session=session, staff=staff, search=search, per_page=CANDIDATES + len(left_out)
    )
    rows = [row for row in found.rows if row.id not in left_out]
    return Candidates(rows[:CANDIDATES], found.pages > 1 or len(rows) > CANDIDATES)


def _check(staff: Staff, child: Child, sibling: Child) -> None:
    if not (may_see(staff, child) and may_see(staff, sibling)):
        raise unknown_child()
    if child.id == sibling.id:
        raise SiblingRefused(_("Ett barn kan inte vara sitt eget syskon."))


def link(*, session: Session, staff: Staff, child: Child, sibling: Child) -> SiblingLink:
    """Link two children as siblings; refused unless the staff member may see both."""
    _check(staff, child, sibling)
    already = SiblingRefused(
        _(
            "%(name)s och %(other)s är redan länkade som syskon.",
            name=child.name,
            other=sibling.name,
        )
    )
    if _link_of(session, child.id or 0, sibling.id or 0) is not None:
        raise already
    low, high = _pair(child.id or 0, sibling.id or 0)
    made = SiblingLink(child_id=low, sibling_id=high, created_by=staff.id)
    session.add(made)
    try:
        session.commit()
    except IntegrityError:
        # The same pair linked by another request a moment ago: one row, as asked.
        session.rollback()
        raise already from None
    return made


def unlink(*, session: Session, staff: Staff, child: Child, sibling: Child) -> int:
    """Remove the link between two children (returns the link's id); refused unless the staff
    member may see both."""
    _check(staff, child, sibling)
    found = _link_of(session, child.id or 0, sibling.id or 0)
    if found is None:
        raise SiblingRefused(
            _("%(name)s och %(other)s är inte länkade.", name=child.name, other=sibling.name)
        )
    removed = found.id or 0
    session.delete(found)
    session.commit()
    return removed


def guardians_asking(session: Session, child_id: int, flows: FlowLibrary) -> list[str]:
    """The guardians whose latest answer says a sibling also needs someone to talk to (the
    newest finished conversation of each guardian that asked it decides)."""
    finished = session.exec(
        select(Conversation, Guardian)
        .join(Guardian, col(Guardian.id) == Conversation.guardian_id)
        .where(Conversation.child_id == child_id, Conversation.status == "completed")
        .order_by(col(Conversation.created_at).desc(), col(Conversation.id).desc())
    ).all()
    decided: dict[int, bool] = {}
    names: dict[int, str] = {}
    for conversation, guardian in finished:
        key = guardian.id or 0
        flow = flows.of(conversation)
        steps = (*flow.intro, *flow.outro) if flow else ()
        asked = [step for step in steps if step.summary == SIBLING_SUPPORT]
        if key in decided or not asked:
            continue
        answers = records.stored_answers(session, conversation.id or 0)
        decided[key] = any(
            "ja" in answers[step.id].values()
            for step in asked
            if step.id in answers and engine.applies(step, answers)
        )
        names[key] = guardian.name
    return [names[key] for key, asking in decided.items() if asking]
