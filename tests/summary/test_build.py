"""The summary: built from stored answers (skips, two guardians, kept areas, scales), notes,
signed versions and their hashes, and the pages with their refusals."""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from flask import Flask
from sqlmodel import col, select

from samtal import library
from samtal.conversation import engine, invitations, lifecycle
from samtal.db import get_session
from samtal.flows import DECLINED, SKIP_VALUES
from samtal.models import AuditEntry, Child, Conversation, SafetyConcern, Staff, SummaryVersion
from samtal.summary import store
from samtal.summary.build import Part, agreement, build_summary
from samtal.summary.sharing import prepare
from tests.builders import GUARDIAN_PICKS, csrf_token_of, finish, login, make_app, make_child

# ---------------------------------------------------------------- helpers (also used elsewhere)


def given(value: Any = None, status: str = "answered", **extra: Any) -> engine.Given:
    """One stored answer as the engine sees it."""
    return engine.Given(status=status, value=value, **extra)


def part(flow_id: str, answers: Mapping[str, engine.Given], **extra: Any) -> Part:
    """A conversation's part for build_summary, from a flow id and answers."""
    flow = library.flows().get(flow_id)
    assert flow is not None, flow_id
    return Part(flow=flow, answers=answers, **extra)


def build(child: Part | None, *guardians: Part, **extra: Any) -> dict[str, Any]:
    """A summary of the behovskompass for these parts."""
    framework = library.flows().frameworks["behovskompass"]
    return build_summary(
        framework=framework,
        header={"child_id": 1, "child_name": "Testbarn", "barnkontakt": "Kim"},
        child_part=child,
        guardian_parts=guardians,
        **extra,
    )


def area(summary: Mapping[str, Any], area_id: str) -> dict[str, Any]:
    """One area of a built summary."""
    return next(a for a in summary["areas"] if a["id"] == area_id)


# ---------------------------------------------------------------- building (pure)


@pytest.fixture
def ctx(app: Flask) -> Iterator[Flask]:
    """An app context: the flows are loaded."""
    with app.test_request_context():
        yield app


def test_child_area_has_rating_wishes_and_own_words_verbatim(ctx):
    child = part(
        "barn-7-9",
        {
            "omsorg.hur": given("2"),
            "omsorg.battre": given(["frukost", "sova_mer"]),
            "omsorg.ord": given(
                words="Jag vill ha frukost.\nGärna gröt!", by="adult", language="sv"
            ),
        },
        language="sv",
    )
    omsorg = area(build(child), "omsorg")["child"]
    assert omsorg["rating"] == {
        "status": "answered",
        "value": "2",
        "label": "Sådär",
        "picture": "face.2of3",
        "steps": 3,
        "position": 0.5,
    }
    assert [i["text"] for i in omsorg["wishes"]] == ["Äta frukost", "Sova mer"]
    assert omsorg["strengths"] == []
    (words,) = omsorg["words"]
    assert words["text"] == "Jag vill ha frukost.\nGärna gröt!"  # verbatim, never retyped
    assert (words["language"], words["by"], words["own_words"]) == ("sv", "adult", True)


def test_unknown_and_declined_are_kept_as_what_they_are(ctx):
    child = part(
        "barn-7-9",
        {
            "omsorg.hur": given(status="vet_inte"),
            "omsorg.battre": given(status="vill_inte_svara"),
            "trygghet.hur": given(status="vill_inte_svara"),
        },
    )
    guardian = part("vardnadshavare", {"omsorg.hur": given("4")}, name="Anna", ref=1)
    summary = build(child, guardian)
    omsorg = area(summary, "omsorg")
    assert omsorg["child"]["rating"]["status"] == "vet_inte"
    assert omsorg["child"]["rating"]["label"] == "Vet inte"
    assert omsorg["child"]["rating"]["position"] is None
    assert omsorg["child"]["wishes"] == [
        {
            "text": "Vill inte svara",
            "picture": "answer.vill_inte_svara",
            "status": "vill_inte_svara",
            "own_words": False,
            "question": library.flows().get("barn-7-9").step("omsorg.battre").text,
        }
    ]
    assert omsorg["guardians"][0]["agreement"] == "kan_inte_jamforas"
    assert area(summary, "trygghet")["child"]["rating"]["status"] == "vill_inte_svara"
    # An area nobody reached: not answered, not a value.
    assert area(summary, "utvecklas")["child"]["rating"]["status"] == "not_answered"


@pytest.mark.parametrize(
    ("child_value", "guardian_value", "expected"),
    [
        ("2", "3", "samma"),  # the middle of three is the middle of five
        ("3", "5", "samma"),
        ("3", "4", "nara"),
        ("1", "2", "nara"),
        ("1", "3", "skiljer_sig"),
        ("3", "1", "skiljer_sig"),
        ("vet_inte", "3", "kan_inte_jamforas"),
        ("2", "vill_inte_svara", "kan_inte_jamforas"),
    ],
)
def test_three_and_five_step_scales_compare_on_one_scale(
    ctx, child_value, guardian_value, expected
):
    def answer(value: str) -> engine.Given:
        return given(status=value) if value in SKIP_VALUES else given(value)

    child = part("barn-7-9", {"fritid.hur": answer(child_value)})
    guardian = part("vardnadshavare", {"fritid.hur": answer(guardian_value)}, name="A", ref=1)
    assert area(build(child, guardian), "fritid")["guardians"][0]["agreement"] == expected


def test_five_step_child_and_guardian_one_step_apart_are_near(ctx):
    child = part("barn-13-17", {"fritid.hur": given("4")})
    guardian = part("vardnadshavare", {"fritid.hur": given("5")}, name="A", ref=1)
    assert area(build(child, guardian), "fritid")["guardians"][0]["agreement"] == "nara"
    assert agreement(None, {"position": 1.0}) == "kan_inte_jamforas"


def test_two_guardians_each_side_by_side_with_their_own_words(ctx):
    child = part("barn-7-9", {"omsorg.hur": given("3"), "omsorg.bra": given(["maten"])})
    anna = part(
        "vardnadshavare",
        {
            "omsorg.hur": given("5"),
            "omsorg.bra": given(words="Hon äter bra.", by="guardian", language="sv"),
            "tolk": given("nej"),
        },
        name="Anna",
        ref=1,
        language="sv",
    )
    karim = part(
        "vardnadshavare",
        {
            "omsorg.hur": given("2"),
            "omsorg.battre": given(words="نحتاج المساعدة في الصباح", by="guardian", language="ar"),
            "tolk": given("ja"),
            "sprak": given("ar"),
        },
        name="Karim",
        ref=2,
        language="ar",
    )
    summary = build(child, anna, karim)
    omsorg = area(summary, "omsorg")
    assert [g["name"] for g in omsorg["guardians"]] == ["Anna", "Karim"]
    assert [g["agreement"] for g in omsorg["guardians"]] == ["samma", "skiljer_sig"]
    assert omsorg["guardians"][0]["strengths"][0]["text"] == "Hon äter bra."
    wish = omsorg["guardians"][1]["wishes"][0]
    assert (wish["text"], wish["language"], wish["by"]) == (
        "نحتاج المساعدة في الصباح",
        "ar",
        "guardian",
    )
    assert summary["header"]["interpreter_wanted"] is True
    assert summary["header"]["languages"] == ["ar", "sv"]
    assert [g["interpreter"] for g in summary["guardians"]] == [False, True]


def test_no_guardian_answer_leaves_the_guardian_side_empty(ctx):
    summary = build(part("barn-7-9", {"omsorg.hur": given("3")}))
    assert all(a["guardians"] == [] for a in summary["areas"])
    assert summary["guardians"] == []
    assert summary["header"]["interpreter_wanted"] is None


def test_no_conversation_at_all_still_builds(ctx):
    summary = build(None)
    assert [a["child"] for a in summary["areas"]] == [None] * 8
    assert summary["priorities"] == [] and summary["kept_from_guardians"] == []


def test_young_person_keeps_areas_from_guardians_and_sharing_leaves_them_out(ctx):
    child = part(
        "barn-13-17",
        {
            "omsorg.hur": given("4"),
            "trygghet.hur": given("1"),
            "trygghet.ord": given(words="Det är bråk hemma.", by="child", language="sv"),
            "viktigast": given(["trygghet", "omsorg"]),
            "dela": given(["omsorg", "fritid"]),
        },
    )
    guardian = part("vardnadshavare", {"trygghet.hur": given("5")}, name="Anna", ref=1)
    summary = build(
        child,
        guardian,
        notes={"areas": {"trygghet": {"note": "Prata med kurator."}}},
        safety=[{"at": "2025-01-01", "step": "trygghet.ord", "note": "Bråk", "report_made": None}],
    )
    assert summary["kept_from_guardians"] == [
        "trygghet",
        "ma_bra",
        "tillhorighet",
        "ansvarstagande",
        "respekteras",
        "utvecklas",
    ]
    trygghet = area(summary, "trygghet")
    # The barnkontakt sees it all, marked.
    assert trygghet["kept_from_guardians"] is True
    assert trygghet["child"]["words"][0]["text"] == "Det är bråk hemma."
    assert trygghet["guardians"][0]["agreement"] == "skiljer_sig"
    assert summary["priorities"] == ["trygghet", "omsorg"]

    shared, missing = prepare(summary, audience="guardians")
    kept = area(shared, "trygghet")
    assert (
        kept["child"] is None and kept["note"] == "" and kept["guardians"][0]["agreement"] is None
    )
    assert area(shared, "omsorg")["child"]["rating"]["value"] == "4"
    assert shared["priorities"] == ["omsorg"]
    assert shared["safety"] == [] and shared["shared"] is True
    assert "bråk hemma" not in json.dumps(shared, ensure_ascii=False)
    assert missing["areas"]["trygghet"] == "not_included"
    assert summary["safety"], "prepare must not change the summary it was given"


def test_young_person_who_did_not_choose_shares_nothing_with_guardians(ctx):
    skipped = part("barn-13-17", {"omsorg.hur": given("4"), "dela": given(status=DECLINED)})
    assert len(build(skipped)["kept_from_guardians"]) == 8
    never_asked = part("barn-13-17", {"omsorg.hur": given("4")})
    assert len(build(never_asked)["kept_from_guardians"]) == 8


def test_younger_child_has_no_sharing_step_and_keeps_nothing(ctx):
    assert build(part("barn-7-9", {"omsorg.hur": given("3")}))["kept_from_guardians"] == []


def test_priorities_meeting_and_the_adult_to_turn_to(ctx):
    child = part(
        "barn-10-12",
        {
            "viktigast": given(["utvecklas", "omsorg"]),
            "motet": given(["jag_sjalv", "mamma"]),
            "hjalp_vuxen": given("kurator"),
        },
    )
    summary = build(child)
    assert summary["priorities"] == ["utvecklas", "omsorg"]
    assert [a["id"] for a in summary["areas"] if a["priority"]] == ["omsorg", "utvecklas"]
    assert [i["text"] for i in summary["meeting"]] == ["Jag själv", "Mamma"]
    assert [i["text"] for i in summary["adult"]] == ["Kuratorn"]
    declined = build(part("barn-10-12", {"viktigast": given(status=DECLINED)}))
    assert declined["priorities"] == [] and declined["priorities_status"] == DECLINED


def test_adult_written_words_beside_a_rating_are_the_childs_words(ctx):
    child = part(
        "barn-4-6",
        {"omsorg.hur": given("1")},
        words={"omsorg.hur": given(words="Jag är hungrig på morgonen.", by="adult", language="so")},
    )
    (words,) = area(build(child), "omsorg")["child"]["words"]
    assert (words["text"], words["by"], words["language"]) == (
        "Jag är hungrig på morgonen.",
        "adult",
        "so",
    )


def test_answers_that_no_longer_apply_are_left_out(ctx):
    # The child first said "Bra" and picked strengths, then changed to "Inte så bra".
    child = part("barn-7-9", {"omsorg.hur": given("1"), "omsorg.bra": given(["maten"])})
    omsorg = area(build(child), "omsorg")["child"]
    assert omsorg["strengths"] == []


def test_labels_and_order_come_from_configuration(ctx):
    summary = build(
        part("barn-7-9", {}),
        labels={"ma_bra": "Hälsa", "utvecklas": "Utveckling"},
        order=["utvecklas", "ma_bra"],
    )
    assert [a["id"] for a in summary["areas"]][:3] == ["utvecklas", "ma_bra", "omsorg"]
    assert area(summary, "ma_bra")["label"] == "Hälsa"


def test_notes_are_checked_for_length_and_decision():
    areas = ["omsorg"]
    ok = store.clean_notes(
        {"areas": {"omsorg": {"note": " kort \r\n"}}, "decision": "barnteam"}, areas
    )
    assert ok["areas"]["omsorg"]["note"] == "kort" and ok["decision"] == "barnteam"
    with pytest.raises(store.SummaryRefused) as refused:
        store.clean_notes({"areas": {"omsorg": {"note": "x" * 4001}}}, areas)
    assert (refused.value.reason, refused.value.field, refused.value.count) == (
        "too_long",
        "note-omsorg",
        4001,
    )
    with pytest.raises(store.SummaryRefused) as refused:
        store.clean_notes({"questions": {"andra": "y" * 5000}}, areas)
    assert refused.value.field == "q-andra"
    with pytest.raises(store.SummaryRefused) as refused:
        store.clean_notes({"decision": "skicka_till_polisen"}, areas)
    assert refused.value.reason == "unknown_decision"
    assert store.clean_notes({"areas": {"omsorg": {"note": "x" * 4000}}}, areas)


# ---------------------------------------------------------------- storing and signing


@pytest.fixture
def db_app(any_database_url) -> Iterator[Flask]:
    """The app on each database the product runs on."""
    app = make_app(any_database_url)
    yield app
    app.extensions["samtal.engine"].dispose()


def _staff(app: Flask, email: str = "bk@kommun.example") -> Staff:
    from samtal.staff import accounts

    with app.app_context():
        return accounts.create_staff(
            session=get_session(),
            email=email,
            name="Kim Barnkontakt",
            role="barnkontakt",
            password="ett långt och bra lösenord",
        )


def test_signing_makes_immutable_versions_with_their_hash(db_app):
    staff = _staff(db_app)
    child_id = make_child(db_app, staff.id)
    with db_app.test_request_context():
        session = get_session()
        child = session.get(Child, child_id)
        store.save_draft(
            session=session,
            child=child,
            staff=staff,
            notes={"areas": {"omsorg": {"note": "Frukost i skolan?"}}, "decision": "barnteam"},
        )
        first = store.sign(session=session, child=child, staff=staff)
        assert first.number == 1
        canonical = json.dumps(
            first.content, sort_keys=True, separators=(",", ":"), ensure_ascii=False
        ).encode()
        assert first.content_hash == hashlib.sha256(canonical).hexdigest()
        assert area(first.content, "omsorg")["note"] == "Frukost i skolan?"
        assert first.content["decision"] == {"code": "barnteam", "text": ""}

        # Signing again without a change: the same version, not a new one.
        again = store.sign(session=session, child=child, staff=staff)
        assert again.id == first.id

        store.save_draft(
            session=session,
            child=child,
            staff=staff,
            notes={"areas": {"omsorg": {"note": "Frukost i skolan ordnad."}}},
        )
        second = store.sign(session=session, child=child, staff=staff)
        assert second.number == 2 and second.content_hash != first.content_hash

    with db_app.test_request_context():
        session = get_session()
        stored = store.versions(session, child_id)
        assert [v.number for v in stored] == [1, 2]
        assert all(store.verify(v) for v in stored)  # the stored JSON hashes the same
        assert area(stored[0].content, "omsorg")["note"] == "Frukost i skolan?"
        differences = store.compare(stored[0].content, stored[1].content)
        changed = {(d.section, d.field): (d.before, d.after) for d in differences}
        assert changed[("area:omsorg", "note")] == ("Frukost i skolan?", "Frukost i skolan ordnad.")
        assert changed[("decision", "code")] == ("barnteam", "")
        assert ("area:trygghet", "child_rating") not in changed


def test_double_sign_off_under_a_race_is_one_version(app, monkeypatch):
    staff = _staff(app)
    child_id = make_child(app, staff.id)
    with app.test_request_context():
        session = get_session()
        child = session.get(Child, child_id)
        content = store.gather(session=session, child=child)
        first = store.sign(session=session, child=child, staff=staff, content=content)
        real = store.latest_version
        stale = iter([None])

        def racing(session_, child_id_):
            # The second request read "no version yet" just before the first one committed.
            return next(stale, None) or real(session_, child_id_)

        monkeypatch.setattr(store, "latest_version", racing)
        second = store.sign(session=session, child=child, staff=staff, content=content)
        assert second.number == first.number == 1
        assert len(session.exec(select(SummaryVersion)).all()) == 1


def test_gather_reads_the_stored_conversations_and_safety_notes(app):
    staff = _staff(app)
    child_id = make_child(
        app,
        staff.id,
        guardians=(("Anna", GUARDIAN_PICKS), ("Bo", {"omsorg.hur": "vill_inte_svara"})),
    )
    with app.test_request_context():
        session = get_session()
        conversation = session.exec(
            select(Conversation).where(
                Conversation.child_id == child_id,
                col(Conversation.guardian_id).is_(None),
            )
        ).one()
        session.add(
            SafetyConcern(conversation_id=conversation.id, step_id="omsorg.ord", note="Hungrig")
        )
        session.commit()
        summary = store.gather(session=session, child=session.get(Child, child_id))
    assert summary["header"]["child_name"] == "Testbarn"
    assert summary["header"]["age_band"] == [7, 9]
    assert summary["header"]["barnkontakt"] == "Kim Barnkontakt"
    assert summary["header"]["conversation_status"] == "completed"
    omsorg = area(summary, "omsorg")
    assert omsorg["child"]["words"][0]["text"] == "Jag vill äta frukost i skolan."
    assert [(g["name"], g["rating"]["status"]) for g in omsorg["guardians"]] == [
        ("Anna", "answered"),
        ("Bo", "vill_inte_svara"),
    ]
    assert [g["agreement"] for g in omsorg["guardians"]] == ["samma", "kan_inte_jamforas"]
    assert summary["safety"][0]["note"] == "Hungrig"
    assert summary["priorities"] == ["omsorg", "fritid"]


def test_a_guardian_who_has_not_sent_is_not_in_the_summary(app):
    staff = _staff(app)
    child_id = make_child(app, staff.id, guardians=())
    with app.test_request_context():
        session = get_session()
        child = session.get(Child, child_id)
        issued = invitations.issue(
            session=session,
            child=child,
            flow=library.flows().for_audience("guardian")[0],
            guardian_name="Inte klar",
            language="sv",
        )
        finish(session, issued.conversation, {}, stop_at="fritid.hur")
        summary = store.gather(session=session, child=child)
    assert summary["guardians"] == []


# ---------------------------------------------------------------- the pages


@pytest.fixture
def bk(app, staff_client):
    """A signed-in barnkontakt with one child who talked and a guardian who answered."""
    client, staff = staff_client("barnkontakt")
    child_id = make_child(app, staff.id)
    return client, staff, child_id


def page(client, child_id: int, rest: str = "") -> str:
    """The summary page (or a page under it) as text; must answer 200."""
    response = client.get(f"/arbete/barn/{child_id}/sammanstallning{rest}")
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def notes_form(html: str, **fields: str) -> dict[str, str]:
    """The summary form as the browser would send it, with some fields filled in."""
    return {"csrf_token": csrf_token_of(html), "anteckningar": "1", **fields}


def test_summary_page_shows_both_sides_the_wheel_and_a_table(bk):
    client, _staff, child_id = bk
    html = page(client, child_id)
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in html and 'role="img"' in html
    assert '<th scope="row">Omsorg' in html
    assert '<th scope="col"><bdi dir="ltr">Anna</bdi></th>' in html
    assert "Jag vill äta frukost i skolan." in html  # the child's own words
    assert "Han äter bra hemma." in html  # the guardian's
    assert "Morgnarna är stressiga." in html
    assert "Vet inte" in html and "Vill inte svara" in html
    assert "Vad står i vägen för barnets välbefinnande?" in html
    assert 'name="decision" value="sip"' in html
    assert ' style="' not in html


def test_notes_are_saved_with_plain_post(bk, app):
    client, _staff, child_id = bk
    html = page(client, child_id)
    response = client.post(
        f"/arbete/barn/{child_id}/sammanstallning",
        data=notes_form(
            html,
            **{"note-omsorg": "Prata om frukost.", "q-gora_nu": "Ringa hem.", "decision": "sip"},
        ),
    )
    assert response.status_code == 303
    html = page(client, child_id)
    assert "Prata om frukost." in html and "Ringa hem." in html
    assert 'value="sip" checked' in html


def test_over_long_note_is_refused_clearly_and_the_text_kept(bk):
    client, _staff, child_id = bk
    html = page(client, child_id)
    long_note = "Lång anteckning. " * 300
    response = client.post(
        f"/arbete/barn/{child_id}/sammanstallning",
        data=notes_form(html, **{"note-trygghet": long_note, "q-hinder": "Kvar"}),
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "Texten är för lång: högst 4000 tecken" in body
    assert long_note.strip() in body and "Kvar" in body
    assert 'aria-invalid="true" aria-describedby="note-trygghet-fel' in body


def test_an_unknown_decision_is_refused(bk):
    client, _staff, child_id = bk
    html = page(client, child_id)
    response = client.post(
        f"/arbete/barn/{child_id}/sammanstallning", data=notes_form(html, decision="hemligt")
    )
    assert response.status_code == 422
    assert "Välj ett av alternativen för nästa steg." in response.get_data(as_text=True)


def test_htmx_saves_while_typing_and_answers_with_a_small_status(bk):
    client, _staff, child_id = bk
    html = page(client, child_id)
    response = client.post(
        f"/arbete/barn/{child_id}/sammanstallning",
        data=notes_form(html, **{"note-omsorg": "Sparat av htmx"}),
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert 'id="sparat-svar"' in response.get_data(as_text=True)
    assert "Sparat av htmx" in page(client, child_id)
    refused = client.post(
        f"/arbete/barn/{child_id}/sammanstallning",
        data=notes_form(html, **{"note-omsorg": "x" * 4001}),
        headers={"HX-Request": "true"},
    )
    assert refused.status_code == 422 and "för lång" in refused.get_data(as_text=True)


def test_signing_needs_the_confirmation_and_twice_is_one_version(bk, app):
    client, _staff, child_id = bk
    html = page(client, child_id)
    form = notes_form(html, **{"note-omsorg": "Inför signering"})
    unconfirmed = client.post(f"/arbete/barn/{child_id}/sammanstallning/signera", data=form)
    assert unconfirmed.status_code == 422
    body = unconfirmed.get_data(as_text=True)
    assert "Kryssa i rutan" in body and "Inför signering" in body

    form["bekrafta"] = "ja"
    first = client.post(f"/arbete/barn/{child_id}/sammanstallning/signera", data=form)
    assert first.status_code == 303 and first.headers["Location"].endswith("/version/1")
    second = client.post(f"/arbete/barn/{child_id}/sammanstallning/signera", data=form)
    assert second.headers["Location"].endswith("/version/1")
    with app.app_context():
        versions = get_session().exec(select(SummaryVersion)).all()
    assert len(versions) == 1
    shown = page(client, child_id, "/version/1")
    assert versions[0].content_hash in shown and "Kontrollsumman stämmer" in shown
    assert "Inför signering" in shown
    listing = page(client, child_id, "/versioner")
    assert versions[0].content_hash in listing

    form["note-omsorg"] = "Efter signering"
    third = client.post(f"/arbete/barn/{child_id}/sammanstallning/signera", data=form)
    assert third.headers["Location"].endswith("/version/2")
    compared = page(client, child_id, "/jamfor?a=1&b=2")
    assert "Inför signering" in compared and "Efter signering" in compared
    assert "Din anteckning" in compared
    assert "Inför signering" in page(client, child_id, "/version/1")  # never changed


def test_expired_session_mid_form_keeps_what_was_typed(bk, app):
    client, staff, child_id = bk
    html = page(client, child_id)
    with client.session_transaction() as session:
        data = dict(session["staff"])
        data["seen"] = time.time() - 3600
        session["staff"] = data
    response = client.post(
        f"/arbete/barn/{child_id}/sammanstallning",
        data=notes_form(html, **{"note-fritid": "Skrivet innan sessionen tog slut"}),
    )
    assert response.status_code == 303 and "/logga-in" in response.headers["Location"]
    back = login(client, staff.email)
    assert back.headers["Location"].endswith(f"/arbete/barn/{child_id}/sammanstallning")
    assert "Skrivet innan sessionen tog slut" in page(client, child_id)


SUMMARY_GETS = [
    "",
    "/versioner",
    "/version/1",
    "/jamfor",
    "/utskrift",
    "/pdf",
    "/json",
    "/barnets-kopia",
    "/signera",
]


def test_another_barnkontakts_child_is_404_on_every_route(app, staff_client, bk):
    client, _staff, child_id = bk
    html = page(client, child_id)
    assert (
        client.post(
            f"/arbete/barn/{child_id}/sammanstallning/signera",
            data=notes_form(html, bekrafta="ja"),
        ).status_code
        == 303
    )
    other, _other_staff = staff_client("barnkontakt")
    for rest in SUMMARY_GETS:
        assert other.get(f"/arbete/barn/{child_id}/sammanstallning{rest}").status_code == 404, rest
    token = csrf_token_of(other.get("/arbete/barn").get_data(as_text=True))
    for rest in ("", "/signera"):
        response = other.post(
            f"/arbete/barn/{child_id}/sammanstallning{rest}",
            data={"csrf_token": token, "anteckningar": "1", "bekrafta": "ja"},
        )
        assert response.status_code == 404, rest
    assert other.get("/arbete/barn/999999/sammanstallning").status_code == 404


def test_statistics_role_sees_no_summary(app, staff_client, bk):
    _client, _staff, child_id = bk
    statistics, _ = staff_client("statistik")
    for rest in SUMMARY_GETS:
        assert statistics.get(f"/arbete/barn/{child_id}/sammanstallning{rest}").status_code in (
            403,
            404,
        )


def test_admin_reads_but_does_not_write_or_sign(app, staff_client, bk):
    _client, _staff, child_id = bk
    admin, _ = staff_client("admin")
    # Need-to-know: an admin reads the summary only after writing down why.
    glass = f"/arbete/barn/{child_id}/bryt-forseglingen"
    admin.post(
        glass,
        data={
            "csrf_token": csrf_token_of(admin.get(glass).get_data(as_text=True)),
            "reason": "Granskning av ärendet på begäran av rektor",
        },
    )
    html = page(admin, child_id)
    assert 'name="note-omsorg"' not in html and "Signera" not in html
    response = admin.post(
        f"/arbete/barn/{child_id}/sammanstallning/signera",
        data={"csrf_token": csrf_token_of(html), "bekrafta": "ja"},
    )
    assert response.status_code == 403


def test_unknown_version_numbers_are_404_not_500(bk):
    client, _staff, child_id = bk
    base = f"/arbete/barn/{child_id}/sammanstallning"
    assert client.get(f"{base}/version/7").status_code == 404
    assert client.get(f"{base}/json?version=7").status_code == 404
    assert client.get(f"{base}/json?version=abc").status_code == 404
    assert client.get(f"{base}/jamfor?a=1&b=9").status_code == 404


def choose_the_copy(client, child_id: int) -> None:
    """The barnkontakt reviews the child's copy and sends it as ticked by default."""
    choice = page(client, child_id, "/barnets-kopia/val")
    ticked = re.findall(r'name="med" value="([^"]+)" checked', choice)
    response = client.post(
        f"/arbete/barn/{child_id}/sammanstallning/barnets-kopia/val",
        data={"csrf_token": csrf_token_of(choice), "med": ticked},
    )
    assert response.status_code == 303


def test_every_view_and_change_is_in_the_audit_log(bk, app):
    client, staff, child_id = bk
    html = page(client, child_id)
    client.post(
        f"/arbete/barn/{child_id}/sammanstallning/signera",
        data=notes_form(html, bekrafta="ja", **{"note-omsorg": "Granskad"}),
    )
    choose_the_copy(client, child_id)
    for rest in ("/versioner", "/version/1", "/utskrift", "/json", "/pdf", "/barnets-kopia"):
        assert client.get(f"/arbete/barn/{child_id}/sammanstallning{rest}").status_code == 200
    with app.app_context():
        actions = [
            e.action
            for e in get_session()
            .exec(select(AuditEntry).where(AuditEntry.child_id == child_id))
            .all()
            if e.staff_id == staff.id
        ]
    for action in (
        "view_summary",
        "save_summary",
        "sign_summary",
        "view_summary_versions",
        "view_summary_version",
        "print_summary",
        "export_json",
        "export_pdf",
        "view_child_copy",
    ):
        assert action in actions, action


def test_childs_copy_is_in_the_childs_language_and_holds_only_the_childs_answers(app, staff_client):
    client, staff = staff_client("barnkontakt")
    child_id = make_child(
        app,
        staff.id,
        flow_id="barn-13-17",
        age=14,
        language="ar",
        picks={
            "omsorg.hur": "2",
            "omsorg.ord": "أريد فطورا",
            "trygghet.hur": "1",
            "trygghet.ord": "Hemlighet",
            "viktigast": ["omsorg"],
            "dela": ["omsorg"],
        },
    )
    html = page(client, child_id)  # staff page: the barnkontakt sees the kept area, marked
    assert "Hålls från vårdnadshavarna" in html
    choose_the_copy(client, child_id)
    copy = page(client, child_id, "/barnets-kopia")
    assert '<html lang="ar" dir="rtl">' in copy
    assert "أريد فطورا" in copy and "Hemlighet" in copy
    assert "Han äter bra hemma." not in copy  # never the guardian's answers
    assert "Morgnarna" not in copy
    assert 'lang="sv"' in copy  # Swedish beside the translation, for the adult
    assert ' style="' not in copy


def test_follow_up_areas_that_changed_are_answers_not_priorities(ctx):
    followup = library.flows().get("uppfoljning-7-9")
    if followup is None:
        pytest.skip("no follow-up flows")
    child = part(
        "uppfoljning-7-9",
        {
            "omsorg.hur": given("3"),
            "blivit_battre": given(["omsorg"]),
            "blivit_samre": given([]),
        },
    )
    summary = build(child)
    assert summary["priorities"] == [] and summary["priorities_status"] == "not_asked"
    assert summary["header"]["purpose"] == "followup"
    other = {o["question"]: [i["text"] for i in o["items"]] for o in summary["child_other"]}
    assert other[followup.step("blivit_battre").text] == ["Omsorg"]
    none = followup.step("blivit_samre").none
    if none is not None:
        assert other[followup.step("blivit_samre").text] == [none.text]


def test_a_follow_up_just_started_does_not_hide_the_finished_conversation(app):
    staff = _staff(app)
    child_id = make_child(app, staff.id)
    with app.test_request_context():
        session = get_session()
        child = session.get(Child, child_id)
        lifecycle.start_conversation(
            session=session,
            flow=library.flows().get("barn-7-9"),
            name=child.name,
            age=8,
            child=child,
        )
        summary = store.gather(session=session, child=child)
    assert summary["header"]["conversation_status"] == "completed"
    assert area(summary, "omsorg")["child"]["words"][0]["text"] == "Jag vill äta frukost i skolan."
