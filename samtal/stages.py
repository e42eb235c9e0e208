"""Where a child stands in the process: the one status rule (a query), and the stored stage.

The caseload shows and filters by this status. Filtering 10,000 children cannot compute every
child's status for each page, so each child keeps its stage (the status apart from follow-up,
which depends on the day), worked out again in the same transaction whenever a flush touches the
child's conversations or summaries. `install` adds that flush hook; `db.init_app` calls it, so
the rule holds whatever modules happen to be imported.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import and_, bindparam, case, distinct, event, func, or_, update
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col

from samtal.models import Child, Conversation, Staff, SummaryDraft, SummaryVersion, Unit


def status_query(where: list[ColumnElement], today: date):
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


STAGE_SOURCES = (Conversation, SummaryDraft, SummaryVersion)


def refresh_stages(connection: Connection, child_ids: Iterable[int]) -> None:
    """Store each child's stage as the caseload's status query works it out now."""
    ids = sorted(set(child_ids))
    for start in range(0, len(ids), 500):
        # On date.min no follow-up is due: the status is then the stage.
        rows = status_query([col(Child.id).in_(ids[start : start + 500])], date.min)
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


def _refresh_touched_stages(session: Session, _context) -> None:
    touched = {
        item.child_id
        for item in (*session.new, *session.deleted)
        if isinstance(item, STAGE_SOURCES)
    } | {item.child_id for item in session.dirty if _moves_stage(item)}
    if touched:
        refresh_stages(session.connection(), touched)


def install() -> None:
    """Keep every child's stored stage true after each flush (once per process)."""
    if not event.contains(Session, "after_flush", _refresh_touched_stages):
        event.listen(Session, "after_flush", _refresh_touched_stages)
