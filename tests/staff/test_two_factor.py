"""Two-factor sign-in for password accounts: enrolment, the code at every sign-in, the admin's
requirement and reset, and wrong codes throttled (also 40 at once, on SQLite and PostgreSQL)."""

from __future__ import annotations

import logging
import re
import threading
import time

import pyotp
import pytest
import requests
from sqlmodel import select
from werkzeug.serving import make_server

from samtal.db import get_session
from samtal.models import AuditEntry, Staff
from tests.builders import STAFF_PASSWORD, csrf_token_of, login, make_app


def secret_on(html: str) -> str:
    """The secret as the enrolment page shows it in text (beside the QR code)."""
    found = re.search(r'<code id="nyckel">([A-Z2-7 ]+)</code>', html)
    assert found, "no secret on the page"
    return found.group(1).replace(" ", "")


def code_after(secret: str, steps: int = 0) -> str:
    """The code an authenticator app shows now, or that many 30-second steps later."""
    return pyotp.TOTP(secret).at(time.time() + 30 * steps)


def post_code(client, path: str, code: str):
    page = client.get(path).get_data(as_text=True)
    return client.post(path, data={"csrf_token": csrf_token_of(page), "code": code})


def stored(app, staff_id: int) -> Staff:
    with app.app_context():
        found = get_session().get(Staff, staff_id)
        assert found is not None
        return found


def audit_of(app, action: str) -> list[str]:
    with app.app_context():
        rows = get_session().exec(select(AuditEntry).where(AuditEntry.action == action)).all()
        return [row.detail or "" for row in rows]


def test_enrolment_then_every_password_sign_in_asks_for_the_code(app, staff_client):
    client, staff = staff_client("barnkontakt")
    assert "Slå på tvåstegsverifiering" in client.get("/arbete/konto").get_data(as_text=True)
    page = client.get("/arbete/konto/tvasteg").get_data(as_text=True)
    assert '<svg role="img" aria-label="QR-kod för att lägga till Samtal i appen"' in page
    secret = secret_on(page)

    wrong = post_code(
        client, "/arbete/konto/tvasteg", "000000" if code_after(secret) != "000000" else "111111"
    )
    assert wrong.status_code == 401
    assert "Koden stämmer inte" in wrong.get_data(as_text=True)
    assert stored(app, staff.id).totp_secret is None
    right = post_code(client, "/arbete/konto/tvasteg", code_after(secret))
    assert right.status_code == 303
    assert stored(app, staff.id).totp_secret == secret

    # The password alone no longer signs in: it leads to the code.
    fresh = app.test_client()
    response = login(fresh, staff.email)
    assert response.status_code == 303
    assert response.headers["Location"] == "/logga-in/kod"
    assert fresh.get("/arbete/barn").status_code == 303  # not signed in yet
    # The code the enrolment used is spent; the app's next one works, once.
    used = post_code(fresh, "/logga-in/kod", code_after(secret))
    assert used.status_code == 401
    assert "redan använd" in used.get_data(as_text=True)
    signed_in = post_code(fresh, "/logga-in/kod", code_after(secret, 1))
    assert signed_in.status_code == 303
    assert fresh.get("/arbete/barn").status_code == 200
    assert audit_of(app, "login")[-1] == "totp"
    assert audit_of(app, "two_factor_failed") == [
        f"{staff.email}: wrong",
        f"{staff.email}: used",
    ]

    again = app.test_client()
    login(again, staff.email)
    replay = post_code(again, "/logga-in/kod", code_after(secret, 1))
    assert replay.status_code == 401
    assert again.get("/arbete/barn").status_code == 303


def test_the_code_step_does_not_outlive_the_password(app, make_staff):
    staff = make_staff("barnkontakt")
    with app.app_context():
        session = get_session()
        row = session.get(Staff, staff.id)
        row.totp_secret = pyotp.random_base32()
        session.add(row)
        session.commit()
    client = app.test_client()
    login(client, staff.email)
    with client.session_transaction() as cookie:
        cookie["two_factor"] = {**cookie["two_factor"], "at": time.time() - 6 * 60}
    response = client.get("/logga-in/kod")
    assert response.status_code == 303
    assert response.headers["Location"] == "/logga-in"


def test_admin_requires_it_for_everyone_and_can_reset_one_account(app, staff_client, make_staff):
    admin_client, admin = staff_client("admin")
    page = admin_client.get("/arbete/admin/tvasteg").get_data(as_text=True)
    saved = admin_client.post(
        "/arbete/admin/tvasteg", data={"csrf_token": csrf_token_of(page), "required": "1"}
    )
    assert saved.status_code == 303
    assert audit_of(app, "two_factor_required") == ["på"]

    staff = make_staff("barnkontakt")
    client = app.test_client()
    response = login(client, staff.email)
    assert response.headers["Location"] == "/logga-in/tvasteg"
    assert client.get("/arbete/barn").status_code == 303
    secret = secret_on(client.get("/logga-in/tvasteg").get_data(as_text=True))
    enrolled = post_code(client, "/logga-in/tvasteg", code_after(secret))
    assert enrolled.status_code == 303
    assert client.get("/arbete/barn").status_code == 200
    assert stored(app, staff.id).totp_secret == secret

    # The phone is lost: an admin removes the authenticator; the old sessions end.
    detail = admin_client.get(f"/arbete/admin/personal/{staff.id}").get_data(as_text=True)
    assert "Ta bort tvåstegsverifieringen" in detail
    reset = admin_client.post(
        f"/arbete/admin/personal/{staff.id}/tvasteg",
        data={"csrf_token": csrf_token_of(detail)},
    )
    assert reset.status_code == 303
    assert stored(app, staff.id).totp_secret is None
    assert audit_of(app, "two_factor_reset") == [f"{staff.id} {staff.email}"]
    assert client.get("/arbete/barn").status_code == 303
    # Still required for everyone, so the next sign-in enrols again.
    assert login(app.test_client(), staff.email).headers["Location"] == "/logga-in/tvasteg"


@pytest.fixture
def served(any_database_url):
    """The app on the database, served over real HTTP with a thread per request."""
    app = make_app(any_database_url)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    app.extensions["samtal.engine"].dispose()


def test_forty_wrong_codes_at_once_try_at_most_the_limit(served):
    app, base = served
    from samtal.staff import accounts

    secret = pyotp.random_base32()
    with app.app_context():
        staff = accounts.create_staff(
            session=get_session(),
            email="parallell@kommun.example",
            name="Parallell",
            role="barnkontakt",
            password=STAFF_PASSWORD,
        )
        staff.totp_secret = secret
        get_session().add(staff)
        get_session().commit()
    browser = requests.Session()
    token = csrf_token_of(browser.get(f"{base}/logga-in").text)
    step = browser.post(
        f"{base}/logga-in",
        data={"csrf_token": token, "email": staff.email, "password": STAFF_PASSWORD},
        allow_redirects=False,
    )
    assert step.headers["Location"] == "/logga-in/kod"
    cookies = browser.cookies.get_dict()
    valid = {code_after(secret, steps) for steps in (-1, 0, 1)}
    wrong = next(f"{n:06d}" for n in range(1_000_000) if f"{n:06d}" not in valid)

    start = threading.Barrier(40)
    statuses: list[int] = []

    def guess() -> None:
        start.wait()
        answer = requests.post(
            f"{base}/logga-in/kod",
            data={"csrf_token": token, "code": wrong},
            cookies=cookies,
            allow_redirects=False,
            timeout=60,
        )
        statuses.append(answer.status_code)

    threads = [threading.Thread(target=guess) for _ in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    limit = app.config["TOTP_ATTEMPTS"]
    assert sorted(statuses) == [401] * limit + [429] * (40 - limit)
    failures = audit_of(app, "two_factor_failed")
    assert failures.count(f"{staff.email}: wrong") == limit
    assert failures.count(f"{staff.email}: throttled") == 40 - limit

    # Even the right code waits now: the account is throttled, not just the wrong guesses.
    right = requests.post(
        f"{base}/logga-in/kod",
        data={"csrf_token": token, "code": code_after(secret)},
        cookies=cookies,
        allow_redirects=False,
        timeout=10,
    )
    assert right.status_code == 429
    assert "Vänta en kvart" in right.text


def test_the_two_factor_admin_pages_are_for_admins_only(app, staff_client):
    client, staff = staff_client("barnkontakt")
    assert client.get("/arbete/admin/tvasteg").status_code == 403
    page = client.get("/arbete/konto").get_data(as_text=True)
    token = csrf_token_of(page)
    assert (
        client.post(
            "/arbete/admin/tvasteg", data={"csrf_token": token, "required": "1"}
        ).status_code
        == 403
    )
    reset = client.post(f"/arbete/admin/personal/{staff.id}/tvasteg", data={"csrf_token": token})
    assert reset.status_code == 403
    assert login(app.test_client(), staff.email).headers["Location"] == "/arbete/"


def test_leaving_the_kiosk_after_the_idle_time_asks_for_the_code_too(app, staff_client):
    """The kiosk's password signs in again when the session ran out; with two-factor sign-in
    on, only together with the code."""
    client, staff = staff_client("barnkontakt")
    secret = secret_on(client.get("/arbete/konto/tvasteg").get_data(as_text=True))
    assert post_code(client, "/arbete/konto/tvasteg", code_after(secret)).status_code == 303
    form = {
        "name": "Sam Berg",
        "birth_date": "2017-05-04",
        "language": "sv",
        "guardian1_name": "Amira Berg",
        "guardian1_language": "sv",
    }
    token = csrf_token_of(client.get("/arbete/barn/ny").get_data(as_text=True))
    registered = client.post("/arbete/barn/ny", data={"csrf_token": token, **form})
    child_page = registered.headers["Location"]
    token = csrf_token_of(client.get(child_page).get_data(as_text=True))
    kiosk = client.post(f"{child_page}/samtal/har", data={"csrf_token": token, "flow": "barn-7-9"})
    assert kiosk.headers["Location"].startswith("/samtal/")
    with client.session_transaction() as cookie:
        cookie["staff"] = {**cookie["staff"], "seen": 0}

    token = csrf_token_of(client.get("/arbete/kiosk/lamna").get_data(as_text=True))
    left = client.post(
        "/arbete/kiosk/lamna", data={"csrf_token": token, "password": STAFF_PASSWORD}
    )
    assert left.headers["Location"] == "/logga-in/kod"
    assert client.get(child_page).status_code == 303  # not signed in by the password alone
    signed_in = post_code(client, "/logga-in/kod", code_after(secret, 1))
    assert signed_in.headers["Location"] == child_page
    assert client.get(child_page).status_code == 200
