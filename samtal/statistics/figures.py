"""The statistics of one year: every measure split by age band and by unit, protected.

compute() runs the queries (samtal.statistics.queries), puts the counts into tables (one per
measure and split, the total row shared), and suppresses (samtal.statistics.suppression) so
that no published figure, alone or combined with any other figure of the year in either
split, gives away a group of fewer than 5 children. The page and the CSV read published(),
which has no hidden count left in it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, select

from samtal.conversation.engine import Given
from samtal.conversation.followup import direction, level
from samtal.flows import SKIP_VALUES, FlowLibrary
from samtal.models import Unit
from samtal.statistics import queries
from samtal.statistics.suppression import SHOWN, THRESHOLD, TOTAL, Cell, Table, protect
from samtal.summary.build import AGREEMENTS, DECISIONS, agreement

SPLITS = ("age", "unit")
OTHER_UNITS = "other"  # units with fewer than 5 children in the year, and children with none
RATING_COLUMNS = ("low", "middle", "high", "vet_inte", "vill_inte_svara")
CHANGE_COLUMNS = ("better", "same", "worse", "kan_inte_jamforas")
DECISION_COLUMNS = (*DECISIONS, "inget")
_low, _high = queries.DAY_BUCKETS
TIME_COLUMNS = (f"0-{_low}", f"{_low + 1}-{_high}", f"{_high + 1}-")
WISHES_SHOWN = 5
SIGNED = ("decisions", "time")
Wishes = dict[str, list[tuple[str, int | None]]]


@dataclass
class Figures:
    """One year's protected tables: by measure and split; and the most chosen wishes."""

    year: int
    rows: dict[str, list[str]]  # split → its groups in order (age band keys, unit ids)
    unit_names: dict[str, str]
    tables: dict[str, dict[str, Table]] = field(default_factory=dict)  # measure → split → table
    status: dict[Cell, str] = field(default_factory=dict)
    # area → the most chosen options (Swedish text, children; None when fewer than 5)
    wishes: Wishes = field(default_factory=dict)

    def figure(self, measure: str, split: str, row: str, column: str) -> int | None:
        """A published count, or None when it is hidden."""
        table = self.tables[measure][split]
        cell = table.cell(row, column)
        return table.value(row, column) if self.status.get(cell, SHOWN) == SHOWN else None

    def state(self, measure: str, split: str, row: str, column: str) -> str:
        """shown, small (1–4) or hidden (to protect another figure)."""
        return self.status.get(self.tables[measure][split].cell(row, column), SHOWN)


def rating_column(
    flows: FlowLibrary, flow_id: str, version: int, status: str, value: str | None
) -> str | None:
    """A rating in the coarse categories every scale shares: the lower side, the middle, the
    upper side, or the skip as such; None for a value not on the scale of its flow's version."""
    if status in SKIP_VALUES:
        return status
    flow = flows.get(flow_id, version)
    found = level(flow, Given(status, value)) if flow else None
    if found is None:
        return None
    if abs(found - 0.5) < 1e-9:
        return "middle"
    return "low" if found < 0.5 else "high"


class Positions(dict[str, float | None]):
    """A rating's place on its scale (0…1; None for a skip), worked out once per distinct
    answer: the same few answers come back for thousands of children."""

    def __init__(self, flows: FlowLibrary):
        super().__init__()
        self.flows = flows

    def __missing__(self, joined: str) -> float | None:
        flow_id, version, status, value = queries.answer_parts(joined)
        flow = self.flows.get(flow_id, version)
        found = self[joined] = level(flow, Given(status, value)) if flow else None
        return found


def compute(session: Session, flows: FlowLibrary, year: int, cutoff: datetime) -> Figures:
    """Count, split and protect every measure of the year (conversations before the cutoff)."""
    span = queries.period(year, cutoff)
    counts: list[queries.Count] = []
    counts += queries.activity(session, flows, span)
    counts += queries.signed(session, flows, span)
    for audience in ("child", "guardian"):
        for rated in queries.ratings(session, flows, span, audience):
            column = rating_column(
                flows, rated.flow_id, rated.flow_version, rated.status, rated.value
            )
            if column is not None:
                name = f"{audience}.{rated.area}"
                counts.append(queries.Count(name, rated.band, rated.unit, column, rated.children))
    position = Positions(flows)
    for pair in queries.child_and_guardian(session, flows, span):
        found = agreement({"position": position[pair.first]}, {"position": position[pair.second]})
        counts.append(
            queries.Count(f"agreement.{pair.area}", pair.band, pair.unit, found, pair.children)
        )
    for pair in queries.followups(session, flows, span):
        went = direction(position[pair.second], position[pair.first])
        column = went or "kan_inte_jamforas"
        counts.append(
            queries.Count(f"change.{pair.area}", pair.band, pair.unit, column, pair.children)
        )
    figures = _tables(session, flows, year, counts)
    figures.wishes = _wishes(flows, queries.wishes(session, flows, span))
    return figures


def _columns(measure: str) -> tuple[tuple[str, ...], bool]:
    """A measure's columns, and whether each child is in exactly one of them."""
    kind = measure.split(".")[0]
    return {
        "activity": (queries.ACTIVITY, False),
        "decisions": (DECISION_COLUMNS, True),
        "time": (TIME_COLUMNS, True),
        "child": (RATING_COLUMNS, True),
        "guardian": (RATING_COLUMNS, True),
        "agreement": (AGREEMENTS, True),
        "change": (CHANGE_COLUMNS, True),
    }[kind]


def _tables(
    session: Session, flows: FlowLibrary, year: int, counts: Iterable[queries.Count]
) -> Figures:
    """Counts into tables per measure and split (small units pooled), then protected."""
    counts = list(counts)
    per_unit: Counter[int | None] = Counter()
    for count in counts:
        if count.measure == "activity" and count.column == "samtal":
            per_unit[count.unit] += count.children
    units = session.exec(select(Unit)).all()
    own_rows = sorted(
        (unit for unit in units if per_unit.get(unit.id, 0) >= THRESHOLD),
        key=lambda unit: unit.name.casefold(),
    )
    unit_rows = [str(unit.id) for unit in own_rows]
    band_rows = [queries.band_key(ages) for ages in queries.bands(flows)]
    if any(count.band not in band_rows for count in counts):
        band_rows.append("other")
    if any(str(count.unit) not in unit_rows for count in counts):
        unit_rows.append(OTHER_UNITS)
    figures = Figures(
        year=year,
        rows={"age": band_rows, "unit": unit_rows},
        unit_names={str(unit.id): f"{unit.name}" for unit in own_rows},
    )
    cells: dict[str, dict[str, Counter[tuple[str, str]]]] = defaultdict(
        lambda: {split: Counter() for split in SPLITS}
    )
    for count in counts:
        unit_row = str(count.unit) if str(count.unit) in figures.unit_names else OTHER_UNITS
        band_row = count.band if count.band in band_rows else "other"
        for split, row in (("age", band_row), ("unit", unit_row)):
            found = cells[count.measure][split]
            found[(row, count.column)] += count.children
            found[(TOTAL, count.column)] += count.children
    for measure, by_split in cells.items():
        columns, additive = _columns(measure)
        figures.tables[measure] = {}
        for split, found in by_split.items():
            if additive:
                for (row, _column), children in list(found.items()):
                    found[(row, TOTAL)] += children
            figures.tables[measure][split] = Table(
                measure, split, figures.rows[split], list(columns), dict(found), additive
            )
    # Decisions and time to summary count the same children: protected together.
    for measure, tables in figures.tables.items():
        if measure in SIGNED:
            for table in tables.values():
                table.population = "signed"
        else:
            figures.status.update(protect(tables.values()))
    signed = [table for measure in SIGNED for table in figures.tables.get(measure, {}).values()]
    figures.status.update(protect(signed))
    return figures


def _wishes(flows: FlowLibrary, wished: list[queries.Wished]) -> Wishes:
    """Per area, the options chosen by most children (fewer than 5: shown as such)."""
    per_area: dict[str, Counter[str]] = defaultdict(Counter)
    for row in wished:
        flow = flows.get(row.flow_id, row.flow_version)
        step = flow.step(row.step_id) if flow else None
        if flow is None or step is None:
            continue
        texts = {option.value: option.text for option in flow.options_for(step)}
        for value in row.values:
            if value in texts:
                per_area[row.area][texts[value]] += row.children
    return {
        area: [
            (text, children if children >= THRESHOLD else None)
            for text, children in counter.most_common(WISHES_SHOWN)
        ]
        for area, counter in per_area.items()
    }


def published(figures: Figures) -> Figures:
    """The figures as anyone may see them: every hidden count gone (kept as 0)."""
    tables = {
        measure: {
            split: Table(
                table.measure,
                table.split,
                table.rows,
                table.columns,
                {
                    key: value
                    for key, value in table.counts.items()
                    if figures.status.get(table.cell(*key), SHOWN) == SHOWN
                },
                table.additive,
                table.population,
            )
            for split, table in by_split.items()
        }
        for measure, by_split in figures.tables.items()
    }
    return Figures(
        figures.year, figures.rows, figures.unit_names, tables, figures.status, figures.wishes
    )


def to_json(figures: Figures) -> dict:
    """Published figures as JSON, to keep for the day where every app process finds them."""
    figures = published(figures)
    return {
        "year": figures.year,
        "rows": figures.rows,
        "unit_names": figures.unit_names,
        "tables": [
            {
                "measure": t.measure,
                "split": t.split,
                "columns": t.columns,
                "additive": t.additive,
                "population": t.population,
                "counts": [[row, column, value] for (row, column), value in t.counts.items()],
            }
            for by_split in figures.tables.values()
            for t in by_split.values()
        ],
        "status": [[*cell, state] for cell, state in figures.status.items() if state != SHOWN],
        "wishes": figures.wishes,
    }


def from_json(data: dict) -> Figures:
    """Figures kept by to_json."""
    figures = Figures(
        year=data["year"],
        rows=data["rows"],
        unit_names=data["unit_names"],
        status={tuple(cell[:-1]): cell[-1] for cell in data["status"]},
        wishes={area: [(text, n) for text, n in chosen] for area, chosen in data["wishes"].items()},
    )
    for t in data["tables"]:
        table = Table(
            t["measure"],
            t["split"],
            figures.rows[t["split"]],
            t["columns"],
            {(row, column): value for row, column, value in t["counts"]},
            t["additive"],
            t["population"],
        )
        figures.tables.setdefault(table.measure, {})[table.split] = table
    return figures
