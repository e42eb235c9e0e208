"""Siblings over HTTP: a barnkontakt links two of their children, each shows on the other's
page; a colleague with only one of them sees that a sibling exists and nothing more; ids
outside one's access cannot be linked, unlinked or probed; the guardian's "a sibling needs
someone to talk to" shows as a hint for the barnkontakt; linking the same pair at once on
SQLite and PostgreSQL leaves one link."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from samtal import library
from samtal.conversation import invitations
from samtal.db import get_session
from samtal.models import Child, Guardian, SiblingLink
from samtal.staff import accounts
from tests.builders import (
    AT_ONCE,
    STAFF_PASSWORD,
    at_once,
    csrf_token_of,
    entries,
    finish,
    http,
    make_app,
    post,
    register,
    session_cookie,
)

UNKNOWN = "Det barnet finns inte bland barnen du har tillgång till."
EXISTS_ONLY = (
    "Ett syskon finns också i Samtal, men du har inte tillgång till det barnets uppgifter."
)


def links(app) -> list[tuple[int, int]]:
    """Every stored link as (lower id, higher id)."""
    with app.app_context():
        rows = get_session().exec(select(SiblingLink)).all()
        return sorted((row.child_id, row.sibling_id) for row in rows)


def link(client, child_id: int, sibling_id: str | int):
    """Link through the linking page's form, as the button does."""
    page = f"/arbete/barn/{child_id}/syskon"
    return post(client, page, page, sibling_id=str(sibling_id))


def unlink(client, child_id: int, sibling_id: int):
    """Remove a link with the button on the child page."""
    page = f"/arbete/barn/{child_id}"
    return post(client, f"{page}/syskon/{sibling_id}/ta-bort", page)


def shown(client, response) -> str:
    """The page a redirect leads to (with its flashed message)."""
    assert response.status_code == 303, response.get_data(as_text=True)
    return client.get(response.headers["Location"]).get_data(as_text=True)


def siblings_section(page: str) -> str:
    """The child page's Syskon section."""
    found = re.search(r'<section aria-labelledby="syskon">.*?</section>', page, re.S)
    assert found, "no Syskon section on the page"
    return found.group(0)


def give_to(app, child_id: int, staff_id: int | None) -> None:
    """Give a child another barnkontakt, as an admin does."""
    with app.app_context():
        session = get_session()
        child = session.get(Child, child_id)
        assert child is not None
        accounts.reassign_child(session=session, child=child, to_staff_id=staff_id)


# A child of another family, with guardians of their own.
LUND = {"name": "Dani Lund", "guardian1_name": "Lena Lund", "guardian2_name": "Lars Lund"}


@pytest.fixture
def family(staff_client):
    """A barnkontakt with three registered children: (client, staff, ids by first name)."""
    client, staff = staff_client("barnkontakt")
    ids = {name: register(client, name=f"{name} Berg") for name in ("Alva", "Bo", "Cleo")}
    return client, staff, ids


def test_a_barnkontakt_links_two_of_their_children_and_each_shows_on_the_others_page(app, family):
    client, staff, ids = family
    alva, bo = ids["Alva"], ids["Bo"]
    empty = client.get(f"/arbete/barn/{alva}").get_data(as_text=True)
    assert "Inga syskon är länkade till barnet." in siblings_section(empty)

    choices = client.get(f"/arbete/barn/{alva}/syskon").get_data(as_text=True)
    assert "Bo Berg" in choices and "Cleo Berg" in choices
    assert f'name="sibling_id" value="{alva}"' not in choices  # not the child itself
    page = shown(client, link(client, alva, bo))
    assert "Alva Berg och Bo Berg är länkade som syskon." in page
    assert links(app) == [(min(alva, bo), max(alva, bo))]

    for child_id, other in ((alva, "Bo Berg"), (bo, "Alva Berg")):
        section = siblings_section(client.get(f"/arbete/barn/{child_id}").get_data(as_text=True))
        assert other in section and "Inget samtal än" in section
        assert EXISTS_ONLY not in section
    on_alva = siblings_section(client.get(f"/arbete/barn/{alva}").get_data(as_text=True))
    assert f'href="/arbete/barn/{bo}"' in on_alva
    # Already linked: not offered again, and refused in words when sent anyway.
    again = client.get(f"/arbete/barn/{alva}/syskon").get_data(as_text=True)
    assert "Bo Berg" not in again and "Cleo Berg" in again
    assert "Alva Berg och Bo Berg är redan länkade som syskon." in shown(
        client, link(client, alva, bo)
    )
    assert "Bo Berg och Alva Berg är redan länkade som syskon." in shown(
        client, link(client, bo, alva)
    )
    assert links(app) == [(min(alva, bo), max(alva, bo))]
    logged = entries(app, "link_sibling")
    assert sorted(e.child_id for e in logged) == sorted([alva, bo])
    assert {e.staff_id for e in logged} == {staff.id}
    assert "Länkade ett syskon" in client.get(f"/arbete/barn/{bo}").get_data(as_text=True)


def test_unlinking_removes_the_link_from_both_pages(app, family):
    client, _staff, ids = family
    alva, bo = ids["Alva"], ids["Bo"]
    link(client, alva, bo)
    page = shown(client, unlink(client, bo, alva))
    assert "Bo Berg och Alva Berg är inte längre länkade." in page
    assert links(app) == []
    for child_id in (alva, bo):
        section = siblings_section(client.get(f"/arbete/barn/{child_id}").get_data(as_text=True))
        assert "Inga syskon är länkade till barnet." in section
    assert "Bo Berg och Alva Berg är inte länkade." in shown(client, unlink(client, bo, alva))
    assert sorted(e.child_id for e in entries(app, "unlink_sibling")) == sorted([alva, bo])
    # A GET on the button's address only leads back to the child page.
    assert client.get(f"/arbete/barn/{bo}/syskon/{alva}/ta-bort").status_code == 303


@pytest.mark.parametrize(
    "sent",
    ["", "abc", "-1", "0", "1.5", "99999999999", "2147483647", "٣", "1 OR 1=1"],
)
def test_an_id_that_is_no_child_gets_the_same_words_as_one_outside_access(family, sent):
    client, _staff, ids = family
    page = shown(client, link(client, ids["Alva"], sent))
    assert UNKNOWN in page


def test_a_child_cannot_be_its_own_sibling(app, family):
    client, _staff, ids = family
    page = shown(client, link(client, ids["Alva"], ids["Alva"]))
    assert "Ett barn kan inte vara sitt eget syskon." in page
    assert links(app) == []


def test_a_form_without_its_csrf_token_links_nothing(app, family):
    client, _staff, ids = family
    response = client.post(f"/arbete/barn/{ids['Alva']}/syskon", data={"sibling_id": ids["Bo"]})
    assert response.status_code == 303
    assert links(app) == []
    unlinked = client.post(f"/arbete/barn/{ids['Alva']}/syskon/{ids['Bo']}/ta-bort")
    assert unlinked.status_code == 303


def test_another_barnkontakt_guessing_ids_can_neither_link_nor_learn_of_a_child(
    app, family, staff_client
):
    """The colleague's own child cannot be linked to one outside their access, linked or not;
    an existing id and a free one answer word for word the same."""
    client, _staff, ids = family
    link(client, ids["Alva"], ids["Bo"])
    colleague, _other = staff_client("barnkontakt")
    own = register(colleague, **LUND)
    answers = []
    for guessed in (ids["Alva"], ids["Cleo"], 999_999):
        response = link(colleague, own, guessed)
        page = shown(colleague, response)
        assert UNKNOWN in page
        assert "Berg" not in page and "redan länkade" not in page
        answers.append((response.status_code, response.headers["Location"]))
    assert len(set(answers)) == 1
    # In the address, a child outside their access is like no child at all: 404.
    for guessed in (ids["Alva"], 999_999):
        assert unlink(colleague, own, guessed).status_code == 404
    # Their own child's page and the page of someone else's child: nothing to find.
    choices = colleague.get(f"/arbete/barn/{own}/syskon").get_data(as_text=True)
    assert "Berg" not in choices
    for path in (f"/arbete/barn/{ids['Alva']}/syskon", f"/arbete/barn/{ids['Alva']}"):
        assert colleague.get(path).status_code == 404
    assert links(app) == [tuple(sorted((ids["Alva"], ids["Bo"])))]
    refused = [e.child_id for e in entries(app, "refused_child")]
    assert ids["Alva"] in refused and ids["Cleo"] in refused


def test_a_colleague_with_only_one_of_the_children_sees_that_a_sibling_exists(
    app, family, staff_client
):
    client, _staff, ids = family
    alva, bo = ids["Alva"], ids["Bo"]
    link(client, alva, bo)
    colleague, other = staff_client("barnkontakt")
    give_to(app, bo, other.id)

    page = colleague.get(f"/arbete/barn/{bo}").get_data(as_text=True)
    section = siblings_section(page)
    assert EXISTS_ONLY in section
    assert "Alva" not in page and f"/barn/{alva}" not in page
    # No number in the section but the page's own child's (its link to the linking page).
    numbers = re.findall(r"\d+", section)
    assert set(numbers) == {str(bo)} and "ta-bort" not in section
    # The barnkontakt who kept Alva sees the same from the other side.
    mine = siblings_section(client.get(f"/arbete/barn/{alva}").get_data(as_text=True))
    assert EXISTS_ONLY in mine and "Bo Berg" not in mine
    assert colleague.get(f"/arbete/barn/{alva}").status_code == 404
    assert unlink(colleague, bo, alva).status_code == 404
    assert links(app) == [tuple(sorted((alva, bo)))]


def test_an_admin_links_children_of_two_barnkontakts_without_widening_anyones_access(
    app, family, staff_client
):
    client, _staff, ids = family
    colleague, _other = staff_client("barnkontakt")
    dani = register(colleague, **LUND)
    admin, admin_staff = staff_client("admin")
    choices = admin.get(f"/arbete/barn/{dani}/syskon?sok=berg").get_data(as_text=True)
    assert "Alva Berg" in choices and "Bo Berg" in choices
    assert (
        "Dani Lund"
        not in admin.get(f"/arbete/barn/{dani}/syskon?sok=lund")
        .get_data(as_text=True)
        .split("<main", 1)[1]
        .split("</h1>", 1)[1]
    )
    page = shown(admin, link(admin, dani, ids["Alva"]))
    assert "Dani Lund och Alva Berg är länkade som syskon." in page
    assert "Alva Berg" in siblings_section(page)
    assert {e.staff_id for e in entries(app, "link_sibling")} == {admin_staff.id}
    # Each barnkontakt still sees only their own child; the other is only there.
    for who, child_id, hidden in ((colleague, dani, "Alva"), (client, ids["Alva"], "Dani")):
        section = siblings_section(who.get(f"/arbete/barn/{child_id}").get_data(as_text=True))
        assert EXISTS_ONLY in section and hidden not in section
    assert colleague.get(f"/arbete/barn/{ids['Alva']}").status_code == 404


def test_the_linking_page_finds_children_by_name_a_page_at_a_time(app, staff_client):
    client, _staff = staff_client("barnkontakt")
    first = register(client, name="Ada Ek")
    for n in range(22):
        register(client, name=f"Barn {n:02d}")
    page = client.get(f"/arbete/barn/{first}/syskon").get_data(as_text=True)
    assert page.count('name="sibling_id"') == 20
    assert "Det finns fler barn. Skriv en del av namnet" in page
    found = client.get(f"/arbete/barn/{first}/syskon?sok=barn+07").get_data(as_text=True)
    assert found.count('name="sibling_id"') == 1 and "Barn 07" in found
    none = client.get(f"/arbete/barn/{first}/syskon?sok=zzz").get_data(as_text=True)
    assert "Inget barn matchar. Prova ett annat namn." in none


def guardian_answers(app, child_id: int, name: str, flow_id: str, picks: dict) -> None:
    """A guardian of the child answers a whole questionnaire (through the services)."""
    with app.test_request_context():
        session = get_session()
        child = session.get(Child, child_id)
        guardian = session.exec(
            select(Guardian).where(Guardian.child_id == child_id, Guardian.name == name)
        ).first()
        flow = library.flows().get(flow_id)
        assert child is not None and flow is not None
        issued = invitations.issue(
            session=session,
            child=child,
            flow=flow,
            language="sv",
            guardian=guardian,
            guardian_name=name,
        )
        finish(session, issued.conversation, picks)


HINT = "svarade att ett syskon också behöver någon att prata med."


def test_a_guardian_saying_a_sibling_needs_someone_shows_a_hint_for_the_barnkontakt(
    app, family, staff_client
):
    client, _staff, ids = family
    alva = ids["Alva"]
    guardian_answers(
        app,
        alva,
        "Amira Berg",
        "vardnadshavare",
        {"syskon": "ja", "syskon_hur": "Storebror sover dåligt.", "syskon_prata": "ja"},
    )
    section = siblings_section(client.get(f"/arbete/barn/{alva}").get_data(as_text=True))
    assert f"Amira Berg (vårdnadshavare) {HINT}" in section
    assert "Se svaren om syskonen" in section
    summary = client.get(f"/arbete/barn/{alva}/sammanstallning").get_data(as_text=True)
    assert "Hur har syskonen det?" in summary and "Storebror sover dåligt." in summary
    assert "Behöver något av syskonen också någon att prata med?" in summary
    # For the child's barnkontakt only: an admin sees the link section, not the hint.
    admin, _admin = staff_client("admin")
    assert HINT not in admin.get(f"/arbete/barn/{alva}").get_data(as_text=True)
    # The guardian's follow-up decides now: no sibling needs anyone any more.
    guardian_answers(
        app,
        alva,
        "Amira Berg",
        "uppfoljning-vardnadshavare",
        {"syskon": "ja", "syskon_hur": "Bättre nu.", "syskon_prata": "nej"},
    )
    assert HINT not in client.get(f"/arbete/barn/{alva}").get_data(as_text=True)
    # A guardian who said there are no siblings is never asked, and no hint comes.
    other = ids["Bo"]
    guardian_answers(app, other, "Amira Berg", "vardnadshavare", {"syskon": "nej"})
    assert HINT not in client.get(f"/arbete/barn/{other}").get_data(as_text=True)


def test_linking_the_same_pair_at_once_leaves_one_link(any_database_url, serve):
    """Forty requests link Alva to Bo and Bo to Alva at the same moment, over real HTTP on
    SQLite and PostgreSQL: one link, and every request answered with a redirect, never 500."""
    app = make_app(any_database_url)
    try:
        base = serve(app)
        with app.app_context():
            session = get_session()
            staff = accounts.create_staff(
                session=session,
                email="bk@kommun.example",
                name="Bo",
                role="barnkontakt",
                password=STAFF_PASSWORD,
            )
            pair = [Child(name=n, birth_year=2017, barnkontakt_id=staff.id) for n in ("A", "B")]
            session.add_all(pair)
            session.commit()
            alva, bo = (c.id or 0 for c in pair)
        page = http(f"{base}/logga-in")
        signed_in = http(
            f"{base}/logga-in",
            {
                "csrf_token": csrf_token_of(page.text),
                "email": "bk@kommun.example",
                "password": STAFF_PASSWORD,
            },
            cookie=session_cookie(page),
        )
        cookie = session_cookie(signed_in)
        assert signed_in.status == 303 and cookie
        token = csrf_token_of(http(f"{base}/arbete/barn/{alva}/syskon", cookie=cookie).text)
        ends = [(alva, bo), (bo, alva)]
        answers = at_once(
            lambda i: http(
                f"{base}/arbete/barn/{ends[i % 2][0]}/syskon",
                {"csrf_token": token, "sibling_id": str(ends[i % 2][1])},
                cookie=cookie,
            )
        )
        assert [a.status for a in answers] == [303] * AT_ONCE
        assert links(app) == [(min(alva, bo), max(alva, bo))]
        assert len(entries(app, "link_sibling")) == 2
    finally:
        app.extensions["samtal.engine"].dispose()


def test_the_database_refuses_a_second_row_for_a_pair(app):
    """The pair is unique whichever way round it is stored, and a child is never its own."""
    from sqlalchemy.exc import IntegrityError

    with app.app_context():
        session = get_session()
        pair = [Child(name=n, birth_year=2017) for n in ("A", "B")]
        session.add_all(pair)
        session.commit()
        low, high = sorted(c.id or 0 for c in pair)
        session.add(SiblingLink(child_id=low, sibling_id=high))
        session.commit()
        for wrong in ((low, high), (high, low), (low, low)):
            session.add(SiblingLink(child_id=wrong[0], sibling_id=wrong[1]))
            with pytest.raises(IntegrityError):
                session.commit()
            session.rollback()
