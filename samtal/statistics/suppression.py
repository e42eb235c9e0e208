"""Suppression: no published figure lets anyone work out a group of fewer than 5 children.

The method, in the order it runs (the statistics page says the same in plain Swedish):

1. Every figure is a count of children (never of answers or visits), in fixed, coarse
   categories. A measure is published for one period (a calendar year, no "every year" sum)
   split one way at a time (by age band or by unit), each way with the same total row.
2. Primary suppression: a count of 1 to 4 is hidden and shown as "färre än 5". A total
   (a row's, a column's, the whole table's) is a count like any other.
3. Complementary suppression: every published sum is an equation (a row's cells add up to its
   total, a column's cells to the total row, and the total row is the same in every way of
   splitting). Where an equation has exactly one hidden figure, the smallest other figure in
   it is hidden too ("dold"), until no equation has exactly one.
4. Audit: all equations of a measure, every split together, are solved as a linear system
   with the hidden figures unknown; where that pins a hidden figure down exactly (however
   many equations it takes, e.g. "all units" minus the published units), one more figure
   next to it is hidden and the steps repeat. Nothing published can then be combined into
   the value of a hidden figure.

Measures are protected one at a time, except measures that count the same children (their
totals are one figure): those are protected together. Other measures count different groups
of children (those who answered an area, those with a follow-up …), so no sum ties them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction

THRESHOLD = 5
TOTAL = "total"
SHOWN, SMALL, HIDDEN = "shown", "small", "hidden"

Cell = tuple[str, ...]  # (measure, split, row, column), or (measure, total, column)


@dataclass
class Table:
    """One measure split one way: children per (row, column), with the total row (and, when
    the columns are parts of a whole, the total column)."""

    measure: str
    split: str
    rows: list[str]  # the groups, without the total row
    columns: list[str]
    counts: dict[tuple[str, str], int] = field(default_factory=dict)  # (row, column) → children
    additive: bool = True  # each child in exactly one column: the columns add up to a total
    # Measures that count the same children share their total column: one figure, not two.
    population: str = ""

    def all_columns(self) -> list[str]:
        """The columns as published: the total column last when there is one."""
        return [*self.columns, TOTAL] if self.additive else list(self.columns)

    def cell(self, row: str, column: str) -> Cell:
        """The figure's identity: the total row is the same figure in every split, and the
        total column the same in every measure of one population."""
        measure = self.population or self.measure if column == TOTAL else self.measure
        if row == TOTAL:
            return (measure, TOTAL, column)
        return (measure, self.split, row, column)

    def value(self, row: str, column: str) -> int:
        """Children in a cell (0 when none)."""
        return self.counts.get((row, column), 0)


@dataclass(frozen=True)
class Equation:
    """Published parts that add up to a published total."""

    parts: tuple[Cell, ...]
    total: Cell

    def cells(self) -> tuple[Cell, ...]:
        return (*self.parts, self.total)


def equations(table: Table) -> list[Equation]:
    """The sums a reader can check in one table: down each column, and across each row."""
    found = []
    if table.rows:
        for column in table.all_columns():
            parts = tuple(table.cell(row, column) for row in table.rows)
            found.append(Equation(parts, table.cell(TOTAL, column)))
    if table.additive:
        for row in [*table.rows, TOTAL]:
            parts = tuple(table.cell(row, column) for column in table.columns)
            found.append(Equation(parts, table.cell(row, TOTAL)))
    return found


def protect(tables: Iterable[Table]) -> dict[Cell, str]:
    """Each figure of one measure (every split of it) as shown, small (1–4) or hidden."""
    values: dict[Cell, int] = {}
    system: list[Equation] = []
    for table in tables:
        for row in [*table.rows, TOTAL]:
            for column in table.all_columns():
                values[table.cell(row, column)] = table.value(row, column)
        system.extend(equations(table))
    small = {cell for cell, value in values.items() if 0 < value < THRESHOLD}
    hidden = set(small)
    while True:
        _close_single_gaps(system, hidden, values)
        exposed = _determined(system, hidden)
        if not exposed:
            break
        extra = _complement_near(exposed, system, hidden, values)
        if extra is None:
            break  # every figure that could help is hidden already
        hidden.add(extra)
    return {
        cell: SMALL if cell in small else HIDDEN if cell in hidden else SHOWN for cell in values
    }


def _smallest(cells: Iterable[Cell], hidden: set[Cell], values: Mapping[Cell, int]) -> Cell | None:
    """The published figure to hide as a complement: the smallest above 0 (a hidden 0 would
    protect nothing a reader could not guess), else the smallest; parts before totals."""
    published = [cell for cell in cells if cell not in hidden]
    if not published:
        return None
    return min(
        published,
        key=lambda cell: (values[cell] == 0, values[cell], cell[-2] == TOTAL or cell[-1] == TOTAL),
    )


def _close_single_gaps(system: list[Equation], hidden: set[Cell], values: Mapping[Cell, int]):
    """Hide complements until no equation has exactly one hidden figure."""
    changed = True
    while changed:
        changed = False
        for equation in system:
            if sum(cell in hidden for cell in equation.cells()) == 1:
                extra = _smallest(equation.cells(), hidden, values)
                if extra is not None:
                    hidden.add(extra)
                    changed = True


def _complement_near(
    exposed: list[Cell], system: list[Equation], hidden: set[Cell], values: Mapping[Cell, int]
) -> Cell | None:
    """A published figure to hide next to the first figure the equations pin down."""
    for cell in exposed:
        around = [c for equation in system if cell in equation.cells() for c in equation.cells()]
        extra = _smallest(around, hidden, values)
        if extra is not None:
            return extra
    neighbours = [
        c for equation in system if set(equation.cells()) & hidden for c in equation.cells()
    ]
    return _smallest(neighbours, hidden, values)


def _determined(system: list[Equation], hidden: set[Cell]) -> list[Cell]:
    """Hidden figures whose exact value follows from the published ones and the sums.

    A figure x is pinned down exactly when the unit vector of x lies in the row space of the
    equations restricted to the hidden figures (published figures only move to the right-hand
    side). Row-reduced over exact fractions, sparse.
    """
    order = sorted(hidden, key=repr)
    index = {cell: n for n, cell in enumerate(order)}
    pivots: dict[int, dict[int, Fraction]] = {}  # pivot column → reduced row
    for equation in system:
        row: dict[int, Fraction] = {}
        for cell in equation.parts:
            if cell in index:
                row[index[cell]] = row.get(index[cell], Fraction(0)) + 1
        if equation.total in index:
            row[index[equation.total]] = row.get(index[equation.total], Fraction(0)) - 1
        _insert(pivots, {k: v for k, v in row.items() if v})
    return [cell for cell in order if not _reduce(pivots, {index[cell]: Fraction(1)})]


Row = dict[int, Fraction]  # an equation over the hidden figures: unknown's index → factor


def _reduce(pivots: dict[int, Row], row: Row) -> Row:
    """The row with every pivot eliminated (empty when it lies in the pivots' span)."""
    row = dict(row)
    while row:
        column = min(row)
        pivot = pivots.get(column)
        if pivot is None:
            return row
        factor = row[column] / pivot[column]
        for k, v in pivot.items():
            updated = row.get(k, Fraction(0)) - factor * v
            if updated:
                row[k] = updated
            else:
                row.pop(k, None)
    return row


def _insert(pivots: dict[int, dict[int, Fraction]], row: dict[int, Fraction]) -> None:
    """Add an equation to the echelon form (its leading unknown becomes a pivot)."""
    reduced = _reduce(pivots, row)
    if reduced:
        pivots[min(reduced)] = reduced
