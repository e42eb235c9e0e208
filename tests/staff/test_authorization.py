"""Every staff route, as every kind of visitor: nobody sees or changes what is not theirs.

The routes are read from the app's URL map (endpoints of the admin, workspace, summary and
auth blueprints), so a route added later is covered without touching this file. Each route is
visited with every method it accepts (POSTs carry a valid CSRF token and an empty form) as:

- anonymous: always a 303 to /logga-in, never a page;
- statistik: 403 or 404 everywhere except its own pages, and never a child's data;
- barnkontakt A, who owns the child: admin pages 403; the rest works (never 403, never 5xx);
- barnkontakt B, who does not: admin pages 403; every child's page 404 (not 403: do not
  confirm the child exists), also with B's own child and A's conversation, consent … ids;
- admin: admin pages 200 (GET) or 303/422 (POST); the rest never 403, never 5xx.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from flask import Flask
from werkzeug.routing import IntegerConverter, Rule

from samtal.db import get_session
from samtal.models import (
    Child,
    Consent,
    Conversation,
    Guardian,
    Invitation,
    Staff,
    Unit,
    utcnow,
)

STAFF_BLUEPRINTS = ("admin.", "workspace.", "summary.", "auth.", "statistics.")
# Reached without an account on purpose, and why.
PUBLIC = {
    "auth.login": "signing in",
    "auth.logout": "signing out",
    "auth.setup": "the first-run link (its own signed token)",
    "auth.set_password": "a staff member's one-time link (its own signed token)",
    "workspace.kiosk_leave": "leaving the child's screen signs in again with the password",
}
# What the statistics role may open: its own page, its account, the role-based start page.
STATISTICS_PAGES = {
    "auth.home",
    "statistics.page",
    "statistics.export",
    "auth.account",
    "auth.account_password",
    "auth.account_phone",
    "auth.logout_everywhere",
}
# Pages for the admin and statistics roles only: a barnkontakt is refused.
NOT_FOR_BARNKONTAKT_PREFIXES = ("admin.",)
NOT_FOR_BARNKONTAKT = {"statistics.page", "statistics.export"}
CSRF = "csrf-for-the-authorization-test"
CHILD_NAME = "Hemliga Hilda"  # must never reach the wrong person
GUARDIAN_NAME = "Vårdnadshavaren Vera"


@dataclass
class World:
    """Who and what exists: two barnkontakter, each with a child, and everything around A's."""

    admin: int
    statistik: int
    owner: int
    other: int
    spare: int
    child: int
    others_child: int
    values: dict[str, int | str]


@pytest.fixture
def world(app: Flask, make_staff) -> World:
    """A child of barnkontakt A with a guardian, conversations, an invitation and consent."""
    admin, statistik = make_staff("admin"), make_staff("statistik")
    owner, other, spare = (make_staff("barnkontakt") for _ in range(3))
    with app.app_context():
        session = get_session()
        unit = Unit(name="Ekskolan", kind="skola")
        session.add(unit)
        session.flush()
        child = Child(
            name=CHILD_NAME, birth_date=date(2016, 5, 1), unit_id=unit.id, barnkontakt_id=owner.id
        )
        others_child = Child(
            name="Annat barn", birth_date=date(2015, 1, 1), barnkontakt_id=other.id
        )
        session.add_all([child, others_child])
        session.flush()
        guardian = Guardian(child_id=child.id, name=GUARDIAN_NAME, language="sv")
        session.add(guardian)
        session.flush()
        talk = Conversation(
            child_id=child.id,
            flow_id="barn-7-9",
            flow_version=1,
            framework_id="behovskompass",
            age=8,
            link_nonce="n1",
        )
        guardian_talk = Conversation(
            child_id=child.id,
            guardian_id=guardian.id,
            flow_id="vardnadshavare",
            flow_version=1,
            framework_id="behovskompass",
            age=8,
            link_nonce="n2",
        )
        session.add_all([talk, guardian_talk])
        session.flush()
        invitation = Invitation(
            guardian_id=guardian.id,
            conversation_id=guardian_talk.id,
            nonce="n3",
            expires_at=utcnow() + timedelta(days=14),
        )
        consent = Consent(
            child_id=child.id,
            given_by="guardian",
            guardian_id=guardian.id,
            information=["summary"],
            recipients=["barnteam"],
            given_on=date.today(),
            valid_until=date.today() + timedelta(days=365),
            informed=True,
            recorded_by=owner.id,
        )
        session.add_all([invitation, consent])
        session.commit()
        values: dict[str, int | str] = {
            "child_id": child.id or 0,
            "staff_id": spare.id or 0,
            "unit_id": unit.id or 0,
            "guardian_id": guardian.id or 0,
            "conversation_id": talk.id or 0,
            "invitation_id": invitation.id or 0,
            "consent_id": consent.id or 0,
            "framework_id": "behovskompass",
        }
        return World(
            admin=admin.id,
            statistik=statistik.id,
            owner=owner.id,
            other=other.id,
            spare=spare.id,
            child=child.id or 0,
            others_child=others_child.id or 0,
            values=values,
        )


def staff_rules(app: Flask) -> list[Rule]:
    """Every staff route that needs a signed-in person."""
    return sorted(
        (
            rule
            for rule in app.url_map.iter_rules()
            if rule.endpoint.startswith(STAFF_BLUEPRINTS) and rule.endpoint not in PUBLIC
        ),
        key=lambda rule: rule.rule,
    )


def methods(rule: Rule) -> list[str]:
    """The methods a route answers, GET first."""
    return sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}, key=lambda m: m != "GET")


def path_of(rule: Rule, values: dict[str, int | str], **override: int | str) -> str:
    """The rule's URL with an argument for each of its variables (1 or "x" when unknown)."""
    arguments = {}
    for name in rule.arguments:
        if name in override:
            arguments[name] = override[name]
        elif name in values:
            arguments[name] = values[name]
        else:
            numeric = isinstance(rule._converters.get(name), IntegerConverter)
            arguments[name] = 1 if numeric else "x"
    built = rule.build(arguments, append_unknown=False)
    assert built is not None, rule.rule
    return built[1]


def visit(app: Flask, client, staff_id: int | None, method: str, path: str):
    """One request as this person (signed in afresh each time), with a valid CSRF token."""
    epoch = None
    if staff_id is not None:
        with app.app_context():
            staff = get_session().get(Staff, staff_id)
            assert staff is not None
            epoch = staff.session_epoch
    with client.session_transaction() as session:
        session.clear()
        session["csrf"] = CSRF
        if staff_id is not None:
            session["staff"] = {"id": staff_id, "epoch": epoch, "seen": time.time()}
    if method == "GET":
        return client.get(path)
    return client.open(path, method=method, data={"csrf_token": CSRF})


def signed_out(response) -> bool:
    """True when the answer sends the person to sign in."""
    return response.status_code == 303 and response.headers.get("Location", "").startswith(
        ("/logga-in", "http://localhost/logga-in")
    )


def shows_the_child(response) -> bool:
    """True when A's child or guardian is named in the answer."""
    body = response.get_data(as_text=True)
    return CHILD_NAME in body or GUARDIAN_NAME in body


def test_there_are_staff_routes_to_check(app):
    """The test checks something: at least the admin and account routes are there."""
    endpoints = {rule.endpoint for rule in staff_rules(app)}
    assert {"admin.staff_list", "admin.audit_log", "auth.account"} <= endpoints


def test_anonymous_visitors_are_sent_to_sign_in(app, world):
    """Without a session every staff route answers with a redirect to the sign-in page."""
    client = app.test_client()
    problems = []
    for rule in staff_rules(app):
        for method in methods(rule):
            path = path_of(rule, world.values)
            response = visit(app, client, None, method, path)
            if not signed_out(response):
                problems.append(f"{method} {path}: {response.status_code}")
    assert not problems, "\n".join(problems)


def test_the_statistics_role_never_sees_a_child(app, world):
    """Statistik is refused (403) or finds nothing (404) everywhere but its own pages."""
    client = app.test_client()
    problems = []
    for rule in staff_rules(app):
        for method in methods(rule):
            path = path_of(rule, world.values)
            response = visit(app, client, world.statistik, method, path)
            status = response.status_code
            if shows_the_child(response):
                problems.append(f"{method} {path}: shows the child's data")
            elif rule.endpoint in STATISTICS_PAGES:
                if status >= 500 or status in (403, 404):
                    problems.append(f"{method} {path}: {status} on its own page")
                elif signed_out(response) and rule.endpoint != "auth.logout_everywhere":
                    problems.append(f"{method} {path}: signed out")
            elif status not in (403, 404):
                problems.append(f"{method} {path}: {status}, expected 403 or 404")
    assert not problems, "\n".join(problems)


def not_for_barnkontakt(rule: Rule) -> bool:
    """Admin and statistics pages."""
    return rule.endpoint.startswith(NOT_FOR_BARNKONTAKT_PREFIXES) or (
        rule.endpoint in NOT_FOR_BARNKONTAKT
    )


def test_the_barnkontakt_works_with_their_own_child(app, world):
    """The child's own barnkontakt is refused admin pages and nothing else."""
    client = app.test_client()
    problems = []
    for rule in staff_rules(app):
        for method in methods(rule):
            path = path_of(rule, world.values)
            response = visit(app, client, world.owner, method, path)
            status = response.status_code
            if not_for_barnkontakt(rule):
                if status != 403:
                    problems.append(f"{method} {path}: {status}, expected 403")
            elif status >= 500 or status == 403:
                problems.append(f"{method} {path}: {status}")
            elif signed_out(response) and rule.endpoint != "auth.logout_everywhere":
                problems.append(f"{method} {path}: signed out")
            elif set(rule.arguments) == {"child_id"} and status == 404:
                problems.append(f"{method} {path}: 404 for the child's own barnkontakt")
    assert not problems, "\n".join(problems)


def test_another_barnkontakt_finds_nothing(app, world):
    """Another barnkontakt gets 404 for every page of the child, and never sees its data."""
    client = app.test_client()
    problems = []
    for rule in staff_rules(app):
        for method in methods(rule):
            path = path_of(rule, world.values)
            response = visit(app, client, world.other, method, path)
            status = response.status_code
            if shows_the_child(response):
                problems.append(f"{method} {path}: shows the child's data")
            elif not_for_barnkontakt(rule):
                if status != 403:
                    problems.append(f"{method} {path}: {status}, expected 403")
            elif "child_id" in rule.arguments:
                if status != 404:
                    problems.append(f"{method} {path}: {status}, expected 404 (not 403)")
            elif status >= 500 or status == 403:
                problems.append(f"{method} {path}: {status}")
    assert not problems, "\n".join(problems)


def test_another_barnkontakt_cannot_reach_a_childs_things_through_their_own_child(app, world):
    """B's own child in the URL does not open A's conversation, invitation or consent."""
    client = app.test_client()
    problems = []
    for rule in staff_rules(app):
        nested = set(rule.arguments) - {"child_id"}
        if "child_id" not in rule.arguments or not nested or not_for_barnkontakt(rule):
            continue
        for method in methods(rule):
            path = path_of(rule, world.values, child_id=world.others_child)
            response = visit(app, client, world.other, method, path)
            own_page = f"/barn/{world.others_child}" in response.headers.get("Location", "")
            if shows_the_child(response):
                problems.append(f"{method} {path}: shows the child's data")
            elif method == "GET" and response.status_code == 303 and own_page:
                continue  # sent back to B's own child's page: nothing of A's shown
            elif response.status_code != 404:
                problems.append(f"{method} {path}: {response.status_code}, expected 404")
    assert not problems, "\n".join(problems)


# Admin pages that hold safety notes and the child's words: the admin writes down why first.
BEHIND_THE_GLASS = {"admin.child_extract_json", "admin.child_extract_pdf"}


def test_the_admin_reaches_every_page(app, world):
    """Admin pages open (200) and take forms (303 or 422); nothing else breaks for an admin.

    Whether an admin may also act in a barnkontakt's place (start a conversation, sign a
    summary) is each page's decision: a 403 there is allowed, a 5xx never.
    """
    client = app.test_client()
    problems = []
    for rule in staff_rules(app):
        for method in methods(rule):
            path = path_of(rule, world.values)
            response = visit(app, client, world.admin, method, path)
            status = response.status_code
            if signed_out(response) and rule.endpoint != "auth.logout_everywhere":
                problems.append(f"{method} {path}: signed out")
            elif rule.endpoint in BEHIND_THE_GLASS:
                if status != 303 or "/bryt-forseglingen" not in response.headers["Location"]:
                    problems.append(f"{method} {path}: {status}, expected the glass first")
            elif rule.endpoint.startswith("admin."):
                expected = (200,) if method == "GET" else (303, 422)
                if status not in expected:
                    problems.append(f"{method} {path}: {status}, expected {expected}")
            elif status >= 500 or (rule.endpoint.startswith("auth.") and status in (403, 404)):
                problems.append(f"{method} {path}: {status}")
    assert not problems, "\n".join(problems)
