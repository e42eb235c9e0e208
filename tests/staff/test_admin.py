"""Admin pages: staff accounts, units, moving a child, area labels, retention, languages, log."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from flask import g, render_template_string
from sqlmodel import select

from samtal import library, settings
from samtal.db import get_session
from samtal.models import AuditEntry, Child, Staff, Unit
from samtal.records import retention
from samtal.staff import accounts
from tests.builders import csrf_token_of, login, make_app


@pytest.fixture
def admin(staff_client):
    """A signed-in admin: (client, Staff)."""
    return staff_client("admin")


def post(client, path: str, data: dict | None = None, page: str = "/arbete/admin/"):
    """POST with the CSRF token of a page the admin has open."""
    token = csrf_token_of(client.get(page).get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **(data or {})})


def audit_of(app, action: str) -> list[AuditEntry]:
    """Every audit entry of one action."""
    with app.app_context():
        query = select(AuditEntry).where(AuditEntry.action == action)
        return list(get_session().exec(query).all())


def reload(app, model, row_id):
    """A row as stored now."""
    with app.app_context():
        return get_session().get(model, row_id)


def add_child(app, name: str = "Testbarn", barnkontakt_id: int | None = None) -> int:
    """A child in the database; returns its id."""
    with app.app_context():
        session = get_session()
        child = Child(name=name, birth_year=2016, barnkontakt_id=barnkontakt_id)
        session.add(child)
        session.commit()
        assert child.id is not None
        return child.id


# Staff accounts ----------------------------------------------------------------------------


def test_the_staff_list_shows_every_account(admin, make_staff):
    """Name, e-mail, role, unit and whether active, for every account."""
    client, me = admin
    other = make_staff("barnkontakt")
    html = client.get("/arbete/admin/personal").get_data(as_text=True)
    assert me.email in html and other.email in html and "Barnkontakt" in html
    assert '<th scope="col">' in html


def test_creating_an_account_gives_a_one_time_link(app, admin):
    """No password is chosen for the person: the admin sees a set-password link, once."""
    client, _me = admin
    response = post(
        client,
        "/arbete/admin/personal/ny",
        {"name": "Bo Barnkontakt", "email": "bo@kommun.example", "role": "barnkontakt"},
    )
    assert response.status_code == 303
    detail = response.headers["Location"]
    html = client.get(detail).get_data(as_text=True)
    link = re.search(r'value="(http://localhost/nytt-losenord/[^"]+)"', html)
    assert link, html
    assert "nytt-losenord" not in client.get(detail).get_data(as_text=True)
    # The person chooses a password with it and signs in.
    person = app.test_client()
    path = link.group(1).removeprefix("http://localhost")
    page = person.get(path).get_data(as_text=True)
    password = "bo väljer ett eget lösenord"
    person.post(
        path, data={"csrf_token": csrf_token_of(page), "password": password, "repeat": password}
    )
    assert login(app.test_client(), "bo@kommun.example", password).status_code == 303
    assert [e.detail for e in audit_of(app, "staff_created")][0].endswith("barnkontakt")


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"name": "A", "email": "inte-en-adress", "role": "barnkontakt"}, "giltig e-postadress"),
        ({"name": "A", "email": "a@kommun.example", "role": "chef"}, "Okänd roll"),
        ({"name": " ", "email": "a@kommun.example", "role": "barnkontakt"}, "Skriv personens namn"),
        ({"name": "A", "email": "a@kommun.example", "role": "admin", "unit_id": "999"}, "Enheten"),
    ],
)
def test_a_refused_account_says_why_and_keeps_what_was_typed(admin, form, message):
    """Each refusal is in Swedish, with the typed values still in the form."""
    client, _me = admin
    response = post(client, "/arbete/admin/personal/ny", form)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html and f'value="{form["email"]}"' in html


def test_an_address_can_only_have_one_account(admin, make_staff):
    """A taken e-mail address is refused."""
    client, _me = admin
    taken = make_staff("barnkontakt")
    form = {"name": "X", "email": taken.email.upper(), "role": "barnkontakt"}
    response = post(client, "/arbete/admin/personal/ny", form)
    assert response.status_code == 422 and "finns redan" in response.get_data(as_text=True)


def test_changing_role_and_unit(app, admin, make_staff):
    """Name, role and unit can be changed, and the change is in the log."""
    client, _me = admin
    person = make_staff("barnkontakt")
    post(client, "/arbete/admin/enheter", {"name": "Ekskolan", "kind": "skola"})
    with app.app_context():
        unit = get_session().exec(select(Unit)).one()
    response = post(
        client,
        f"/arbete/admin/personal/{person.id}/andra",
        {"name": "Ny Namn", "role": "statistik", "unit_id": str(unit.id)},
    )
    assert response.status_code == 303
    stored = reload(app, Staff, person.id)
    assert (stored.name, stored.role, stored.unit_id) == ("Ny Namn", "statistik", unit.id)
    assert "roll" in audit_of(app, "staff_updated")[0].detail


def test_the_last_admin_stays_an_admin(app, admin):
    """An admin cannot take away the last admin role or deactivate their own account."""
    client, me = admin
    post(
        client,
        f"/arbete/admin/personal/{me.id}/andra",
        {"name": me.name, "role": "barnkontakt"},
    )
    assert reload(app, Staff, me.id).role == "admin"
    post(client, f"/arbete/admin/personal/{me.id}/avaktivera")
    assert reload(app, Staff, me.id).active
    html = client.get(f"/arbete/admin/personal/{me.id}").get_data(as_text=True)
    assert "eget konto" in html


def test_deactivating_signs_the_person_out_everywhere(app, admin, staff_client):
    """A deactivated account's sessions end and it cannot sign in; reactivating lets it back."""
    client, _me = admin
    person_client, person = staff_client("barnkontakt")
    response = post(client, f"/arbete/admin/personal/{person.id}/avaktivera")
    assert response.status_code == 303
    assert "/logga-in" in person_client.get("/arbete/konto").headers["Location"]
    assert login(app.test_client(), person.email).status_code == 401
    post(client, f"/arbete/admin/personal/{person.id}/aktivera")
    assert login(app.test_client(), person.email).status_code == 303
    assert audit_of(app, "staff_deactivated") and audit_of(app, "staff_activated")


def test_a_new_password_link_replaces_the_old(app, admin, make_staff):
    """Reset: a new link is shown and the earlier one stops working."""
    client, _me = admin
    person = make_staff("barnkontakt")
    links = []
    for _ in range(2):
        post(client, f"/arbete/admin/personal/{person.id}/losenordslank")
        html = client.get(f"/arbete/admin/personal/{person.id}").get_data(as_text=True)
        found = re.search(r'value="http://localhost(/nytt-losenord/[^"]+)"', html)
        assert found
        links.append(found.group(1))
    other = app.test_client()
    assert other.get(links[0]).status_code == 410
    assert other.get(links[1]).status_code == 200
    assert len(audit_of(app, "password_link_issued")) == 2


def test_a_deactivated_accounts_link_stops_working(app, admin, make_staff):
    """Deactivating also cancels any set-password link the person has not used."""
    client, _me = admin
    person = make_staff("barnkontakt")
    post(client, f"/arbete/admin/personal/{person.id}/losenordslank")
    html = client.get(f"/arbete/admin/personal/{person.id}").get_data(as_text=True)
    found = re.search(r'value="http://localhost(/nytt-losenord/[^"]+)"', html)
    assert found
    post(client, f"/arbete/admin/personal/{person.id}/avaktivera")
    assert app.test_client().get(found.group(1)).status_code in (404, 410)


def test_an_unknown_account_is_404(admin):
    """A staff number that does not exist is not found."""
    client, _me = admin
    assert client.get("/arbete/admin/personal/9999").status_code == 404


# Units -------------------------------------------------------------------------------------


def test_units_can_be_created_and_renamed(app, admin):
    """Add a förskola, refuse a duplicate name, rename it; each change is logged."""
    client, _me = admin
    assert (
        post(client, "/arbete/admin/enheter", {"name": "Solen", "kind": "förskola"}).status_code
        == 303
    )
    duplicate = post(client, "/arbete/admin/enheter", {"name": "solen", "kind": "skola"})
    assert duplicate.status_code == 422 and "finns redan" in duplicate.get_data(as_text=True)
    assert 'value="solen"' in duplicate.get_data(as_text=True)
    with app.app_context():
        unit = get_session().exec(select(Unit)).one()
    post(client, f"/arbete/admin/enheter/{unit.id}", {"name": "Solrosen", "kind": "förskola"})
    assert reload(app, Unit, unit.id).name == "Solrosen"
    assert "Solrosen" in client.get("/arbete/admin/enheter").get_data(as_text=True)
    assert audit_of(app, "unit_created") and "Solrosen" in audit_of(app, "unit_updated")[0].detail


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"name": "", "kind": "skola"}, "enhetens namn"),
        ({"name": "X", "kind": "gymnasium"}, "förskola eller skola"),
    ],
)
def test_a_refused_unit_says_why(admin, form, message):
    """Empty names and unknown kinds are refused in Swedish."""
    client, _me = admin
    response = post(client, "/arbete/admin/enheter", form)
    assert response.status_code == 422 and message in response.get_data(as_text=True)


# Moving a child ----------------------------------------------------------------------------


def test_a_child_can_be_given_another_barnkontakt(app, admin, make_staff):
    """The admin finds the child and moves it; the move is in the child's audit trail."""
    client, _me = admin
    first, second = make_staff("barnkontakt"), make_staff("barnkontakt")
    child_id = add_child(app, "Lilla My", first.id)
    found = client.get("/arbete/admin/barn?q=lilla").get_data(as_text=True)
    assert "Lilla My" in found
    assert "Lilla My" in client.get(f"/arbete/admin/barn?q={child_id}").get_data(as_text=True)
    add_child(app, "Åsa Öberg", first.id)
    found = client.get("/arbete/admin/barn?q=%C3%B6berg").get_data(as_text=True)  # "öberg"
    assert "Åsa Öberg" in found and "Lilla My" not in found
    page = f"/arbete/admin/barn/{child_id}"
    response = post(client, f"{page}/barnkontakt", {"to": str(second.id)}, page=page)
    assert response.status_code == 303
    assert reload(app, Child, child_id).barnkontakt_id == second.id
    entry = audit_of(app, "child_reassigned")[0]
    assert entry.child_id == child_id and str(second.id) in entry.detail


@pytest.mark.parametrize("role", ["statistik", "admin"])
def test_a_child_goes_only_to_an_active_barnkontakt(app, admin, make_staff, role):
    """Moving to someone who is not a barnkontakt is refused and changes nothing."""
    client, _me = admin
    first, other = make_staff("barnkontakt"), make_staff(role)
    child_id = add_child(app, "Mymlan", first.id)
    post(client, f"/arbete/admin/barn/{child_id}/barnkontakt", {"to": str(other.id)})
    assert reload(app, Child, child_id).barnkontakt_id == first.id
    html = client.get(f"/arbete/admin/barn/{child_id}").get_data(as_text=True)
    assert "aktiv barnkontakt" in html


def test_all_children_of_a_barnkontakt_can_be_moved_at_once(app, admin, make_staff):
    """Before someone leaves, their children go to a colleague, each move logged."""
    client, _me = admin
    leaving, staying = make_staff("barnkontakt"), make_staff("barnkontakt")
    ids = [add_child(app, f"Barn {n}", leaving.id) for n in range(3)]
    response = post(
        client, f"/arbete/admin/personal/{leaving.id}/flytta-barn", {"to": str(staying.id)}
    )
    assert response.status_code == 303
    assert all(reload(app, Child, i).barnkontakt_id == staying.id for i in ids)
    assert sorted(e.child_id for e in audit_of(app, "child_reassigned")) == ids


def test_an_unknown_child_is_404(admin):
    """A child number that does not exist is not found."""
    client, _me = admin
    assert client.get("/arbete/admin/barn/424242").status_code == 404


# Area labels and order ---------------------------------------------------------------------


def area_form(framework, labels: dict[str, str], order: list[str]) -> dict[str, str]:
    """The areas form for a framework, with some labels changed and an order."""
    form = {f"label-{a.id}": labels.get(a.id, a.label) for a in framework.areas}
    form.update({f"position-{area_id}": str(n) for n, area_id in enumerate(order, 1)})
    return form


def test_area_labels_and_order_are_configuration(app, admin):
    """A municipality renames an area and moves it first; ids stay, the app shows the label."""
    client, _me = admin
    with app.app_context():
        framework = library.flows().frameworks["behovskompass"]
    order = ["ansvarstagande"] + [a.id for a in framework.areas if a.id != "ansvarstagande"]
    form = area_form(framework, {"ansvarstagande": "Ansvar", "ma_bra": "Hälsa"}, order)
    response = post(client, "/arbete/admin/omraden/behovskompass", form)
    assert response.status_code == 303
    with app.test_request_context():
        session = get_session()
        labels = settings.area_labels(framework, session=session)
        assert labels["ansvarstagande"] == "Ansvar" and labels["omsorg"] == "Omsorg"
        assert [a.id for a in settings.ordered_areas(framework, session=session)] == order
        area = framework.area("ansvarstagande")
        assert render_template_string("{{ area_label(area) }}", area=area) == "Ansvar"
    assert "Ansvar" in audit_of(app, "areas_changed")[0].detail
    html = client.get("/arbete/admin/omraden").get_data(as_text=True)
    assert 'value="Ansvar"' in html


def test_another_language_shows_the_translated_framework_label(app):
    """A municipality's label is Swedish; in Arabic the translated framework label is shown."""
    with app.test_request_context():
        framework = library.flows().frameworks["behovskompass"]
        labels = {a.id: a.label for a in framework.areas} | {"trygghet": "Att vara trygg"}
        settings.save_areas(session=get_session(), framework=framework, labels=labels, positions={})
        area = framework.area("trygghet")
        g.locale = "ar"
        shown = settings.area_label(area)
        both = str(settings.area_label_both(area))
    assert shown != "Att vara trygg" and shown != "Trygghet"
    assert "Att vara trygg" in both and shown in both


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"label-omsorg": ""}, "Skriv ett namn"),
        ({"label-omsorg": "x" * 41}, "högst 40 tecken"),
        ({"label-omsorg": "Trygghet"}, "samma namn"),
        ({"position-omsorg": "99"}, "mellan 1 och 8"),
        ({"position-omsorg": "ett"}, "mellan 1 och 8"),
    ],
)
def test_refused_area_labels_keep_what_was_typed(app, admin, change, message):
    """Empty, long, duplicated labels and odd places are refused; nothing is stored."""
    client, _me = admin
    with app.app_context():
        framework = library.flows().frameworks["behovskompass"]
    form = area_form(framework, {"fritid": "Fritiden"}, [a.id for a in framework.areas])
    response = post(client, "/arbete/admin/omraden/behovskompass", {**form, **change})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html and 'value="Fritiden"' in html
    with app.test_request_context():
        assert settings.area_labels(framework, session=get_session())["fritid"] == "Fritid"


def test_area_settings_can_be_reset(app, admin):
    """Reset goes back to the framework's own labels and order."""
    client, _me = admin
    with app.app_context():
        framework = library.flows().frameworks["behovskompass"]
    ids = [a.id for a in framework.areas]
    post(
        client,
        "/arbete/admin/omraden/behovskompass",
        area_form(framework, {"fritid": "Lek"}, ids[::-1]),
    )
    post(client, "/arbete/admin/omraden/behovskompass/aterstall")
    with app.test_request_context():
        session = get_session()
        assert settings.area_labels(framework, session=session)["fritid"] == "Fritid"
        assert [a.id for a in settings.ordered_areas(framework, session=session)] == ids
    assert audit_of(app, "areas_reset")


def test_an_unknown_framework_is_404(admin):
    """Saving areas of a framework that does not exist is not found."""
    client, _me = admin
    assert post(client, "/arbete/admin/omraden/finns-inte", {}).status_code == 404


# Retention and languages -------------------------------------------------------------------


def test_retention_has_a_default_and_can_be_changed(app, admin):
    """24 months until the municipality says otherwise; the page says whose decision it is."""
    client, _me = admin
    html = client.get("/arbete/admin/gallring").get_data(as_text=True)
    assert 'value="24"' in html and "kommunens beslut" in html
    assert post(client, "/arbete/admin/gallring", {"months": "36"}).status_code == 303
    with app.test_request_context():
        assert settings.retention_months(session=get_session()) == 36
    assert audit_of(app, "retention_changed")[0].detail == "24 → 36 månader"


@pytest.mark.parametrize("months", ["0", "241", "två år", ""])
def test_an_odd_retention_period_is_refused(admin, months):
    """Out of range or not a number: a clear message, the typed value kept."""
    client, _me = admin
    response = post(client, "/arbete/admin/gallring", {"months": months})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'class="error"' in html and f'value="{months}"' in html


def test_children_past_the_retention_period_are_counted(app):
    """Children with nothing new for longer than the period are counted for the one who culls."""
    with app.app_context():
        session = get_session()
        old = datetime.now(UTC) - timedelta(days=800)
        session.add(Child(name="Gammal", created_at=old))
        session.add(Child(name="Ny"))
        session.commit()
        assert [due.child_id for due in retention.due(session=session, months=24)] == [1]
        assert retention.due(session=session, months=36) == []


def test_languages_offered_are_a_subset_with_swedish_always(app, admin):
    """The admin picks languages; Swedish cannot be removed; unknown codes are dropped."""
    client, _me = admin
    response = post(client, "/arbete/admin/sprak", {"language": ["ar", "fi", "xx"]})
    assert response.status_code == 303
    with app.test_request_context():
        assert settings.offered_languages(session=get_session()) == ["sv", "ar", "fi"]
    html = client.get("/arbete/admin/sprak").get_data(as_text=True)
    assert 'value="ar" checked' in html and 'value="en">' in html.replace(" \n", "")
    assert audit_of(app, "languages_changed")[0].detail == "sv, ar, fi"


def test_every_language_is_offered_by_default(app):
    """Before an admin chooses, all built-in languages are offered."""
    with app.test_request_context():
        assert settings.offered_languages(session=get_session()) == app.config["LANGUAGES"]


# The audit log -----------------------------------------------------------------------------


def add_entries(app, entries: list[dict]) -> None:
    """Audit entries straight into the table (as if made over time)."""
    with app.app_context():
        session = get_session()
        for entry in entries:
            session.add(AuditEntry(**entry))
        session.commit()


def test_the_audit_log_filters_by_child_staff_action_and_date(app, admin, make_staff):
    """Each filter narrows the log; newest first."""
    client, me = admin
    other = make_staff("barnkontakt")
    day = datetime(2025, 3, 10, 9, 0, tzinfo=UTC)
    add_entries(
        app,
        [
            {"action": "view_child", "child_id": 7, "staff_id": other.id, "at": day},
            {
                "action": "view_child",
                "child_id": 8,
                "staff_id": other.id,
                "at": day + timedelta(days=2),
            },
            {
                "action": "export_pdf",
                "child_id": 7,
                "staff_id": me.id,
                "at": day + timedelta(days=5),
            },
        ],
    )

    def rows(query: str) -> list[str]:
        html = client.get(f"/arbete/admin/logg?{query}").get_data(as_text=True)
        body = html.split("<tbody>")[1].split("</tbody>")[0] if "<tbody>" in html else ""
        return re.findall(r"<tr>(.*?)</tr>", body, re.S)

    assert len(rows("barn=7")) == 2
    assert "export_pdf" in rows("barn=7")[0]  # newest first
    assert len(rows(f"personal={other.id}")) == 2
    assert len(rows("handelse=export_pdf")) == 1
    assert len(rows("barn=7&fran=2025-03-11")) == 1
    assert len(rows("fran=2025-03-10&till=2025-03-12&handelse=view_child")) == 2
    assert len(rows("till=2025-03-10&handelse=view_child")) == 1
    odd = client.get("/arbete/admin/logg?fran=igår").get_data(as_text=True)
    assert "gick inte att läsa" in odd


def test_the_audit_log_is_paginated(app, admin):
    """Fifty a page, with a link to older entries."""
    client, _me = admin
    add_entries(app, [{"action": "view_child", "child_id": n} for n in range(1, 61)])
    first = client.get("/arbete/admin/logg?handelse=view_child").get_data(as_text=True)
    assert first.count("<tr>") == 51  # header row + 50
    assert "sida=2" in first
    second = client.get("/arbete/admin/logg?handelse=view_child&sida=2").get_data(as_text=True)
    assert second.count("<tr>") == 11 and "sida=1" in second


def test_audit_dates_on_each_database(any_database_url):
    """The date filter works on SQLite and PostgreSQL alike (local days, stored UTC)."""
    app = make_app(any_database_url)
    try:
        add_entries(
            app,
            [
                # 23:30 UTC on 31 March is already 1 April in Stockholm.
                {"action": "view_child", "at": datetime(2025, 3, 31, 23, 30, tzinfo=UTC)},
                {"action": "view_child", "at": datetime(2025, 3, 31, 12, 0, tzinfo=UTC)},
            ],
        )
        with app.app_context():
            session = get_session()
            april = accounts.AuditFilter(date_from=date(2025, 4, 1), date_to=date(2025, 4, 1))
            march = accounts.AuditFilter(date_to=date(2025, 3, 31))
            assert len(accounts.audit_page(session=session, filters=april)[0]) == 1
            assert len(accounts.audit_page(session=session, filters=march)[0]) == 1
    finally:
        app.extensions["samtal.engine"].dispose()


def test_settings_are_stored_on_each_database(any_database_url):
    """Area labels, retention and languages survive a round trip on SQLite and PostgreSQL."""
    app = make_app(any_database_url)
    try:
        with app.test_request_context():
            session = get_session()
            framework = library.flows().frameworks["behovskompass"]
            labels = {a.id: a.label for a in framework.areas} | {"respekteras": "Respekt"}
            settings.save_areas(session=session, framework=framework, labels=labels, positions={})
            settings.save_retention(session=session, months=60)
            settings.save_languages(session=session, codes=["uk"])
        with app.test_request_context():
            session = get_session()
            assert settings.area_labels(framework, session=session)["respekteras"] == "Respekt"
            assert settings.retention_months(session=session) == 60
            assert settings.offered_languages(session=session) == ["sv", "uk"]
    finally:
        app.extensions["samtal.engine"].dispose()


def test_admin_pages_are_for_admins_only(staff_client):
    """A barnkontakt and the statistics role are refused every admin page."""
    for role in ("barnkontakt", "statistik"):
        client, _staff = staff_client(role)
        for path in ("/arbete/admin/", "/arbete/admin/personal", "/arbete/admin/logg"):
            assert client.get(path).status_code == 403


def test_the_configured_order_reaches_the_engine(app):
    """ordered_flow hands the engine the areas in the municipality's order, ids unchanged."""
    with app.test_request_context():
        session = get_session()
        flow = library.flows().get("barn-7-9")
        assert flow is not None
        assert settings.ordered_flow(flow, session=session) is flow  # nothing configured
        ids = [a.id for a in flow.framework.areas]
        labels = {a.id: a.label for a in flow.framework.areas}
        positions = {area_id: len(ids) - n for n, area_id in enumerate(ids)}
        settings.save_areas(
            session=session, framework=flow.framework, labels=labels, positions=positions
        )
        ordered = settings.ordered_flow(flow, session=session)
        assert [a.id for a in ordered.framework.areas] == ids[::-1]
        first_area_step = next(s for s in ordered.all_steps() if s.section == "area")
        assert first_area_step.area == ids[-1]
        shown = render_template_string("{{ offered_languages() | join(' ') }}")
        assert shown == " ".join(app.config["LANGUAGES"])
