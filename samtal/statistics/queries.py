"""Counting children in the database: every figure a GROUP BY, the same on SQLite and PostgreSQL.

Each query returns counts of children per age band, unit and category, never a row per
child, and never a word anyone wrote. Which conversation counts for a child in a period is
fixed here: the child's latest one of the kind asked for that started in the period (so a
child counts once per figure). Answers are read as they are now (their current revision).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import String, and_, case, cast, exists, func, literal, select, union_all
from sqlalchemy.sql import ColumnElement, FromClause, Select
from sqlmodel import Session

from samtal.flows import FlowLibrary
from samtal.models import Answer, Child, Conversation, SafetyConcern, SummaryVersion

conversation = Conversation.__table__  # type: ignore[attr-defined]
answer = Answer.__table__  # type: ignore[attr-defined]
child = Child.__table__  # type: ignore[attr-defined]
concern = SafetyConcern.__table__  # type: ignore[attr-defined]
version = SummaryVersion.__table__  # type: ignore[attr-defined]
# Time from registration to the first signed summary, in days: the buckets' upper bounds.
DAY_BUCKETS = (30, 90)


@dataclass(frozen=True)
class Period:
    """A calendar year, cut at the moment the figures are counted up to."""

    year: int
    start: datetime
    end: datetime  # exclusive


def period(year: int, cutoff: datetime) -> Period:
    """The year as a period, ending at the cutoff when the year is not over yet."""
    start = datetime(year, 1, 1, tzinfo=UTC)
    return Period(year, start, min(datetime(year + 1, 1, 1, tzinfo=UTC), cutoff))


def years(session: Session, cutoff: datetime) -> list[int]:
    """The years with conversations before the cutoff, latest first."""
    first, last = session.execute(
        select(func.min(conversation.c.created_at), func.max(conversation.c.created_at)).where(
            conversation.c.created_at < cutoff
        )
    ).one()
    if first is None:
        return []
    return list(range(_as_date(last).year, _as_date(first).year - 1, -1))


def _as_date(moment: datetime | str) -> date:
    return moment.date() if isinstance(moment, datetime) else date.fromisoformat(moment[:10])


@dataclass(frozen=True)
class Count:
    """Children in one cell: a measure, the age band and unit they are counted in, a column."""

    measure: str
    band: str
    unit: int | None
    column: str
    children: int


# ------------------------------------------------------------------------ building blocks


def framework_id(flows: FlowLibrary) -> str:
    """The framework counted: the installation's, whose flows are the ones given
    (settings.installed_flows); with every framework's flows, the one most of them use."""
    used = Counter(flow.framework.id for flow in flows.for_audience("child"))
    return used.most_common(1)[0][0]


def bands(flows: FlowLibrary) -> list[tuple[int, int]]:
    """The age bands of the children's first flows, youngest first."""
    chosen = framework_id(flows)
    return sorted({flow.ages for flow in flows.for_audience("child", chosen)})


def band_key(ages: tuple[int, int]) -> str:
    """An age band as a key, e.g. '7-9'."""
    return f"{ages[0]}-{ages[1]}"


def _band(flows: FlowLibrary, age: ColumnElement) -> ColumnElement:
    """The age band of an age, as its key; 'other' outside every band."""
    return case(
        *[(age.between(first, last), band_key((first, last))) for first, last in bands(flows)],
        else_="other",
    )


def _in(column: ColumnElement, span: Period) -> ColumnElement:
    return and_(column >= span.start, column < span.end)


def _flow_ids(flows: FlowLibrary, audience: str, purpose: str | None) -> list[str]:
    """The ids of the counted framework's flows for this audience and purpose, retired too."""
    chosen = framework_id(flows)
    return sorted(
        {
            flow.id
            for flow in flows.every_version()
            if flow.audience == audience
            and flow.framework.id == chosen
            and purpose in (None, flow.purpose)
        }
    )


def _latest(span: Period, flow_ids: list[str], guardians: bool) -> FromClause:
    """Per child, the latest conversation of these flows that started in the period (id)."""
    c = conversation
    whose = c.c.guardian_id.is_not(None) if guardians else c.c.guardian_id.is_(None)
    return (
        select(c.c.child_id, func.max(c.c.id).label("id"))
        .where(c.c.flow_id.in_(flow_ids), whose, _in(c.c.created_at, span))
        .group_by(c.c.child_id)
        .subquery()
    )


def _steps(flows: FlowLibrary, wishes: bool = False) -> dict[str, str]:
    """Step id → area of each area's rating step (or of its wish steps) in the counted flows,
    in every version kept.

    Steps are found by their summary role (samtal/flows/kinds.ROLES), never by their id."""
    found: dict[str, str] = {}
    chosen = framework_id(flows)
    for flow in flows.every_version():
        if flow.framework.id != chosen:
            continue
        for area_id, steps in flow.area_steps.items():
            if wishes:
                picked = [s for s in steps if s.kind == "choice" and s.summary == "wishes"]
            else:
                picked = [s for s in steps if s.summary == "rating"]
            found.update((step.id, area_id) for step in picked)
    return found


def _answers(flows: FlowLibrary, chosen: FromClause, steps: dict[str, str]) -> FromClause:
    """The current answers of the chosen conversations to these steps, with band and unit
    (and whatever else `chosen` carries beside the conversation's id)."""
    c, a = conversation.alias(), answer.alias()
    extra = [column for column in chosen.c if column.name not in ("id", "child_id")]
    return (
        select(
            c.c.child_id,
            _band(flows, c.c.age).label("band"),
            child.c.unit_id,
            case(steps, value=a.c.step_id).label("area"),
            a.c.step_id,
            c.c.flow_id,
            c.c.flow_version,
            a.c.status,
            cast(a.c.value, String).label("value"),
            *extra,
        )
        .select_from(
            chosen.join(c, c.c.id == chosen.c.id)
            .join(child, child.c.id == c.c.child_id)
            .join(a, a.c.conversation_id == c.c.id)
        )
        .where(a.c.replaced_at.is_(None), a.c.part == "answer", a.c.step_id.in_(list(steps)))
        .subquery()
    )


@dataclass(frozen=True)
class Rated:
    """Children who gave one rating (or a skip), by band, unit, area, flow and the answer."""

    band: str
    unit: int | None
    area: str
    flow_id: str
    flow_version: int
    status: str
    value: str | None  # the scale value, as stored
    children: int


def ratings(session: Session, flows: FlowLibrary, span: Period, audience: str) -> list[Rated]:
    """How children (or, counted per child, their guardians) rated each area in first
    conversations: one row per band, unit, area and answer."""
    chosen = _latest(span, _flow_ids(flows, audience, "first"), audience == "guardian")
    given = _answers(flows, chosen, _steps(flows))
    query = select(
        given.c.band,
        given.c.unit_id,
        given.c.area,
        given.c.flow_id,
        given.c.flow_version,
        given.c.status,
        given.c.value,
        func.count(func.distinct(given.c.child_id)),
    ).group_by(
        given.c.band,
        given.c.unit_id,
        given.c.area,
        given.c.flow_id,
        given.c.flow_version,
        given.c.status,
        given.c.value,
    )
    return [
        Rated(b, u, ar, f, fv, s, _scalar(v), n)
        for b, u, ar, f, fv, s, v, n in session.execute(query).all()
    ]


def _scalar(stored: str | None) -> str | None:
    """A stored answer's value read back from its JSON text."""
    if stored is None:
        return None
    value = json.loads(stored)
    return value if isinstance(value, str) else None


@dataclass(frozen=True)
class Pair:
    """Children whose two ratings of an area came out this way (first, then second)."""

    band: str
    unit: int | None
    area: str
    first: str  # "flow|version|status|value as JSON": see answer_parts
    second: str
    children: int


def _pairs(session: Session, flows: FlowLibrary, first: Select, second: Select) -> list[Pair]:
    """Two ratings of an area per child, counted per combination: first and second are
    (conversation id, child id) of the conversations compared, one of each per child.

    One pass over the answers of both (grouped per child and area, each side picked out by a
    CASE), never a join of two derived tables: that join has no index to use."""
    sides = union_all(
        first.add_columns(literal(1).label("side")), second.add_columns(literal(2).label("side"))
    ).subquery()
    given = _answers(flows, sides, _steps(flows))

    def side(number: int, column: ColumnElement) -> ColumnElement:
        return func.max(case((given.c.side == number, column)))

    answer_text = (
        given.c.flow_id
        + "|"
        + cast(given.c.flow_version, String)
        + "|"
        + given.c.status
        + "|"
        + func.coalesce(given.c.value, "")
    )
    per_child = (
        select(
            side(1, given.c.band).label("band"),
            given.c.unit_id,
            given.c.area,
            side(1, answer_text).label("first"),
            side(2, answer_text).label("second"),
        )
        .group_by(given.c.child_id, given.c.unit_id, given.c.area)
        .subquery()
    )
    query = (
        select(
            per_child.c.band,
            per_child.c.unit_id,
            per_child.c.area,
            per_child.c.first,
            per_child.c.second,
            func.count(),
        )
        .where(per_child.c.first.is_not(None), per_child.c.second.is_not(None))
        .group_by(*per_child.c)
    )
    return [
        Pair(band, unit, area, one, two, n)
        for band, unit, area, one, two, n in session.execute(query).all()
    ]


def answer_parts(joined: str) -> tuple[str, int, str, str | None]:
    """flow|version|status|value back into its parts (the value read from its JSON text)."""
    flow_id, version, status, stored = joined.split("|", 3)
    return flow_id, int(version), status, _scalar(stored or None)


def _latest_ids(span: Period, flow_ids: list[str], guardians: bool) -> Select:
    chosen = _latest(span, flow_ids, guardians)
    return select(chosen.c.id, chosen.c.child_id)


def child_and_guardian(session: Session, flows: FlowLibrary, span: Period) -> list[Pair]:
    """Per area, the child's rating beside a guardian's, in first conversations of the period."""
    children = _latest_ids(span, _flow_ids(flows, "child", "first"), guardians=False)
    guardians = _latest_ids(span, _flow_ids(flows, "guardian", "first"), guardians=True)
    return _pairs(session, flows, children, guardians)


def followups(session: Session, flows: FlowLibrary, span: Period) -> list[Pair]:
    """Per area, the child's rating in the follow-up of the period beside the one before it
    (the latest completed conversation of the child's own before the follow-up)."""
    chosen = _latest(span, _flow_ids(flows, "child", "followup"), guardians=False)
    after, before = conversation.alias("after"), conversation.alias("before")
    previous = (
        select(before.c.id)
        .where(
            before.c.child_id == after.c.child_id,
            before.c.guardian_id.is_(None),
            before.c.status == "completed",
            before.c.id < after.c.id,
        )
        .order_by(before.c.created_at.desc(), before.c.id.desc())
        .limit(1)
        .correlate(after)
        .scalar_subquery()
    )
    earlier = select(previous.label("id"), after.c.child_id).select_from(
        chosen.join(after, after.c.id == chosen.c.id)
    )
    return _pairs(session, flows, select(chosen.c.id, chosen.c.child_id), earlier)


ACTIVITY = ("samtal", "forsta", "uppfoljning", "vardnadshavare", "orosanmalan")


def activity(session: Session, flows: FlowLibrary, span: Period) -> list[Count]:
    """Children with a conversation of their own in the period, and of those how many had a
    first conversation, a follow-up, a guardian who answered, an orosanmälan reminder."""
    c = conversation
    everyone = _latest(span, _flow_ids(flows, "child", None), guardians=False)
    own = c.alias("own")
    other = c.alias("other")

    def has(*conditions: ColumnElement) -> ColumnElement:
        found = exists().where(other.c.child_id == own.c.child_id, *conditions)
        return func.sum(case((found, 1), else_=0))

    def own_flows(purpose: str) -> ColumnElement:
        chosen = other.c.flow_id.in_(_flow_ids(flows, "child", purpose))
        return and_(other.c.guardian_id.is_(None), chosen)

    in_period = _in(other.c.created_at, span)
    marked = exists().where(
        concern.c.conversation_id == other.c.id,
        other.c.child_id == own.c.child_id,
        _in(concern.c.created_at, span),
    )
    query = (
        select(
            _band(flows, own.c.age).label("band"),
            child.c.unit_id,
            func.count(),
            has(own_flows("first"), in_period),
            has(own_flows("followup"), in_period),
            has(other.c.guardian_id.is_not(None), other.c.status == "completed", in_period),
            func.sum(case((marked, 1), else_=0)),
        )
        .select_from(
            everyone.join(own, own.c.id == everyone.c.id).join(child, child.c.id == own.c.child_id)
        )
        .group_by("band", child.c.unit_id)
    )
    return [
        Count("activity", band, unit, column, int(children or 0))
        for band, unit, *figures in session.execute(query).all()
        for column, children in zip(ACTIVITY, figures, strict=True)
    ]


def _days(session: Session, later: ColumnElement, earlier: ColumnElement) -> ColumnElement:
    """Days between two moments, in SQL of the session's database."""
    if session.get_bind().dialect.name == "sqlite":
        return func.julianday(later) - func.julianday(earlier)
    return func.extract("epoch", later - earlier) / 86400


def signed(session: Session, flows: FlowLibrary, span: Period) -> list[Count]:
    """Children with a summary signed in the period (and a conversation of their own in it):
    the next step (beslut) of the latest one, and the days from registration to the first."""
    everyone = _latest(span, _flow_ids(flows, "child", None), guardians=False)
    own = conversation.alias("own")
    latest = (
        select(version.c.child_id, func.max(version.c.number).label("number"))
        .where(_in(version.c.signed_at, span))
        .group_by(version.c.child_id)
        .subquery()
    )
    first = (
        select(version.c.child_id, func.min(version.c.signed_at).label("signed_at"))
        .group_by(version.c.child_id)
        .subquery()
    )
    days = _days(session, first.c.signed_at, child.c.created_at)
    bucket = case(
        (days <= DAY_BUCKETS[0], f"0-{DAY_BUCKETS[0]}"),
        (days <= DAY_BUCKETS[1], f"{DAY_BUCKETS[0] + 1}-{DAY_BUCKETS[1]}"),
        else_=f"{DAY_BUCKETS[1] + 1}-",
    )
    decision = version.c.content[("decision", "code")].as_string()
    query = (
        select(
            _band(flows, own.c.age).label("band"),
            child.c.unit_id,
            decision.label("decision"),
            bucket.label("bucket"),
            func.count(),
        )
        .select_from(
            everyone.join(own, own.c.id == everyone.c.id)
            .join(child, child.c.id == own.c.child_id)
            .join(latest, latest.c.child_id == own.c.child_id)
            .join(
                version,
                and_(version.c.child_id == latest.c.child_id, version.c.number == latest.c.number),
            )
            .join(first, first.c.child_id == own.c.child_id)
        )
        .group_by("band", child.c.unit_id, "decision", "bucket")
    )
    found = []
    for band, unit, code, span_of_days, children in session.execute(query):
        found.append(Count("decisions", band, unit, code or "inget", children))
        found.append(Count("time", band, unit, span_of_days, children))
    return found


@dataclass(frozen=True)
class Wished:
    """Children who chose these options on an area's "what would make it better" step."""

    area: str
    flow_id: str
    flow_version: int
    step_id: str
    values: tuple[str, ...]
    children: int


def wishes(session: Session, flows: FlowLibrary, span: Period) -> list[Wished]:
    """What would make it better, per area, in the children's first conversations."""
    chosen = _latest(span, _flow_ids(flows, "child", "first"), guardians=False)
    given = _answers(flows, chosen, _steps(flows, wishes=True))
    query = (
        select(
            given.c.area,
            given.c.flow_id,
            given.c.flow_version,
            given.c.step_id,
            given.c.value,
            func.count(func.distinct(given.c.child_id)),
        )
        .where(given.c.status == "answered")
        .group_by(
            given.c.area, given.c.flow_id, given.c.flow_version, given.c.step_id, given.c.value
        )
    )
    found = []
    for area, flow_id, version, step_id, stored, children in session.execute(query):
        value = json.loads(stored) if stored else []
        chosen_values = tuple(value) if isinstance(value, list) else (value,)
        found.append(Wished(area, flow_id, version, step_id, chosen_values, children))
    return found
