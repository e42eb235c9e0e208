"""The statistics page and its CSV export: one year, split by age band or by unit.

The figures are counted up to the start of the day (UTC) and kept for the rest of it: every
view of a day shows the same figures (a reader cannot watch one child's answers arrive), and
counting a year of a whole municipality is done once a day, not per view. Only published
figures are kept (hidden counts are gone), in this process and in a Setting row per year.
"""

from __future__ import annotations

import csv
import io
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import Response, current_app, render_template, request
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from samtal import settings
from samtal.db import get_session
from samtal.i18n import age_band
from samtal.staff.access import login_required
from samtal.staff.statistics import texts
from samtal.statistics import figures as counting
from samtal.statistics import queries
from samtal.statistics.figures import Figures
from samtal.statistics.suppression import HIDDEN, SHOWN, SMALL, TOTAL

_LOCK = threading.Lock()
# Characters that make a spreadsheet read a cell as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cutoff(now: datetime | None = None) -> datetime:
    """The moment the figures count up to: the start of today (UTC)."""
    now = now or datetime.now(UTC)
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


def figures_for(year: int, until: datetime) -> Figures:
    """The year's published figures, counted once a day: kept in this process and in the
    database (a Setting row per year), so other app processes read them instead of counting."""
    cache: dict[tuple[datetime, int], Figures] = current_app.extensions.setdefault(
        "samtal.statistics", {}
    )
    key = (until, year)
    found = cache.get(key)
    if found is None:
        found = _kept(year, until)
        with _LOCK:
            for old in [k for k in cache if k[0] != until]:
                cache.pop(old, None)
            cache[key] = found
    return found


def _kept(year: int, until: datetime) -> Figures:
    """Today's figures from the database, or counted now and kept there."""
    session = get_session()
    flows = settings.installed_flows()
    # Kept per framework: after the admin chooses another one, today's figures are its own.
    name = f"statistics.{queries.framework_id(flows)}.{year}"
    kept = settings.read(session, name)
    if kept is not None and kept.get("until") == until.isoformat():
        return counting.from_json(kept["figures"])
    counted = counting.compute(session, flows, year, until)
    try:
        value = {"until": until.isoformat(), "figures": counting.to_json(counted)}
        settings.write(session, name, value)
    except IntegrityError:  # another process kept the same figures first
        session.rollback()
    return counting.published(counted)


@dataclass
class Choice:
    """What the reader asked for: a year and a way to split, and whether the ask was odd."""

    years: list[int]
    year: int | None
    split: str
    refused: str | None = None


def _choice(until: datetime) -> Choice:
    """The year and split from the query string; unknown values fall back with a message."""
    years = queries.years(get_session(), until)
    split = request.args.get("dela", "age")
    refused = None
    if split not in counting.SPLITS:
        split, refused = "age", _("Den uppdelningen finns inte. Här visas åldersgrupper.")
    wanted = request.args.get("ar", "")
    year = years[0] if years else None
    if wanted:
        if wanted.isdigit() and int(wanted) in years:
            year = int(wanted)
        else:
            refused = _("Det finns inga siffror för det året. Här visas det senaste året.")
    return Choice(years, year, split, refused)


def _row_labels(figures: Figures, split: str) -> dict[str, str]:
    """Each group's name: an age band or a unit (small units together)."""
    labels: dict[str, str] = {TOTAL: str(texts.TOTAL)}
    if split == "unit":
        labels.update(figures.unit_names)
        labels[counting.OTHER_UNITS] = str(texts.OTHER_UNITS)
        return labels
    for flow in settings.installed_flows().for_audience("child"):
        labels[queries.band_key(flow.ages)] = age_band(flow)
    labels["other"] = str(texts.OTHER_BAND)
    return labels


def _words() -> dict[str, str]:
    """What a hidden figure says instead of its number (translated once per request)."""
    return {SMALL: str(texts.SMALL), HIDDEN: str(texts.HIDDEN)}


def present(
    figures: Figures, measure: str, split: str, labels: dict[str, str], words: dict[str, str]
) -> dict | None:
    """One table as the template shows it: columns, and per group its cells (text, share,
    state) and its bar for the chart. None when the measure has no children in the year."""
    tables = figures.tables.get(measure)
    if not tables:
        return None
    table = tables[split]
    names = texts.COLUMNS[measure.split(".")[0]]
    columns = [(key, str(names[key])) for key in table.columns]
    rows = []
    for row in [*table.rows, TOTAL]:
        # The share of a part in its whole: the row's total, or (activity) all with a conversation.
        whole_column = TOTAL if table.additive else table.columns[0]
        whole = table.value(row, whole_column)
        whole_shown = figures.state(measure, split, row, whole_column)
        cells = []
        for column in table.all_columns():
            state = figures.state(measure, split, row, column)
            value = table.value(row, column)
            share = None
            if state == SHOWN and whole_shown == SHOWN and value:
                share = round(100 * value / whole)
            text = words.get(state) or str(value)
            cells.append({"text": text, "state": state, "share": share})
        label = labels.get(row, row)
        rows.append({"key": row, "label": label, "cells": cells, "total": row == TOTAL})
    return {
        "measure": measure,
        "additive": table.additive,
        "columns": columns,
        "rows": rows,
    }


@login_required("statistik", "admin")
def page():
    """The statistics of a year, split one way; tables first, each with its chart."""
    until = cutoff()
    choice = _choice(until)
    figures = figures_for(choice.year, until) if choice.year is not None else None
    sections = []
    if figures is not None:
        flows = settings.installed_flows()
        framework = flows.frameworks[queries.framework_id(flows)]
        names = settings.area_labels(framework, session=get_session())
        labels = _row_labels(figures, choice.split)
        words = _words()
        for area in framework.areas:
            found = {
                kind: present(figures, f"{kind}.{area.id}", choice.split, labels, words)
                for kind in ("child", "guardian", "agreement", "change")
            }
            sections.append(
                {
                    "id": area.id,
                    "label": names.get(area.id, area.label),
                    "tables": found,
                    "wishes": figures.wishes.get(area.id, []),
                }
            )
        overview = {
            measure: present(figures, measure, choice.split, labels, words)
            for measure in ("activity", "decisions", "time")
        }
    else:
        overview = {}
    return render_template(
        "staff/statistics.html",
        choice=choice,
        splits=texts.SPLITS,
        figures=figures,
        overview=overview,
        sections=sections,
        last_day=(until - timedelta(days=1)).date(),
        small=texts.SMALL,
    )


@login_required("statistik", "admin")
def export():
    """The same protected figures as the page, every split and measure of the year, as CSV."""
    until = cutoff()
    choice = _choice(until)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow([_("År"), _("Mått"), _("Uppdelning"), _("Grupp"), _("Kolumn"), _("Barn")])
    if choice.year is not None:
        figures = figures_for(choice.year, until)
        # Every word once (lazy texts translate on each str()): the file has a row per figure.
        words = _words()
        column_names = {
            kind: {**{key: str(name) for key, name in names.items()}, TOTAL: str(texts.ROW_TOTAL)}
            for kind, names in texts.COLUMNS.items()
        }
        for split in counting.SPLITS:
            labels = {key: _safe(label) for key, label in _row_labels(figures, split).items()}
            split_name = str(texts.SPLITS[split])
            for measure, tables in figures.tables.items():
                table = tables[split]
                names = column_names[measure.split(".")[0]]
                for row in [*table.rows, TOTAL]:
                    group = labels.get(row, row)
                    for column in table.all_columns():
                        state = figures.status.get(table.cell(row, column), SHOWN)
                        shown = words.get(state) or str(table.value(row, column))
                        writer.writerow(
                            [figures.year, measure, split_name, group, names[column], shown]
                        )
        for area, chosen in figures.wishes.items():
            for text, children in chosen:
                shown = str(children) if children is not None else str(texts.SMALL)
                writer.writerow([figures.year, f"wishes.{area}", "", str(texts.TOTAL), text, shown])
    name = f"samtal-statistik-{choice.year or 'tom'}.csv"
    return Response(
        "\ufeff" + out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _safe(cell: str) -> str:
    """A cell a spreadsheet shows as text, never runs as a formula."""
    return "'" + cell if cell.startswith(FORMULA_START) else cell
