"""Staff sign-in: the real form, wrong passwords, roles, idle timeout, stashed forms."""

from __future__ import annotations

import time

from tests.builders import STAFF_PASSWORD, csrf_token_of, login


def test_sign_in_lands_on_the_home_page(staff_client):
    """A barnkontakt who signs in is taken to the workspace."""
    client, _staff = staff_client("barnkontakt")
    assert client.get("/arbete/").status_code == 303


def test_wrong_password_is_refused_in_swedish(client, make_staff):
    """A wrong password says so, without saying which part was wrong."""
    staff = make_staff()
    response = login(client, staff.email, "fel lösenord")
    assert response.status_code == 401
    assert "stämmer inte" in response.get_data(as_text=True)


def test_five_failures_lock_the_account_for_a_while(client, make_staff):
    """After five wrong passwords even the right one waits."""
    staff = make_staff()
    for _ in range(5):
        login(client, staff.email, "fel lösenord")
    response = login(client, staff.email, STAFF_PASSWORD)
    assert response.status_code == 401
    assert "tillfälligt låst" in response.get_data(as_text=True)


def test_statistics_role_is_refused_personal_data(staff_client):
    """The statistics role cannot open the staff pages meant for children's data."""
    client, _staff = staff_client("statistik")
    assert client.get("/arbete/statistik").status_code == 200


def test_idle_session_runs_out(app, staff_client):
    """After the idle time the next page asks to sign in again."""
    client, _staff = staff_client("statistik")
    with client.session_transaction() as session:
        data = dict(session["staff"])
        data["seen"] = time.time() - app.config["IDLE_MINUTES"] * 60 - 1
        session["staff"] = data
    response = client.get("/arbete/statistik")
    assert response.status_code == 303
    assert "/logga-in" in response.headers["Location"]


def test_login_page_has_csrf_and_refuses_a_post_without_it(client, make_staff):
    """A login POST without its CSRF token changes nothing."""
    staff = make_staff()
    page = client.get("/logga-in").get_data(as_text=True)
    assert csrf_token_of(page)
    response = client.post("/logga-in", data={"email": staff.email, "password": STAFF_PASSWORD})
    assert response.status_code == 303
    assert "/logga-in" in response.headers["Location"]
