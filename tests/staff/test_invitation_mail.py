"""Invitations that reach the family: by e-mail through a real SMTP server on loopback (the
message as received: language, plain text and HTML, the link, no code, no tracking), delivery
status and failures on the child page, the printed letter in the guardian's language with
Swedish beside, and the barnkontakt's phone number."""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
from html import unescape

import pytest
from sqlmodel import select

from samtal.db import get_session
from samtal.models import Child, Guardian, Invitation, InvitationDelivery, Staff, Unit
from tests.builders import REQUIRE_SERVICES, csrf_token_of, use_mail_server

ARABIC_WHO = "وأنا جهة التواصل (barnkontakt) الخاصة بـ"
SWEDISH_WHO = "och är barnkontakt för"
LINK = re.compile(r"http://localhost/v/[A-Za-z0-9._\-]+/?")


@pytest.fixture
def family(app, staff_client):
    """A barnkontakt with a phone number at a school, and Sara with her guardian Amal (Arabic)."""
    client, staff = staff_client("barnkontakt")
    with app.app_context():
        session = get_session()
        unit = Unit(name="Björkskolan")
        session.add(unit)
        session.flush()
        account = session.get(Staff, staff.id)
        assert account is not None
        account.phone, account.unit_id = "08-123 456 78", unit.id
        child = Child(name="Sara Ali", birth_year=2016, barnkontakt_id=staff.id, unit_id=unit.id)
        session.add_all([account, child])
        session.flush()
        guardian = Guardian(
            child_id=child.id or 0, name="Amal", language="ar", contact="amal@example.se"
        )
        session.add(guardian)
        session.commit()
        return client, staff, child.id, guardian.id


def invite(client, child_id: int, guardian_id: int, *, with_code: bool) -> tuple[str, str]:
    """Make an invitation through the child page's form → (its page's path, the page)."""
    page = client.get(f"/arbete/barn/{child_id}").get_data(as_text=True)
    response = client.post(
        f"/arbete/barn/{child_id}/inbjudan",
        data={
            "csrf_token": csrf_token_of(page),
            "guardian_id": str(guardian_id),
            "invite_language": "ar",
            **({"with_code": "1"} if with_code else {}),
        },
    )
    assert response.status_code == 303
    path = response.headers["Location"]
    return path, client.get(path).get_data(as_text=True)


def send(client, invitation_path: str, page: str, address: str):
    """Press "Skicka med e-post" on the invitation page; follows the redirect."""
    return client.post(
        f"{invitation_path}/epost",
        data={"csrf_token": csrf_token_of(page), "address": address},
        follow_redirects=True,
    )


def test_the_email_reaches_the_guardian_in_arabic_with_swedish_and_no_code(
    app, family, smtp_server
):
    client, staff, child_id, guardian_id = family
    port, received = smtp_server
    use_mail_server(app, port)
    path, page = invite(client, child_id, guardian_id, with_code=True)
    code = re.search(r'<strong class="code">(\d{6})</strong>', page)
    assert code, "the code is shown once on the invitation page"
    assert 'value="amal@example.se"' in page  # the address from the guardian's contact note

    answer = send(client, path, page, "amal@example.se")
    assert "Inbjudan är skickad med e-post till amal@example.se." in answer.get_data(as_text=True)

    assert len(received.messages) == 1
    message = received.messages[0]
    assert message["To"] == "Amal <amal@example.se>"
    assert staff.email in message["Reply-To"]
    assert message["Content-Language"] == "ar, sv"
    assert message["Subject"] == "أسئلة عن أحوال Sara / Frågor om hur Sara har det"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    for body in (text, unescape(re.sub(r"<[^>]+>", "", html))):
        assert ARABIC_WHO in body and SWEDISH_WHO in body
        assert "النص نفسه بالسويدية:" in body  # "the same in Swedish", before the Swedish
        for fact in ("Sara", "Björkskolan", staff.name, "08-123 456 78"):
            assert fact in body, fact
        assert "Ali" not in body  # the child's first name only
        assert code.group(1) not in body  # the code comes another way
        assert "Du får koden av" in body
    # The link is the invitation's own, in both parts, and it opens the guardian's page.
    links = set(LINK.findall(text)) | set(LINK.findall(html))
    assert len(links) == 1
    guardian_page = app.test_client().get(links.pop().removeprefix("http://localhost"))
    assert guardian_page.status_code == 200
    # No tracking: no images, no styles or scripts from anywhere, no address but the link.
    assert not re.search(r"<img|<script|<link|url\(|src=", html, re.I)
    assert set(re.findall(r'href="([^"]+)"', html)) == set(LINK.findall(html))
    assert '<html lang="ar" dir="rtl">' in html and '<div lang="sv" dir="ltr">' in html

    child_page = client.get(f"/arbete/barn/{child_id}").get_data(as_text=True)
    assert "Skickad till amal@example.se" in child_page


@pytest.mark.parametrize("server", ["refuses", "down"])
def test_a_failed_sending_says_why_and_loses_nothing(app, family, smtp_server, server):
    client, _staff, child_id, guardian_id = family
    port, received = smtp_server
    received.refuse.add("amal.hassan@example.se")
    use_mail_server(app, port if server == "refuses" else 9)  # port 9: nothing listens
    path, page = invite(client, child_id, guardian_id, with_code=False)

    answer = send(client, path, page, "amal.hassan@example.se").get_data(as_text=True)
    reason = (
        "E-postservern tog inte emot adressen."
        if server == "refuses"
        else "Kunde inte nå e-postservern"
    )
    assert "Inbjudan kunde inte skickas till amal.hassan@example.se" in answer and reason in answer
    assert "Inbjudan gäller ändå" in answer
    assert 'value="amal.hassan@example.se"' in answer  # ready to try again
    assert received.messages == []
    child_page = client.get(f"/arbete/barn/{child_id}").get_data(as_text=True)
    assert "Kunde inte skickas till amal.hassan@example.se:" in child_page and reason in child_page
    with app.app_context():
        session = get_session()
        (delivery,) = session.exec(select(InvitationDelivery)).all()
        assert (delivery.status, delivery.address) == ("failed", "amal.hassan@example.se")
        invitation = session.exec(select(Invitation)).one()
    # The invitation still works: sending again once the server takes it.
    received.refuse.clear()
    use_mail_server(app, port)
    again = send(client, path, client.get(path).get_data(as_text=True), "amal.hassan@example.se")
    assert "Inbjudan är skickad" in again.get_data(as_text=True)
    assert len(received.messages) == 1 and invitation.id


def test_a_mistyped_address_is_refused_and_shown_again(app, family, smtp_server):
    client, _staff, child_id, guardian_id = family
    port, received = smtp_server
    use_mail_server(app, port)
    path, page = invite(client, child_id, guardian_id, with_code=False)
    answer = send(client, path, page, "amal.example.se").get_data(as_text=True)
    assert "Skriv en e-postadress, till exempel namn@exempel.se." in answer
    assert 'value="amal.example.se"' in answer
    assert received.messages == []
    with app.app_context():
        assert get_session().exec(select(InvitationDelivery)).all() == []


def test_the_printed_letter_is_in_arabic_with_swedish_beside(app, family, tmp_path, caplog):
    client, staff, child_id, guardian_id = family
    path, _page = invite(client, child_id, guardian_id, with_code=True)
    letter = client.get(f"{path}/brev").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl" class="print-root">' in letter
    assert ARABIC_WHO in letter and SWEDISH_WHO in letter
    assert 'class="letter-swedish" lang="sv" dir="ltr"' in letter
    for fact in ("Sara", "Björkskolan", staff.name, "08-123 456 78"):
        assert fact in letter, fact
    link = LINK.search(letter)
    assert link and f'<p class="letter-link" dir="ltr" lang="sv">{link.group(0)}</p>' in letter
    assert re.search(r'<svg[^>]*role="img" aria-label="رمز QR', letter)
    assert re.search(r'<strong class="code">\d{6}</strong>', letter)  # printed right after
    assert "style=" not in letter

    caplog.set_level(logging.WARNING, logger="weasyprint")
    pdf = client.get(f"{path}/brev.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    # No missing glyph (a warning), nothing the tagging needs left out (an error).
    problems = [r for r in caplog.records if ".notdef" in r.getMessage() or r.levelno >= 40]
    assert [r.getMessage() for r in problems] == []
    if not shutil.which("pdftotext"):
        if REQUIRE_SERVICES:
            pytest.fail("pdftotext is not installed (poppler-utils): run scripts/setup.sh")
        pytest.skip("pdftotext is not installed (poppler-utils)")
    (tmp_path / "brev.pdf").write_bytes(pdf.data)
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "brev.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    # The whole link is on the page: it wraps, so its pieces join up to it (pdftotext drops a
    # hyphen where a line ends in one, and a token may have one there).
    assert link.group(0).replace("-", "") in "".join(text.split()).replace("-", "")
    assert "Björkskolan" in text and "08-123 456 78" in text


def test_a_staff_member_sets_their_phone_number_on_the_account_page(app, staff_client):
    client, staff = staff_client("barnkontakt")
    page = client.get("/arbete/konto").get_data(as_text=True)
    refused = client.post(
        "/arbete/konto/telefon",
        data={"csrf_token": csrf_token_of(page), "phone": "ring mig"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Skriv telefonnumret med siffror" in refused
    saved = client.post(
        "/arbete/konto/telefon",
        data={"csrf_token": csrf_token_of(page), "phone": " +46 70 123  45 67 "},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Telefonnumret är sparat." in saved and 'value="+46 70 123 45 67"' in saved
    with app.app_context():
        assert get_session().get(Staff, staff.id).phone == "+46 70 123 45 67"
