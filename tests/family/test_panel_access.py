"""The adult's panel belongs to staff: the child's link alone never opens it, nor shows a note.

Issue 10's findings proved fixed here: a tablet link opened the panel with one tap on any
device, for the link's whole lifetime; the child read the safety note, could press "report
made" and end the conversation; after "Pausa" one tap reopened the panel.
"""

from __future__ import annotations

import re
import threading
from collections import deque
from urllib.parse import urlsplit

import pytest
from flask import Flask
from sqlmodel import select

from samtal import audit
from samtal.conversation import panel_access
from samtal.db import get_session
from samtal.models import AuditEntry, Conversation, Invitation, SafetyConcern, Staff
from tests.builders import csrf_token_of, login, make_app, panel_pin, reload_conversation

NOTE = "Berättar om bråk hemma, pappa skriker XQ7"
REGISTRATION = {
    "name": "Sam Berg",
    "birth_date": "2014-05-04",
    "language": "sv",
    "guardian1_name": "Amira Berg",
    "guardian1_language": "sv",
}


def form(client, page: str, action: str, **data):
    """POST one of a page's forms, with the page's CSRF token."""
    token = csrf_token_of(client.get(page).get_data(as_text=True))
    return client.post(action, data={"csrf_token": token, **data})


def register(client) -> int:
    """Register a child through the real form; its id."""
    response = form(client, "/arbete/barn/ny", "/arbete/barn/ny", **REGISTRATION)
    assert response.status_code == 303, response.get_data(as_text=True)
    return int(response.headers["Location"].rsplit("/", 1)[-1])


def start_on_kiosk(client, child_id: int) -> str:
    """Start the child's conversation "on this tablet": the tablet path."""
    page = f"/arbete/barn/{child_id}"
    response = form(client, page, f"{page}/samtal/har", flow="barn-10-12", language="sv")
    assert response.status_code == 303
    return urlsplit(response.headers["Location"]).path


def conversation_of(app: Flask, child_id: int) -> Conversation:
    with app.app_context():
        found = (
            get_session()
            .exec(select(Conversation).where(Conversation.child_id == child_id))
            .first()
        )
        assert found is not None
        return found


def panel_entries(app: Flask, child_id: int) -> list[AuditEntry]:
    with app.app_context():
        return [
            e
            for e in audit.entries(get_session(), child_id=child_id)
            if e.action.startswith("panel_") or e.action in ("mark_concern", "report_made")
        ]


def reachable(client, start: str, token: str) -> dict[str, str]:
    """Every page reachable from the child's link with this client: every same-token link
    followed (GET), every PIN-less form of the panel tried (POST). URL → body."""
    seen: dict[str, str] = {}
    queue = deque([start, f"/samtal/{token}/vuxen/"])
    while queue:
        url = queue.popleft()
        if url in seen:
            continue
        response = client.get(url)
        body = response.get_data(as_text=True)
        seen[url] = body
        for partial in (client.get(url, headers={"HX-Request": "true"}),):
            seen[url + "#htmx"] = partial.get_data(as_text=True)
        for href in re.findall(r'(?:href|action)="([^"#]+)', body):
            path = urlsplit(href).path
            if path.startswith(f"/samtal/{token}/") and path not in seen:
                queue.append(path)
    panel = f"/samtal/{token}/vuxen/"
    page = client.get(panel).get_data(as_text=True)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    for action in ("", "oro", "status", "ord", "sprak", "aldersgrupp"):
        data = {"csrf_token": found.group(1)} if found else {}
        response = client.post(panel + action, data=data, follow_redirects=True)
        seen[f"POST {panel}{action}"] = response.get_data(as_text=True)
    return seen


def assert_no_panel_and_no_note(pages: dict[str, str]) -> None:
    for url, body in pages.items():
        assert "XQ7" not in body, url
        assert "Panel för den vuxna" not in body, url
        assert "Jag har gjort orosanmälan" not in body, url


@pytest.fixture
def kiosk(app, staff_client):
    """A barnkontakt's signed-in browser turned into the child's tablet: (client, staff,
    child id, tablet path)."""
    client, staff = staff_client("barnkontakt")
    child_id = register(client)
    return client, staff, child_id, start_on_kiosk(client, child_id)


def test_the_childs_link_never_opens_the_panel_nor_shows_the_note(app, kiosk):
    """On a second device, after pause and after the end: no panel, no note, anywhere."""
    tablet, staff, child_id, path = kiosk
    token = path.split("/")[2]
    panel = f"{path}vuxen/"
    # On the kiosk: the barnkontakt's session plus the confirmation opens the panel.
    confirm = tablet.get(panel).get_data(as_text=True)
    assert "Jag är den vuxna – öppna panelen" in confirm and 'name="pin"' not in confirm
    assert form(tablet, panel, panel).status_code == 303
    assert form(tablet, panel, f"{panel}oro", note=NOTE).status_code == 303
    shown = tablet.get(panel).get_data(as_text=True)
    assert "Panel för den vuxna" in shown
    assert re.search(r"Oro markerad .+ av Test barnkontakt", shown)
    assert "XQ7" not in shown  # write-only on the tablet
    with app.app_context():
        [concern] = get_session().exec(select(SafetyConcern)).all()
        assert (concern.note, concern.marked_by, concern.marked_via) == (
            NOTE,
            staff.id,
            "kiosk",
        )
    # A second device with the same link: nothing.
    other = app.test_client()
    assert_no_panel_and_no_note(reachable(other, path, token))
    # Pause: the kiosk's one tap no longer opens the panel.
    assert form(tablet, panel, f"{panel}status", status="paused").status_code == 303
    paused = tablet.get(panel).get_data(as_text=True)
    assert 'name="pin"' in paused and "Panel för den vuxna" not in paused
    assert form(tablet, panel, panel).status_code == 422
    assert_no_panel_and_no_note(reachable(tablet, path, token))
    assert_no_panel_and_no_note(reachable(other, path, token))
    # Reopened with the PIN, then ended: the link shows only the kind "finished" page.
    pin = panel_pin(app, path)
    assert form(tablet, panel, panel, pin=pin).status_code == 303
    assert form(tablet, panel, f"{panel}status", status="ended", confirm="ja").status_code == 303
    assert reload_conversation(app, conversation_of(app, child_id).id or 0).status == "ended"
    for client in (tablet, other):
        pages = reachable(client, path, token)
        assert_no_panel_and_no_note(pages)
        assert "Det här samtalet är avslutat" in pages[panel]


def test_every_panel_action_names_the_staff_member_or_the_pin_holder(app, kiosk):
    """Kiosk actions are logged as the barnkontakt; PIN-only actions as the PIN holder."""
    tablet, staff, child_id, path = kiosk
    panel = f"{path}vuxen/"
    form(tablet, panel, panel)
    form(tablet, panel, f"{panel}oro", note="")
    with app.app_context():
        [concern] = get_session().exec(select(SafetyConcern)).all()
    form(tablet, panel, f"{panel}oro/{concern.id}/anmald")
    form(tablet, panel, f"{panel}sprak", language="en")
    form(tablet, panel, f"{panel}status", status="paused")
    with app.app_context():
        [concern] = get_session().exec(select(SafetyConcern)).all()
        assert concern.report_made_by == staff.id and concern.report_made_at is not None
    other = app.test_client()
    assert form(other, panel, panel, pin=panel_pin(app, path)).status_code == 303
    form(other, panel, f"{panel}status", status="active")
    logged = {(e.action, e.staff_id) for e in panel_entries(app, child_id)}
    for action in ("panel_opened", "mark_concern", "report_made", "panel_language"):
        assert (action, staff.id) in logged, action
    assert ("panel_paused", staff.id) in logged
    conversation_id = conversation_of(app, child_id).id
    pin_entries = [e for e in panel_entries(app, child_id) if e.staff_id is None]
    assert {e.action for e in pin_entries} == {"panel_opened", "panel_active"}
    assert all(f"PIN-innehavare för samtal {conversation_id}" in e.detail for e in pin_entries)


def test_the_pin_shows_only_to_the_childs_barnkontakt(app, staff_client):
    """The child page and the link page show the PIN to the own barnkontakt; the printed
    sheet leaves it out; another barnkontakt or an admin never sees it."""
    client, _staff = staff_client("barnkontakt")
    child_id = register(client)
    page = f"/arbete/barn/{child_id}"
    response = form(client, page, f"{page}/samtal/annan", flow="barn-10-12", language="sv")
    link_page = client.get(response.headers["Location"]).get_data(as_text=True)
    conversation = conversation_of(app, child_id)
    with app.test_request_context():
        pin = panel_access.pin_for(conversation)
    assert pin in client.get(page).get_data(as_text=True)
    assert re.search(rf'<p class="no-print">[^<]*<strong class="code">{pin}</strong>', link_page)
    admin, _admin = staff_client("admin")
    assert pin not in admin.get(page).get_data(as_text=True)


def test_a_signed_in_barnkontakt_confirms_others_need_the_pin(app, staff_client):
    """The child's own barnkontakt signed in here: the confirmation; anyone else: the PIN."""
    owner, _staff = staff_client("barnkontakt")
    child_id = register(owner)
    page = f"/arbete/barn/{child_id}"
    response = form(owner, page, f"{page}/samtal/annan", flow="barn-10-12", language="sv")
    link_page = owner.get(response.headers["Location"]).get_data(as_text=True)
    path = urlsplit(re.search(r'id="link" value="([^"]+)"', link_page).group(1)).path
    panel = f"{path}vuxen/"
    assert "Jag är den vuxna – öppna panelen" in owner.get(panel).get_data(as_text=True)
    assert form(owner, panel, panel).status_code == 303
    assert "Panel för den vuxna" in owner.get(panel).get_data(as_text=True)
    stranger, _other = staff_client("barnkontakt")
    refused = stranger.get(panel).get_data(as_text=True)
    assert 'name="pin"' in refused and "Logga in som barnkontakt" in refused
    assert form(stranger, panel, panel).status_code == 422


def test_revoked_links_and_invitations_stop_working(app, staff_client):
    """A new link kills the old one and its PIN; a revoked invitation's link is refused."""
    client, _staff = staff_client("barnkontakt")
    child_id = register(client)
    page = f"/arbete/barn/{child_id}"
    response = form(client, page, f"{page}/samtal/annan", flow="barn-10-12", language="sv")
    link_page = client.get(response.headers["Location"]).get_data(as_text=True)
    old = urlsplit(re.search(r'id="link" value="([^"]+)"', link_page).group(1)).path
    old_pin = panel_pin(app, old)
    child = app.test_client()
    assert child.get(old).status_code == 200
    wrong = "000000" if old_pin != "000000" else "111111"
    assert form(child, f"{old}vuxen/", f"{old}vuxen/", pin=wrong).status_code == 422
    conversation = conversation_of(app, child_id)
    assert conversation.pin_attempts == 1
    response = form(client, page, f"{page}/samtal/{conversation.id}/ny-lank")
    assert response.status_code == 303
    assert child.get(old).status_code == 404
    assert child.get(f"{old}vuxen/").status_code == 404
    with app.test_request_context():
        renewed = reload_conversation(app, conversation.id or 0)
        assert panel_access.pin_for(renewed) != old_pin and renewed.pin_attempts == 0
    # The guardian's invitation.
    body = client.get(page).get_data(as_text=True)
    guardian = re.search(r'<option value="(\d+)">Amira Berg</option>', body)
    assert guardian is not None
    response = form(client, page, f"{page}/inbjudan", guardian_id=guardian.group(1))
    invitation_page = client.get(response.headers["Location"]).get_data(as_text=True)
    guardian_link = urlsplit(re.search(r'id="link" value="([^"]+)"', invitation_page).group(1))
    assert app.test_client().get(guardian_link.path).status_code == 200
    with app.app_context():
        invitation = get_session().exec(select(Invitation)).one()
    form(client, page, f"{page}/inbjudan/{invitation.id}/aterkalla")
    assert app.test_client().get(guardian_link.path).status_code in (404, 410)
    actions = {e.action for e in audit_entries(app, child_id)}
    assert {"revoke_link", "revoke_invitation"} <= actions


def audit_entries(app: Flask, child_id: int) -> list[AuditEntry]:
    with app.app_context():
        return audit.entries(get_session(), child_id=child_id)


@pytest.fixture
def db_app(any_database_url):
    """The app on each database (SQLite and PostgreSQL)."""
    app = make_app(any_database_url)
    yield app
    app.extensions["samtal.engine"].dispose()


def test_wrong_pins_are_throttled_audited_and_never_lock_the_staff_account(db_app):
    """Five wrong PINs, then even the right one waits; the barnkontakt still signs in."""
    app = db_app
    from samtal.staff import accounts

    with app.app_context():
        staff = accounts.create_staff(
            session=get_session(),
            email="bk@kommun.example",
            name="Bo Kontakt",
            role="barnkontakt",
            password="ett långt och bra lösenord",
        )
    owner = app.test_client()
    assert login(owner, staff.email).status_code == 303
    child_id = register(owner)
    page = f"/arbete/barn/{child_id}"
    response = form(owner, page, f"{page}/samtal/annan", flow="barn-10-12", language="sv")
    link_page = owner.get(response.headers["Location"]).get_data(as_text=True)
    path = urlsplit(re.search(r'id="link" value="([^"]+)"', link_page).group(1)).path
    panel = f"{path}vuxen/"
    pin = panel_pin(app, path)
    wrong = "000000" if pin != "000000" else "111111"
    child = app.test_client()
    for _attempt in range(panel_access.PIN_ATTEMPTS):
        response = form(child, panel, panel, pin=wrong)
        assert response.status_code == 422
        assert "Koden stämmer inte." in response.get_data(as_text=True)
    throttled = form(child, panel, panel, pin=pin)
    assert throttled.status_code == 429
    assert "För många fel koder" in throttled.get_data(as_text=True)
    assert "Panel för den vuxna" not in child.get(panel).get_data(as_text=True)
    actions = [e.action for e in audit_entries(app, child_id)]
    assert actions.count("panel_pin_refused") == panel_access.PIN_ATTEMPTS
    assert actions.count("panel_pin_throttled") == 1
    with app.app_context():
        account = get_session().get(Staff, staff.id)
        assert account is not None
        assert account.failed_logins == 0 and account.locked_until is None
    assert login(app.test_client(), staff.email).status_code == 303


def test_the_pin_throttle_holds_under_concurrent_guesses(db_app):
    """Twenty guesses at once: exactly the window's five get through (one atomic UPDATE)."""
    app = db_app
    from tests.builders import start_conversation_in

    conversation, _path = start_conversation_in(app, "test-fast")
    allowed: list[bool] = []
    barrier = threading.Barrier(10)

    def guess() -> None:
        with app.app_context():
            found = get_session().get(Conversation, conversation.id)
            assert found is not None
            barrier.wait()
            allowed.append(panel_access.take_attempt(get_session(), found))

    for _round in range(2):
        threads = [threading.Thread(target=guess) for _ in range(10)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert allowed.count(True) == panel_access.PIN_ATTEMPTS
