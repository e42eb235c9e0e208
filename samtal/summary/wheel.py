"""The behovskompass picture, drawn on the server as SVG, for any number of areas.

Each area is a sector of the wheel. Inside it every person who answered gets a wedge of their
own, side by side (the child first): the longer the wedge, the better it is in that person's
view, as a place on 0..1 so three and five faces compare. "Vet inte" and "Vill inte svara"
are not values: they fill the whole wedge with a pattern and carry a mark, never a length.
The child's priorities get a star. The SVG is an image with a title and a description; the
page shows the same facts in a table beside it. No style attributes (the CSP forbids them):
colours and patterns are presentation attributes. Every text comes in from the caller, in
the reader's language.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from markupsafe import Markup

INK = "#1d2430"
GRID = "#c9d3df"
# Child first (warm), then guardians (cool). Each at least 3:1 against white (WCAG 1.4.11).
COLOURS = ("#a35f00", "#1f5f99", "#2c7a6c", "#6f4a9c", "#8a3b3b")
SKIPS = ("vet_inte", "vill_inte_svara")
SIGNS = {"vet_inte": "?", "vill_inte_svara": "–"}
FONT = "DejaVu Sans, Verdana, sans-serif"


@dataclass(frozen=True)
class Mark:
    """One person's answer in one area: a place on 0..1, or what it is instead."""

    # answered, vet_inte, vill_inte_svara, not_answered, not_asked or withheld (not shared)
    status: str
    position: float | None = None
    label: str = ""


@dataclass(frozen=True)
class Series:
    """One person's view across the areas."""

    name: str
    marks: Mapping[str, Mark]


@dataclass(frozen=True)
class WheelTexts:
    """Every word the picture shows, in the reader's language."""

    title: str
    description: str
    unknown: str
    declined: str
    missing: str
    withheld: str
    priority: str


def _a(value: object) -> str:
    return escape(str(value), quote=True)


def _n(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _point(cx: float, cy: float, radius: float, angle: float) -> tuple[float, float]:
    return cx + radius * math.cos(angle), cy + radius * math.sin(angle)


def _wedge(cx: float, cy: float, radius: float, start: float, end: float) -> str:
    """A pie wedge from the centre as an SVG path."""
    span = min(end - start, 2 * math.pi - 1e-3)
    x1, y1 = _point(cx, cy, radius, start)
    x2, y2 = _point(cx, cy, radius, start + span)
    large = 1 if span > math.pi else 0
    return (
        f"M{_n(cx)},{_n(cy)} L{_n(x1)},{_n(y1)} "
        f"A{_n(radius)},{_n(radius)} 0 {large} 1 {_n(x2)},{_n(y2)} Z"
    )


def _star(cx: float, cy: float, outer: float) -> str:
    inner = outer * 0.45
    points = []
    for index in range(10):
        radius = outer if index % 2 == 0 else inner
        angle = -math.pi / 2 + index * math.pi / 5
        x, y = _point(cx, cy, radius, angle)
        points.append(f"{_n(x)},{_n(y)}")
    return " ".join(points)


def _lines(label: str, width: int = 13) -> list[str]:
    """A label on one line, or two when it is long and has a space to break at."""
    if len(label) <= width or " " not in label:
        return [label]
    words, first = label.split(" "), ""
    while words and len(first) + len(words[0]) <= max(width, len(label) // 2):
        first = f"{first} {words.pop(0)}".strip()
    return [first, " ".join(words)] if first and words else [label]


def _patterns(prefix: str, colours: Sequence[str]) -> str:
    defs = []
    for key, colour in [*((str(i), c) for i, c in enumerate(colours)), ("ink", INK)]:
        defs.append(
            f'<pattern id="{prefix}-u-{key}" width="7" height="7" patternUnits="userSpaceOnUse"'
            f' patternTransform="rotate(45)"><rect width="7" height="7" fill="#ffffff"/>'
            f'<rect width="2.5" height="7" fill="{colour}"/></pattern>'
            f'<pattern id="{prefix}-d-{key}" width="7" height="7" patternUnits="userSpaceOnUse">'
            f'<rect width="7" height="7" fill="#ffffff"/>'
            f'<circle cx="3.5" cy="3.5" r="1.6" fill="{colour}"/></pattern>'
        )
    defs.append(
        f'<pattern id="{prefix}-w" width="8" height="8" patternUnits="userSpaceOnUse">'
        f'<rect width="8" height="8" fill="#eef0f3"/>'
        f'<path d="M0,8 L8,0 M0,0 L8,8" stroke="#8794a6" stroke-width="1"/></pattern>'
    )
    return "<defs>" + "".join(defs) + "</defs>"


def _status_text(mark: Mark, texts: WheelTexts) -> str:
    if mark.status == "answered":
        return mark.label
    return {
        "vet_inte": texts.unknown,
        "vill_inte_svara": texts.declined,
        "withheld": texts.withheld,
    }.get(mark.status, texts.missing)


def _legend(
    prefix: str,
    series: Sequence[Series],
    texts: WheelTexts,
    top: float,
    width: float,
    with_star: bool,
) -> tuple[str, float]:
    """Swatches in rows that wrap: each person, then what the patterns and the star mean."""
    entries: list[tuple[str, str]] = []
    for index, person in enumerate(series):
        colour = COLOURS[index % len(COLOURS)]
        entries.append((f'<rect width="18" height="18" fill="{colour}"/>', person.name))
    entries += [
        (
            f'<rect width="18" height="18" fill="url(#{prefix}-u-ink)" stroke="{INK}"/>'
            f'<text x="9" y="14" font-size="13" font-weight="700" text-anchor="middle"'
            f' fill="{INK}">?</text>',
            texts.unknown,
        ),
        (
            f'<rect width="18" height="18" fill="url(#{prefix}-d-ink)" stroke="{INK}"/>',
            texts.declined,
        ),
        (
            f'<rect width="18" height="18" fill="#ffffff" stroke="{INK}" stroke-dasharray="3 2"/>',
            texts.missing,
        ),
    ]
    if any(m.status == "withheld" for person in series for m in person.marks.values()):
        entries.append(
            (
                f'<rect width="18" height="18" fill="url(#{prefix}-w)" stroke="#8794a6"/>',
                texts.withheld,
            )
        )
    if with_star:
        entries.append((f'<polygon points="{_star(9, 10, 9)}" fill="{INK}"/>', texts.priority))
    parts, x, y = [], 20.0, top
    for swatch, label in entries:
        needed = 26 + len(label) * 8.2 + 24
        if x + needed > width - 10 and x > 20:
            x, y = 20.0, y + 28
        parts.append(
            f'<g transform="translate({_n(x)},{_n(y)})">{swatch}'
            f'<text x="26" y="14" font-size="14" fill="{INK}">{_a(label)}</text></g>'
        )
        x += needed
    return "".join(parts), y + 28 - top


def wheel(
    *,
    areas: Sequence[tuple[str, str]],
    series: Sequence[Series],
    priorities: Sequence[str] = (),
    texts: WheelTexts,
    prefix: str = "kompass",
) -> Markup:
    """The wheel as inline SVG: one sector per area, one wedge per person inside it."""
    width, radius = 640.0, 165.0
    cx, cy = width / 2, radius + 78
    count = max(len(areas), 1)
    sector = 2 * math.pi / count
    people = max(len(series), 1)
    gap = min(0.035, sector * 0.06)
    sub = (sector - gap * (people + 1)) / people
    core = radius * 0.16

    def reach(position: float) -> float:
        return core + (radius - core) * max(0.0, min(1.0, position))

    body = [_patterns(prefix, [COLOURS[i % len(COLOURS)] for i in range(people)])]
    for level in (0.0, 0.25, 0.5, 0.75, 1.0):
        body.append(
            f'<circle cx="{_n(cx)}" cy="{_n(cy)}" r="{_n(reach(level))}" fill="none"'
            f' stroke="{GRID if level < 1 else "#8794a6"}" stroke-width="1"/>'
        )
    for index, (area_id, label) in enumerate(areas):
        start = -math.pi / 2 + index * sector
        x, y = _point(cx, cy, radius, start)
        if count > 1:
            body.append(
                f'<line x1="{_n(cx)}" y1="{_n(cy)}" x2="{_n(x)}" y2="{_n(y)}"'
                f' stroke="#8794a6" stroke-width="1"/>'
            )
        for number, person in enumerate(series):
            mark = person.marks.get(area_id, Mark("not_answered"))
            colour = COLOURS[number % len(COLOURS)]
            begin = start + gap + number * (sub + gap)
            end = begin + sub
            tip = f"{person.name} – {label}: {_status_text(mark, texts)}"
            if mark.status == "answered" and mark.position is not None:
                shape = _wedge(cx, cy, reach(mark.position), begin, end)
                paint = f'fill="{colour}" stroke="#ffffff" stroke-width="1"'
            elif mark.status in SKIPS:
                kind = "u" if mark.status == "vet_inte" else "d"
                shape = _wedge(cx, cy, radius, begin, end)
                paint = (
                    f'fill="url(#{prefix}-{kind}-{number})" stroke="{colour}" stroke-width="1.5"'
                )
            elif mark.status == "withheld":
                shape = _wedge(cx, cy, radius, begin, end)
                paint = f'fill="url(#{prefix}-w)" stroke="#8794a6" stroke-width="1"'
            else:
                shape = _wedge(cx, cy, radius, begin, end)
                paint = 'fill="none" stroke="#8794a6" stroke-width="1" stroke-dasharray="4 3"'
            body.append(f'<path d="{shape}" {paint}><title>{_a(tip)}</title></path>')
            if mark.status in SKIPS:
                mx, my = _point(cx, cy, radius * 0.62, (begin + end) / 2)
                size = max(10.0, min(20.0, radius * sub * 0.55))
                body.append(
                    f'<circle cx="{_n(mx)}" cy="{_n(my)}" r="{_n(size * 0.62)}" fill="#ffffff"'
                    f' stroke="{colour}" stroke-width="1.5"/>'
                    f'<text x="{_n(mx)}" y="{_n(my + size * 0.36)}" font-size="{_n(size)}"'
                    f' font-weight="700" text-anchor="middle" fill="{INK}"'
                    f' aria-hidden="true">{SIGNS[mark.status]}</text>'
                )
        middle = start + sector / 2
        star_at = radius + 14
        if area_id in priorities:
            sx, sy = _point(cx, cy, star_at, middle)
            body.append(f'<polygon points="{_star(sx, sy, 10)}" fill="{INK}"/>')
        lx, ly = _point(cx, cy, radius + 30, middle)
        cosine, sine = math.cos(middle), math.sin(middle)
        anchor = "start" if cosine > 0.25 else "end" if cosine < -0.25 else "middle"
        lines = _lines(label)
        shift = 5 if abs(sine) < 0.5 else (14 if sine > 0 else -4 - 17 * (len(lines) - 1))
        spans = "".join(
            f'<tspan x="{_n(lx)}" y="{_n(ly + shift + 17 * row)}">{_a(text)}</tspan>'
            for row, text in enumerate(lines)
        )
        weight = ' font-weight="700"' if area_id in priorities else ""
        body.append(
            f'<text font-size="15" text-anchor="{anchor}" fill="{INK}"{weight}>{spans}</text>'
        )
    legend, legend_height = _legend(
        prefix,
        series,
        texts,
        cy + radius + 62,
        width,
        bool(set(priorities) & {a for a, _ in areas}),
    )
    height = cy + radius + 62 + legend_height
    # Every text in it went through _a() (escaped), every number through _n().
    return Markup(  # noqa: S704
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_n(width)} {_n(height)}"'
        f' width="{_n(width)}" height="{_n(height)}" role="img" class="wheel"'
        f' aria-labelledby="{prefix}-title {prefix}-desc" font-family="{FONT}">'
        f'<title id="{prefix}-title">{_a(texts.title)}</title>'
        f'<desc id="{prefix}-desc">{_a(texts.description)}</desc>'
        + "".join(body)
        + legend
        + "</svg>"
    )


@dataclass(frozen=True)
class ChangeTexts:
    """Every word the change chart shows, in the reader's language."""

    title: str
    description: str
    before: str
    after: str
    better: str
    worse: str
    same: str
    unknown: str
    declined: str
    missing: str


def _change_word(first: Mark, second: Mark, texts: ChangeTexts) -> str:
    words = {"vet_inte": texts.unknown, "vill_inte_svara": texts.declined}
    if first.position is None and second.position is None and first.status == second.status:
        return words.get(first.status, texts.missing)
    if first.position is None or second.position is None:
        parts = []
        if first.position is None:
            parts.append(f"{texts.before}: {words.get(first.status, texts.missing)}")
        if second.position is None:
            parts.append(f"{texts.after}: {words.get(second.status, texts.missing)}")
        return " · ".join(parts)
    difference = second.position - first.position
    if abs(difference) < 0.01:
        return texts.same
    return texts.better if difference > 0 else texts.worse


def change_chart(
    areas: Sequence[tuple[str, str]],
    before: Mapping[str, Mark],
    after: Mapping[str, Mark],
    *,
    texts: ChangeTexts,
    prefix: str = "forandring",
) -> Markup:
    """Change per area between two conversations: a hollow dot then, a filled dot now."""
    width, row, top = 640.0, 38.0, 56.0
    left, right = 190.0, 430.0
    height = top + row * len(areas) + 12
    body = [
        f'<circle cx="26" cy="22" r="7" fill="#ffffff" stroke="{INK}" stroke-width="2"/>'
        f'<text x="40" y="27" font-size="14" fill="{INK}">{_a(texts.before)}</text>',
        f'<circle cx="{_n(60 + len(texts.before) * 8.2)}" cy="22" r="7" fill="{COLOURS[1]}"/>'
        f'<text x="{_n(74 + len(texts.before) * 8.2)}" y="27" font-size="14"'
        f' fill="{INK}">{_a(texts.after)}</text>',
    ]
    for index, (area_id, label) in enumerate(areas):
        y = top + row * index + row / 2
        first = before.get(area_id, Mark("not_answered"))
        second = after.get(area_id, Mark("not_answered"))
        body.append(
            f'<text x="{_n(left - 14)}" y="{_n(y + 5)}" font-size="15" text-anchor="end"'
            f' fill="{INK}">{_a(label)}</text>'
            f'<line x1="{_n(left)}" y1="{_n(y)}" x2="{_n(right)}" y2="{_n(y)}"'
            f' stroke="{GRID}" stroke-width="4" stroke-linecap="round"/>'
        )
        x1 = left + (right - left) * first.position if first.position is not None else None
        x2 = left + (right - left) * second.position if second.position is not None else None
        if x1 is not None and x2 is not None and abs(x2 - x1) > 16:
            direction = 1 if x2 > x1 else -1
            tip = x2 - direction * 9
            body.append(
                f'<line x1="{_n(x1 + direction * 8)}" y1="{_n(y)}" x2="{_n(tip)}" y2="{_n(y)}"'
                f' stroke="{INK}" stroke-width="2"/>'
                f'<polygon points="{_n(tip)},{_n(y - 5)} {_n(tip + direction * 7)},{_n(y)}'
                f' {_n(tip)},{_n(y + 5)}" fill="{INK}"/>'
            )
        if x1 is not None:
            body.append(
                f'<circle cx="{_n(x1)}" cy="{_n(y)}" r="7" fill="#ffffff" stroke="{INK}"'
                f' stroke-width="2"/>'
            )
        if x2 is not None:
            body.append(f'<circle cx="{_n(x2)}" cy="{_n(y)}" r="6" fill="{COLOURS[1]}"/>')
        body.append(
            f'<text x="{_n(right + 18)}" y="{_n(y + 5)}" font-size="14"'
            f' fill="{INK}">{_a(_change_word(first, second, texts))}</text>'
        )
    # Every text in it went through _a() (escaped), every number through _n().
    return Markup(  # noqa: S704
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_n(width)} {_n(height)}"'
        f' width="{_n(width)}" height="{_n(height)}" role="img" class="change-chart"'
        f' aria-labelledby="{prefix}-title {prefix}-desc" font-family="{FONT}">'
        f'<title id="{prefix}-title">{_a(texts.title)}</title>'
        f'<desc id="{prefix}-desc">{_a(texts.description)}</desc>' + "".join(body) + "</svg>"
    )


def mark_of(rating: Mapping[str, Any] | None) -> Mark:
    """A summary's rating dict as a Mark."""
    if not rating:
        return Mark("not_answered")
    position = rating.get("position")
    return Mark(
        status=str(rating.get("status")),
        position=float(position) if isinstance(position, (int, float)) else None,
        label=str(rating.get("label") or ""),
    )


def series_of(
    summary: Mapping[str, Any], child_name: str, guardian_name: Callable[[str], str]
) -> list[Series]:
    """The child's and each guardian's view in a built summary, as series for the wheel.

    guardian_name(name) words a guardian's name for the legend (e.g. "Vårdnadshavare: Anna").
    """
    areas: list[dict[str, Any]] = list(summary.get("areas") or [])

    def childs(area: Mapping[str, Any]) -> Mark:
        if area.get("child") is not None:
            return mark_of(area["child"].get("rating"))
        kept = summary.get("shared") and area.get("kept_from_guardians")
        return Mark("withheld") if kept else Mark("not_answered")

    found = [Series(child_name, {a["id"]: childs(a) for a in areas})]
    names: dict[Any, str] = {}
    for area in areas:
        for view in area.get("guardians", []):
            names.setdefault(view.get("guardian_id"), view.get("name", ""))
    for guardian_id, name in names.items():
        marks = {}
        for area in areas:
            view = next(
                (v for v in area.get("guardians", []) if v.get("guardian_id") == guardian_id),
                None,
            )
            marks[area["id"]] = mark_of(view["rating"]) if view else Mark("not_answered")
        found.append(Series(guardian_name(name), marks))
    return found
