"""Suppression: no count of 1–4 is shown, and none can be worked out from what is shown.

The attacker here is written apart from the product's own audit: it reads the published
figures (the CSV a statistician downloads), writes down every sum a reader can see (down the
columns, across the rows, the total row shared by both splits, the two measures that count
the same children), and solves them exactly for each hidden figure.
"""

from __future__ import annotations

import csv
import io
import random
from collections import defaultdict
from fractions import Fraction

import pytest

from samtal import library
from samtal.db import get_session
from samtal.staff.statistics.views import cutoff
from samtal.statistics.figures import compute
from samtal.statistics.suppression import HIDDEN, SHOWN, SMALL, TOTAL, Table, protect
from tests.builders import YESTERDAY

Key = tuple[str, ...]
Sum = tuple[list[Key], Key]  # parts, total


def recover(published: dict[Key, int | None], sums: list[Sum]) -> dict[Key, Fraction]:
    """Every hidden figure whose exact value follows from the published ones and the sums."""
    unknown = sorted(key for key, value in published.items() if value is None)
    place = {key: n for n, key in enumerate(unknown)}
    rows: list[list[Fraction]] = []
    for parts, total in sums:
        row = [Fraction(0)] * (len(unknown) + 1)
        for key, sign in [*((p, 1) for p in parts), (total, -1)]:
            value = published.get(key, 0)
            if value is None:
                row[place[key]] += sign
            else:
                row[-1] -= sign * value
        rows.append(row)
    # Reduced row echelon form, exact.
    pivot_row = 0
    pivots: dict[int, int] = {}
    for column in range(len(unknown)):
        found = next((r for r in range(pivot_row, len(rows)) if rows[r][column]), None)
        if found is None:
            continue
        rows[pivot_row], rows[found] = rows[found], rows[pivot_row]
        lead = rows[pivot_row][column]
        rows[pivot_row] = [x / lead for x in rows[pivot_row]]
        for r in range(len(rows)):
            if r != pivot_row and rows[r][column]:
                factor = rows[r][column]
                rows[r] = [x - factor * y for x, y in zip(rows[r], rows[pivot_row], strict=True)]
        pivots[column] = pivot_row
        pivot_row += 1
    solved = {}
    for column, r in pivots.items():
        if not any(rows[r][c] for c in range(len(unknown)) if c != column):
            solved[unknown[column]] = rows[r][-1]
    return solved


def read_csv(text: str) -> tuple[dict[Key, int | None], list[Sum]]:
    """The published figures of a downloaded CSV, and every sum a reader can see in them."""
    published: dict[Key, int | None] = {}
    groups: dict[tuple[str, str], set[str]] = defaultdict(set)
    columns: dict[str, set[str]] = defaultdict(set)
    for row in csv.DictReader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"):
        measure, split, group, column = row["Mått"], row["Uppdelning"], row["Grupp"], row["Kolumn"]
        if measure.startswith("wishes."):
            continue
        key = (measure, "*" if group == "Alla" else split, group, column)
        published[key] = int(row["Barn"]) if row["Barn"].isdigit() else None
        if group != "Alla":
            groups[(measure, split)].add(group)
        columns[measure].add(column)
    sums: list[Sum] = []
    for (measure, split), names in groups.items():
        for column in columns[measure]:
            parts: list[Key] = [(measure, split, group, column) for group in names]
            sums.append((parts, (measure, "*", "Alla", column)))
        if "Summa" in columns[measure]:
            for group in [*names, "Alla"]:
                where = "*" if group == "Alla" else split
                parts = [(measure, where, group, c) for c in sorted(columns[measure] - {"Summa"})]
                sums.append((parts, (measure, where, group, "Summa")))
    # Next steps and time to summary count the same children: their totals are equal.
    for measure, split, group, column in list(published):
        if measure == "decisions" and column == "Summa":
            sums.append(([(measure, split, group, column)], ("time", split, group, column)))
    return published, sums


def table(counts: dict[tuple[str, str], int], rows: list[str], columns: list[str]) -> Table:
    """An additive table with its totals filled in."""
    full = dict(counts)
    for (row, column), value in counts.items():
        full[(TOTAL, column)] = full.get((TOTAL, column), 0) + value
        full[(row, TOTAL)] = full.get((row, TOTAL), 0) + value
        full[(TOTAL, TOTAL)] = full.get((TOTAL, TOTAL), 0) + value
    return Table("m", "unit", rows, columns, full)


def published_of(tables: list[Table], states) -> tuple[dict[Key, int | None], list[Sum]]:
    """A table's figures as a reader sees them, with the sums a reader can write down."""
    published: dict[Key, int | None] = {}
    sums: list[Sum] = []
    for t in tables:
        for row in [*t.rows, TOTAL]:
            for column in t.all_columns():
                cell = t.cell(row, column)
                published[cell] = t.value(row, column) if states[cell] == SHOWN else None
        for column in t.all_columns():
            sums.append(([t.cell(r, column) for r in t.rows], t.cell(TOTAL, column)))
        for row in [*t.rows, TOTAL]:
            sums.append(([t.cell(row, c) for c in t.columns], t.cell(row, TOTAL)))
    return published, sums


def test_small_counts_are_hidden_and_zero_and_five_are_shown():
    """1–4 is 'small'; 0 and 5 are shown; a lone small cell in a row takes a second with it."""
    states = protect(
        [
            table(
                {("a", "x"): 5, ("a", "y"): 0, ("b", "x"): 7, ("b", "y"): 3}, ["a", "b"], ["x", "y"]
            )
        ]
    )
    t = table({}, ["a", "b"], ["x", "y"])
    assert states[t.cell("a", "x")] == SHOWN
    assert states[t.cell("a", "y")] == SHOWN
    assert states[t.cell("b", "y")] == SMALL
    hidden_in_row = [states[t.cell("b", c)] for c in ("x", TOTAL)]
    assert HIDDEN in hidden_in_row


def test_a_pattern_safe_line_by_line_is_still_audited_as_a_whole():
    """Two blocks of small cells joined by one small cell: every row and column has two
    hidden, yet the joining cell follows from the sums; the audit hides more until it does
    not."""
    counts = {
        ("r1", "c1"): 1, ("r1", "c2"): 2, ("r1", "c5"): 20,
        ("r2", "c1"): 3, ("r2", "c2"): 1, ("r2", "c3"): 2, ("r2", "c5"): 20,
        ("r3", "c3"): 1, ("r3", "c4"): 2, ("r3", "c5"): 20,
        ("r4", "c3"): 2, ("r4", "c4"): 4, ("r4", "c5"): 20,
        ("r5", "c1"): 30, ("r5", "c2"): 30, ("r5", "c3"): 30, ("r5", "c4"): 30,
    }  # fmt: skip
    rows, columns = ["r1", "r2", "r3", "r4", "r5"], ["c1", "c2", "c3", "c4", "c5"]
    t = table(counts, rows, columns)
    only_small = {
        cell: SMALL if 0 < t.value(*key) < 5 else SHOWN
        for key in [(r, c) for r in [*rows, TOTAL] for c in [*columns, TOTAL]]
        for cell in [t.cell(*key)]
    }
    assert t.cell("r2", "c3") in recover(*published_of([t], only_small))  # the attack works
    states = protect([t])
    assert recover(*published_of([t], states)) == {}
    assert HIDDEN in states.values()


@pytest.mark.parametrize("seed", range(6))
def test_random_tables_leave_nothing_recoverable(seed):
    """Tables of many small groups, split two ways with a shared total row: nothing hidden
    can be solved for, however the published sums are combined."""
    chance = random.Random(seed)
    columns = ["low", "middle", "high", "skip"]
    children = [
        (chance.randrange(6), chance.randrange(3), chance.choice(columns)) for _ in range(60)
    ]
    tables = []
    for split, position in (("unit", 0), ("age", 1)):
        counts: dict[tuple[str, str], int] = defaultdict(int)
        for person in children:
            counts[(f"{split}{person[position]}", person[2])] += 1
        rows = sorted({row for row, _ in counts})
        full = table(dict(counts), rows, columns)
        tables.append(Table("m", split, rows, columns, full.counts))
    states = protect(tables)
    assert recover(*published_of(tables, states)) == {}
    assert all(
        states[t.cell(r, c)] != SHOWN
        for t in tables
        for r in [*t.rows, TOTAL]
        for c in t.all_columns()
        if 0 < t.value(r, c) < 5
    )


def test_differencing_across_units_and_ages_recovers_nothing(app, add_child, staff_client):
    """The differencing attack, through the CSV a statistician downloads: one child at
    Ekskolan said "inte bra" about omsorg. "All units" minus the other unit, the age split
    against the unit split, every row and column sum together: that child's answer cannot be
    worked out. Without the complementary suppression the same attack finds it."""
    add_child(unit="Ekskolan", age=8, child={"omsorg": "1"})
    for _ in range(6):
        add_child(unit="Ekskolan", age=8, child={"omsorg": "3"})
    for _ in range(6):
        add_child(unit="Ekbackens skola", age=5, child={"omsorg": "3"})
    for _ in range(5):
        add_child(unit="Ekbackens skola", age=11, child={"omsorg": "2"})
    client, _staff = staff_client("statistik")
    response = client.get(f"/arbete/statistik.csv?ar={YESTERDAY.year}")
    assert response.status_code == 200
    published, sums = read_csv(response.get_data(as_text=True))
    target = ("child.omsorg", "Enhet", "Ekskolan", "Inte bra")
    assert published[target] is None  # shown as "färre än 5"
    assert recover(published, sums) == {}

    # The same tables with only the counts of 1–4 hidden: the attack finds the child.
    with app.app_context():
        figures = compute(get_session(), library.flows(), YESTERDAY.year, cutoff())
    tables = list(figures.tables["child.omsorg"].values())
    only_small = {
        t.cell(row, column): SMALL if 0 < t.value(row, column) < 5 else SHOWN
        for t in tables
        for row in [*t.rows, TOTAL]
        for column in t.all_columns()
    }
    ekskolan = next(key for key, name in figures.unit_names.items() if name == "Ekskolan")
    found = recover(*published_of(tables, only_small))
    assert found[tables[1].cell(ekskolan, "low")] == 1
