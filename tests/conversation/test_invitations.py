"""Guardian invitations: valid, expired, tampered, wrong child, code, after submission."""

from __future__ import annotations

import re

import pytest
from itsdangerous import URLSafeTimedSerializer

from samtal import library
from samtal.conversation import invitations, records
from samtal.db import get_session
from samtal.models import Child, Conversation


@pytest.fixture
def invite(app, start):
    """Invite a guardian of a new child: invite(language=…, with_code=…) → (issued, path)."""

    def _invite(language: str = "sv", with_code: bool = False, child_id: int | None = None):
        if child_id is None:
            conversation, _path = start("barn-7-9", age=8)
            child_id = conversation.child_id
        with app.test_request_context():
            child = get_session().get(Child, child_id)
            issued = invitations.issue(
                session=get_session(),
                child=child,
                flow=library.flows().for_audience("guardian")[0],
                guardian_name="Förälder",
                language=language,
                with_code=with_code,
            )
        return issued, f"/v/{issued.token}/"

    return _invite


def form_token(html: str) -> str:
    """The one-time form key of the step on a page."""
    return re.search(r'name="form_token" value="([^"]+)"', html).group(1)


def csrf(html: str) -> str:
    """The CSRF token in a page's forms."""
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_valid_invitation_opens_the_guardian_questionnaire(client, invite):
    """The link opens the guardian's first question, in adult language."""
    _issued, path = invite()
    page = client.get(path)
    assert page.status_code == 200
    assert "barnkontakt" in page.get_data(as_text=True).lower()


def test_invitation_for_arabic_renders_right_to_left(client, invite):
    """An Arabic invitation renders the whole page right to left."""
    _issued, path = invite("ar")
    html = client.get(path).get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in html


@pytest.mark.parametrize(
    "mangle", [lambda t: t[:-3] + "abc", lambda t: "x" + t, lambda t: "nonsense"]
)
def test_tampered_invitation_is_refused_kindly(client, invite, mangle):
    """A changed link gets a kind page that says whom to contact and shows nothing of the child."""
    issued, _path = invite()
    page = client.get(f"/v/{mangle(issued.token)}/")
    html = page.get_data(as_text=True)
    assert page.status_code == 404
    assert "kontakta ditt barns barnkontakt" in html
    assert "Testbarn" not in html


def test_expired_invitation_is_refused_in_the_guardians_language(app, client, invite):
    """An expired link says so in the guardian's own language, not only in Swedish."""
    issued, _path = invite("ar")
    app.config["INVITATION_DAYS"] = -1
    page = client.get(f"/v/{issued.token}/")
    assert page.status_code == 410
    assert 'lang="ar"' in page.get_data(as_text=True)


def test_invitation_signed_with_another_key_is_refused(app, client, invite):
    """A link made elsewhere (another secret) opens nothing."""
    issued, _path = invite()
    forged = URLSafeTimedSerializer("another-secret", salt=invitations.SALT).dumps(
        {"i": issued.invitation.id, "n": issued.invitation.nonce, "l": "sv"}
    )
    assert client.get(f"/v/{forged}/").status_code == 404


def test_invitation_never_opens_another_childs_or_the_childs_own_answers(
    app, client, invite, start
):
    """The guardian's link opens the guardian's questionnaire, never the child's conversation."""
    child_conversation, _child_path = start("barn-7-9", age=8)
    issued, path = invite(child_id=child_conversation.child_id)
    assert issued.conversation.id != child_conversation.id
    html = client.get(path).get_data(as_text=True)
    assert "Vill du prata med mig" not in html
    # The guardian's form key cannot answer the child's conversation.
    token = form_token(html)
    response = client.post(_child_path + "svar", data={"form_token": token, "value": "ja"})
    assert response.status_code == 303
    with app.app_context():
        assert records.stored_answers(get_session(), child_conversation.id) == {}


def test_two_guardians_answer_separately(app, client, invite, start):
    """Two guardians of one child each get their own questionnaire and answers."""
    child_conversation, _ = start("barn-7-9", age=8)
    first, first_path = invite(child_id=child_conversation.child_id)
    second, second_path = invite(child_id=child_conversation.child_id)
    html = client.get(first_path).get_data(as_text=True)
    client.post(first_path + "svar", data={"form_token": form_token(html)})
    with app.app_context():
        db = get_session()
        assert records.stored_answers(db, first.conversation.id)
        assert records.stored_answers(db, second.conversation.id) == {}


def test_code_is_required_and_wrong_codes_lock_the_invitation(app, client, invite):
    """With a code, the questions stay closed until it is given; five wrong codes lock the link."""
    issued, path = invite(with_code=True)
    page = client.get(path).get_data(as_text=True)
    assert "Skriv koden" in page
    for _attempt in range(invitations.MAX_CODE_ATTEMPTS - 1):
        wrong = client.post(path + "kod", data={"csrf_token": csrf(page), "code": "000000x"})
        assert wrong.status_code == 422
    locked = client.post(path + "kod", data={"csrf_token": csrf(page), "code": "nope"})
    assert locked.status_code == 429
    assert client.get(path).status_code == 429


def test_right_code_opens_the_questions(client, invite):
    """The code said aloud opens the questionnaire on this device."""
    issued, path = invite(with_code=True)
    page = client.get(path).get_data(as_text=True)
    response = client.post(path + "kod", data={"csrf_token": csrf(page), "code": issued.code})
    assert response.status_code == 303
    assert "Skriv koden" not in client.get(path).get_data(as_text=True)


def answer_everything(client, path: str) -> str:
    """Answer each step of the guardian flow with its first offered answer, until the thanks."""
    for _ in range(80):
        html = client.get(path).get_data(as_text=True)
        if 'name="form_token"' not in html:
            return html
        data = {"form_token": form_token(html)}
        values = re.findall(r'name="value" value="([^"]+)"', html)
        if 'name="words"' in html:
            data["words"] = "Det fungerar bra hemma."
        elif values:
            data["value"] = values[0]
        client.post(path + "svar", data=data)
    raise AssertionError("the guardian flow did not end")


def test_submitted_questionnaire_cannot_be_changed_from_an_old_tab(app, client, invite):
    """After sending, an old tab's form is refused with a clear message and nothing changes."""
    issued, path = invite()
    old_tab = client.get(path).get_data(as_text=True)
    final = answer_everything(client, path)
    assert "Tack för dina svar" in final
    with app.app_context():
        db = get_session()
        assert db.get(Conversation, issued.conversation.id).status == "completed"
        before = records.stored_answers(db, issued.conversation.id)
    response = client.post(
        path + "svar", data={"form_token": form_token(old_tab)}, follow_redirects=True
    )
    assert "redan skickade" in response.get_data(as_text=True)
    with app.app_context():
        assert records.stored_answers(get_session(), issued.conversation.id) == before


def test_guardian_gets_a_copy_of_own_answers(client, invite):
    """The guardian can print or download their own answers, and only theirs."""
    _issued, path = invite()
    answer_everything(client, path)
    copy = client.get(path + "kopia")
    assert copy.status_code == 200
    assert "Det fungerar bra hemma." in copy.get_data(as_text=True)
    download = client.get(path + "kopia?ladda-ner=1")
    assert 'attachment; filename="mina-svar.pdf"' in download.headers["Content-Disposition"]
    assert download.mimetype == "application/pdf" and download.data.startswith(b"%PDF")


def test_over_long_text_gets_a_message_and_keeps_the_text(client, invite):
    """Text over the limit is refused with a clear message and the typed text is not lost."""
    _issued, path = invite()
    for _ in range(5):
        html = client.get(path).get_data(as_text=True)
        if 'name="words"' in html:
            break
        values = re.findall(r'name="value" value="([^"]+)"', html)
        data = {"form_token": form_token(html)}
        if values:
            data["value"] = values[0]
        client.post(path + "svar", data=data)
    long_text = "å" * 2100
    response = client.post(path + "svar", data={"form_token": form_token(html), "words": long_text})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "för lång" in body
    assert long_text in body


def test_unknown_language_falls_back_to_swedish_with_a_notice(client, invite):
    """Choosing a language that does not exist shows Swedish and says so."""
    _issued, path = invite("ar")
    page = client.get(path).get_data(as_text=True)
    response = client.post(
        path + "sprak", data={"csrf_token": csrf(page), "language": "xx"}, follow_redirects=True
    )
    html = response.get_data(as_text=True)
    assert '<html lang="sv" dir="ltr">' in html
    assert "Det språket finns inte" in html
