"""The caseload: the children a staff member may see, each with where it stands in the process.

The status per child is computed by the database in one query (grouped subqueries joined to
the children), so a page costs the same number of queries at 100 children as at 10,000; the
composite indexes on child (barnkontakt_id, name) and conversation (child_id, guardian_id,
status) keep it fast.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, or_, true
from sqlalchemy import select as sa_select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from samtal import stages
from samtal.ages import age_from
from samtal.conversation import concerns
from samtal.models import (
    Child,
    Conversation,
    SafetyConcern,
    Staff,
    utcnow,
)
from samtal.staff.children import name_contains

PER_PAGE = 50
# Where a child stands in the process, furthest first: the caseload shows the first that holds.
STATUSES = {
    "followup_due": _l("Dags för uppföljning"),
    "signed": _l("Sammanställning signerad"),
    "summary_draft": _l("Sammanställning påbörjad"),
    "guardians_answered": _l("Vårdnadshavare har svarat"),
    "guardians_invited": _l("Vårdnadshavare inbjudna"),
    "child_done": _l("Barnets samtal klart"),
    "child_started": _l("Barnets samtal påbörjat"),
    "none": _l("Inget samtal än"),
}


@dataclass(frozen=True)
class CaseloadRow:
    """One child on the caseload, with where it stands."""

    id: int
    name: str
    age: int | None
    unit: str | None
    barnkontakt: str | None
    status: str
    child_conversations: int
    child_done: bool
    guardians_invited: int
    guardians_answered: int
    followup_due: date | None
    open_concerns: int = 0


@dataclass(frozen=True)
class Caseload:
    """One page of the caseload, how many there are, and how many are due for follow-up."""

    rows: list[CaseloadRow]
    total: int
    page: int
    pages: int
    per_page: int
    followup_due: int
    search: str
    status: str | None
    concern: bool = False  # only children with an open safety concern
    with_open_concern: int = 0


def _children(staff: Staff, search: str) -> list[ColumnElement]:
    """Which children: the staff member's own (an admin: all), matching the search."""
    where: list[ColumnElement] = []
    if staff.role != "admin":
        where.append(col(Child.barnkontakt_id) == staff.id)
    if search:
        where.append(name_contains(search))
    return where or [true()]


def _row(row, today: date) -> CaseloadRow:
    return CaseloadRow(
        id=row.id,
        name=row.name,
        age=age_from(row.birth_date, row.birth_year, today),
        unit=row.unit,
        barnkontakt=row.barnkontakt,
        status=row.status,
        child_conversations=row.child_conversations,
        child_done=row.child_done > 0,
        guardians_invited=row.guardians_invited,
        guardians_answered=row.guardians_answered,
        followup_due=row.followup_due,
        open_concerns=row.open_concerns,
    )


def caseload(
    *,
    session: Session,
    staff: Staff,
    search: str = "",
    status: str | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
    today: date | None = None,
    concern: bool = False,
) -> Caseload:
    """One page of the children the staff member may see, each with its status.

    At most three queries whatever the number of children. Without a status filter: how
    many, how many are due for follow-up (both from indexes), then the figures of the page's
    children only. With a filter every child's status is computed, once, and the page
    carries the total (a window count).
    """
    today = today or utcnow().date()
    search = " ".join(search.split())[:80]
    status = status if status in STATUSES else None
    if staff.role not in ("admin", "barnkontakt"):
        return Caseload([], 0, 1, 1, per_page, 0, search, status)
    where = _children(staff, search)
    due = col(Child.followup_due) <= today
    # One query for both counts the page shows above the list.
    followups, with_concern = session.execute(
        sa_select(func.count(case((due, 1))), func.count(case((concerns.open_exists(), 1))))
        .select_from(Child)
        .where(*where)
    ).one()
    if concern:
        where.append(concerns.open_exists())
    if status == "followup_due" and not concern:
        where.append(due)
        total = followups
    else:
        if status == "followup_due":
            where.append(due)
        elif status is not None:
            # Follow-up due comes first whatever the stored stage: the date alone decides it.
            not_due = or_(col(Child.followup_due).is_(None), col(Child.followup_due) > today)
            where += [col(Child.stage) == status, not_due]
        total = session.exec(select(func.count()).select_from(Child).where(*where)).one()
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, page), pages)
    ids = (
        select(Child.id)
        .where(*where)
        .order_by(col(Child.name), col(Child.id))
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    rows = stages.status_query([col(Child.id).in_(ids)], today)
    open_concerns = (
        sa_select(func.count())
        .select_from(SafetyConcern)
        .join(Conversation, col(Conversation.id) == SafetyConcern.conversation_id)
        .where(col(Conversation.child_id) == rows.c.id, concerns.is_open())
        .scalar_subquery()
        .label("open_concerns")
    )
    query = sa_select(rows, open_concerns).order_by(rows.c.name, rows.c.id)
    found = [_row(row, today) for row in session.execute(query).all()]
    return Caseload(
        found, total, page, pages, per_page, followups, search, status, concern, with_concern
    )


def status_of(*, session: Session, child: Child, today: date | None = None) -> str:
    """Where one child stands (the caseload's status), for the child page."""
    rows = stages.status_query([col(Child.id) == child.id], today or utcnow().date())
    found = session.exec(select(rows.c.status)).first()  # type: ignore[call-overload]
    return str(found) if found else "none"
