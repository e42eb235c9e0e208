"""Gallring: erasing the data of every child whose retention period has passed.

The period (months, set by the admin: samtal/settings.py) counts from the child's last
activity, the newest of: the child registered, a guardian added or invited, a consent
recorded or withdrawn, a conversation started, answered, paused or ended, a safety concern
reported or decided, a summary draft saved, a summary signed. Viewing is not activity. When
the period has passed since then, everything about the child goes at once, the registration
and the consents too: the
conversations are what a follow-up compares with, and once the child has been out of the
support process for the whole period nothing is left to keep the registration for. The
summary that belongs in Barnets plan has been exported there by then; an export kept outside
Samtal is the municipality's own record, under its own plan.

A child with an open safety concern (no orosanmälan and no reasoned decision yet) is held,
however long ago: a concern is never erased unanswered. Once it is answered the period counts
from then.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from samtal import audit
from samtal.conversation import concerns
from samtal.models import (
    AuditEntry,
    Child,
    Consent,
    Conversation,
    Guardian,
    Invitation,
    SafetyConcern,
    SummaryDraft,
    SummaryVersion,
    utcnow,
)
from samtal.records import erasure
from samtal.records.owned import owned_rows

RUN = "gallring_run"


@dataclass(frozen=True)
class Due:
    """A child whose retention period has passed: the number, the last activity, the rows;
    held: not erased, for an open safety concern."""

    child_id: int
    last_activity: datetime
    rows: dict[str, int] = field(default_factory=dict)
    held: bool = False


def utc(moment: datetime) -> datetime:
    """A stored time as aware UTC (SQLite and PostgreSQL give them back without a zone)."""
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def cutoff(months: int, now: datetime) -> datetime:
    """The same moment this many calendar months earlier (the 31st becomes the month's last)."""
    index = now.year * 12 + now.month - 1 - months
    year, month = divmod(index, 12)
    day = min(now.day, calendar.monthrange(year, month + 1)[1])
    return now.replace(year=year, month=month + 1, day=day)


def last_activities(session: Session) -> dict[int, datetime]:
    """Each child's last activity (see the module's docstring), in UTC."""
    latest = {
        child_id: utc(moment)
        for child_id, moment in session.execute(select(Child.id, Child.created_at)).all()
    }
    newest_per_child = [
        select(Conversation.child_id, func.max(Conversation.updated_at)),
        select(Conversation.child_id, func.max(Conversation.finished_at)),
        select(Guardian.child_id, func.max(Guardian.created_at)),
        select(Guardian.child_id, func.max(Invitation.created_at)).join(
            Guardian, col(Guardian.id) == Invitation.guardian_id
        ),
        select(Consent.child_id, func.max(Consent.created_at)),
        select(Consent.child_id, func.max(Consent.withdrawn_at)),
        *(
            select(Conversation.child_id, func.max(answered)).join(
                Conversation, col(Conversation.id) == SafetyConcern.conversation_id
            )
            for answered in (SafetyConcern.report_made_at, SafetyConcern.decided_at)
        ),
        select(SummaryDraft.child_id, func.max(SummaryDraft.updated_at)),
        select(SummaryVersion.child_id, func.max(SummaryVersion.signed_at)),
    ]
    for query in newest_per_child:
        grouped = query.group_by(query.selected_columns[0])
        for child_id, moment in session.execute(grouped).all():
            if moment is not None and child_id in latest:
                latest[child_id] = max(latest[child_id], utc(moment))
    return latest


def due(*, session: Session, months: int, now: datetime | None = None) -> list[Due]:
    """The children whose last activity is longer ago than the period, by number; those with
    an open safety concern are marked held."""
    limit = cutoff(months, utc(now or utcnow()))
    held = set(session.exec(select(Child.id).where(concerns.open_exists())).all())
    return [
        Due(child_id, moment, held=child_id in held)
        for child_id, moment in sorted(last_activities(session).items())
        if moment < limit
    ]


def gallra(
    *, session: Session, months: int, dry_run: bool, now: datetime | None = None
) -> list[Due]:
    """Erase every child that is due (or, as a dry run, only count what would go); returns
    each child with its rows per table, and the held ones without rows. A real run leaves one
    audit entry per erased child and one for the run, none naming anyone."""
    found = []
    for item in due(session=session, months=months, now=now):
        child = session.get(Child, item.child_id)
        if child is None:  # erased meanwhile, by an admin or a run on another server
            continue
        if item.held:
            found.append(item)
            continue
        if dry_run:
            rows = {table: len(ids) for table, ids in owned_rows(session, item.child_id).items()}
        else:
            rows = erasure.erase_child(session=session, child=child, category=erasure.GALLRING)
        found.append(Due(item.child_id, item.last_activity, rows))
    if not dry_run:
        held = sum(item.held for item in found)
        detail = f"{len(found) - held} barn; gallringstid {months} månader"
        audit.record(RUN, detail=detail + (f"; {held} hålls kvar (öppen oro)" if held else ""))
    return found


def last_run(session: Session) -> datetime | None:
    """When gallring last ran (a real run), or None."""
    moment = session.exec(select(func.max(AuditEntry.at)).where(AuditEntry.action == RUN)).one()
    return utc(moment) if moment is not None else None
