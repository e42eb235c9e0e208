"""Children and the caseload: registering, where each child stands, search, filter, pages."""

from __future__ import annotations

import secrets
from datetime import date, timedelta

import pytest
import sqlmodel
from sqlalchemy import event, inspect

from samtal.ages import age_of
from samtal.db import get_session
from samtal.models import Child, Conversation, Staff, SummaryDraft, SummaryVersion, utcnow
from samtal.staff import accounts, children
from samtal.staff import caseload as cases
from tests.builders import STAFF_PASSWORD, login, make_app

TODAY = date(2026, 3, 10)


def staff_in(app, role: str = "barnkontakt", email: str | None = None) -> Staff:
    """A staff account in this app."""
    with app.app_context():
        return accounts.create_staff(
            session=get_session(),
            email=email or f"{role}-{secrets.token_hex(4)}@kommun.example",
            name=f"Test {role}",
            role=role,
            password=STAFF_PASSWORD,
        )


def child_of(app, staff: Staff, name: str = "Testbarn", guardians: int = 1, **fields) -> int:
    """Register a child for the staff member; returns its id."""
    with app.app_context():
        child = children.register_child(
            session=get_session(),
            staff=staff,
            name=name,
            birth_date=fields.pop("birth_date", date(2017, 6, 1)),
            home_languages=None,
            unit_id=None,
            guardians=[
                {"name": f"Vårdnadshavare {n}", "language": "sv", "contact": None}
                for n in range(1, guardians + 1)
            ],
        )
        return child.id or 0


def conversation_for(app, child_id: int, status: str, guardian: int | None = None) -> None:
    """A stored conversation in a given state (the child's, or the n-th guardian's)."""
    with app.app_context():
        db = get_session()
        guardian_id = None
        if guardian is not None:
            guardian_id = children.guardians_of(db, child_id)[guardian - 1].id
        db.add(
            Conversation(
                child_id=child_id,
                guardian_id=guardian_id,
                flow_id="barn-7-9",
                flow_version=1,
                framework_id="behovskompassen",
                age=8,
                status=status,
                link_nonce=secrets.token_hex(8),
            )
        )
        db.commit()


def caseload_of(app, staff: Staff, **kwargs) -> cases.Caseload:
    """The caseload as the staff member sees it today."""
    with app.test_request_context():
        return cases.caseload(session=get_session(), staff=staff, today=TODAY, **kwargs)


def status_by_name(app, staff: Staff) -> dict[str, str]:
    """Each child's status on the caseload, by name."""
    return {row.name: row.status for row in caseload_of(app, staff).rows}


@pytest.fixture
def db_app(any_database_url):
    """The app on SQLite and on PostgreSQL: the caseload is SQL that has to run on both."""
    app = make_app(any_database_url)
    yield app
    app.extensions["samtal.engine"].dispose()


def test_each_child_has_its_place_in_the_process(db_app):
    """no conversation, started, done, guardians invited/answered, draft, signed, follow-up."""
    app = db_app
    me = staff_in(app)
    ids = {
        name: child_of(app, me, name, guardians=2)
        for name in (
            "A-inget",
            "B-pagar",
            "C-klart",
            "D-inbjudna",
            "E-svarat",
            "F-utkast",
            "G-signerad",
            "H-uppfoljning",
            "I-nytt-utkast",
        )
    }
    conversation_for(app, ids["B-pagar"], "active")
    conversation_for(app, ids["C-klart"], "declined")
    conversation_for(app, ids["C-klart"], "completed")
    conversation_for(app, ids["D-inbjudna"], "completed")
    conversation_for(app, ids["D-inbjudna"], "completed", guardian=1)
    conversation_for(app, ids["D-inbjudna"], "active", guardian=2)
    conversation_for(app, ids["E-svarat"], "completed", guardian=1)
    conversation_for(app, ids["E-svarat"], "completed", guardian=2)
    with app.app_context():
        db = get_session()
        earlier = utcnow() - timedelta(days=2)
        db.add(SummaryDraft(child_id=ids["F-utkast"], updated_at=earlier))
        for name in ("G-signerad", "I-nytt-utkast"):
            db.add(SummaryDraft(child_id=ids[name], updated_at=earlier))
            db.add(
                SummaryVersion(
                    child_id=ids[name],
                    number=1,
                    content={},
                    content_hash="0" * 64,
                    signed_by=me.id or 0,
                    signed_at=earlier + timedelta(hours=1),
                )
            )
        newer = db.exec(
            __import__("sqlmodel")
            .select(SummaryDraft)
            .where(SummaryDraft.child_id == ids["I-nytt-utkast"])
        ).one()
        newer.updated_at = utcnow()
        db.add(newer)
        followed = db.get(Child, ids["H-uppfoljning"])
        assert followed is not None
        followed.followup_due = TODAY
        db.add(followed)
        db.commit()
    assert status_by_name(app, me) == {
        "A-inget": "none",
        "B-pagar": "child_started",
        "C-klart": "child_done",
        "D-inbjudna": "guardians_invited",
        "E-svarat": "guardians_answered",
        "F-utkast": "summary_draft",
        "G-signerad": "signed",
        "H-uppfoljning": "followup_due",
        "I-nytt-utkast": "summary_draft",
    }
    row = next(r for r in caseload_of(app, me).rows if r.name == "D-inbjudna")
    assert (row.guardians_answered, row.guardians_invited, row.child_done) == (1, 2, True)
    # The filter reads each child's stored stage: it agrees with the status worked out above.
    expected = status_by_name(app, me)
    for status in cases.STATUSES:
        filtered = caseload_of(app, me, status=status)
        names = {name for name, stage in expected.items() if stage == status}
        assert {r.name for r in filtered.rows} == names and filtered.total == len(names), status


def test_a_finished_conversation_moves_the_child_to_another_filter(db_app):
    """The stage follows a conversation's status when it changes, not only when it starts;
    a change that is no status (the time of the last answer) leaves it alone."""
    app = db_app
    me = staff_in(app)
    child_id = child_of(app, me, "Tove")
    conversation_for(app, child_id, "active")

    def names_at(status: str) -> list[str]:
        return [r.name for r in caseload_of(app, me, status=status).rows]

    assert names_at("child_started") == ["Tove"]
    with app.app_context():
        db = get_session()
        conversation = db.exec(
            sqlmodel.select(Conversation).where(Conversation.child_id == child_id)
        ).one()
        conversation.updated_at = utcnow()
        db.add(conversation)
        db.commit()
        assert names_at("child_started") == ["Tove"]
        conversation.status = "completed"
        db.add(conversation)
        db.commit()
    assert names_at("child_started") == [] and names_at("child_done") == ["Tove"]


def test_follow_up_is_due_from_its_date_not_before(app):
    """A follow-up date in the future leaves the status as it was."""
    me = staff_in(app)
    child_id = child_of(app, me, "Kim")
    with app.app_context():
        db = get_session()
        child = db.get(Child, child_id)
        assert child is not None
        children.set_followup(session=db, child=child, due=TODAY + timedelta(days=1))
    assert status_by_name(app, me) == {"Kim": "none"}
    with app.app_context():
        db = get_session()
        child = db.get(Child, child_id)
        assert child is not None
        children.set_followup(session=db, child=child, due=TODAY - timedelta(days=3))
    assert status_by_name(app, me) == {"Kim": "followup_due"}


def test_search_ignores_case_also_for_swedish_letters(db_app):
    """Searching 'åsa' finds 'Åsa Öberg'; 'ÖBERG' too; a % is just a character."""
    app = db_app
    me = staff_in(app)
    for name in ("Åsa Öberg", "Olle", "Ebba 100%"):
        child_of(app, me, name)
    assert [r.name for r in caseload_of(app, me, search="åsa").rows] == ["Åsa Öberg"]
    assert [r.name for r in caseload_of(app, me, search="ÖBERG").rows] == ["Åsa Öberg"]
    assert [r.name for r in caseload_of(app, me, search="%").rows] == ["Ebba 100%"]
    assert caseload_of(app, me, search="zz").total == 0


def test_a_renamed_child_is_found_by_its_new_name(db_app):
    """The folded name the search reads follows the name when it changes."""
    app = db_app
    me = staff_in(app)
    child_id = child_of(app, me, "Olle")
    with app.app_context():
        db = get_session()
        child = db.get(Child, child_id)
        child.name = "Örjan Åberg"
        db.add(child)
        db.commit()
    assert [r.name for r in caseload_of(app, me, search="örjan").rows] == ["Örjan Åberg"]
    assert caseload_of(app, me, search="olle").total == 0


def test_a_database_from_the_first_release_gets_the_new_columns_filled_in(any_database_url):
    """Migrating a database made before child.search_name and child.stage (and before
    migrations: no revision stamped) adds the columns and fills them in: the children already
    stored are found, by name and by where they stand."""
    app = make_app(any_database_url)
    me = staff_in(app)
    child_of(app, me, "Olle")
    conversation_for(app, child_of(app, me, "Åsa Öberg"), "completed")
    engine = app.extensions["samtal.engine"]
    with engine.begin() as connection:
        for index in ("ix_child_caseload", "ix_child_stage"):
            connection.exec_driver_sql(f"DROP INDEX {index}")
        for column in ("search_name", "stage"):
            connection.exec_driver_sql(f"ALTER TABLE child DROP COLUMN {column}")
        connection.exec_driver_sql("DROP TABLE alembic_version")
    engine.dispose()
    again = make_app(any_database_url)
    try:
        assert [r.name for r in caseload_of(again, me, search="ÅSA").rows] == ["Åsa Öberg"]
        done = caseload_of(again, me, status="child_done").rows
        assert [(r.name, r.status) for r in done] == [("Åsa Öberg", "child_done")]
        indexes = inspect(again.extensions["samtal.engine"]).get_indexes("child")
        assert {"ix_child_caseload", "ix_child_stage"} <= {index["name"] for index in indexes}
    finally:
        again.extensions["samtal.engine"].dispose()


def test_filter_by_status_and_counts_per_status(app):
    """The filter shows one status; the counts cover every status."""
    me = staff_in(app)
    for n in range(3):
        child_of(app, me, f"Utan {n}")
    done = child_of(app, me, "Klar")
    conversation_for(app, done, "completed")
    found = caseload_of(app, me, status="child_done")
    assert [r.name for r in found.rows] == ["Klar"] and found.total == 1
    assert caseload_of(app, me, status="none").total == 3
    assert caseload_of(app, me, status="nonsense").total == 4  # unknown filter: everything


def test_pages_of_fifty(app):
    """120 children: three pages, 50 + 50 + 20, in name order; a page past the end clamps."""
    me = staff_in(app)
    with app.app_context():
        db = get_session()
        db.add_all(Child(name=f"Barn {n:03d}", barnkontakt_id=me.id) for n in range(120))
        db.commit()
    first, last = caseload_of(app, me, page=1), caseload_of(app, me, page=3)
    assert (first.total, first.pages, len(first.rows), len(last.rows)) == (120, 3, 50, 20)
    assert first.rows[0].name == "Barn 000" and last.rows[-1].name == "Barn 119"
    assert caseload_of(app, me, page=99).page == 3


def test_caseload_is_a_fixed_number_of_queries(app):
    """No query per row: the same count for 5 children as for 60, with and without a filter."""
    me = staff_in(app)

    def queries(**kwargs) -> int:
        statements: list[str] = []
        engine = app.extensions["samtal.engine"]
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            caseload_of(app, me, **kwargs)
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return len(statements)

    for n in range(5):
        conversation_for(app, child_of(app, me, f"A{n}"), "completed", guardian=1)
    few, few_filtered = queries(), queries(status="guardians_answered")
    with app.app_context():
        db = get_session()
        db.add_all(Child(name=f"B{n}", barnkontakt_id=me.id) for n in range(55))
        db.commit()
    assert queries() == few <= 3
    assert queries(status="guardians_answered") == few_filtered <= 3


def test_only_own_children_and_admin_sees_all(app):
    """A barnkontakt's caseload has only their children; an admin's has everyone's."""
    mine, other, admin = staff_in(app), staff_in(app), staff_in(app, "admin")
    child_of(app, mine, "Min")
    child_of(app, other, "Annans")
    assert [r.name for r in caseload_of(app, mine).rows] == ["Min"]
    assert sorted(r.name for r in caseload_of(app, admin).rows) == ["Annans", "Min"]
    assert caseload_of(app, staff_in(app, "statistik")).total == 0


def test_another_barnkontakts_child_is_404_over_http(app):
    """By URL, another barnkontakt's child does not exist: 404, the same as a missing one."""
    owner, other = staff_in(app), staff_in(app)
    child_id = child_of(app, owner, "Hemlig")
    client = app.test_client()
    login(client, other.email)
    for path in (
        f"/arbete/barn/{child_id}",
        f"/arbete/barn/{child_id}/samtycke",
        f"/arbete/barn/{child_id}/samtal/1",
        f"/arbete/barn/{child_id}/inbjudan/1",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "Hemlig" not in response.get_data(as_text=True)
    assert client.get("/arbete/barn/99999").status_code == 404
    searched = client.get("/arbete/barn?sok=Hemlig").get_data(as_text=True)
    assert "0 barn hittades" in searched and f"/arbete/barn/{child_id}" not in searched


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 81}, "name"),
        ({"birth_date": ""}, "birth_date"),
        ({"birth_date": "21/3/2016"}, "birth_date"),
        ({"birth_date": "2030-01-01"}, "birth_date"),
        ({"birth_date": "2000-01-01"}, "birth_date"),
        ({"language": "xx"}, "language"),
        ({"unit_id": "7"}, "unit_id"),
        ({"guardian1_name": ""}, "guardian1_name"),
        ({"guardian2_contact": "070-123"}, "guardian2_name"),
        ({"guardian1_contact": "x" * 121}, "guardian1_contact"),
    ],
)
def test_registration_is_checked_in_swedish(app, fields, field):
    """Each wrong field gets its own message; nothing is registered."""
    form = {
        "name": "Sam",
        "birth_date": "2016-03-21",
        "language": "sv",
        "guardian1_name": "Amira",
        "guardian1_language": "ar",
        **fields,
    }
    with app.test_request_context():
        registration, errors = children.read_registration(
            form, languages=["sv", "ar"], unit_ids=set(), today=TODAY
        )
    assert registration is None and errors.get(field)


def test_registration_keeps_minimal_fields_and_guardians(app):
    """A registered child has its guardians and belongs to the barnkontakt who registered it."""
    me = staff_in(app)
    with app.test_request_context():
        registration, errors = children.read_registration(
            {
                "name": "  Sam   Berg ",
                "birth_date": "2016-03-21",
                "language": "sv",
                "guardian1_name": "Amira",
                "guardian1_language": "ar",
                "guardian2_name": "Jonas",
                "guardian2_contact": "070-123 45 67",
            },
            languages=["sv", "ar"],
            unit_ids=set(),
            today=TODAY,
        )
        assert registration is not None and not errors
        child = children.register_child(session=get_session(), staff=me, **registration.__dict__)
        assert (child.name, child.barnkontakt_id, child.birth_year) == ("Sam Berg", me.id, 2016)
        guardians = children.guardians_of(get_session(), child.id or 0)
        assert [(g.name, g.language, g.contact) for g in guardians] == [
            ("Amira", "ar", None),
            ("Jonas", "sv", "070-123 45 67"),
        ]
        assert age_of(child, TODAY) == 9
        assert age_of(child, date(2026, 3, 21)) == 10
