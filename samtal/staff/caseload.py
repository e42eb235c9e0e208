"""The caseload: the children a staff member may see, each with where it stands in the process.

The status per child is computed by the database in one query (grouped subqueries joined to
the children), so a page costs the same number of queries at 100 children as at 10,000; the
composite indexes on child (barnkontakt_id, name) and conversation (child_id, guardian_id,
status) keep it fast.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, bindparam, case, distinct, event, func, or_, true, update
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from samtal import concerns
from samtal.models import (
    Child,
    Conversation,
    SafetyConcern,
    Staff,
    SummaryDraft,
    SummaryVersion,
    Unit,
    utcnow,
)
from samtal.staff.children import age_from, name_contains

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


def _with_status(where: list[ColumnElement], today: date):
    """The children matching `where`, each with its figures and status, as a subquery.

    The figures are correlated subqueries that each read one covering index, so they cost
    only for the children actually read: fifty for a page, all of them only to filter.
    """
    own = Conversation.child_id == Child.id
    childs = col(Conversation.guardian_id).is_(None)
    guardians = col(Conversation.guardian_id).is_not(None)
    completed = Conversation.status == "completed"
    guardian = distinct(col(Conversation.guardian_id))

    def figure(column, *condition):
        return sa_select(column).where(*condition).correlate(Child).scalar_subquery()

    figures = (
        sa_select(
            col(Child.id).label("id"),
            col(Child.name).label("name"),
            col(Child.birth_date).label("birth_date"),
            col(Child.birth_year).label("birth_year"),
            col(Child.followup_due).label("followup_due"),
            col(Unit.name).label("unit"),
            col(Staff.name).label("barnkontakt"),
            figure(func.count(), own, childs).label("child_conversations"),
            figure(func.count(), own, childs, completed).label("child_done"),
            figure(func.count(guardian), own, guardians).label("guardians_invited"),
            figure(func.count(guardian), own, guardians, completed).label("guardians_answered"),
            figure(func.max(SummaryDraft.updated_at), SummaryDraft.child_id == Child.id).label(
                "draft_at"
            ),
            figure(func.max(SummaryVersion.signed_at), SummaryVersion.child_id == Child.id).label(
                "signed_at"
            ),
            sa_select(func.count())
            .select_from(SafetyConcern)
            .join(Conversation, col(Conversation.id) == SafetyConcern.conversation_id)
            .where(col(Conversation.child_id) == Child.id, concerns.is_open())
            .correlate(Child)
            .scalar_subquery()
            .label("open_concerns"),
        )
        .select_from(Child)
        .outerjoin(Unit, col(Unit.id) == Child.unit_id)
        .outerjoin(Staff, col(Staff.id) == Child.barnkontakt_id)
        .where(*where)
        .subquery("figures")
    )
    row = figures.c
    status = case(
        (and_(row.followup_due.is_not(None), row.followup_due <= today), "followup_due"),
        (
            and_(
                row.signed_at.is_not(None),
                or_(row.draft_at.is_(None), row.draft_at <= row.signed_at),
            ),
            "signed",
        ),
        (row.draft_at.is_not(None), "summary_draft"),
        (
            and_(row.guardians_answered > 0, row.guardians_answered == row.guardians_invited),
            "guardians_answered",
        ),
        (row.guardians_invited > 0, "guardians_invited"),
        (row.child_done > 0, "child_done"),
        (row.child_conversations > 0, "child_started"),
        else_="none",
    )
    return sa_select(figures, status.label("status")).subquery("caseload")


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
    rows = _with_status([col(Child.id).in_(ids)], today)
    query = sa_select(rows).order_by(rows.c.name, rows.c.id)
    found = [_row(row, today) for row in session.execute(query).all()]
    return Caseload(
        found, total, page, pages, per_page, followups, search, status, concern, with_concern
    )


def status_of(*, session: Session, child: Child, today: date | None = None) -> str:
    """Where one child stands (the caseload's status), for the child page."""
    rows = _with_status([col(Child.id) == child.id], today or utcnow().date())
    found = session.exec(select(rows.c.status)).first()  # type: ignore[call-overload]
    return str(found) if found else "none"


# The stored stage ----------------------------------------------------------------------------
# Filtering 10,000 children by where they stand cannot compute every child's status for each
# page, so each child keeps its stage (the status apart from follow-up, which depends on the
# day): worked out again, in the same transaction, whenever a flush touches the child's
# conversations or summaries.

STAGE_SOURCES = (Conversation, SummaryDraft, SummaryVersion)


def refresh_stages(connection: Connection, child_ids: Iterable[int]) -> None:
    """Store each child's stage as the caseload's status query works it out now."""
    ids = sorted(set(child_ids))
    for start in range(0, len(ids), 500):
        # On date.min no follow-up is due: the status is then the stage.
        rows = _with_status([col(Child.id).in_(ids[start : start + 500])], date.min)
        stages = connection.execute(sa_select(rows.c.id, rows.c.status)).all()
        if stages:
            connection.execute(
                update(Child)
                .where(col(Child.id) == bindparam("child"))
                .values(stage=bindparam("now")),
                [{"child": child_id, "now": stage} for child_id, stage in stages],
            )


def _moves_stage(item: object) -> bool:
    """Whether a changed row can move its child's stage. An answer touches its conversation
    (updated_at) on every step; only a new status can move the stage, and the refresh is
    kept out of the write transaction of every other step."""
    if isinstance(item, Conversation):
        return bool(sa_inspect(item).attrs.status.history.has_changes())
    return isinstance(item, STAGE_SOURCES)


@event.listens_for(Session, "after_flush")
def _refresh_touched_stages(session: Session, _context) -> None:
    touched = {
        item.child_id
        for item in (*session.new, *session.deleted)
        if isinstance(item, STAGE_SOURCES)
    } | {item.child_id for item in session.dirty if _moves_stage(item)}
    if touched:
        refresh_stages(session.connection(), touched)
