"""Staff sign-in extras: the first-run link, set-password links, password change, log out
everywhere, throttling per address, and where each role lands."""

from __future__ import annotations

import re

import pytest
from sqlmodel import col, select

from samtal.db import get_session
from samtal.models import AuditEntry, Setting, Staff
from samtal.staff import password_links
from tests.builders import STAFF_PASSWORD, csrf_token_of, login, make_app

NEW_PASSWORD = "ett annat långt lösenord"


def run_init(app):
    """Run `flask samtal init` (the flask command gives it an app context; so does this)."""
    with app.app_context():
        return app.test_cli_runner().invoke(args=["samtal", "init"])


def setup_path(app) -> str:
    """Run `samtal init` and return the path of the first-run link it prints."""
    result = run_init(app)
    assert result.exit_code == 0, result.output
    found = re.search(r"http://localhost(/forsta-start/\S+)", result.output)
    assert found, result.output
    return found.group(1)


def post_form(client, path: str, data: dict):
    """POST a form the way a browser does: with the page's CSRF token."""
    page = client.get(path).get_data(as_text=True)
    return client.post(path, data={"csrf_token": csrf_token_of(page), **data})


def audit_actions(app) -> list[str]:
    """Every audit action so far, oldest first."""
    with app.app_context():
        return [e.action for e in get_session().exec(select(AuditEntry)).all()]


# First run ---------------------------------------------------------------------------------


def test_creating_the_app_prints_nothing(tmp_path, capsys):
    """No setup link, no work at start: only the `samtal init` command prints the link."""
    app = make_app(f"sqlite:///{tmp_path / 'quiet.db'}")
    app.extensions["samtal.engine"].dispose()
    captured = capsys.readouterr()
    assert captured.out == "" and "forsta-start" not in captured.err


def test_init_prints_a_setup_link_that_creates_the_first_admin(app):
    """The first run has no password: the printed link makes the first admin and signs in."""
    path = setup_path(app)
    client = app.test_client()
    page = client.get(path)
    assert page.status_code == 200
    assert "Skapa den första administratören" in page.get_data(as_text=True)
    response = post_form(
        client,
        path,
        {
            "name": "Ada Admin",
            "email": "Ada@Kommun.example",
            "password": NEW_PASSWORD,
            "repeat": NEW_PASSWORD,
        },
    )
    assert response.status_code == 303
    with app.app_context():
        admin = get_session().exec(select(Staff)).one()
        assert (admin.role, admin.email, admin.name) == ("admin", "ada@kommun.example", "Ada Admin")
        assert get_session().get(Setting, "setup") is None
    home = client.get("/arbete/")
    assert home.status_code == 303 and home.headers["Location"].endswith("/arbete/admin/")
    assert client.get("/arbete/admin/").status_code == 200
    assert "setup_admin_created" in audit_actions(app)


def test_the_setup_link_dies_when_used(app):
    """A second use of the link gets a kind page, not a second admin."""
    path = setup_path(app)
    client = app.test_client()
    form = {"name": "A", "email": "a@kommun.example", "password": NEW_PASSWORD}
    post_form(client, path, {**form, "repeat": NEW_PASSWORD})
    again = app.test_client().get(path)
    assert again.status_code == 410
    assert "redan använd" in again.get_data(as_text=True)
    # A POST straight to the used link creates nothing either.
    other = app.test_client()
    other.get("/logga-in")
    with other.session_transaction() as session:
        session["csrf"] = "t"
    second = other.post(
        path,
        data={
            **form,
            "email": "b@kommun.example",
            "repeat": NEW_PASSWORD,
            "csrf_token": "t",
        },
    )
    assert second.status_code == 410
    with app.app_context():
        assert len(get_session().exec(select(Staff)).all()) == 1


def test_init_prints_no_link_once_an_admin_exists(app, make_staff):
    """With an active admin the command says nothing about setup, and old links die."""
    old = setup_path(app)
    make_staff("admin")
    result = run_init(app)
    assert "forsta-start" not in result.output
    assert app.test_client().get(old).status_code == 410


def test_only_the_newest_setup_link_works(app):
    """Running init again prints a new link; the earlier one stops working."""
    first, second = setup_path(app), setup_path(app)
    client = app.test_client()
    assert client.get(first).status_code == 410
    assert client.get(second).status_code == 200


def test_a_tampered_setup_link_is_refused(app):
    """A link that is not signed by this app is not a link."""
    path = setup_path(app)
    response = app.test_client().get(path[:-3] + "abc")
    assert response.status_code == 404
    assert "Länken fungerar inte" in response.get_data(as_text=True)


def test_an_expired_setup_link_is_refused(app):
    """The first-run link works for a limited time."""
    path = setup_path(app)
    app.config["SETUP_LINK_HOURS"] = 0
    response = app.test_client().get(path)
    assert response.status_code == 410
    assert "gått ut" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("password", "repeat", "message"),
    [
        ("kort", "kort", "minst 12 tecken"),
        (NEW_PASSWORD, NEW_PASSWORD + "x", "inte likadana"),
    ],
)
def test_a_bad_password_keeps_the_link_and_what_was_typed(app, password, repeat, message):
    """A refused form says why in Swedish, keeps name and e-mail, and the link still works."""
    path = setup_path(app)
    client = app.test_client()
    response = post_form(
        client,
        path,
        {"name": "Ada", "email": "ada@kommun.example", "password": password, "repeat": repeat},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html and 'value="ada@kommun.example"' in html and 'value="Ada"' in html
    assert client.get(path).status_code == 200


def test_setup_without_the_form_key_creates_nothing(app):
    """The setup form is protected against cross-site requests too."""
    path = setup_path(app)
    client = app.test_client()
    form = {"name": "A", "email": "a@kommun.example", "password": NEW_PASSWORD}
    response = client.post(path, data={**form, "repeat": NEW_PASSWORD})
    assert response.status_code == 422
    with app.app_context():
        assert get_session().exec(select(Staff)).first() is None


def test_setup_link_is_single_use_on_each_database(any_database_url):
    """Using the link deletes its nonce in the same transaction as the new admin (both DBs)."""
    app = make_app(any_database_url)
    try:
        with app.test_request_context():
            session = get_session()
            token = password_links.issue_setup_token(session=session)
            assert token is not None
            staff = password_links.complete_setup(
                session=session,
                token=token,
                name="Ada",
                email="ada@kommun.example",
                password=NEW_PASSWORD,
                repeat=NEW_PASSWORD,
            )
            assert staff.role == "admin"
            with pytest.raises(password_links.LinkRefused) as refused:
                password_links.read_token(token, session=session)
            assert refused.value.reason == "used"
            assert password_links.issue_setup_token(session=session) is None
    finally:
        app.extensions["samtal.engine"].dispose()


# Set-password links for staff --------------------------------------------------------------


def invite_path(app, staff: Staff) -> str:
    """A set-password link for an account, as an admin would hand it out."""
    with app.test_request_context():
        token = password_links.issue_invite_token(session=get_session(), staff=staff)
    return f"/nytt-losenord/{token}"


def test_a_staff_member_chooses_a_password_through_the_link(app, make_staff):
    """The link sets the password once; afterwards the person signs in with it."""
    staff = make_staff("barnkontakt")
    path = invite_path(app, staff)
    client = app.test_client()
    response = post_form(client, path, {"password": NEW_PASSWORD, "repeat": NEW_PASSWORD})
    assert response.status_code == 303 and response.headers["Location"].endswith("/logga-in")
    assert login(app.test_client(), staff.email, NEW_PASSWORD).status_code == 303
    assert login(app.test_client(), staff.email, STAFF_PASSWORD).status_code == 401
    assert client.get(path).status_code == 410
    assert "password_set_by_link" in audit_actions(app)


def test_a_new_link_replaces_the_old_one(app, make_staff):
    """Only the newest link of an account works."""
    staff = make_staff("barnkontakt")
    first, second = invite_path(app, staff), invite_path(app, staff)
    client = app.test_client()
    assert client.get(first).status_code == 410
    assert client.get(second).status_code == 200


def test_setting_a_password_ends_the_accounts_sessions(app, staff_client):
    """Someone signed in with the old password is signed out when a new one is chosen."""
    client, staff = staff_client("barnkontakt")
    path = invite_path(app, staff)
    post_form(app.test_client(), path, {"password": NEW_PASSWORD, "repeat": NEW_PASSWORD})
    assert "/logga-in" in client.get("/arbete/konto").headers["Location"]


# Password change and log out everywhere ----------------------------------------------------


def change(client, current: str, new: str, repeat: str | None = None):
    """Post the password form of the account page."""
    page = client.get("/arbete/konto").get_data(as_text=True)
    return client.post(
        "/arbete/konto/losenord",
        data={
            "csrf_token": csrf_token_of(page),
            "current": current,
            "password": new,
            "repeat": new if repeat is None else repeat,
        },
    )


def test_changing_the_password_logs_out_other_sessions(app, staff_client):
    """The new password works, the old does not, other browsers are signed out, this one not."""
    client, staff = staff_client("barnkontakt")
    elsewhere = app.test_client()
    assert login(elsewhere, staff.email).status_code == 303
    response = change(client, STAFF_PASSWORD, NEW_PASSWORD)
    assert response.status_code == 303
    assert client.get("/arbete/konto").status_code == 200
    assert elsewhere.get("/arbete/konto").status_code == 303
    assert login(app.test_client(), staff.email, NEW_PASSWORD).status_code == 303
    assert login(app.test_client(), staff.email, STAFF_PASSWORD).status_code == 401
    assert "password_changed" in audit_actions(app)


@pytest.mark.parametrize(
    ("current", "new", "repeat", "message"),
    [
        ("fel lösenord", NEW_PASSWORD, None, "nuvarande lösenordet stämmer inte"),
        (STAFF_PASSWORD, "kort", None, "minst 12 tecken"),
        (STAFF_PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "!", "inte likadana"),
        (STAFF_PASSWORD, STAFF_PASSWORD, None, "inte samma som förut"),
    ],
)
def test_a_refused_password_change_says_why(staff_client, current, new, repeat, message):
    """Each refusal is a clear Swedish message and changes nothing."""
    client, _staff = staff_client("barnkontakt")
    response = change(client, current, new, repeat)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_guessing_the_current_password_locks_the_account(app, staff_client):
    """The change form cannot be used to guess the password: five misses lock it."""
    client, staff = staff_client("barnkontakt")
    for _ in range(5):
        change(client, "fel lösenord", NEW_PASSWORD)
    response = change(client, STAFF_PASSWORD, NEW_PASSWORD)
    assert response.status_code == 422
    assert "För många" in response.get_data(as_text=True)


def test_log_out_everywhere_ends_every_session(app, staff_client):
    """Every browser of the account is signed out, this one too."""
    client, staff = staff_client("barnkontakt")
    elsewhere = app.test_client()
    login(elsewhere, staff.email)
    page = client.get("/arbete/konto").get_data(as_text=True)
    response = client.post(
        "/arbete/konto/logga-ut-overallt", data={"csrf_token": csrf_token_of(page)}
    )
    assert response.status_code == 303 and response.headers["Location"].endswith("/logga-in")
    assert client.get("/arbete/konto").status_code == 303
    assert elsewhere.get("/arbete/konto").status_code == 303
    assert login(app.test_client(), staff.email).status_code == 303
    assert "logout_everywhere" in audit_actions(app)


def test_account_page_shows_who_i_am(staff_client):
    """The account page names the person, their address and role."""
    client, staff = staff_client("statistik")
    html = client.get("/arbete/konto").get_data(as_text=True)
    assert staff.email in html and "Statistik" in html and "Byt lösenord" in html


# Throttling and sign-in records ------------------------------------------------------------


def test_failures_from_one_address_are_throttled(app, make_staff):
    """Many failures from one address stop sign-in from it for a while; others still get in."""
    app.config["LOGIN_ADDRESS_ATTEMPTS"] = 3
    staff = make_staff()
    attacker = app.test_client()
    for number in range(3):
        login(attacker, f"gissning{number}@kommun.example", "fel lösenord")
    refused = login(attacker, staff.email, STAFF_PASSWORD)
    assert refused.status_code == 429
    assert "från den här anslutningen" in refused.get_data(as_text=True)
    elsewhere = app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "10.0.0.9"
    assert login(elsewhere, staff.email, STAFF_PASSWORD).status_code == 303


def test_every_sign_in_and_failure_is_recorded_with_its_address(app, make_staff):
    """Sign-ins and failed sign-ins are audit entries with the address they came from."""
    staff = make_staff()
    client = app.test_client()
    login(client, staff.email, "fel lösenord")
    login(client, staff.email)
    with app.app_context():
        entries = get_session().exec(select(AuditEntry).order_by(col(AuditEntry.id))).all()
    failed = next(e for e in entries if e.action == "login_failed")
    signed_in = next(e for e in entries if e.action == "login")
    assert failed.detail == staff.email and failed.address == "127.0.0.1"
    assert signed_in.staff_id == staff.id


@pytest.mark.parametrize(
    ("role", "lands_on"),
    [("admin", "/arbete/admin/"), ("statistik", "/arbete/statistik")],
)
def test_home_sends_each_role_to_its_start(staff_client, role, lands_on):
    """Admins land on the admin pages, statistics on the statistics page."""
    client, _staff = staff_client(role)
    response = client.get("/arbete/")
    assert response.status_code == 303 and response.headers["Location"].endswith(lands_on)


def test_a_deactivated_account_cannot_sign_in(app, make_staff):
    """Deactivated means no sign-in, with the same message as a wrong password."""
    staff = make_staff()
    with app.app_context():
        session = get_session()
        row = session.get(Staff, staff.id)
        assert row is not None
        row.active = False
        session.add(row)
        session.commit()
    response = login(app.test_client(), staff.email)
    assert response.status_code == 401 and "stämmer inte" in response.get_data(as_text=True)
