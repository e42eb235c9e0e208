"""Follow-up from the child page over HTTP (issue 4 "Follow-up").

Starting the child's follow-up (on this tablet and on another device) with the same service
function as `samtal start --child N --followup`, inviting a guardian who answered before to
their follow-up, the conversations side by side and the change per area (chart and table),
the summary's audit actions worded, and another barnkontakt's child answering 404.
"""

from __future__ import annotations

import html
import re
from datetime import date

import pytest
from sqlmodel import select

from samtal.db import get_session
from samtal.models import Conversation, Invitation
from samtal.staff import children
from samtal.staff.workspace.views import AUDIT_ACTIONS
from tests.builders import STAFF_PASSWORD, entries, post, register, run_through

# The first conversation, then the follow-up: better, worse, the same, and Vet inte.
FIRST = {
    "omsorg.hur": "1",
    "trygghet.hur": "3",
    "ma_bra.hur": "2",
    "fritid.hur": "vet_inte",
    "tillhorighet.hur": "vill_inte_svara",
}
LATER = {
    "omsorg.hur": "3",
    "trygghet.hur": "1",
    "ma_bra.hur": "2",
    "fritid.hur": "2",
    "tillhorighet.hur": "vill_inte_svara",
}
GUARDIAN_FIRST = {"omsorg.hur": "2", "fritid.hur": "4"}
GUARDIAN_LATER = {"omsorg.hur": "4", "fritid.hur": "4"}


def years_ago(years: int) -> str:
    """A birth date that makes the child this many years old today."""
    today = date.today()
    return today.replace(year=today.year - years, day=min(today.day, 28)).isoformat()


def conversations(app, child_id: int) -> list[Conversation]:
    """The child's conversations (and its guardians'), oldest first."""
    with app.app_context():
        return list(
            get_session()
            .exec(
                select(Conversation)
                .where(Conversation.child_id == child_id)
                .order_by(Conversation.id)  # type: ignore[arg-type]
            )
            .all()
        )


def row(page: str, label: str) -> str:
    """The table row whose row header is this area (tags removed, spaces tidied)."""
    found = re.findall(
        r"<tr>\s*<th scope=\"row\">" + re.escape(label) + r"</th>.*?</tr>", page, re.S
    )
    assert found, label
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", found[0])).split())


def region(page: str, heading_id: str) -> str:
    """The section a heading labels, up to the next h2."""
    start = page.index(f'id="{heading_id}"')
    end = page.find("<h2", start)
    return page[start : end if end != -1 else len(page)]


@pytest.fixture
def finished(app, staff_client):
    """A barnkontakt's 8-year-old whose first conversation is done, and a guardian (Amira)
    who answered; the other guardian (Jonas) did not. → (client, staff, child id, guardians)."""
    client, staff = staff_client("barnkontakt")
    child_id = register(client, birth_date=years_ago(8))
    page = f"/arbete/barn/{child_id}"
    started = post(client, f"{page}/samtal/annan", page, flow="barn-7-9")
    assert started.status_code == 303
    first = conversations(app, child_id)[-1]
    run_through(app, first.id or 0, FIRST)
    with app.app_context():
        amira, jonas = children.guardians_of(get_session(), child_id)
    invited = post(client, f"{page}/inbjudan", page, guardian_id=str(amira.id))
    assert invited.status_code == 303
    run_through(app, conversations(app, child_id)[-1].id or 0, GUARDIAN_FIRST)
    return client, staff, child_id, (amira, jonas)


def test_no_followup_before_the_first_conversation_is_done(app, staff_client):
    """Without a finished conversation there is nothing to follow up: no button, and a
    hand-made request gets a kind message, not a conversation."""
    client, _staff = staff_client("barnkontakt")
    child_id = register(client, birth_date=years_ago(8))
    page = f"/arbete/barn/{child_id}"
    html_page = client.get(page).get_data(as_text=True)
    assert "Starta uppföljningssamtal" not in html_page
    assert "Bjud in till uppföljning" not in html_page
    assert "Samtal över tid" not in html_page
    response = post(client, f"{page}/samtal/har", page, followup="1")
    assert response.status_code == 303 and response.headers["Location"].startswith(page)
    assert "har inget avslutat samtal att följa upp" in client.get(page).get_data(as_text=True)
    assert conversations(app, child_id) == []
    with client.session_transaction() as session:
        assert "kiosk" not in session


def test_start_the_followup_on_this_tablet_and_on_another_device(app, finished):
    """The child page offers the follow-up; both ways start the follow-up flow for the
    child's age through start_followup; this tablet becomes the child's screen."""
    client, staff, child_id, _guardians = finished
    page = f"/arbete/barn/{child_id}"
    html_page = client.get(page).get_data(as_text=True)
    assert "Starta uppföljningssamtal på den här surfplattan" in html_page
    assert "Starta uppföljningssamtal på en annan enhet (QR-kod)" in html_page
    assert "7–9 år, uppföljning" in html_page

    elsewhere = post(client, f"{page}/samtal/annan", page, followup="1", language="sv")
    assert elsewhere.status_code == 303
    link_page = client.get(elsewhere.headers["Location"]).get_data(as_text=True)
    assert "Barnets uppföljningssamtal på en annan enhet" in link_page
    assert re.search(r'<svg[^>]*role="img"', link_page) and "style=" not in link_page
    assert conversations(app, child_id)[-1].flow_id == "uppfoljning-7-9"

    here = post(client, f"{page}/samtal/har", page, followup="1", language="sv")
    assert here.status_code == 303 and here.headers["Location"].startswith("/samtal/")
    later = conversations(app, child_id)[-1]
    assert (later.flow_id, later.guardian_id, later.language) == ("uppfoljning-7-9", None, "sv")
    tablet = client.get(here.headers["Location"]).get_data(as_text=True)
    assert "Hej igen!" in tablet
    assert client.get(page).headers["Location"].endswith("/arbete/kiosk/lamna")
    left = post(client, "/arbete/kiosk/lamna", "/arbete/kiosk/lamna", password=STAFF_PASSWORD)
    assert left.status_code == 303
    started = [e.detail for e in entries(app, "start_conversation")]
    assert sum("uppföljning uppfoljning-7-9" in (d or "") for d in started) == 2
    assert all(e.staff_id == staff.id for e in entries(app, "start_conversation"))


def test_a_followup_flow_chosen_by_hand_also_goes_through_start_followup(app, staff_client):
    """Choosing a follow-up flow in "Ett annat samtal" for a child with nothing to follow
    up is refused kindly, like the button."""
    client, _staff = staff_client("barnkontakt")
    child_id = register(client, birth_date=years_ago(8))
    page = f"/arbete/barn/{child_id}"
    response = post(client, f"{page}/samtal/annan", page, flow="uppfoljning-7-9")
    assert response.status_code == 303
    assert "har inget avslutat samtal att följa upp" in client.get(page).get_data(as_text=True)
    assert conversations(app, child_id) == []


def test_followup_refused_is_shown_kindly(app, staff_client):
    """A 3-year-old (no follow-up flow for that age) who had a first conversation: the page
    says so, and a request anyway gets the service's reason as a message, not an error."""
    client, _staff = staff_client("barnkontakt")
    child_id = register(client, birth_date=years_ago(3))
    page = f"/arbete/barn/{child_id}"
    post(client, f"{page}/samtal/annan", page, flow="barn-4-6")
    run_through(app, conversations(app, child_id)[-1].id or 0)
    html_page = html.unescape(client.get(page).get_data(as_text=True))
    assert "Det finns inget uppföljningssamtal för barnets ålder" in html_page
    assert "Starta uppföljningssamtal på den här surfplattan" not in html_page
    response = post(client, f"{page}/samtal/har", page, followup="1")
    assert response.status_code == 303 and response.headers["Location"].startswith(page)
    shown = html.unescape(client.get(page).get_data(as_text=True))
    reason = "Det finns inget uppföljningssamtal för 3 år"
    assert f"Uppföljningssamtalet kunde inte startas: {reason}" in shown
    assert len(conversations(app, child_id)) == 1


def test_invite_a_guardian_who_answered_before_to_the_followup(app, finished):
    """The button "Bjud in till uppföljning" for the guardian who answered; it issues the guardian
    follow-up flow bound to that guardian; a guardian who never answered is refused."""
    client, _staff, child_id, (amira, jonas) = finished
    page = f"/arbete/barn/{child_id}"
    guardians = region(client.get(page).get_data(as_text=True), "vardnadshavare")
    assert guardians.count("Bjud in till uppföljning") == 1
    followup_form = re.search(r"<form[^>]*followup-invite.*?</form>", guardians, re.S)
    assert followup_form and f'name="guardian_id" value="{amira.id}"' in followup_form.group(0)
    response = post(client, f"{page}/inbjudan", page, guardian_id=str(amira.id), followup="1")
    assert response.status_code == 303
    link_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Inbjudan till uppföljning för Amira Berg" in link_page
    later = conversations(app, child_id)[-1]
    assert (later.flow_id, later.guardian_id, later.language) == (
        "uppfoljning-vardnadshavare",
        amira.id,
        "ar",
    )
    with app.app_context():
        invitation = (
            get_session()
            .exec(select(Invitation).where(Invitation.conversation_id == later.id))
            .one()
        )
        assert invitation.guardian_id == amira.id
    assert "uppföljning" in (entries(app, "invite")[0].detail or "")

    count = len(conversations(app, child_id))
    refused = post(client, f"{page}/inbjudan", page, guardian_id=str(jonas.id), followup="1")
    assert refused.status_code == 303
    message = html.unescape(client.get(page).get_data(as_text=True))
    assert "Jonas Berg har inte svarat på frågorna förut" in message
    assert len(conversations(app, child_id)) == count


def test_conversations_side_by_side_and_the_change_per_area(app, finished):
    """After the follow-up: each area's answer each time, oldest first, and the change since
    last time as an SVG chart (role img, title and description, no style) and in the table:
    better, worse, the same; Vet inte / Vill inte svara as such, never compared as values."""
    client, _staff, child_id, (amira, _jonas) = finished
    page = f"/arbete/barn/{child_id}"
    before = client.get(page).get_data(as_text=True)
    over_time = region(before, "over-tid")
    assert "Första samtalet" in over_time and "<svg" not in over_time
    assert "Förändringen per område visas här efter nästa samtal" in over_time

    post(client, f"{page}/samtal/annan", page, followup="1")
    run_through(app, conversations(app, child_id)[-1].id or 0, LATER)
    post(client, f"{page}/inbjudan", page, guardian_id=str(amira.id), followup="1")
    run_through(app, conversations(app, child_id)[-1].id or 0, GUARDIAN_LATER)

    after = client.get(page).get_data(as_text=True)
    over_time = region(after, "over-tid")
    assert "style=" not in over_time
    charts = re.findall(r"<svg[^>]*>.*?</svg>", over_time, re.S)
    assert len(charts) == 2  # the child's and Amira's
    chart = charts[0]
    assert 'role="img"' in chart and 'aria-labelledby="forandring-barnet-title' in chart
    assert '<title id="forandring-barnet-title">Förändring per område sedan förra samtalet' in (
        chart
    )
    assert '<desc id="forandring-barnet-desc">' in chart
    assert over_time.index("Första samtalet") < over_time.index("Uppföljning 1")

    child_part = over_time[: over_time.index('id="over-tid-vh')]
    assert row(child_part, "Omsorg") == ("Omsorg Inte så bra (1 av 3) Bra (3 av 3) Bättre")
    assert row(child_part, "Trygghet") == "Trygghet Bra (3 av 3) Inte så bra (1 av 3) Sämre"
    assert row(child_part, "Må bra") == "Må bra Sådär (2 av 3) Sådär (2 av 3) Som förut"
    assert row(child_part, "Fritid") == "Fritid Vet inte Sådär (2 av 3) Kan inte jämföras"
    assert row(child_part, "Tillhörighet") == (
        "Tillhörighet Vill inte svara Vill inte svara Kan inte jämföras"
    )
    assert 'class="change change-better"' in child_part
    assert 'class="change change-worse"' in child_part

    guardian_part = over_time[over_time.index('id="over-tid-vh') :]
    assert "Amira Berg (vårdnadshavare)" in guardian_part
    assert row(guardian_part, "Omsorg").endswith("Bättre")
    assert row(guardian_part, "Fritid").endswith("Som förut")


def test_another_barnkontakts_child_is_not_found(app, finished, staff_client):
    """Another barnkontakt gets 404 for the child page and every follow-up action."""
    _client, _staff, child_id, (amira, _jonas) = finished
    other, _other_staff = staff_client("barnkontakt")
    page = f"/arbete/barn/{child_id}"
    assert other.get(page).status_code == 404
    own = register(other)
    own_page = f"/arbete/barn/{own}"
    for path, data in (
        (f"{page}/samtal/har", {"followup": "1"}),
        (f"{page}/samtal/annan", {"followup": "1"}),
        (f"{page}/inbjudan", {"guardian_id": str(amira.id), "followup": "1"}),
    ):
        assert post(other, path, own_page, **data).status_code == 404, path
    count = len(conversations(app, child_id))
    assert count == 2
    with other.session_transaction() as session:
        assert "kiosk" not in session


def test_the_summary_actions_are_worded_in_the_log(app, finished):
    """Every audit action the summary records has a plain Swedish label on the child page."""
    summary_actions = {
        "view_summary",
        "save_summary",
        "sign_summary",
        "view_summary_versions",
        "view_summary_version",
        "compare_summary",
        "print_summary",
        "export_pdf",
        "export_json",
        "export_refused",
        "view_child_copy",
    }
    assert summary_actions <= set(AUDIT_ACTIONS)
    with app.test_request_context():
        assert str(AUDIT_ACTIONS["view_summary"]) == "Läste sammanställningen"
        assert all(str(AUDIT_ACTIONS[a]) != a for a in summary_actions)
    client, _staff, child_id, _guardians = finished
    client.get(f"/arbete/barn/{child_id}/sammanstallning")
    page = client.get(f"/arbete/barn/{child_id}").get_data(as_text=True)
    assert "Läste sammanställningen" in region(page, "sett")
