"""Exports of the summary: JSON against its schema, PDF text, print view, and sharing that
needs a signed version and consent covering the recipient."""

from __future__ import annotations

import json
import socket
import subprocess
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from PIL import Image
from sqlmodel import col, select

from samtal.config import ROOT
from samtal.db import get_session
from samtal.models import Consent, Conversation, Guardian, SafetyConcern, utcnow
from samtal.summary import exports, store
from tests.builders import csrf_token_of, make_child, needs, pdf_text

SCHEMA = json.loads((ROOT / "schema" / "summary-v1.schema.json").read_text())
YOUNG_PICKS = {
    "omsorg.hur": "2",
    "omsorg.ord": "Jag vill äta frukost i skolan.",
    "trygghet.hur": "1",
    "trygghet.ord": "HEMLIGT-OMRADE-ORD",
    "viktigast": ["trygghet", "omsorg"],
    "dela": ["omsorg", "fritid"],
}


def validate(document: dict) -> None:
    """Fails the test when the document does not follow schema/summary-v1.schema.json."""
    jsonschema.Draft202012Validator(
        SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    ).validate(document)


@pytest.fixture
def young(app, staff_client):
    """A barnkontakt, and a 14-year-old who kept areas from the guardians, with a safety note."""
    client, staff = staff_client("barnkontakt")
    child_id = make_child(app, staff.id, flow_id="barn-13-17", age=14, picks=YOUNG_PICKS)
    with app.app_context():
        session = get_session()
        conversation = session.exec(
            select(Conversation).where(
                Conversation.child_id == child_id,
                col(Conversation.guardian_id).is_(None),
            )
        ).one()
        session.add(
            SafetyConcern(
                conversation_id=conversation.id,
                step_id="trygghet.ord",
                note="SAKERHETSANTECKNING",
                # Reported: an open concern would hold the sign-off back.
                report_made_at=utcnow(),
                report_made_by=staff.id,
            )
        )
        session.commit()
    return client, staff, child_id


# Every area of the 13–17 flow but the one the young person kept from the guardians.
AREAS = (
    "omsorg",
    "trygghet",
    "ma_bra",
    "fritid",
    "tillhorighet",
    "ansvarstagande",
    "respekteras",
    "utvecklas",
)
CHOSEN = "valt=1&" + "&".join(f"omrade={a}" for a in AREAS if a != "trygghet")


def base(child_id: int) -> str:
    return f"/arbete/barn/{child_id}/sammanstallning"


def sign(client, child_id: int, **fields: str) -> None:
    """Sign the summary through the page's form."""
    html = client.get(base(child_id)).get_data(as_text=True)
    response = client.post(
        f"{base(child_id)}/signera",
        data={"csrf_token": csrf_token_of(html), "anteckningar": "1", "bekrafta": "ja", **fields},
    )
    assert response.status_code == 303, response.get_data(as_text=True)


def consent(app, child_id: int, *, recipient: str = "barnteam", child_too: bool = True) -> None:
    """Record consent from every guardian (and the child) to share the summary."""
    with app.app_context():
        session = get_session()
        today = utcnow().date()
        common: dict[str, Any] = {
            "child_id": child_id,
            "information": ["sammanstallning"],
            "recipients": [recipient],
            "given_on": today,
            "valid_until": today + timedelta(days=180),
            "informed": True,
        }
        for guardian in session.exec(select(Guardian).where(Guardian.child_id == child_id)):
            session.add(Consent(given_by="guardian", guardian_id=guardian.id, **common))
        if child_too:
            session.add(Consent(given_by="child", **common))
        session.commit()


def test_the_schema_is_a_valid_json_schema():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert exports.schema() == SCHEMA


def test_json_of_a_draft_and_of_a_signed_version_follow_the_schema(young):
    client, _staff, child_id = young
    draft = client.get(f"{base(child_id)}/json")
    assert draft.status_code == 200 and draft.mimetype == "application/json"
    assert "utkast" in draft.headers["Content-Disposition"]
    document = draft.get_json()
    validate(document)
    assert (document["version"], document["status"], document["signature"]) == (
        exports.SCHEMA_VERSION,
        "draft",
        None,
    )

    sign(client, child_id, **{"note-omsorg": "Frukost", "decision": "barnteam"})
    signed = client.get(f"{base(child_id)}/json").get_json()
    validate(signed)
    assert signed["status"] == "signed" and signed["signature"]["number"] == 1
    assert signed["signature"]["content_hash"] == store.content_hash(signed["summary"])
    assert signed["summary_hash"] == signed["signature"]["content_hash"]
    summary = signed["summary"]
    assert summary["decision"]["code"] == "barnteam"
    assert summary["safety"][0]["note"] == "SAKERHETSANTECKNING"  # staff's own export
    trygghet = next(a for a in summary["areas"] if a["id"] == "trygghet")
    assert trygghet["kept_from_guardians"] is True
    assert trygghet["child"]["words"][0]["text"] == "HEMLIGT-OMRADE-ORD"
    by_version = client.get(f"{base(child_id)}/json?version=1").get_json()
    assert by_version["summary"] == summary


def test_sharing_is_refused_without_consent_and_before_signing(young, app):
    client, _staff, child_id = young
    unsigned = client.get(f"{base(child_id)}/json?for=sharing")
    assert unsigned.status_code == 403
    assert "Signera den innan den delas" in unsigned.get_data(as_text=True)
    sign(client, child_id)
    for path in ("/json?for=sharing", "/pdf?dela=1", "/utskrift?for=sharing&mottagare=barnteam"):
        refused = client.get(base(child_id) + path)
        assert refused.status_code == 403, path
        body = refused.get_data(as_text=True)
        assert (
            "Det finns inget samtycke som täcker att sammanställningen delas med Barnteam" in body
        )
        assert "Ingenting har lämnats ut." in body
        assert "SAKERHETSANTECKNING" not in body and "HEMLIGT" not in body
    # Consent from the guardians only: a 14-year-old does not need to consent (15 and up does).
    consent(app, child_id, child_too=False)
    assert client.get(f"{base(child_id)}/json?for=sharing").status_code == 200
    other = client.get(f"{base(child_id)}/json?for=sharing&mottagare=Socialtjänsten")
    assert other.status_code == 403


def test_shared_json_leaves_out_safety_notes_and_kept_areas(young, app):
    client, _staff, child_id = young
    sign(client, child_id, **{"note-trygghet": "NOTERING-OM-KEPT", "note-omsorg": "Frukost"})
    consent(app, child_id)
    # The barnkontakt leaves out the area the young person kept from the guardians.
    response = client.get(f"{base(child_id)}/json?for=sharing&mottagare=barnteam&{CHOSEN}")
    assert response.status_code == 200
    document = response.get_json()
    validate(document)
    text = json.dumps(document, ensure_ascii=False)
    assert document["shared"] is True and document["summary"]["shared"] is True
    assert document["summary"]["safety"] == []
    for secret in ("SAKERHETSANTECKNING", "HEMLIGT-OMRADE-ORD", "NOTERING-OM-KEPT"):
        assert secret not in text, secret
    areas = {a["id"]: a for a in document["summary"]["areas"]}
    assert areas["trygghet"]["child"] is None
    assert document["missing"]["areas"]["trygghet"] == "withheld"
    assert areas["omsorg"]["child"]["words"][0]["text"] == "Jag vill äta frukost i skolan."
    assert areas["omsorg"]["note"] == "Frukost"
    assert document["summary"]["priorities"] == ["omsorg"]
    assert document["signature"]["content_hash"] != document["summary_hash"]


def test_withdrawn_consent_stops_sharing(young, app):
    client, _staff, child_id = young
    sign(client, child_id)
    consent(app, child_id)
    assert client.get(f"{base(child_id)}/json?for=sharing").status_code == 200
    with app.app_context():
        session = get_session()
        first = session.exec(select(Consent).where(Consent.given_by == "guardian")).first()
        first.withdrawn_at = utcnow()
        session.add(first)
        session.commit()
    assert client.get(f"{base(child_id)}/json?for=sharing").status_code == 403


def test_pdf_has_the_summarys_text(young, tmp_path):
    client, _staff, child_id = young
    sign(client, child_id, **{"note-omsorg": "Anteckning om frukost", "q-gora_nu": "Ringa hem"})
    response = client.get(f"{base(child_id)}/pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert 'filename="sammanstallning-' in response.headers["Content-Disposition"]
    text = pdf_text(response.data, tmp_path)
    version = client.get(f"{base(child_id)}/json").get_json()["signature"]
    for expected in (
        "Sammanställning: Testbarn",
        "Behovskompassen",
        "Omsorg",
        "Utvecklas",
        "Jag vill äta frukost i skolan.",
        "Han äter bra hemma.",
        "Anteckning om frukost",
        "Ringa hem",
        "Vad står i vägen för barnets välbefinnande?",
        "SAKERHETSANTECKNING",
        "Signerad version 1",
        version["content_hash"][:32],
    ):
        assert expected in text, expected


def test_shared_pdf_leaves_out_what_may_not_leave(young, app, tmp_path):
    client, _staff, child_id = young
    sign(client, child_id, **{"note-trygghet": "NOTERING-OM-KEPT"})
    consent(app, child_id)
    response = client.get(f"{base(child_id)}/pdf?dela=1&mottagare=barnteam&{CHOSEN}")
    assert response.status_code == 200
    text = pdf_text(response.data, tmp_path)
    assert "Jag vill äta frukost i skolan." in text
    assert "Version för delning" in text
    for secret in ("SAKERHETSANTECKNING", "HEMLIGT-OMRADE-ORD", "NOTERING-OM-KEPT"):
        assert secret not in text, secret


def test_print_view_needs_nothing_from_outside_and_has_no_inline_styles(young):
    client, _staff, child_id = young
    html = client.get(f"{base(child_id)}/utskrift").get_data(as_text=True)
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in html
    assert ' style="' not in html and "<style" not in html
    assert 'class="doc-section print-break"' in html
    assert 'role="img"' in html and "<table" in html


def test_pdf_rendering_fetches_nothing(monkeypatch):
    calls = []
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: calls.append(a))
    real_connect = socket.socket.connect

    def connect(self, *address):
        calls.append(address)
        return real_connect(self, *address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    stylesheet = ROOT / "static" / "samtal.css"
    pdf = exports.render_pdf(
        '<html><body><p>Hej</p><img src="http://192.0.2.1/bild.png" alt="">'
        '<link rel="stylesheet" href="https://192.0.2.1/x.css"></body></html>',
        stylesheet,
    )
    assert pdf.startswith(b"%PDF") and calls == []


def ink(pdf: bytes, tmp_path: Path) -> float:
    """The share of the first page that is not white, from pdftoppm's picture of it."""
    needs("pdftoppm")
    (tmp_path / "page.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "20", "-f", "1", "-l", "1", "-gray", "-png", "-singlefile"]
        + [str(tmp_path / "page.pdf"), str(tmp_path / "page")],
        check=True,
    )
    with Image.open(tmp_path / "page.png") as page:
        levels = page.convert("L").histogram()
    return sum(levels[:200]) / sum(levels)


def test_pdf_draws_the_registrys_pictures_and_the_documents_figures(app, tmp_path):
    """Pictures come from the registry and figures from the caller, by their addresses; an
    unknown address draws nothing (and fetches nothing)."""
    stylesheet = ROOT / "static" / "samtal.css"
    square = (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
        '<rect width="10" height="10"/></svg>'
    )

    def page(address: str) -> bytes:
        html = f'<html><body><img src="{address}" width="400" height="400" alt=""></body></html>'
        with app.app_context():
            return exports.render_pdf(html, stylesheet, {"ruta": square})

    assert ink(page(exports.figure_address("ruta")), tmp_path) > 0.15  # 400 px of A4's 794
    assert ink(page(exports.picture_address("guide")), tmp_path) > 0.05
    # Only the page number is left on the page.
    assert ink(page(exports.figure_address("annan")), tmp_path) < 0.001
    assert ink(page(exports.picture_address("finns-inte")), tmp_path) < 0.001


def test_pdfs_render_side_by_side_in_server_threads(young, tmp_path):
    """A server thread renders PDFs while others do (each thread has its own fonts)."""
    client, _staff, child_id = young
    app = client.application
    stylesheet = ROOT / "static" / "samtal.css"

    def render(n: int) -> bytes:
        with app.app_context():
            return exports.render_pdf(f"<p>Sida nummer {n}</p>", stylesheet)

    with ThreadPoolExecutor(4) as pool:
        documents = list(pool.map(render, range(8)))
    for n, document in enumerate(documents):
        assert f"Sida nummer {n}" in pdf_text(document, tmp_path)


def test_document_marks_drafts_and_versions_without_a_request():
    content = {"shared": False, "safety": [], "areas": [], "priorities": []}
    document = exports.document(content, signed=None)
    assert document["status"] == "draft" and document["signature"] is None
    assert document["exported_at"].endswith("+00:00")
    assert json.loads(exports.to_json(document)) == document
    assert date.fromisoformat(document["exported_at"][:10])


def test_pdf_without_weasyprints_libraries_says_so(young, monkeypatch):
    client, _staff, child_id = young

    def missing(*_args, **_kwargs):
        raise OSError("cannot load library 'libpango-1.0-0'")

    monkeypatch.setattr(exports, "render_pdf", missing)
    response = client.get(f"{base(child_id)}/pdf")
    assert response.status_code == 503
    body = response.get_data(as_text=True)
    assert "PDF kan inte skapas just nu" in body and "Använd utskriften" in body


# ------------------------------------------------ two sharing decisions, and why it is missing
# Issue 10's finding: a 13–17 child's "what my guardians may see" also removed those areas from
# the barnteam export, and the shared PDF said "Viktigast för barnet: Inget svar" (false).


def test_the_barnteam_export_asks_the_barnkontakt_for_the_areas_first(young, app):
    """Without a choice the barnkontakt sees every area (kept ones marked), nothing else."""
    client, _staff, child_id = young
    sign(client, child_id)
    consent(app, child_id)
    page = client.get(f"{base(child_id)}/json?for=sharing&mottagare=barnteam")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert "nödvändiga, relevanta och proportionerliga" in html
    assert html.count('name="omrade"') == len(AREAS)
    assert "Hålls från vårdnadshavarna" in html


def test_the_barnteam_gets_an_area_kept_from_guardians_when_the_barnkontakt_includes_it(
    young, app, tmp_path
):
    """The young person's choice about guardians does not keep the area from the barnteam."""
    client, _staff, child_id = young
    sign(client, child_id)
    consent(app, child_id)
    every = "valt=1&" + "&".join(f"omrade={a}" for a in AREAS)
    document = client.get(f"{base(child_id)}/json?for=sharing&mottagare=barnteam&{every}")
    shared = document.get_json()
    validate(shared)
    areas = {a["id"]: a for a in shared["summary"]["areas"]}
    assert areas["trygghet"]["child"]["words"][0]["text"] == "HEMLIGT-OMRADE-ORD"
    assert shared["summary"]["priorities"] == ["trygghet", "omsorg"]
    assert shared["missing"]["priorities"] is None
    text = pdf_text(
        client.get(f"{base(child_id)}/pdf?dela=1&mottagare=barnteam&{every}").data, tmp_path
    )
    assert "HEMLIGT-OMRADE-ORD" in text and "SAKERHETSANTECKNING" not in text
    with app.app_context():
        [entry] = [e for e in audit_entries(app, child_id) if e.action == "export_json"]
    assert "områden: omsorg, trygghet" in entry.detail


def audit_entries(app, child_id: int):
    from samtal import audit

    with app.app_context():
        return audit.entries(get_session(), child_id=child_id)


def test_every_export_says_truthfully_why_something_is_missing(young, app, tmp_path):
    """Left out by the barnkontakt, withheld by the young person: said so in PDF and JSON,
    never "Inget svar"."""
    client, _staff, child_id = young
    sign(client, child_id)
    consent(app, child_id)
    only = "valt=1&omrade=fritid"
    shared = client.get(f"{base(child_id)}/json?for=sharing&mottagare=barnteam&{only}").get_json()
    validate(shared)
    assert shared["missing"]["areas"]["trygghet"] == "withheld"
    assert shared["missing"]["areas"]["omsorg"] == "not_shared"
    assert shared["missing"]["areas"]["fritid"] is None
    assert shared["missing"]["priorities"] == "not_shared"
    assert shared["summary"]["priorities_status"] == "not_shared"
    text = " ".join(
        pdf_text(
            client.get(f"{base(child_id)}/pdf?dela=1&mottagare=barnteam&{only}").data, tmp_path
        ).split()
    )
    assert "Barnet har valt att inte dela det" in text
    assert "Inte med i den här delningen (barnkontaktens val)" in text
    assert "Viktigast för barnet Inte med i den här delningen" in text
    assert "Viktigast för barnet Inget svar" not in text


def test_the_guardians_copy_respects_the_young_person_and_does_not_show_what_was_kept(
    young, app, tmp_path
):
    """Only the areas the young person shared; every other area says the same "not in this
    copy"; no kept flags, no meeting or trusted adult, no safety note."""
    client, _staff, child_id = young
    sign(client, child_id, **{"note-trygghet": "NOTERING-OM-KEPT"})
    url = f"{base(child_id)}/json?for=sharing&mottagare=vardnadshavare"
    document = client.get(url).get_json()  # no consent needed: the child's own guardians
    validate(document)
    assert document["audience"] == "guardians"
    summary = document["summary"]
    shown = {a["id"] for a in summary["areas"] if a["child"] is not None}
    assert shown == {"omsorg", "fritid"}
    assert set(document["missing"]["areas"].values()) - {None} == {"not_included"}
    assert summary["kept_from_guardians"] == []
    assert not any(a["kept_from_guardians"] for a in summary["areas"])
    assert summary["meeting"] == [] and summary["adult"] == [] and summary["child_other"] == []
    assert summary["priorities"] == ["omsorg"]
    text = json.dumps(document, ensure_ascii=False)
    for secret in ("HEMLIGT-OMRADE-ORD", "NOTERING-OM-KEPT", "SAKERHETSANTECKNING", "withheld"):
        assert secret not in text, secret
    pdf = pdf_text(client.get(url.replace("/json", "/pdf")).data, tmp_path)
    flat = " ".join(pdf.split())
    assert "Kopia för vårdnadshavarna" in flat and "Inte med i den här kopian" in flat
    for secret in (
        "HEMLIGT-OMRADE-ORD",
        "Hålls från",
        "valt att inte dela",
        "vårdnadshavarna inte",
    ):
        assert secret not in flat, secret
