""" "Så går det till": the family sees what happens after the conversation, in their language."""

from __future__ import annotations

from samtal import library
from samtal.conversation import invitations
from samtal.db import get_session
from samtal.models import Child
from tests.builders import answer, page_of


def test_the_child_finds_the_page_at_the_start_and_the_end(client, start):
    """Linked on the first screen and the goodbye; says they may stop, who reads, a barnteam."""
    _conversation, path = start("barn-4-6", age=5)
    assert f'{path}sa-gar-det-till"' in page_of(client, path)
    page = page_of(client, f"{path}sa-gar-det-till")
    for said in ("du kan sluta när du vill", "din barnkontakt", "barnteam"):
        assert said in page
    assert page.count('<li><img src="/bild/') == 4
    answer(client, path, value="ja")
    assert "sa-gar-det-till" not in page_of(client, path)


def test_the_guardian_reads_it_in_their_own_language(app, client, start):
    """The guardian's invitation links the guardians' version, in the invitation's language."""
    conversation, _path = start("barn-7-9", age=8)
    with app.test_request_context():
        session = get_session()
        issued = invitations.issue(
            session=session,
            child=session.get(Child, conversation.child_id),
            flow=library.flows().for_audience("guardian")[0],
            guardian_name="Förälder",
            language="en",
        )
    path = f"/v/{issued.token}/"
    assert f'{path}sa-gar-det-till"' in page_of(client, path)
    page = page_of(client, f"{path}sa-gar-det-till")
    assert '<html lang="en"' in page
    assert "The child does not see your answers" in page


def test_the_page_is_readable_on_the_code_screen_of_the_invitation(app, client, start):
    """An invitation with a code links the page before the code, and shows it without one."""
    conversation, _path = start("barn-7-9", age=8)
    with app.test_request_context():
        session = get_session()
        issued = invitations.issue(
            session=session,
            child=session.get(Child, conversation.child_id),
            flow=library.flows().for_audience("guardian")[0],
            guardian_name="Förälder",
            language="sv",
            with_code=True,
        )
    path = f"/v/{issued.token}/"
    first = page_of(client, path)
    assert "Skriv koden" in first and f'{path}sa-gar-det-till"' in first
    page = page_of(client, f"{path}sa-gar-det-till")
    assert "Barnet ser inte era svar" in page and "Skriv koden" not in page
