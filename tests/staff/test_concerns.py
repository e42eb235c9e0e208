"""Concerns cannot be lost, and disclosures stay need-to-know.

Issue 10's finding proved fixed here: a concern without a recorded orosanmälan was not on the
caseload, not at the top of the child page, and signing did not ask about it; the concern and
"report made" did not record who acted nor go into the audit log; an admin read every child's
summary including safety notes.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from flask import Flask
from sqlmodel import select

from samtal import audit
from samtal.db import get_session
from samtal.models import SafetyConcern
from tests.builders import csrf_token_of, make_app, panel_pin

NOTE = "Hon blir rädd när pappa skriker ZK9"
REGISTRATION = {
    "name": "Lo Ek",
    "birth_date": "2016-02-03",
    "language": "sv",
    "guardian1_name": "Pia Ek",
    "guardian1_language": "sv",
}


def form(client, page: str, action: str, **data):
    """POST one of a page's forms, with the page's CSRF token."""
    token = csrf_token_of(client.get(page).get_data(as_text=True))
    return client.post(action, data={"csrf_token": token, **data})


def register(client, name: str = "Lo Ek") -> int:
    response = form(client, "/arbete/barn/ny", "/arbete/barn/ny", **{**REGISTRATION, "name": name})
    assert response.status_code == 303, response.get_data(as_text=True)
    return int(response.headers["Location"].rsplit("/", 1)[-1])


def mark_concern_with_pin(app: Flask, client, child_id: int) -> int:
    """Start the child's conversation elsewhere and mark a concern from a tablet with the PIN."""
    page = f"/arbete/barn/{child_id}"
    response = form(client, page, f"{page}/samtal/annan", flow="barn-7-9", language="sv")
    link = client.get(response.headers["Location"]).get_data(as_text=True)
    path = urlsplit(link.split('id="link" value="', 1)[1].split('"', 1)[0]).path
    tablet = app.test_client()
    panel = f"{path}vuxen/"
    assert form(tablet, panel, panel, pin=panel_pin(app, path)).status_code == 303
    assert form(tablet, panel, f"{panel}oro", note=NOTE).status_code == 303
    with app.app_context():
        return get_session().exec(select(SafetyConcern.id)).all()[-1]


@pytest.fixture
def db_app(any_database_url):
    app = make_app(any_database_url)
    yield app
    app.extensions["samtal.engine"].dispose()


@pytest.fixture
def owner(db_app):
    """A signed-in barnkontakt on either database: (client, staff)."""
    from samtal.staff import accounts
    from tests.builders import login

    with db_app.app_context():
        staff = accounts.create_staff(
            session=get_session(),
            email="bk@kommun.example",
            name="Bo Kontakt",
            role="barnkontakt",
            password="ett långt och bra lösenord",
        )
    client = db_app.test_client()
    assert login(client, staff.email).status_code == 303
    return client, staff


def test_an_open_concern_is_on_the_caseload_the_child_page_and_holds_the_sign_off(db_app, owner):
    """Red badge and filter on the caseload, top of the child page, sign-off waits for the
    report or the reasoned decision; who acted is recorded and audited."""
    app = db_app
    client, staff = owner
    child_id = register(client)
    calm = register(client, name="Ada Ek")
    concern_id = mark_concern_with_pin(app, client, child_id)
    caseload = client.get("/arbete/barn").get_data(as_text=True)
    assert "Öppen oro" in caseload and "1 barn med öppen oro" in caseload
    filtered = client.get("/arbete/barn?oro=1").get_data(as_text=True)
    assert f"/arbete/barn/{child_id}" in filtered and f"/arbete/barn/{calm}" not in filtered
    child_page = client.get(f"/arbete/barn/{child_id}").get_data(as_text=True)
    alert = child_page.split("</h1>", 1)[1].split("</p>", 1)[0]  # right under the name
    assert "1 öppen oro" in alert and 'role="alert"' in alert
    assert NOTE in child_page  # the barnkontakt reads the note in the workspace
    assert "den som hade panelens kod för samtal" in child_page
    # Signing waits for the report or the decision.
    summary = f"/arbete/barn/{child_id}/sammanstallning"
    assert "innan du signerar" in client.get(summary).get_data(as_text=True)
    refused = form(client, summary, f"{summary}/signera", bekrafta="ja", anteckningar="1")
    assert refused.status_code == 422 and "innan du signerar" in refused.get_data(as_text=True)
    # A decision needs its reason.
    page = f"/arbete/barn/{child_id}"
    form(client, page, f"{page}/oro/{concern_id}/ingen-anmalan", reason="  ")
    assert "Skriv varför ingen orosanmälan görs." in client.get(page).get_data(as_text=True)
    reason = "Socialtjänsten känner redan till det, enligt samtal med handläggare i dag"
    assert form(client, page, f"{page}/oro/{concern_id}/ingen-anmalan", reason=reason).status_code
    with app.app_context():
        concern = get_session().get(SafetyConcern, concern_id)
        assert concern is not None
        assert (concern.decided_by, concern.no_report_reason) == (staff.id, reason)
        logged = {(e.action, e.staff_id) for e in audit.entries(get_session(), child_id=child_id)}
    assert ("no_report", staff.id) in logged and ("mark_concern", None) in logged
    assert "Öppen oro" not in client.get("/arbete/barn").get_data(as_text=True)
    signed = form(client, summary, f"{summary}/signera", bekrafta="ja", anteckningar="1")
    assert signed.status_code == 303


def test_report_made_in_the_workspace_records_the_barnkontakt(app, staff_client):
    """'Jag har gjort orosanmälan' on the child page: who and when, audited; only once."""
    client, staff = staff_client("barnkontakt")
    child_id = register(client)
    concern_id = mark_concern_with_pin(app, client, child_id)
    page = f"/arbete/barn/{child_id}"
    stranger, _other = staff_client("barnkontakt")
    assert form(stranger, "/arbete/barn", f"{page}/oro/{concern_id}/anmald").status_code == 404
    assert form(client, page, f"{page}/oro/{concern_id}/anmald").status_code == 303
    form(client, page, f"{page}/oro/{concern_id}/ingen-anmalan", reason="för sent, redan anmäld")
    with app.app_context():
        concern = get_session().get(SafetyConcern, concern_id)
        assert concern is not None
        assert concern.report_made_by == staff.id and concern.decided_at is None
        [entry] = audit.entries(get_session(), child_id=child_id, action="report_made")
    assert entry.staff_id == staff.id
    assert "registrerad av Test barnkontakt" in client.get(page).get_data(as_text=True)


def test_an_admin_reads_disclosures_only_by_breaking_the_glass(app, staff_client):
    """Safety notes and the summary (the child's own words) are the barnkontakt's; an admin
    writes a reason first, which is audited and shown on the child page."""
    client, _staff = staff_client("barnkontakt")
    child_id = register(client)
    mark_concern_with_pin(app, client, child_id)
    admin, admin_staff = staff_client("admin")
    page = f"/arbete/barn/{child_id}"
    before = admin.get(page).get_data(as_text=True)
    assert NOTE not in before and "1 öppen oro" in before
    summary = admin.get(f"{page}/sammanstallning")
    assert summary.status_code == 303 and "bryt-forseglingen" in summary.headers["Location"]
    for rest in ("/json", "/pdf", "/utskrift", "/barnets-kopia"):
        assert admin.get(f"{page}/sammanstallning{rest}").status_code == 303, rest
    glass = f"{page}/bryt-forseglingen"
    short = form(admin, glass, glass, reason="kolla")
    assert short.status_code == 422 and "minst" in short.get_data(as_text=True)
    reason = "Begäran om registerutdrag från vårdnadshavare, ärende 2026-114"
    assert form(admin, glass, glass, reason=reason).status_code == 303
    assert admin.get(f"{page}/sammanstallning").status_code == 200
    after = admin.get(page).get_data(as_text=True)
    assert NOTE in after
    with app.app_context():
        [entry] = audit.entries(get_session(), child_id=child_id, action="break_glass")
    assert (entry.staff_id, entry.detail) == (admin_staff.id, reason)
    owner_view = client.get(page).get_data(as_text=True)
    assert "Bröt förseglingen" in owner_view and reason in owner_view
