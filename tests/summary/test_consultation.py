"""De-identified consultation: nothing that identifies the child leaves, free text only when
the barnkontakt approved it item by item, and names typed inside free text are flagged."""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

import jsonschema
import pytest
from flask import Flask

from samtal import library
from samtal.config import ROOT
from samtal.conversation import adult, engine, lifecycle, reading, records
from samtal.conversation.panel_access import Actor
from samtal.db import get_session
from samtal.models import Unit
from samtal.staff import children
from tests.builders import csrf_token_of

SCHEMA = json.loads((ROOT / "schema" / "summary-v1.schema.json").read_text())
NAMED = "Amira blev arg i går"  # a guardian's name typed inside the child's words
PLAIN = "Jag vill ha mer rast"
IDENTIFYING = (
    "Sam",
    "Berg",
    "Amira",
    "Jonas",
    "2014-05-04",
    "Solskolan",
    "arabiska",
    "Test barnkontakt",
    "070-111",
    "SAKERHETSNOT",
)


def answer_until(session, conversation, words: dict[str, str], stop: str) -> None:
    """Answer plainly (own words where given) up to a step."""
    flow = library.flows().of(conversation)
    assert flow is not None
    for _ in range(200):
        answers = records.stored_answers(session, conversation.id or 0)
        step = engine.position(flow, answers).step
        assert step is not None
        if step.id == stop:
            return
        if step.kind == "words":
            parsed = reading.Parsed(status="answered", words=words.get(step.id, "ok"))
        elif step.kind == "rating":
            parsed = reading.Parsed(status="answered", value=flow.scale[-1].value)
        elif step.kind in ("message", "review"):
            parsed = reading.Parsed(status="answered")
        elif step.kind == "choose_area":
            parsed = reading.Parsed(
                status="answered", value=engine.remaining_areas(flow, answers)[0].id
            )
        elif step.options:
            first = next(o for o in step.options if not o.ends_conversation)
            parsed = reading.Parsed(
                status="answered", value=[first.value] if step.multiple else first.value
            )
        else:
            parsed = reading.Parsed(status="vet_inte")
        records.store_answer(
            session=session,
            conversation=conversation,
            flow=flow,
            step=step,
            parsed=parsed,
            request_key=None,
            by="child",
        )
    raise AssertionError(f"never reached {stop}")


@pytest.fixture
def child(app: Flask, staff_client):
    """A registered child (unit, guardians, home languages) who said names in own words, with
    a safety note and a barnkontakt note naming the school: (client, child id)."""
    client, staff = staff_client("barnkontakt")
    with app.test_request_context():
        session = get_session()
        unit = Unit(name="Solskolan")
        session.add(unit)
        session.commit()
        registered = children.register_child(
            session=session,
            staff=staff,
            name="Sam Berg",
            birth_date=date(2014, 5, 4),
            home_languages="arabiska, svenska",
            unit_id=unit.id,
            guardians=[
                {"name": "Amira Berg", "language": "ar", "contact": "070-111 22 33"},
                {"name": "Jonas Berg", "language": "sv", "contact": None},
            ],
        )
        flow = library.flows().get("barn-10-12")
        assert flow is not None
        conversation = lifecycle.start_conversation(
            session=session, flow=flow, name="Sam Berg", age=12, language="sv", child=registered
        )
        answer_until(
            session, conversation, {"omsorg.ord": NAMED, "trygghet.ord": PLAIN}, "viktigast"
        )
        adult.mark_concern(
            session=session,
            conversation=conversation,
            step_id="omsorg.ord",
            note="SAKERHETSNOT",
            actor=Actor(staff.id, "staff", conversation.id or 0),
        )
        child_id = registered.id
    summary = f"/arbete/barn/{child_id}/sammanstallning"
    page = client.get(summary).get_data(as_text=True)
    saved = client.post(
        summary,
        data={
            "csrf_token": csrf_token_of(page),
            "anteckningar": "1",
            "note-omsorg": "Pratade med mentorn på Solskolan",
        },
    )
    assert saved.status_code in (200, 303)
    return client, child_id


def strings(node: Any) -> list[str]:
    """Every string value in a JSON document."""
    if isinstance(node, dict):
        return [s for v in node.values() for s in strings(v)]
    if isinstance(node, list):
        return [s for v in node for s in strings(v)]
    return [node] if isinstance(node, str) else []


def test_free_text_is_listed_and_names_inside_it_are_flagged(child):
    client, child_id = child
    page = client.get(f"/arbete/barn/{child_id}/sammanstallning/konsultation")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    rows = re.findall(r'<label class="check">(.*?)</label>', html, re.S)
    named = next(r for r in rows if NAMED in r)
    school = next(r for r in rows if "Solskolan" in r)
    plain = next(r for r in rows if PLAIN in r)
    assert "Kan innehålla ett namn" in named and "Kan innehålla ett namn" in school
    assert "Kan innehålla ett namn" not in plain
    assert "SAKERHETSNOT" not in html  # safety notes are never offered


def test_no_identifying_field_leaks_and_only_approved_free_text_goes(child):
    """Nothing identifying anywhere in the file; approving one plain text adds only it."""
    client, child_id = child
    url = f"/arbete/barn/{child_id}/sammanstallning/konsultation"
    page = client.get(url).get_data(as_text=True)
    keys = dict(
        (text, key)
        for key, text in re.findall(
            r'name="godkand" value="([^"]+)">\s*<span>.*?<q>(.*?)</q>', page, re.S
        )
    )
    nothing = client.post(url, data={"csrf_token": csrf_token_of(page)})
    assert nothing.status_code == 200 and nothing.mimetype == "application/json"
    document = nothing.get_json()
    jsonschema.Draft202012Validator(SCHEMA).validate(document)
    assert document["audience"] == "consultation"
    every = " ".join(strings(document))
    for value in IDENTIFYING + (NAMED, PLAIN):
        assert value not in every, value
    assert document["summary"]["header"]["child_id"] is None
    assert [g["id"] for g in document["summary"]["guardians"]] == []  # none answered
    one = client.post(url, data={"csrf_token": csrf_token_of(page), "godkand": keys[PLAIN]})
    every = " ".join(strings(one.get_json()))
    assert PLAIN in every
    for value in IDENTIFYING + (NAMED,):
        assert value not in every, value
