"""The child's data under GDPR: gallring (dry run and real run), erasing one child on request
(two steps, every table counted), and the register extract (JSON against its schema, PDF)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import jsonschema
import pytest
from flask import Flask
from sqlalchemy import Column, DateTime, func, select, update
from sqlmodel import SQLModel, col

from samtal import audit, library
from samtal.config import ROOT
from samtal.conversation import adult, concerns, invitations, lifecycle, records
from samtal.conversation.panel_access import Actor
from samtal.conversation.reading import Parsed
from samtal.db import get_session
from samtal.models import AuditEntry, Child, Consent, Conversation, Guardian, Staff
from samtal.records import extract
from samtal.staff import accounts
from samtal.summary import store as summary_store
from tests.builders import STAFF_PASSWORD, csrf_token_of, login, make_app

SCHEMA = json.loads((ROOT / "schema" / "register-extract-v1.schema.json").read_text())
# Tables that are the child's data and that seed() fills, each at least once.
FILLED = {
    "child",
    "guardian",
    "invitation",
    "consent",
    "conversation",
    "answer",
    "conversationevent",
    "safetyconcern",
    "summarydraft",
    "summaryversion",
}


@pytest.fixture
def db_app(any_database_url) -> Iterator[Flask]:
    """The app on SQLite and on PostgreSQL."""
    app = make_app(any_database_url)
    yield app
    app.extensions["samtal.engine"].dispose()


def make_person(app: Flask, role: str) -> Staff:
    """A staff account in this app's database."""
    with app.app_context():
        return accounts.create_staff(
            session=get_session(),
            email=f"{role}@kommun.example",
            name=f"Test {role}",
            role=role,
            password=STAFF_PASSWORD,
        )


def seed(app: Flask, name: str, guardian: str, staff: Staff, reported: bool = True) -> int:
    """A child with everything Samtal holds: answers with history and the child's words, a
    safety note (answered with an orosanmälan unless `reported` is False), a guardian with an
    invitation and answers, consent, a draft and a signed summary, and audit entries that name
    the child."""
    with app.test_request_context():
        session = get_session()
        child = Child(name=name, birth_date=date(2017, 3, 14), barnkontakt_id=staff.id)
        session.add(child)
        session.commit()
        flow = library.flows().get("barn-7-9")
        assert flow is not None
        conversation = lifecycle.start_conversation(
            session=session, flow=flow, name=name, age=8, child=child
        )
        for step_id, parsed, part in [
            ("hej", Parsed("answered", "ja"), "answer"),
            ("omsorg.hur", Parsed("answered", "1"), "answer"),
            ("omsorg.hur", Parsed("answered", "2"), "answer"),
            ("omsorg.ord", Parsed("answered", words=f"ORD-AV-{name}"), "answer"),
        ]:
            step = flow.step(step_id)
            assert step is not None
            records.store_answer(
                session=session,
                conversation=conversation,
                flow=flow,
                step=step,
                parsed=parsed,
                request_key=None,
                part=part,
            )
        concern = adult.mark_concern(
            session=session,
            conversation=conversation,
            step_id="omsorg.ord",
            note=f"ORO-{name}",
            actor=Actor(staff.id, "staff", conversation.id or 0),
        )
        if reported:
            concerns.record_report(session=session, concern=concern, staff=staff)
        issued = invitations.issue(
            session=session,
            child=child,
            flow=library.flows().for_audience("guardian")[0],
            guardian_name=guardian,
            language="sv",
        )
        today = date.today()
        session.add(
            Consent(
                child_id=child.id or 0,
                given_by="guardian",
                guardian_id=issued.invitation.guardian_id,
                information=["sammanstallning"],
                recipients=["barnteam"],
                given_on=today,
                valid_until=today + timedelta(days=180),
                informed=True,
                recorded_by=staff.id,
            )
        )
        session.commit()
        summary_store.save_draft(session=session, child=child, staff=staff, notes={})
        summary_store.sign(session=session, child=child, staff=staff)
        audit.record("view_child", child.id, detail=f"öppnade {name}")
        audit.record("children_searched", detail=f"{name!r}: 1")
        return child.id or 0


def is_time(column: Column) -> bool:
    """Whether a column holds a moment (sqlmodel's type for them wraps SQLAlchemy's)."""
    return isinstance(getattr(column.type, "impl", column.type), DateTime)


def age_everything(app: Flask, when: datetime) -> None:
    """Move every stored time (but the audit log's and the staff's) back to `when`."""
    with app.app_context():
        session = get_session()
        for table in SQLModel.metadata.sorted_tables:
            if table.name in ("auditentry", "staff", "unit", "setting"):
                continue
            for column in table.columns:
                if is_time(column):
                    session.execute(
                        update(table).where(column.is_not(None)).values({column.name: when})
                    )
        session.commit()


def rows_about(app: Flask, child_id: int) -> dict[str, int]:
    """Rows in every table (but the audit log) that refer to the child, its conversations or
    its guardians, counted independently of the code under test."""
    with app.app_context():
        session = get_session()
        conversations = set(
            session.execute(
                select(col(Conversation.id)).where(col(Conversation.child_id) == child_id)
            )
            .scalars()
            .all()
        )
        guardians = set(
            session.execute(select(col(Guardian.id)).where(col(Guardian.child_id) == child_id))
            .scalars()
            .all()
        )
        counts: dict[str, int] = {}
        for table in SQLModel.metadata.tables.values():
            if table.name == "auditentry":
                continue
            conditions = []
            if table.name == "child":
                conditions.append(table.c.id == child_id)
            if "child_id" in table.c:
                conditions.append(table.c.child_id == child_id)
            if "conversation_id" in table.c and conversations:
                conditions.append(table.c.conversation_id.in_(conversations))
            if "guardian_id" in table.c and guardians:
                conditions.append(table.c.guardian_id.in_(guardians))
            for condition in conditions:
                found = session.execute(
                    select(func.count()).select_from(table).where(condition)
                ).scalar_one()
                counts[table.name] = max(counts.get(table.name, 0), found)
        return counts


def audit_entries(app: Flask) -> list[AuditEntry]:
    with app.app_context():
        return list(
            get_session().execute(select(AuditEntry).order_by(col(AuditEntry.id))).scalars()
        )


def table_sizes(app: Flask) -> dict[str, int]:
    with app.app_context():
        session = get_session()
        return {
            table.name: session.execute(select(func.count()).select_from(table)).scalar_one()
            for table in SQLModel.metadata.sorted_tables
        }


# Gallring ----------------------------------------------------------------------------------


def test_gallring_dry_run_lists_and_real_run_erases_only_children_past_the_period(db_app):
    """24 months (the default) from the last activity: the child untouched for 30 months goes
    whole; a child registered as long ago but with a consent recorded today stays, and so does
    a new child. The dry run changes nothing; neither output nor audit names anyone."""
    staff = make_person(db_app, "barnkontakt")
    old = seed(db_app, "Olle Gammal", "Greta Gammal", staff)
    active = seed(db_app, "Aina Aktiv", "Arne Aktiv", staff)
    age_everything(db_app, datetime.now(UTC) - timedelta(days=30 * 31))
    with db_app.app_context():
        session = get_session()
        session.add(
            Consent(
                child_id=active,
                given_by="guardian",
                information=["sammanstallning"],
                recipients=["barnteam"],
                given_on=date.today(),
                valid_until=date.today() + timedelta(days=30),
                informed=True,
            )
        )
        session.commit()
    new = seed(db_app, "Nils Ny", "Nora Ny", staff)
    runner = db_app.test_cli_runner()

    before = table_sizes(db_app)
    dry = runner.invoke(args=["samtal", "gallra", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "1 barn skulle raderas" in dry.output
    assert f"barn {old}," in dry.output and "registrering: 1" in dry.output
    assert "svar (med historik)" in dry.output
    assert f"barn {active}," not in dry.output and f"barn {new}," not in dry.output
    assert "Olle" not in dry.output and "Gammal" not in dry.output
    assert table_sizes(db_app) == before
    assert {t for t, n in rows_about(db_app, old).items() if n} == FILLED

    real = runner.invoke(args=["samtal", "gallra"])
    assert real.exit_code == 0, real.output
    assert "1 barn raderade" in real.output
    assert all(count == 0 for count in rows_about(db_app, old).values())
    for kept in (active, new):
        assert {t for t, n in rows_about(db_app, kept).items() if n} == FILLED
    entries = audit_entries(db_app)
    erased = [e for e in entries if e.action == "child_erased"]
    assert [(e.child_id, e.staff_id, e.detail) for e in erased] == [(old, None, "gallring")]
    assert [e.detail for e in entries if e.action == "gallring_run"] == [
        "1 barn; gallringstid 24 månader"
    ]
    assert not any("Olle" in (e.detail or "") for e in entries)
    assert any("Nils Ny" in (e.detail or "") for e in entries)  # others keep their details
    again = runner.invoke(args=["samtal", "gallra"])
    assert "0 barn raderade" in again.output


def test_a_child_with_an_open_concern_is_held_until_the_concern_is_answered(db_app):
    """Past the period, but a safety concern has neither an orosanmälan nor a decision: the
    child is held (said, by number only); once it is answered, the period counts from then."""
    staff = make_person(db_app, "barnkontakt")
    open_ = seed(db_app, "Olga Oro", "Oskar Oro", staff, reported=False)
    gone = seed(db_app, "Gun Gallrad", "Gert Gallrad", staff)
    age_everything(db_app, datetime.now(UTC) - timedelta(days=30 * 31))
    runner = db_app.test_cli_runner()

    dry = runner.invoke(args=["samtal", "gallra", "--dry-run"])
    assert "1 barn skulle raderas" in dry.output
    assert (
        f"barn {open_}, senaste aktivitet" in dry.output and "hålls kvar: öppen oro" in dry.output
    )
    assert "1 barn hålls kvar" in dry.output and "Olga" not in dry.output
    real = runner.invoke(args=["samtal", "gallra"])
    assert "1 barn raderade" in real.output and "1 barn hålls kvar" in real.output
    assert rows_about(db_app, open_)["safetyconcern"] == 1
    assert all(count == 0 for count in rows_about(db_app, gone).values())
    runs = [e.detail for e in audit_entries(db_app) if e.action == "gallring_run"]
    assert runs == ["1 barn; gallringstid 24 månader; 1 hålls kvar (öppen oro)"]
    admin = make_person(db_app, "admin")
    client = db_app.test_client()
    assert login(client, admin.email).status_code == 303
    page = " ".join(client.get("/arbete/admin/gallring").get_data(as_text=True).split())
    assert "0 barn har passerat gallringstiden" in page
    assert "1 barn hålls kvar fast tiden har gått" in page and f"Barn nummer {open_}" in page

    with db_app.app_context():
        session = get_session()
        [concern] = concerns.of_child(session, open_)
        concerns.record_report(session=session, concern=concern.concern, staff=staff)
    after = runner.invoke(args=["samtal", "gallra"])
    assert "0 barn raderade" in after.output and "hålls kvar" not in after.output
    assert rows_about(db_app, open_)["child"] == 1  # answered today: the period starts again


def test_retention_page_tells_what_is_erased_and_when_it_last_ran(app, staff_client):
    client, _admin = staff_client("admin")
    html = client.get("/arbete/admin/gallring").get_data(as_text=True)
    assert "Gallringen har inte körts ännu." in html
    assert "raderar Samtal allt om barnet" in html and "samtal gallra" in html
    assert "raderar inte" not in html
    assert app.test_cli_runner().invoke(args=["samtal", "gallra"]).exit_code == 0
    assert "Senaste gallring:" in client.get("/arbete/admin/gallring").get_data(as_text=True)


# Erasing one child -------------------------------------------------------------------------


def post(client, path: str, data: dict[str, str]):
    """POST a form of the page at `path`, with its CSRF token."""
    page = client.get(path.removesuffix("/bekrafta")).get_data(as_text=True)
    return client.post(path, data={"csrf_token": csrf_token_of(page), **data})


def test_an_admin_erases_one_child_in_two_steps_and_nothing_about_it_is_left(db_app):
    staff = make_person(db_app, "barnkontakt")
    admin = make_person(db_app, "admin")
    doomed = seed(db_app, "Rut Raderas", "Rolf Raderas", staff)
    other = seed(db_app, "Kim Kvar", "Kajsa Kvar", staff)
    client = db_app.test_client()
    assert login(client, admin.email).status_code == 303
    other_before = rows_about(db_app, other)
    assert {t for t, n in rows_about(db_app, doomed).items() if n} == FILLED
    path = f"/arbete/admin/barn/{doomed}/radera"

    page = client.get(path).get_data(as_text=True)
    assert "Steg 1 av 2" in page and "Svar (med historik): 4" in page
    for reason, message in [
        ("Rolf ringde och bad om det", "utan namn, personnummer eller födelsedatum"),
        ("Begäran 170314-1234", "utan namn, personnummer eller födelsedatum"),
        ("", "Skriv skälet"),
    ]:
        refused = post(client, path, {"category": "begaran", "reason": reason})
        assert refused.status_code == 422 and message in refused.get_data(as_text=True)
    no_category = post(client, path, {"reason": "Dnr BUN 2026/17"})
    assert no_category.status_code == 422

    step_two = post(client, path, {"category": "begaran", "reason": "Dnr BUN 2026/17"})
    html = step_two.get_data(as_text=True)
    assert step_two.status_code == 200 and "Steg 2 av 2" in html
    assert rows_about(db_app, doomed)["child"] == 1  # the first step erases nothing
    token = html.split('name="confirmation" value="')[1].split('"')[0]
    # One character of the signature changed (not the last: its low bits may be padding).
    forged = token[:-5] + ("A" if token[-5] != "A" else "B") + token[-4:]
    tampered = post(client, f"{path}/bekrafta", {"confirmation": forged})
    assert tampered.status_code == 303 and rows_about(db_app, doomed)["child"] == 1

    done = post(client, f"{path}/bekrafta", {"confirmation": token})
    assert done.status_code == 303 and done.headers["Location"].endswith("/arbete/admin/barn")
    assert f"Allt om barn nummer {doomed} är raderat." in client.get("/arbete/admin/barn").get_data(
        as_text=True
    )
    assert all(count == 0 for count in rows_about(db_app, doomed).values())
    assert rows_about(db_app, other) == other_before
    assert client.get(f"/arbete/admin/barn/{doomed}").status_code == 404

    entries = audit_entries(db_app)
    about = [e for e in entries if e.child_id == doomed]
    erased = [e for e in about if e.action == "child_erased"]
    assert [(e.staff_id, e.detail) for e in erased] == [(admin.id, "begaran: Dnr BUN 2026/17")]
    assert {e.action for e in about} == {"view_child", "child_erased"}
    assert all(e.detail is None for e in about if e.action != "child_erased")
    text = " ".join(e.detail or "" for e in entries)
    assert "Rut" not in text and "Rolf" not in text
    assert "Kim Kvar" in text  # the other child's entries keep their details


def test_only_an_admin_may_erase_or_extract(app, staff_client):
    client, staff = staff_client("barnkontakt")
    child_id = seed(app, "Bo Barn", "Berit Barn", staff)
    for path in ("radera", "registerutdrag.json", "registerutdrag.pdf"):
        response = client.get(f"/arbete/admin/barn/{child_id}/{path}")
        assert response.status_code == 403, path
    assert rows_about(app, child_id)["child"] == 1


# The register extract ----------------------------------------------------------------------

REASON = "Begäran om registerutdrag från vårdnadshavare, ärende 2026-114"


def break_glass(client, extract_path: str) -> None:
    """The extract holds safety notes and the child's words: the admin is sent to write down
    why first, and comes back to the extract."""
    sent = client.get(extract_path)
    assert sent.status_code == 303 and "/bryt-forseglingen" in sent.headers["Location"]
    back = post(client, sent.headers["Location"], {"reason": REASON, "next": extract_path})
    assert back.status_code == 303 and back.headers["Location"] == extract_path


def test_register_extract_json_holds_everything_and_follows_its_schema(db_app):
    staff = make_person(db_app, "barnkontakt")
    admin = make_person(db_app, "admin")
    child_id = seed(db_app, "Ebba Extrakt", "Erik Extrakt", staff)
    seed(db_app, "Annan Person", "Annans Förälder", staff)
    client = db_app.test_client()
    assert login(client, admin.email).status_code == 303
    break_glass(client, f"/arbete/admin/barn/{child_id}/registerutdrag.json")
    response = client.get(f"/arbete/admin/barn/{child_id}/registerutdrag.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    document = response.get_json()
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert extract.schema() == SCHEMA
    jsonschema.Draft202012Validator(
        SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    ).validate(document)

    assert document["child"]["name"] == "Ebba Extrakt"
    assert document["child"]["birth_date"] == "2017-03-14"
    assert [g["name"] for g in document["guardians"]] == ["Erik Extrakt"]
    assert len(document["guardians"][0]["invitations"]) == 1
    assert document["consents"][0]["recipients"] == ["barnteam"]
    own = next(c for c in document["conversations"] if c["guardian_id"] is None)
    ratings = [a for a in own["answers"] if a["step_id"] == "omsorg.hur"]
    assert [(a["value"], a["replaced_at"] is None) for a in ratings] == [("1", False), ("2", True)]
    assert any(a["words"] == "ORD-AV-Ebba Extrakt" for a in own["answers"])
    assert own["safety_concerns"][0]["note"] == "ORO-Ebba Extrakt"
    assert any(e["kind"] == "started" for e in own["events"])
    assert len(document["conversations"]) == 2  # the child's and the guardian's
    assert document["summary_drafts"] and document["summary_versions"][0]["number"] == 1
    assert {e["action"] for e in document["audit"]} >= {"view_child", "break_glass"}
    assert {p["name"] for p in document["staff"]} == {"Test barnkontakt", "Test admin"}
    assert document["made_by"] == "Test admin"
    text = json.dumps(document, ensure_ascii=False)
    assert "Annan Person" not in text and "Annans Förälder" not in text
    assert "nonce" not in text and "request_key" not in text and "code_hash" not in text
    logged = [e for e in audit_entries(db_app) if e.action == "register_extract"]
    assert [(e.child_id, e.staff_id, e.detail) for e in logged] == [(child_id, admin.id, "json")]


def test_register_extract_pdf_reads_as_the_childs_record(app, staff_client, tmp_path):
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext is not installed (poppler-utils): run scripts/setup.sh")
    _client, staff = staff_client("barnkontakt")
    client, _admin = staff_client("admin")
    child_id = seed(app, "Pia Pdf", "Per Pdf", staff)
    break_glass(client, f"/arbete/admin/barn/{child_id}/registerutdrag.pdf")
    response = client.get(f"/arbete/admin/barn/{child_id}/registerutdrag.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    file = tmp_path / "utdrag.pdf"
    file.write_bytes(response.data)
    text = subprocess.run(
        ["pdftotext", str(file), "-"], check=True, capture_output=True, text=True
    ).stdout
    # Words wrap inside the table cells; read the text as one line.
    text = re.sub(r"-\s+", "-", " ".join(text.split()))
    for expected in (
        "Registerutdrag: allt Samtal har om Pia Pdf",
        "Per Pdf",
        "ORD-AV-Pia",
        "ORO-Pia",
        "Signerad version 1",
        "Samtycke",
        "view_child",
    ):
        assert expected in text, expected
    # Each answer with the question its conversation's flow version asked.
    with app.app_context():
        asked = library.flows().get("barn-7-9").step("omsorg.hur").text
    assert asked.split("?")[0][-25:] in text and "(omsorg.hur, answer)" in text
    assert [e.detail for e in audit_entries(app) if e.action == "register_extract"] == ["pdf"]
