"""Counting: the SQL aggregation gives the right numbers per area, age band, unit and year."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from samtal import library
from samtal.db import get_session
from samtal.staff.statistics.views import cutoff
from samtal.statistics.figures import OTHER_UNITS, compute
from samtal.statistics.suppression import HIDDEN, SHOWN, SMALL, TOTAL
from tests.builders import YESTERDAY


def figures_of(app, year: int = YESTERDAY.year):
    """The protected figures of the year, as the page would count them today."""
    with app.app_context():
        return compute(get_session(), library.flows(), year, cutoff())


def unit_key(figures, name: str) -> str:
    """The unit split's row of a unit, by its name."""
    return next(key for key, shown in figures.unit_names.items() if shown == name)


def test_ratings_per_area_band_and_unit(app, add_child):
    """Three- and five-face scales count in the same three groups; skips count as themselves;
    each child once; small units are counted together; the total row is the same both ways."""
    for given in ("3", "3", "3", "2", "1", "vet_inte"):
        add_child(unit="Ekskolan", age=8, child={"omsorg": given})
    for _ in range(5):
        add_child(unit="Björkens förskola", age=5, child={"omsorg": "3", "trygghet": "1"})
    for given in ("4", "3"):  # five faces: 4 is the upper side, 3 the middle
        add_child(unit="Lilla skolan", age=14, child={"omsorg": given})
    add_child(unit=None, age=11, child={"omsorg": "2", "trygghet": "vill_inte_svara"})

    figures = figures_of(app)
    by_age = figures.tables["child.omsorg"]["age"]
    assert by_age.counts[("7-9", "high")] == 3
    assert by_age.counts[("7-9", "middle")] == 1
    assert by_age.counts[("7-9", "low")] == 1
    assert by_age.counts[("7-9", "vet_inte")] == 1
    assert by_age.counts[("13-17", "high")] == 1
    assert by_age.counts[("13-17", "middle")] == 1
    assert by_age.counts[("10-12", "low")] == 1
    assert by_age.counts[(TOTAL, TOTAL)] == 14
    by_unit = figures.tables["child.omsorg"]["unit"]
    assert set(figures.unit_names.values()) == {"Ekskolan", "Björkens förskola"}
    assert by_unit.counts[(OTHER_UNITS, TOTAL)] == 3  # Lilla skolan (2) and no unit (1)
    assert by_unit.counts[(unit_key(figures, "Björkens förskola"), "high")] == 5
    assert figures.tables["child.trygghet"]["age"].counts[(TOTAL, "vill_inte_svara")] == 1
    # Published: the five happy faces of the förskola; hidden: every count of 1–4.
    assert figures.figure("child.omsorg", "age", "4-6", "high") == 5
    assert figures.state("child.omsorg", "age", "7-9", "low") == SMALL
    assert figures.state("child.omsorg", "unit", OTHER_UNITS, TOTAL) == SMALL
    assert figures.figure("child.omsorg", "age", TOTAL, TOTAL) == 14
    assert figures.figure("child.omsorg", "unit", TOTAL, TOTAL) == 14


def test_guardians_follow_ups_and_the_difference_between_child_and_guardian(app, add_child):
    """A guardian's five faces and the child's three compare by their place on the scale;
    a follow-up compares with the conversation before it."""
    for _ in range(5):
        add_child(child={"omsorg": "3"}, guardian={"omsorg": "1"}, followup={"omsorg": "1"})
    for _ in range(6):
        add_child(child={"omsorg": "2"}, guardian={"omsorg": "3"}, followup={"omsorg": "3"})
    figures = figures_of(app)
    guardians = figures.tables["guardian.omsorg"]["age"]
    assert guardians.counts[("7-9", "low")] == 5
    assert guardians.counts[("7-9", "middle")] == 6
    agreement = figures.tables["agreement.omsorg"]["age"]
    assert agreement.counts[(TOTAL, "skiljer_sig")] == 5
    assert agreement.counts[(TOTAL, "samma")] == 6
    change = figures.tables["change.omsorg"]["age"]
    assert change.counts[(TOTAL, "worse")] == 5
    assert change.counts[(TOTAL, "better")] == 6
    assert figures.figure("change.omsorg", "age", "7-9", "better") == 6


def test_activity_next_steps_time_and_wishes(app, add_child):
    """Conversations, follow-ups, guardians, reminders, decisions, time to summary and the
    most chosen wishes are counted per child; only conversations of the year before today."""
    for n in range(7):
        add_child(
            child={"omsorg": "1"},
            guardian={"omsorg": "1"} if n < 5 else None,
            followup={"omsorg": "2"} if n < 6 else None,
            concern=n < 5,
            decision="barnteam" if n < 6 else "sip",
            wishes={"omsorg": ["mer_mat", "sova_mer"] if n < 5 else ["mer_mat"]},
        )
    earlier = YESTERDAY - timedelta(days=400)
    add_child(child={"omsorg": "1"}, at=earlier)  # another year
    add_child(child={"omsorg": "1"}, at=datetime.now(UTC) + timedelta(hours=4))  # today
    figures = figures_of(app)
    activity = figures.tables["activity"]["age"]
    assert [activity.counts[(TOTAL, c)] for c in activity.columns] == [7, 7, 6, 5, 5]
    decisions = figures.tables["decisions"]["age"]
    assert decisions.counts[(TOTAL, "barnteam")] == 6
    assert decisions.counts[(TOTAL, "sip")] == 1
    assert figures.tables["time"]["age"].counts[(TOTAL, "0-30")] == 7
    assert figures.figure("child.omsorg", "age", TOTAL, "low") == 7
    assert figures.wishes["omsorg"] == [("Mer mat", 7), ("Sova mer", 5)]
    # The decisions and the time to summary count the same children: one total, one state.
    for split in ("age", "unit"):
        states = {figures.state(m, split, TOTAL, TOTAL) for m in ("decisions", "time")}
        assert len(states) == 1
    assert figures_of(app, earlier.year).tables["activity"]["age"].counts[(TOTAL, "samtal")] == 1


def test_hidden_figures_are_hidden_in_the_page_state(app, add_child):
    """A row with one small cell gets a second one hidden, so its total gives nothing away."""
    for _ in range(6):
        add_child(child={"omsorg": "3"})
    add_child(child={"omsorg": "1"})
    figures = figures_of(app)
    states = {
        column: figures.state("child.omsorg", "age", "7-9", column)
        for column in ("low", "high", TOTAL)
    }
    assert states["low"] == SMALL
    assert HIDDEN in (states["high"], states[TOTAL])
    assert SHOWN not in (figures.state("child.omsorg", "age", TOTAL, c) for c in ("low", "high"))


def test_conversations_under_an_earlier_flow_version_are_counted_with_its_steps(app, add_child):
    """4–6 children who talked under barn-4-6 version 1 are counted beside those under the
    current one: their ratings by version 1's scale, their wishes by version 1's options, also
    on a step the current version no longer has."""
    for _ in range(5):
        add_child(age=5, version=1, child={"respekteras": "1"}, wishes={"respekteras": ["tid"]})
    add_child(age=5, child={"respekteras": "1"})
    figures = figures_of(app)
    assert figures.figure("child.respekteras", "age", "4-6", "low") == 6
    assert figures.wishes["respekteras"] == [("Har tid med mig", 5)]
