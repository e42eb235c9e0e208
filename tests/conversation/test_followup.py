"""The follow-up conversation (uppföljningssamtal): flows, the earlier conversation, recall.

SPEC §3: a follow-up is shorter; per area it shows what the child said last time and asks how
it is now; it asks what has got better, what has got worse and whether what was agreed helps.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlmodel import select

from samtal import library
from samtal.conversation import engine, followup, invitations, lifecycle, links, reading, records
from samtal.db import get_session
from samtal.flows import FLOWS_DIR, FlowError, load_flow, load_framework, load_library
from samtal.flows.loader import SCALES_FILE, load_scales
from samtal.models import Child, Conversation, Guardian, utcnow
from tests.builders import (
    TEST_FLOWS,
    answer_steps,
    finish,
    make_app,
    reload_conversation,
    run_through,
)

REAL = load_library([FLOWS_DIR])
FOLLOWUPS = ["uppfoljning-4-6", "uppfoljning-7-9", "uppfoljning-10-12", "uppfoljning-13-17"]
FORM_TOKEN = re.compile(r'name="form_token" value="([^"]+)"')
FORM_KIND = re.compile(r'class="answer answer-(\w+)"')


# ---------------------------------------------------------------- helpers


def new_child(app: Flask, age: int = 8, name: str = "Testbarn") -> int:
    """A registered child (by birth year), without any conversation."""
    with app.app_context():
        session = get_session()
        child = Child(name=name, birth_year=utcnow().year - age)
        session.add(child)
        session.commit()
        return child.id or 0


def start_first(app: Flask, child_id: int, flow_id: str = "barn-7-9") -> int:
    """A first conversation for a registered child."""
    with app.app_context():
        session = get_session()
        child = session.get(Child, child_id)
        flow = library.flows().get(flow_id)
        conversation = lifecycle.start_conversation(
            session=session, flow=flow, name=child.name, age=8, child=child
        )
        return conversation.id or 0


def start_followup(app: Flask, child_id: int, guardian_id: int | None = None, **kwargs) -> int:
    """A follow-up for a registered child (or one of their guardians), via the service."""
    with app.app_context():
        session = get_session()
        child = session.get(Child, child_id)
        guardian = session.get(Guardian, guardian_id) if guardian_id else None
        conversation = lifecycle.start_followup(
            session=session, flows=library.flows(), child=child, guardian=guardian, **kwargs
        )
        return conversation.id or 0


def add_guardian(app: Flask, child_id: int, name: str = "Förälder") -> int:
    with app.app_context():
        session = get_session()
        guardian = Guardian(child_id=child_id, name=name, language="sv")
        session.add(guardian)
        session.commit()
        return guardian.id or 0


def start_guardian(app: Flask, child_id: int, guardian_id: int) -> int:
    """The guardian's first questionnaire."""
    with app.app_context():
        session = get_session()
        child = session.get(Child, child_id)
        conversation = lifecycle.start_conversation(
            session=session,
            flow=library.flows().get("vardnadshavare"),
            name=child.name,
            age=8,
            child=child,
            guardian_id=guardian_id,
        )
        return conversation.id or 0


def recall_for(app: Flask, conversation_id: int, area_id: str):
    """What the follow-up shows as "Förra gången" for an area."""
    with app.app_context():
        session = get_session()
        conversation = session.get(Conversation, conversation_id)
        previous = followup.load_previous(session, conversation, library.flows())
        return followup.recall(previous, area_id)


def tablet_path(app: Flask, conversation_id: int) -> str:
    with app.app_context():
        conversation = get_session().get(Conversation, conversation_id)
        return f"/samtal/{links.tablet_token(conversation_id, conversation.link_nonce)}/"


# ---------------------------------------------------------------- the flows


@pytest.mark.parametrize("flow_id", [*FOLLOWUPS, "uppfoljning-vardnadshavare"])
def test_followup_flows_load_and_recall_every_area(flow_id):
    """Each follow-up loads, is marked followup, and recalls last time in every area."""
    flow = REAL.get(flow_id)
    assert flow is not None and flow.purpose == "followup"
    for area in flow.framework.areas:
        ratings = [s for s in flow.area_steps[area.id] if s.kind == "rating"]
        assert len(ratings) == 1 and ratings[0].recall, (flow_id, area.id)
        assert ratings[0].id == f"{area.id}.hur"  # the first conversation's id
    ids = {s.id for s in flow.outro}
    assert {"blivit_battre", "blivit_samre", "hjalper"} <= ids
    # 4–6 (style "young"): the adult writes the child's words from the panel instead.
    assert ("hjalper_ord" in ids) != (flow.style == "young")


@pytest.mark.parametrize(
    ("followup_id", "first_id"),
    [
        ("uppfoljning-4-6", "barn-4-6"),
        ("uppfoljning-7-9", "barn-7-9"),
        ("uppfoljning-10-12", "barn-10-12"),
        ("uppfoljning-13-17", "barn-13-17"),
        ("uppfoljning-vardnadshavare", "vardnadshavare"),
    ],
)
def test_followup_is_shorter_and_shaped_like_the_first(followup_id, first_id):
    """Shorter than the first conversation, same audience, ages, scale, order and pictures."""
    later, first = REAL.get(followup_id), REAL.get(first_id)
    assert later is not None and first is not None
    assert len(list(later.all_steps())) < len(list(first.all_steps()))
    assert (later.audience, later.ages, later.scale, later.area_order) == (
        first.audience,
        first.ages,
        first.scale,
        first.area_order,
    )
    assert later.pictures_required == first.pictures_required
    sharing = [s.kind for s in later.outro if s.kind == "sharing"]
    assert bool(sharing) == (first_id == "barn-13-17")


def test_followup_reuses_the_first_flows_texts_where_natural():
    """Review, goodbye, the compass question and the own-words questions are the same texts."""
    for band in ("4-6", "7-9", "10-12", "13-17"):
        later, first = REAL.get(f"uppfoljning-{band}"), REAL.get(f"barn-{band}")
        for step_id in ("se_over", "hej_da", "omsorg.ord", "utvecklas.ord"):
            assert later.step(step_id).text == first.step(step_id).text, (band, step_id)


@pytest.mark.parametrize(
    ("age", "flow_id"),
    [(4, "uppfoljning-4-6"), (6, "uppfoljning-4-6"), (7, "uppfoljning-7-9")]
    + [(9, "uppfoljning-7-9"), (10, "uppfoljning-10-12"), (12, "uppfoljning-10-12")]
    + [(13, "uppfoljning-13-17"), (17, "uppfoljning-13-17")],
)
def test_for_age_with_purpose_picks_the_followup_band(age, flow_id):
    """for_age(age, purpose="followup") picks the band's follow-up; the default stays first."""
    assert REAL.for_age(age, purpose="followup").id == flow_id
    assert REAL.for_age(age).purpose == "first"
    assert REAL.for_age(age, audience="guardian", purpose="followup").id == (
        "uppfoljning-vardnadshavare"
    )


def test_for_audience_lists_first_flows_unless_told():
    """Lists of flows (e.g. the guardian invitation, the adult's age bands) keep to one purpose."""
    ours = "behovskompass"  # Barnets bästa-hjulet's flows are loaded beside them
    assert [f.id for f in REAL.for_audience("guardian", ours)] == ["vardnadshavare"]
    assert [f.id for f in REAL.for_audience("child", ours, purpose="followup")] == FOLLOWUPS
    assert len(REAL.for_audience("child", ours, purpose=None)) == 8


def load_text(tmp_path: Path, text: str):
    """Load one flow written in the tiny test framework."""
    path = tmp_path / "flode.toml"
    path.write_text(text, encoding="utf-8")
    frameworks = {
        f.id: f for f in map(load_framework, sorted((TEST_FLOWS / "frameworks").glob("*.toml")))
    }
    scales, always = load_scales(SCALES_FILE)
    return load_flow(path, frameworks, scales, always)


def flow_text(purpose: str = "followup", rating_extra: str = "recall = true", outro_extra=""):
    return f"""
id = "prov"
version = 1
audience = "child"
purpose = "{purpose}"
framework = "tre_omraden"
ages = [20, 21]
scale = "faces3"

[[areas.mat]]
id = "mat.hur"
kind = "rating"
summary = "rating"
{rating_extra}
text = "Hur är maten nu?"

[[areas.lek]]
id = "lek.hur"
kind = "rating"
summary = "rating"
text = "Hur är leken?"

[[areas.vanner]]
id = "vanner.ord"
kind = "words"
summary = "own_words"
text = "Något mer?"

[[outro]]
id = "battre"
kind = "priorities"
summary = "other"
text = "Vad har blivit bättre?"
{outro_extra}

[[outro]]
id = "se_over"
kind = "review"
text = "Stämmer det?"

[[outro]]
id = "hej_da"
kind = "goodbye"
text = "Hej då!"
"""


def test_a_small_followup_flow_loads(tmp_path):
    """purpose, recall and none are read from the file."""
    flow = load_text(
        tmp_path, flow_text(outro_extra='none = { text = "Inget", picture = "person.ingen" }')
    )
    assert flow.purpose == "followup"
    assert flow.step("mat.hur").recall and not flow.step("lek.hur").recall
    none = flow.step("battre").none
    assert none is not None and none.text == "Inget"
    assert "Inget" in [o.text for o in flow.options_for(flow.step("battre"))]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (flow_text(purpose="forsta"), "purpose"),
        (flow_text(purpose="first"), "recall"),
        (flow_text(rating_extra='recall = "ja"'), "recall"),
        (flow_text(outro_extra="recall = true"), "recall"),
        (flow_text(rating_extra='none = { text = "Inget" }'), "none"),
        (flow_text(outro_extra='none = "Inget"'), "none"),
    ],
)
def test_followup_keys_in_the_wrong_place_stop_the_start(tmp_path, text, message):
    """A bad purpose, recall outside a follow-up's rating, none outside priorities: refused."""
    with pytest.raises(FlowError) as refused:
        load_text(tmp_path, text)
    assert message in str(refused.value)


# ---------------------------------------------------------------- the earlier conversation


def test_previous_conversation_is_the_childs_latest_completed_one(app):
    """Not another child's, not a guardian's, not an unfinished one; the latest finished."""
    child = new_child(app)
    other_child = new_child(app, name="Annat barn")
    older = start_first(app, child)
    run_through(app, older, {"omsorg.hur": "1"})
    latest = start_first(app, child)
    run_through(app, latest, {"omsorg.hur": "2"})
    guardian = add_guardian(app, child)
    run_through(app, start_guardian(app, child, guardian))  # a guardian's: never the child's
    start_first(app, child)  # unfinished: does not count
    declined = start_first(app, child)
    run_through(app, declined, {"hej": "nej"})
    run_through(app, start_first(app, other_child))  # another child's: never
    now = start_followup(app, child)
    with app.app_context():
        session = get_session()
        found = lifecycle.previous_conversation(session, session.get(Conversation, now))
        assert found is not None and found.id == latest
        # The earliest has nothing before it.
        assert lifecycle.previous_conversation(session, session.get(Conversation, older)) is None


@pytest.fixture
def db_app(any_database_url) -> Iterator[Flask]:
    """The app on each database the product runs on (SQLite, and PostgreSQL when there)."""
    app = make_app(any_database_url)
    yield app
    app.extensions["samtal.engine"].dispose()


def test_previous_conversation_and_history_on_each_database(db_app):
    """The same earlier conversation, recall and levels on SQLite and PostgreSQL."""
    child = new_child(db_app)
    run_through(db_app, start_first(db_app, child), {"omsorg.hur": "2", "omsorg.ord": "Å, ja."})
    first = start_first(db_app, child)
    run_through(db_app, first, {"omsorg.hur": "1"})
    start_first(db_app, child)  # unfinished
    now = start_followup(db_app, child)
    with db_app.app_context():
        session = get_session()
        assert lifecycle.previous_conversation(session, session.get(Conversation, now)).id == first
        levels = [
            found["omsorg"] for _p, found in followup.history(session, child, library.flows())
        ]
    assert levels == [0.5, 0.0]
    assert [o.text for o in recall_for(db_app, now, "omsorg").labels] == ["Inte så bra"]


def test_previous_conversation_of_a_guardian_is_their_own(app):
    """A guardian's follow-up looks at the same guardian's answers, never the child's."""
    child = new_child(app)
    run_through(app, start_first(app, child))
    one, two = add_guardian(app, child, "Ett"), add_guardian(app, child, "Två")
    first_of_one = start_guardian(app, child, one)
    run_through(app, first_of_one, {"omsorg.hur": "4"})
    run_through(app, start_guardian(app, child, two), {"omsorg.hur": "1"})
    later_of_one = start_followup(app, child, guardian_id=one)
    first_of_three = start_followup(app, child, guardian_id=add_guardian(app, child, "Tre"))
    with app.app_context():
        session = get_session()
        later = session.get(Conversation, later_of_one)
        assert later.flow_id == "uppfoljning-vardnadshavare" and later.guardian_id == one
        assert lifecycle.previous_conversation(session, later).id == first_of_one
        none_yet = session.get(Conversation, first_of_three)
        assert lifecycle.previous_conversation(session, none_yet) is None
    shown = recall_for(app, later_of_one, "omsorg")
    assert [o.text for o in shown.labels] == ["Ganska bra"]


def test_start_followup_picks_the_band_of_the_childs_age_now(app):
    """A child who was 9 at the first conversation and is 10 now gets the 10–12 follow-up."""
    child = new_child(app, age=10)
    conversation_id = start_followup(app, child)
    assert reload_conversation(app, conversation_id).flow_id == "uppfoljning-10-12"
    with app.app_context(), pytest.raises(lifecycle.FollowupRefused):
        session = get_session()
        lifecycle.start_followup(
            session=session,
            flows=library.flows(),
            child=session.get(Child, child),
            flow=library.flows().get("barn-7-9"),
        )


# ---------------------------------------------------------------- recall


def test_recall_shows_last_times_rating_in_the_same_area_and_the_words(app):
    """Per area: last time's face and text, and the child's own words from that area."""
    child = new_child(app)
    first = start_first(app, child)
    run_through(
        app,
        first,
        {
            "omsorg.hur": "2",
            "omsorg.ord": "Jag sover dåligt.",
            "trygghet.hur": "vet_inte",
            "ma_bra.hur": "vill_inte_svara",
            "fritid.hur": "3",
        },
    )
    now = start_followup(app, child)
    omsorg = recall_for(app, now, "omsorg")
    assert omsorg.step.id == "omsorg.hur"
    assert [(o.text, o.picture) for o in omsorg.labels] == [("Sådär", "face.2of3")]
    assert [w.words for w in omsorg.words] == ["Jag sover dåligt."]
    # Vet inte and Vill inte svara are shown as what they are, never as a face.
    assert [o.text for o in recall_for(app, now, "trygghet").labels] == ["Vet inte"]
    assert [o.text for o in recall_for(app, now, "ma_bra").labels] == ["Vill inte svara"]
    fritid = recall_for(app, now, "fritid")
    assert [o.text for o in fritid.labels] == ["Bra"] and fritid.words == []


def test_recall_reads_an_earlier_band_with_its_own_scale(app):
    """A first conversation on three faces, a follow-up on five: last time's face is shown."""
    child = new_child(app, age=10)
    first = start_first(app, child, "barn-7-9")
    run_through(app, first, {"utvecklas.hur": "1"})
    now = start_followup(app, child)
    assert reload_conversation(app, now).flow_id == "uppfoljning-10-12"
    shown = recall_for(app, now, "utvecklas")
    assert [(o.text, o.picture) for o in shown.labels] == [("Inte så bra", "face.1of3")]


def test_words_written_down_by_the_adult_are_recalled_too(app):
    """The child's words written beside the rating by the adult are shown with the rating."""
    from samtal.conversation import adult

    child = new_child(app)
    first = start_first(app, child)
    answer_steps(app, first, "hej", "inga_fel", "vem_laser")
    with app.test_request_context():
        session = get_session()
        flow = library.flows().get("barn-7-9")
        adult.write_childs_words(
            session=session,
            conversation=session.get(Conversation, first),
            flow=flow,
            step=flow.step("omsorg.hur"),
            text="Mamma lagar god mat.",
        )
    run_through(app, first)
    shown = recall_for(app, start_followup(app, child), "omsorg")
    assert "Mamma lagar god mat." in [w.words for w in shown.words]


def test_nothing_is_recalled_without_an_earlier_conversation(app):
    """No earlier finished conversation: no "Förra gången" at all."""
    child = new_child(app)
    start_first(app, child)  # started, never finished
    now = start_followup(app, child)
    assert recall_for(app, now, "omsorg") is None


def test_nothing_is_recalled_for_an_area_not_talked_about(app):
    """An area that was never answered last time shows nothing."""
    child = new_child(app)
    first = start_first(app, child)
    with app.app_context():
        # End the conversation as completed after the opening only: areas unanswered.
        session = get_session()
        conversation = session.get(Conversation, first)
        conversation.status = "completed"
        session.add(conversation)
        session.commit()
    assert recall_for(app, start_followup(app, child), "omsorg") is None


# ---------------------------------------------------------------- change per area


def test_changes_per_area_compare_across_scales():
    """better / worse / same on shares of each scale; skips have no direction."""
    first, later = REAL.get("barn-7-9"), REAL.get("uppfoljning-10-12")
    given = engine.Given
    before = {
        "omsorg.hur": given("answered", "1"),
        "trygghet.hur": given("answered", "3"),
        "ma_bra.hur": given("answered", "2"),
        "fritid.hur": given("vet_inte"),
    }
    after = {
        "omsorg.hur": given("answered", "4"),
        "trygghet.hur": given("answered", "2"),
        "ma_bra.hur": given("answered", "3"),
        "fritid.hur": given("answered", "5"),
    }
    found = {c.area.id: c for c in followup.changes(first, before, later, after)}
    assert found["omsorg"].direction == "better"
    assert found["omsorg"].before_level == 0 and found["omsorg"].after_level == 0.75
    assert found["trygghet"].direction == "worse"
    assert found["ma_bra"].direction == "same"
    assert found["fritid"].direction is None and found["fritid"].after_level == 1
    assert found["utvecklas"].before is None and found["utvecklas"].direction is None


def test_history_gives_each_completed_conversation_with_levels(app):
    """Data for the chart on the child page: oldest first, a level per area."""
    child = new_child(app)
    run_through(app, start_first(app, child), {"omsorg.hur": "1"})
    later = start_followup(app, child)
    run_through(app, later, {"omsorg.hur": "3", "blivit_battre": ["omsorg"]})
    with app.app_context():
        found = followup.history(get_session(), child, library.flows())
    assert [p.flow.id for p, _levels in found] == ["barn-7-9", "uppfoljning-7-9"]
    assert [levels["omsorg"] for _p, levels in found] == [0.0, 1.0]


# ---------------------------------------------------------------- over HTTP


def heading(html: str) -> str:
    """The question on screen (the page's one h1)."""
    found = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S)
    return found.group(1) if found else ""


def page_kind(html: str) -> str:
    found = FORM_KIND.search(html)
    return found.group(1) if found else ""


def test_followup_runs_end_to_end_on_the_tablet(app, client):
    """A follow-up over HTTP: "Förra gången" per area, the new questions, review, goodbye."""
    child = new_child(app)
    first = start_first(app, child)
    run_through(app, first, {"omsorg.hur": "1", "omsorg.ord": "Jag är trött."})
    now = start_followup(app, child)
    path = tablet_path(app, now)
    seen_recall = []
    for _ in range(80):
        html = client.get(path).get_data(as_text=True)
        kind = page_kind(html)
        if not kind:
            break
        data: dict = {"form_token": FORM_TOKEN.search(html).group(1)}
        if kind == "assent":
            data["value"] = "ja"
        elif kind == "choose_area":
            data["value"] = re.search(r'name="value" value="(\w+)" class="option area', html)[1]
        elif kind == "rating":
            seen_recall.append("Förra gången:" in html)
            if "mat, sömn och vuxna" in heading(html):
                assert "Inte så bra" in html.split("Förra gången:")[1].split("</div>")[0]
                assert "Jag är trött." in html
                data["value"] = "3"
            else:
                data["value"] = "2"
        elif kind == "words":
            data["words"] = "Det är bättre nu."
        elif kind == "priorities":
            assert "Välj så många du vill" in html
            if "blivit bättre" in heading(html):
                data["value"] = ["omsorg", "fritid"]
            else:
                assert "Inget har blivit sämre" in html
                data["none"] = "1"
        elif kind == "choice":
            data["value"] = "lite"
        response = client.post(f"{path}svar", data=data)
        assert response.status_code == 303, (kind, response.get_data(as_text=True)[:500])
    else:
        raise AssertionError("the follow-up never ended")
    assert seen_recall == [True] * 8  # every area showed last time's answer
    assert "Tack för att du pratade med mig!" in html
    assert reload_conversation(app, now).status == "completed"
    with app.app_context():
        stored = records.stored_answers(get_session(), now)
    assert stored["blivit_battre"].value == ["omsorg", "fritid"]
    assert stored["blivit_samre"].status == "answered" and stored["blivit_samre"].value == []
    assert stored["hjalper"].value == "lite"
    assert stored["omsorg.hur"].value == "3" and "omsorg.ord" not in stored


def test_review_of_a_followup_shows_none_as_inget(app, client):
    """Choosing "Inget har blivit sämre" shows as that on the review screen."""
    child = new_child(app)
    run_through(app, start_first(app, child))
    now = start_followup(app, child)
    with app.app_context():
        flow = library.flows().get("uppfoljning-7-9")
        none = reading.Parsed(status="answered", value=[])
    wanted = {"blivit_samre": none, "se_over": reading.Parsed(status="answered")}
    # Answer everything up to the review, then look at it.
    with app.test_request_context():
        session = get_session()
        review = next(s.id for s in flow.outro if s.kind == "review")
        finish(session, session.get(Conversation, now), wanted, stop_at=review)
    html = client.get(tablet_path(app, now)).get_data(as_text=True)
    assert page_kind(html) == "review"
    assert "Inget har blivit sämre" in html


def test_a_followup_without_an_earlier_conversation_shows_no_recall(app, client):
    """No earlier finished conversation: the rating steps show only the question."""
    child = new_child(app, age=5)
    now = start_followup(app, child)
    assert reload_conversation(app, now).flow_id == "uppfoljning-4-6"
    answer_steps(app, now, "hej", "forra_gangen")
    html = client.get(tablet_path(app, now)).get_data(as_text=True)
    assert page_kind(html) == "rating" and "Förra gången" not in html


def test_guardian_followup_shows_own_answers_never_the_childs(app, client):
    """The guardian's follow-up shows their own last answer, not the child's words."""
    child = new_child(app)
    run_through(app, start_first(app, child), {"omsorg.hur": "1", "omsorg.ord": "BARNETS ORD"})
    guardian = add_guardian(app, child)
    run_through(
        app,
        start_guardian(app, child, guardian),
        {"omsorg.hur": "4", "omsorg.bra": "Maten är bra."},
    )
    with app.test_request_context():
        session = get_session()
        issued = invitations.issue(
            session=session,
            child=session.get(Child, child),
            flow=library.flows().get("uppfoljning-vardnadshavare"),
            language="sv",
            guardian=session.get(Guardian, guardian),
        )
    path = f"/v/{issued.token}/"
    for _ in range(3):  # the two opening messages
        html = client.get(path).get_data(as_text=True)
        if page_kind(html) == "rating":
            break
        client.post(f"{path}svar", data={"form_token": FORM_TOKEN.search(html).group(1)})
    assert page_kind(html) == "rating"
    recalled = html.split("Förra gången:")[1].split("</div>")[0]
    assert "Ganska bra" in recalled and "Maten är bra." in recalled
    assert "BARNETS ORD" not in html


# ---------------------------------------------------------------- the command line


def cli(app: Flask, *args: str):
    """Run `flask samtal …` (the flask command gives it an app context; so does this)."""
    with app.app_context():
        return app.test_cli_runner().invoke(args=["samtal", *args])


def test_cli_starts_a_followup_for_a_child(app):
    """`samtal start --child N --followup` uses the same service and prints the tablet link."""
    child = new_child(app)
    run_through(app, start_first(app, child))
    result = cli(app, "start", "--child", str(child), "--followup")
    assert result.exit_code == 0, result.output
    assert "uppfoljning-7-9" in result.output and "/samtal/" in result.output
    assert "Obs" not in result.output
    lonely = new_child(app, age=14)
    result = cli(app, "start", "--child", str(lonely), "--followup")
    assert result.exit_code == 0 and "uppfoljning-13-17" in result.output
    assert "Förra gången" in result.output  # warned: nothing to show from last time


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--followup", "--age", "8", "--name", "X"], "--child"),
        (["--child", "999", "--followup"], "inget barn"),
        (["--age", "8"], "--name"),
    ],
)
def test_cli_refuses_a_followup_it_cannot_start(app, args, message):
    """Clear messages for a follow-up without a child, an unknown child, a missing name."""
    result = cli(app, "start", *args)
    assert result.exit_code != 0 and message in result.output


def test_cli_start_for_a_new_child_still_works(app):
    """The first command of the README is unchanged."""
    result = cli(app, "start", "--age", "8", "--name", "Testbarn")
    assert result.exit_code == 0, result.output
    assert "barn-7-9" in result.output


def test_cli_invites_a_guardian_to_the_followup(app):
    """`samtal invite --child N --followup --guardian G` invites the same guardian again."""
    child = new_child(app)
    guardian = add_guardian(app, child)
    result = cli(app, "invite", "--child", str(child), "--followup")
    assert result.exit_code != 0 and "--guardian" in result.output
    result = cli(app, "invite", "--child", str(child), "--followup", "--guardian", str(guardian))
    assert result.exit_code == 0, result.output
    assert "uppföljningsfrågorna" in result.output and "/v/" in result.output
    with app.app_context():
        rows = get_session().exec(select(Conversation).where(Conversation.guardian_id == guardian))
        assert [r.flow_id for r in rows] == ["uppfoljning-vardnadshavare"]
