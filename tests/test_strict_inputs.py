"""Malformed input never gives a 5xx and a refused request changes nothing (issue 12,
finding 8): the cases the review found, then Hypothesis over every route in the URL map, on
SQLite and PostgreSQL."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlmodel import SQLModel

from samtal import library
from samtal.conversation import invitations, links
from samtal.db import get_session
from samtal.models import Staff
from samtal.staff import accounts
from tests.builders import (
    POSTGRES_URL,
    STAFF_PASSWORD,
    drop_postgres_schema,
    make_app,
    postgres_schema,
    start_conversation_in,
)

CSRF = "csrf-for-the-fuzzer"
# Logs and bookkeeping that a refused request is meant to write (and counted attempts).
LOGS = {"auditentry", "conversationevent", "websession", "attemptcount"}
COUNTERS = {
    "failed_logins",
    "locked_until",
    "failed_codes",
    "totp_failures",
    "totp_failed_at",
    "pin_attempts",
    "pin_window_at",
}
# What an attacker or a careless paste sends: other digits, huge numbers, odd dates, NUL.
NASTY = [
    "²",
    "١٢",
    "99999999999999999999",
    "2147483648",
    "-1",
    "0",
    "1",
    "0001-01-01",
    "9999-12-31",
    "a\x00b",
    "\x00",
    "\x1b[31m",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "",
]
FIELDS = [
    "sida", "sok", "status", "fran", "till", "atgard", "personal", "version", "a", "b",
    "guardian_id", "unit_id", "to", "name", "email", "role", "birth_date", "language",
    "home_languages", "guardian1_name", "guardian1_contact", "guardian1_language", "contact",
    "recipients", "information", "given_by", "given_on", "valid_until", "code", "password",
    "current", "repeat", "value", "words", "skip", "form_token", "flow", "followup_due",
    "anteckningar", "q-hinder", "decision", "bekrafta", "kind", "months", "languages", "next",
]  # fmt: skip


@dataclass
class World:
    """A served app with an admin, a barnkontakt, a child, a conversation and an invitation."""

    app: Flask
    staff: dict[str, int]
    values: dict[str, list[str]]


def seed(url: str) -> World:
    """The world every fuzzed request runs against, made with the app's own functions."""
    app = make_app(url)
    with app.app_context():
        db = get_session()
        ids = {
            role: accounts.create_staff(
                session=db,
                email=f"{role}@kommun.example",
                name=role,
                role=role,
                password=STAFF_PASSWORD,
            ).id
            or 0
            for role in ("admin", "barnkontakt")
        }
    conversation, tablet = start_conversation_in(app, "barn-7-9")
    with app.test_request_context():
        db = get_session()
        from samtal.models import Child

        child = db.get(Child, conversation.child_id)
        assert child is not None
        child.barnkontakt_id = ids["barnkontakt"]
        db.add(child)
        db.commit()
        issued = invitations.issue(
            session=db,
            child=child,
            flow=library.flows().get("vardnadshavare"),
            guardian_name="Amira",
            language="sv",
            with_code=True,
        )
        tablet_token = links.tablet_token(conversation.id or 0, conversation.link_nonce)
    values = {
        "int": [str(conversation.child_id), str(conversation.id), "1", "2"],
        "token": [tablet_token, issued.token, "trasig"],
        "step_id": ["hej", "mat.hur", "review"],
        "picture_id": ["guide", "finns-inte"],
        "flow_id": ["barn-7-9", "test-fast"],
        "language": ["sv", "ar"],
        "framework_id": ["behovskompass"],
    }
    assert tablet
    return World(app=app, staff=ids, values=values)


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def world(request, tmp_path_factory):
    """One seeded app per database for the whole module."""
    if request.param == "sqlite":
        made = seed(f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'samtal.db'}")
        yield made
        made.app.extensions["samtal.engine"].dispose()
        return
    schema = postgres_schema()
    made = seed(f"{POSTGRES_URL}?options=-csearch_path%3D{schema}")
    yield made
    made.app.extensions["samtal.engine"].dispose()
    drop_postgres_schema(schema)


def client_as(world: World, role: str | None):
    """A browser signed in as the role (a session minted on the server), or anonymous."""
    client = world.app.test_client()
    with client.session_transaction() as session:
        session["csrf"] = CSRF
        if role is not None:
            with world.app.app_context():
                staff = get_session().get(Staff, world.staff[role])
                assert staff is not None
                epoch = staff.session_epoch
            session["staff"] = {"id": world.staff[role], "epoch": epoch, "seen": time.time()}
    return client


def snapshot(world: World) -> dict[str, list[Any]]:
    """Every stored row of the data tables, logs and attempt counters left out."""
    found = {}
    with world.app.extensions["samtal.engine"].connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            if table.name in LOGS:
                continue
            columns = [c.name for c in table.columns if c.name not in COUNTERS]
            listed = ", ".join(f'"{c}"' for c in columns)
            rows = connection.execute(text(f'SELECT {listed} FROM "{table.name}"')).all()
            found[table.name] = sorted(map(repr, rows))
    return found


def test_the_cases_the_review_found(world):
    """Each request that gave a 500 before now gets a clear answer."""
    barnkontakt, admin = client_as(world, "barnkontakt"), client_as(world, "admin")
    child = world.values["int"][0]
    assert barnkontakt.get("/arbete/barn?sida=²").status_code == 200
    assert barnkontakt.get("/arbete/barn?sok=a%00b").status_code == 200
    assert barnkontakt.get("/arbete/barn/99999999999999999999").status_code == 404
    assert barnkontakt.get("/arbete/barn/2147483648").status_code == 404
    assert admin.get("/arbete/admin/logg?fran=0001-01-01").status_code < 500
    invited = barnkontakt.post(
        f"/arbete/barn/{child}/inbjudan", data={"csrf_token": CSRF, "guardian_id": "²"}
    )
    assert invited.status_code < 500
    registered = barnkontakt.post(
        "/arbete/barn/ny",
        data={
            "csrf_token": CSRF,
            "name": "Sam\x00 Berg",
            "birth_date": "2017-05-04",
            "language": "sv",
            "unit_id": "²",
            "guardian1_name": "Amira\x00",
            "guardian1_contact": "070\x00",
            "guardian1_language": "sv",
        },
    )
    assert registered.status_code < 500
    added = barnkontakt.post(
        f"/arbete/barn/{child}/vardnadshavare",
        data={"csrf_token": CSRF, "name": "Jonas\x00 Berg", "language": "sv", "contact": "\x00"},
    )
    assert added.status_code < 500
    consent = barnkontakt.post(
        f"/arbete/barn/{child}/samtycke",
        data={"csrf_token": CSRF, "recipients": "Elevhälsan\x00", "given_by": "guardian"},
    )
    assert consent.status_code < 500


def _url(rule, world: World, data: st.DataObject) -> str:
    """A URL for the rule with each part drawn from real values, other values and junk."""
    parts = {}
    for name, converter in rule._converters.items():
        kind = "int" if type(converter).__name__ == "IdConverter" else name
        real = world.values.get(kind, world.values["int"] if kind == "int" else [])
        parts[name] = data.draw(
            st.one_of(st.sampled_from(real or ["x"]), st.sampled_from(NASTY), st.text(max_size=12))
        )
    path = rule.rule
    for name, value in parts.items():
        for pattern in (f"<{name}>", *(f"<{c}:{name}>" for c in ("int", "path", "string"))):
            path = path.replace(pattern, quote(value or "0", safe=""))
        if "int(" in path:
            path = path.replace(path[path.index("<int(") : path.index(">") + 1], quote(value))
    return path


def fuzzer(world: World, rule):
    """A Hypothesis test of one route: never a 5xx; a refusal (4xx) changes no stored row."""

    @settings(
        max_examples=3,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def fuzz(data):
        method = data.draw(st.sampled_from(sorted(rule.methods - {"HEAD", "OPTIONS"})))
        role = data.draw(st.sampled_from(["admin", "barnkontakt", None]))
        fields = data.draw(
            st.dictionaries(
                st.sampled_from(FIELDS),
                st.one_of(st.sampled_from(NASTY), st.text(max_size=30)),
                max_size=6,
            )
        )
        url = _url(rule, world, data)
        client = client_as(world, role)
        before = snapshot(world)
        if method == "GET":
            response = client.get(url, query_string=fields)
        else:
            response = client.post(url, data={"csrf_token": CSRF, **fields})
        assert response.status_code < 500, (method, url, fields, response.status_code)
        if response.status_code >= 400:
            assert snapshot(world) == before, (method, url, fields, response.status_code)

    return fuzz


def test_no_route_answers_5xx_and_a_refusal_changes_nothing(world):
    """Every route, every method, as admin, barnkontakt and nobody, with real values, other
    values and junk in the URL, the query and the form."""
    for rule in world.app.url_map.iter_rules():
        if rule.endpoint != "static":
            fuzzer(world, rule)()
