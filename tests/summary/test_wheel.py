"""The behovskompass wheel and the change chart: any number of areas, skips shown as such,
valid SVG without style attributes, and a text alternative."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from samtal.summary.wheel import (
    ChangeTexts,
    Mark,
    Series,
    WheelTexts,
    change_chart,
    series_of,
    wheel,
)

SVG = "{http://www.w3.org/2000/svg}"
TEXTS = WheelTexts(
    title="Behovskompassen",
    description="Barnets och vårdnadshavarnas syn per område.",
    unknown="Vet inte",
    declined="Vill inte svara",
    missing="Inget svar",
    withheld="Inte delat",
    priority="Viktigast för barnet",
)
CHANGE = ChangeTexts(
    title="Förändring",
    description="Förra gången och nu.",
    before="Förra gången",
    after="Nu",
    better="Bättre",
    worse="Sämre",
    same="Som förut",
    unknown="Vet inte",
    declined="Vill inte svara",
    missing="Inget svar",
)
EIGHT = [
    ("omsorg", "Omsorg"),
    ("trygghet", "Trygghet"),
    ("ma_bra", "Må bra"),
    ("fritid", "Fritid"),
    ("tillhorighet", "Tillhörighet"),
    ("ansvarstagande", "Ansvarstagande"),
    ("respekteras", "Respekteras"),
    ("utvecklas", "Utvecklas"),
]


def parse(svg: str) -> ET.Element:
    """The SVG as XML (fails the test when it is not well formed)."""
    return ET.fromstring(svg)


def wedges(root: ET.Element) -> list[ET.Element]:
    """The wedges: every path that carries a title (one per person and area)."""
    return [p for p in root.iter(f"{SVG}path") if p.find(f"{SVG}title") is not None]


def no_style_anywhere(root: ET.Element) -> None:
    for element in root.iter():
        assert "style" not in element.attrib, element.tag
        assert element.tag != f"{SVG}style"


@pytest.mark.parametrize("areas", [EIGHT[:3], EIGHT, EIGHT[:1], EIGHT[:7]])
def test_one_sector_per_area_and_one_wedge_per_person(areas):
    child = Series("Barnet", {a: Mark("answered", 0.5, "Sådär") for a, _ in areas})
    guardian = Series("Vårdnadshavare: Anna", {a: Mark("answered", 1.0, "Bra") for a, _ in areas})
    root = parse(wheel(areas=areas, series=[child, guardian], texts=TEXTS))
    assert len(wedges(root)) == 2 * len(areas)
    labels = ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
    for _area_id, label in areas:
        assert any(label.replace(" ", "") in text.replace(" ", "") for text in labels), label
    assert root.get("role") == "img"
    assert root.find(f"{SVG}title").text == "Behovskompassen"  # type: ignore[union-attr]
    assert root.find(f"{SVG}desc").text.startswith("Barnets")  # type: ignore[union-attr]
    assert root.get("aria-labelledby") == "kompass-title kompass-desc"
    no_style_anywhere(root)


def test_a_longer_answer_draws_a_longer_wedge():
    areas = EIGHT[:3]
    low = parse(
        wheel(areas=areas, series=[Series("B", {"omsorg": Mark("answered", 0.0)})], texts=TEXTS)
    )
    high = parse(
        wheel(areas=areas, series=[Series("B", {"omsorg": Mark("answered", 1.0)})], texts=TEXTS)
    )

    def radius(root: ET.Element) -> float:
        path = wedges(root)[0].get("d", "")
        return float(path.split("A")[1].split(",")[0])

    assert radius(high) > radius(low) > 0


def test_unknown_and_declined_are_patterns_and_marks_not_values():
    areas = EIGHT[:3]
    child = Series(
        "Barnet",
        {
            "omsorg": Mark("vet_inte"),
            "trygghet": Mark("vill_inte_svara"),
            "ma_bra": Mark("not_answered"),
        },
    )
    root = parse(wheel(areas=areas, series=[child], texts=TEXTS))
    by_title = {p.find(f"{SVG}title").text: p for p in wedges(root)}  # type: ignore[union-attr]
    unknown = by_title["Barnet – Omsorg: Vet inte"]
    declined = by_title["Barnet – Trygghet: Vill inte svara"]
    missing = by_title["Barnet – Må bra: Inget svar"]
    assert unknown.get("fill", "").startswith("url(#kompass-u-")
    assert declined.get("fill", "").startswith("url(#kompass-d-")
    assert missing.get("fill") == "none" and missing.get("stroke-dasharray")
    marks = [t.text for t in root.iter(f"{SVG}text") if t.get("aria-hidden") == "true"]
    assert marks == ["?", "–"]
    legend = " ".join("".join(t.itertext()) for t in root.iter(f"{SVG}text"))
    assert "Vet inte" in legend and "Vill inte svara" in legend and "Inget svar" in legend


def test_priorities_get_a_star_and_a_legend_entry():
    areas = EIGHT
    child = Series("Barnet", {"omsorg": Mark("answered", 1.0)})
    root = parse(wheel(areas=areas, series=[child], priorities=["omsorg", "fritid"], texts=TEXTS))
    stars = [p for p in root.iter(f"{SVG}polygon")]
    assert len(stars) == 3  # two areas and the legend
    without = parse(wheel(areas=areas, series=[child], texts=TEXTS))
    assert not list(without.iter(f"{SVG}polygon"))


def test_two_wheels_on_one_page_have_their_own_ids():
    one = wheel(areas=EIGHT[:3], series=[Series("B", {})], texts=TEXTS, prefix="a")
    two = wheel(areas=EIGHT[:3], series=[Series("B", {})], texts=TEXTS, prefix="b")
    ids_one = {e.get("id") for e in parse(one).iter() if e.get("id")}
    ids_two = {e.get("id") for e in parse(two).iter() if e.get("id")}
    assert ids_one and not ids_one & ids_two


def test_texts_are_escaped():
    series = [Series('Anna <script>"x"</script>', {"omsorg": Mark("answered", 0.5, "A & B")})]
    svg = wheel(areas=[("omsorg", "Mat & <sömn>")], series=series, texts=TEXTS)
    assert "<script>" not in svg
    root = parse(svg)
    assert any("Mat & <sömn>" in "".join(t.itertext()) for t in root.iter(f"{SVG}text"))


def test_series_from_a_summary_marks_withheld_areas_in_a_shared_one():
    summary = {
        "shared": True,
        "areas": [
            {
                "id": "omsorg",
                "kept_from_guardians": False,
                "child": {"rating": {"status": "answered", "position": 0.5, "label": "Sådär"}},
                "guardians": [
                    {"guardian_id": 1, "name": "Anna", "rating": {"status": "vet_inte"}},
                ],
            },
            {
                "id": "trygghet",
                "kept_from_guardians": True,
                "child": None,
                "guardians": [
                    {
                        "guardian_id": 1,
                        "name": "Anna",
                        "rating": {"status": "answered", "position": 1},
                    },
                ],
            },
        ],
    }
    child, anna = series_of(summary, "Barnet", lambda name: f"VH {name}")
    assert child.marks["omsorg"] == Mark("answered", 0.5, "Sådär")
    assert child.marks["trygghet"].status == "withheld"
    assert anna.name == "VH Anna" and anna.marks["omsorg"].status == "vet_inte"
    root = parse(
        wheel(
            areas=[("omsorg", "Omsorg"), ("trygghet", "Trygghet")],
            series=[child, anna],
            texts=TEXTS,
        )
    )
    titles = [p.find(f"{SVG}title").text for p in wedges(root)]  # type: ignore[union-attr]
    assert "Barnet – Trygghet: Inte delat" in titles


def test_change_chart_per_area_between_two_conversations():
    before = {
        "omsorg": Mark("answered", 0.5),
        "trygghet": Mark("answered", 0.75),
        "ma_bra": Mark("vet_inte"),
        "fritid": Mark("answered", 0.25),
    }
    after = {
        "omsorg": Mark("answered", 1.0),
        "trygghet": Mark("answered", 0.25),
        "ma_bra": Mark("answered", 0.5),
        "fritid": Mark("answered", 0.25),
    }
    svg = change_chart(EIGHT, before, after, texts=CHANGE)
    root = parse(svg)
    no_style_anywhere(root)
    assert root.get("role") == "img"
    words = ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
    assert words[2:4] == ["Omsorg", "Bättre"]
    assert words[4:6] == ["Trygghet", "Sämre"]
    assert words[6:8] == ["Må bra", "Förra gången: Vet inte"]
    assert words[8:10] == ["Fritid", "Som förut"]
    assert words[10:12] == ["Tillhörighet", "Inget svar"]
    assert len(words) == 2 + 2 * len(EIGHT)
