"""The workspace over HTTP: register, child page, kiosk, QR link, invitations, consent, roles."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlmodel import select

from samtal import library
from samtal.db import get_session
from samtal.models import Consent, Conversation, Invitation
from samtal.staff import children
from tests.builders import REGISTRATION, STAFF_PASSWORD, csrf_token_of, entries, post, register


@pytest.fixture
def barnkontakt(staff_client):
    """A signed-in barnkontakt with one registered child: (client, staff, child id)."""
    client, staff = staff_client("barnkontakt")
    return client, staff, register(client)


def test_registration_errors_keep_what_was_typed(staff_client):
    """A refused registration says what is wrong, in Swedish, and keeps every typed value."""
    client, _staff = staff_client("barnkontakt")
    token = csrf_token_of(client.get("/arbete/barn/ny").get_data(as_text=True))
    response = client.post(
        "/arbete/barn/ny",
        data={"csrf_token": token, **REGISTRATION, "birth_date": "4 maj", "guardian1_name": ""},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Skriv födelsedatumet som år-månad-dag" in page
    assert "Skriv vårdnadshavarens namn." in page
    assert 'value="Sam Berg"' in page and 'value="4 maj"' in page and 'value="Jonas Berg"' in page
    assert 'aria-invalid="true"' in page


def test_every_field_on_the_register_form_says_why_it_is_asked(staff_client):
    """Minimal fields, each with its reason as a hint tied to the input."""
    client, _staff = staff_client("barnkontakt")
    page = client.get("/arbete/barn/ny").get_data(as_text=True)
    for field in ("name", "birth_date", "home_languages", "language", "unit_id"):
        assert f'id="{field}-hint"' in page, field
    assert str(children.REASONS["birth_date"]) in page


def test_child_page_shows_the_child_and_who_has_seen_it(app, barnkontakt):
    """The child page lists guardians, consent, and the audit of who viewed it."""
    client, staff, child_id = barnkontakt
    page = client.get(f"/arbete/barn/{child_id}").get_data(as_text=True)
    assert "Sam Berg" in page and "Amira Berg" in page and "Jonas Berg" in page
    assert "Vem har sett barnets uppgifter" in page
    assert "Öppnade barnets sida" in page and staff.name in page
    viewed = entries(app, "view_child")
    assert viewed and viewed[0].child_id == child_id and viewed[0].staff_id == staff.id


def test_follow_up_date_shows_on_the_caseload_when_due(app, barnkontakt):
    """A follow-up date set on the child page makes the child 'Dags för uppföljning'."""
    client, _staff, child_id = barnkontakt
    page = f"/arbete/barn/{child_id}"
    due = (date.today() - timedelta(days=1)).isoformat()
    response = post(client, f"{page}/uppfoljning", page, followup_due=due)
    assert response.status_code == 303
    caseload = client.get("/arbete/barn?status=followup_due").get_data(as_text=True)
    assert "Sam Berg" in caseload and "Dags för uppföljning" in caseload
    assert entries(app, "set_followup")[0].detail == due
    wrong = post(client, f"{page}/uppfoljning", page, followup_due="nästa vecka")
    assert wrong.status_code == 303
    assert "Skriv datumet som år-månad-dag" in client.get(page).get_data(as_text=True)
    post(client, f"{page}/uppfoljning", page, followup_due=due, clear="1")
    assert "Sam Berg" not in client.get("/arbete/barn?status=followup_due").get_data(as_text=True)


def test_start_on_this_tablet_turns_the_browser_into_the_childs_screen(app, barnkontakt):
    """Kiosk: the tablet shows the child's conversation; staff pages ask for the password."""
    client, _staff, child_id = barnkontakt
    page = f"/arbete/barn/{child_id}"
    response = post(client, f"{page}/samtal/har", page, flow="barn-7-9", language="sv")
    assert response.status_code == 303
    tablet = response.headers["Location"]
    assert tablet.startswith("/samtal/")
    assert client.get(tablet).status_code == 200
    with app.app_context():
        conversation = get_session().get(Conversation, 1)
        assert conversation is not None
        assert (conversation.child_id, conversation.flow_id) == (child_id, "barn-7-9")
    for staff_page in (page, "/arbete/barn", "/arbete/", "/logga-in", f"{page}/samtycke"):
        blocked = client.get(staff_page)
        assert blocked.status_code == 303, staff_page
        assert blocked.headers["Location"].endswith("/arbete/kiosk/lamna"), staff_page
    leave = client.get("/arbete/kiosk/lamna").get_data(as_text=True)
    assert "Sam Berg" not in leave and "lösenord" in leave
    assert tablet in leave  # the way back to the child's screen


def test_leaving_the_kiosk_needs_the_barnkontakts_password(app, barnkontakt):
    """A wrong password keeps the screen locked (and is logged); the right one opens it."""
    client, staff, child_id = barnkontakt
    page = f"/arbete/barn/{child_id}"
    post(client, f"{page}/samtal/har", page)
    wrong = post(client, "/arbete/kiosk/lamna", "/arbete/kiosk/lamna", password="gissning")
    assert wrong.status_code == 401
    assert "Lösenordet stämmer inte" in wrong.get_data(as_text=True)
    assert client.get(page).status_code == 303
    refused = entries(app, "kiosk_leave_refused")
    assert refused and refused[0].child_id == child_id
    right = post(client, "/arbete/kiosk/lamna", "/arbete/kiosk/lamna", password=STAFF_PASSWORD)
    assert right.status_code == 303 and right.headers["Location"].startswith(page)
    assert client.get(page).status_code == 200
    assert entries(app, "kiosk_left")[0].staff_id == staff.id


def test_the_password_also_signs_in_again_after_the_idle_time(app, barnkontakt):
    """A long conversation outlasts the staff session; the kiosk password signs in again."""
    client, _staff, child_id = barnkontakt
    page = f"/arbete/barn/{child_id}"
    post(client, f"{page}/samtal/har", page)
    with client.session_transaction() as session:
        data = dict(session["staff"])
        data["seen"] = 0
        session["staff"] = data
    right = post(client, "/arbete/kiosk/lamna", "/arbete/kiosk/lamna", password=STAFF_PASSWORD)
    assert right.status_code == 303
    assert client.get(page).status_code == 200


def test_start_on_another_device_shows_a_qr_code_and_the_link(app, barnkontakt):
    """Another device: a QR code as inline SVG (no style attributes) and the signed link."""
    client, _staff, child_id = barnkontakt
    page = f"/arbete/barn/{child_id}"
    response = post(client, f"{page}/samtal/annan", page, flow="barn-4-6")
    assert response.status_code == 303
    link_page = client.get(response.headers["Location"])
    html = link_page.get_data(as_text=True)
    svg = re.search(r"<svg[^>]*>.*?</svg>", html, re.S)
    assert svg and 'role="img"' in svg.group(0) and "style=" not in svg.group(0)
    assert "style=" not in html
    url = re.search(r'id="link" value="([^"]+)"', html)
    assert url and url.group(1).startswith("http://localhost/samtal/")
    assert client.get(url.group(1).removeprefix("http://localhost")).status_code == 200
    with client.session_transaction() as session:
        assert "kiosk" not in session  # another device: this browser stays the barnkontakt's
    with app.app_context():
        conversation = get_session().get(Conversation, 1)
        current = library.flows().get("barn-4-6")
        assert conversation is not None and current is not None
        # The current version, never one kept in retired/ for older conversations.
        assert (conversation.flow_id, conversation.flow_version) == ("barn-4-6", current.version)


def test_invite_a_guardian_shows_link_and_code_once(app, barnkontakt):
    """The invitation page shows the link and the code; the code only the first time."""
    client, _staff, child_id = barnkontakt
    page = f"/arbete/barn/{child_id}"
    with app.app_context():
        jonas = children.guardians_of(get_session(), child_id)[1]
    response = post(
        client,
        f"{page}/inbjudan",
        page,
        guardian_id=str(jonas.id),
        invite_language="fi",
        with_code="1",
    )
    assert response.status_code == 303
    first = client.get(response.headers["Location"]).get_data(as_text=True)
    code = re.search(r'class="code">(\d{6})<', first)
    assert code, first
    link = re.search(r'id="link" value="http://localhost(/v/[^"]+)"', first)
    assert link
    again = client.get(response.headers["Location"]).get_data(as_text=True)
    assert code.group(1) not in again and "kan inte visas igen" in again
    assert re.search(r'id="link" value="http://localhost(/v/[^"]+)"', again)
    guardian = app.test_client()
    assert "kod" in guardian.get(link.group(1)).get_data(as_text=True).lower()
    with app.app_context():
        invitation = get_session().get(Invitation, 1)
        assert invitation is not None and invitation.guardian_id == jonas.id
        assert len(children.guardians_of(get_session(), child_id)) == 2  # no new guardian
    child_page = client.get(page).get_data(as_text=True)
    assert "Inbjudningar" in child_page and "Skickad" in child_page
    assert entries(app, "invite")[0].child_id == child_id


def test_invitation_status_follows_the_guardians_answers(app, barnkontakt):
    """sent → started → answered; expired when the time is out."""
    client, _staff, child_id = barnkontakt
    page = f"/arbete/barn/{child_id}"
    with app.app_context():
        amira = children.guardians_of(get_session(), child_id)[0]
    post(client, f"{page}/inbjudan", page, guardian_id=str(amira.id))
    states = re.compile(r'class="status invitation-(\w+)"')
    assert states.findall(client.get(page).get_data(as_text=True)) == ["sent"]
    with app.app_context():
        db = get_session()
        conversation = db.get(Conversation, 1)
        assert conversation is not None
        conversation.status = "completed"
        db.add(conversation)
        db.commit()
    assert states.findall(client.get(page).get_data(as_text=True)) == ["answered"]
    with app.app_context():
        db = get_session()
        conversation, invitation = db.get(Conversation, 1), db.get(Invitation, 1)
        assert conversation is not None and invitation is not None
        conversation.status = "active"
        invitation.expires_at = invitation.expires_at - timedelta(days=30)
        db.add_all([conversation, invitation])
        db.commit()
    assert states.findall(client.get(page).get_data(as_text=True)) == ["expired"]


def test_a_shown_again_link_never_outlives_its_invitation(app, barnkontakt):
    """Showing the link again signs it as of its creation: it expires with the invitation."""
    from samtal.conversation import invitations

    client, _staff, child_id = barnkontakt
    page = f"/arbete/barn/{child_id}"
    with app.app_context():
        amira = children.guardians_of(get_session(), child_id)[0]
    post(client, f"{page}/inbjudan", page, guardian_id=str(amira.id))
    with app.test_request_context():
        db = get_session()
        invitation = db.get(Invitation, 1)
        assert invitation is not None
        invitation.created_at = invitation.created_at - timedelta(days=15)
        db.add(invitation)
        db.commit()
        token = invitations.link_token(invitation, "sv")
        with pytest.raises(invitations.InvitationRefused):
            invitations.open_invitation(db, token)


def test_consent_is_recorded_shown_and_withdrawn(app, barnkontakt):
    """Consent from both guardians covers sharing; a withdrawal takes effect at once."""
    client, _staff, child_id = barnkontakt
    page = f"/arbete/barn/{child_id}/samtycke"
    with app.app_context():
        ids = [str(g.id) for g in children.guardians_of(get_session(), child_id)]
    until = (date.today() + timedelta(days=200)).isoformat()
    refused = post(
        client,
        page,
        page,
        giver=ids,
        information="sammanstallning",
        barnteam="barnteam",
        given_on=date.today().isoformat(),
        valid_until=until,
        services="Elevhälsan",
    )
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "fått veta vad det innebär" in html and ">Elevhälsan</textarea>" in html
    recorded = post(
        client,
        page,
        page,
        giver=ids,
        information="sammanstallning",
        barnteam="barnteam",
        given_on=date.today().isoformat(),
        valid_until=until,
        informed="yes",
    )
    assert recorded.status_code == 303
    child_page = client.get(f"/arbete/barn/{child_id}").get_data(as_text=True)
    assert "Samtycke finns för att dela sammanställningen med barnteam." in child_page
    with app.app_context():
        consents = list(get_session().exec(select(Consent)).all())
        assert len(consents) == 2 and {c.given_by for c in consents} == {"guardian"}
        first = consents[0].id
    withdraw = f"/arbete/barn/{child_id}/samtycke/{first}/aterkalla"
    unconfirmed = post(client, withdraw, page)
    assert unconfirmed.status_code == 303
    post(client, withdraw, page, confirm="ja")
    child_page = client.get(f"/arbete/barn/{child_id}").get_data(as_text=True)
    assert "Inget samtycke täcker" in child_page and "Återkallat" in child_page
    assert [e.action for e in entries(app, "withdraw_consent")] == ["withdraw_consent"]


def test_roles_reading_and_changing(app, staff_client, barnkontakt):
    """Admin reads a child's page but changes nothing; statistik reads nothing."""
    _client, _staff, child_id = barnkontakt
    admin, _admin = staff_client("admin")
    assert admin.get(f"/arbete/barn/{child_id}").status_code == 200
    assert "Sam Berg" in admin.get("/arbete/barn").get_data(as_text=True)
    page = f"/arbete/barn/{child_id}"
    assert post(admin, f"{page}/samtal/har", page).status_code == 403
    assert admin.get("/arbete/barn/ny").status_code == 403
    stats, _stats = staff_client("statistik")
    for path in ("/arbete/barn", page, "/arbete/barn/ny", f"{page}/samtycke"):
        assert stats.get(path).status_code == 403, path
    anonymous = app.test_client()
    response = anonymous.get(page)
    assert response.status_code == 303 and "/logga-in" in response.headers["Location"]


def test_a_foreign_consent_or_conversation_is_404(app, staff_client, barnkontakt):
    """Ids that belong to another child are not found, even for the right barnkontakt."""
    client, _staff, child_id = barnkontakt
    other_child = register(client, name="Annat barn")
    page = f"/arbete/barn/{other_child}"
    post(client, f"/arbete/barn/{child_id}/samtal/annan", f"/arbete/barn/{child_id}")
    assert client.get(f"{page}/samtal/1").status_code == 404
    assert post(client, f"{page}/samtycke/1/aterkalla", page, confirm="ja").status_code == 404


def test_an_expired_session_keeps_the_registration_form(app, staff_client):
    """Signed out mid-form: after signing in again the typed registration is still there."""
    client, staff = staff_client("barnkontakt")
    token = csrf_token_of(client.get("/arbete/barn/ny").get_data(as_text=True))
    with client.session_transaction() as session:
        data = dict(session["staff"])
        data["seen"] = 0
        session["staff"] = data
    response = client.post("/arbete/barn/ny", data={"csrf_token": token, **REGISTRATION})
    assert response.status_code == 303 and "/logga-in" in response.headers["Location"]
    from tests.builders import login

    assert login(client, staff.email).headers["Location"].endswith("/arbete/barn/ny")
    page = client.get("/arbete/barn/ny").get_data(as_text=True)
    assert 'value="Sam Berg"' in page and 'value="2017-05-04"' in page
