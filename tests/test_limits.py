"""Attempt limits under real concurrency (issue 12, findings 4, 10, 11): forty requests at
once over real HTTP, on SQLite and PostgreSQL; at most the limit is ever tried."""

from __future__ import annotations

import re

from sqlmodel import select

from samtal import library
from samtal.conversation import invitations
from samtal.db import get_session
from samtal.models import AuditEntry, Child
from samtal.staff import accounts
from tests.builders import (
    AT_ONCE,
    STAFF_PASSWORD,
    at_once,
    csrf_token_of,
    http,
    login,
    make_app,
    session_cookie,
)


def actions(app, action: str) -> int:
    """How many audit entries carry this action."""
    with app.app_context():
        rows = get_session().exec(select(AuditEntry).where(AuditEntry.action == action)).all()
        return len(rows)


def login_page(base: str) -> tuple[str, str]:
    """A fresh browser's session cookie and the login form's CSRF token."""
    page = http(f"{base}/logga-in")
    cookie = session_cookie(page)
    assert cookie
    return cookie, csrf_token_of(page.text)


def staff_in(app, email: str = "bk@kommun.example"):
    """A barnkontakt account made with the app's own service function."""
    with app.app_context():
        return accounts.create_staff(
            session=get_session(),
            email=email,
            name="Bo Barnkontakt",
            role="barnkontakt",
            password=STAFF_PASSWORD,
        )


def test_forty_wrong_passwords_at_once_try_at_most_five(any_database_url, serve):
    """Finding 4: the account's five tries hold when forty arrive together."""
    app = make_app(any_database_url, LOGIN_ADDRESS_ATTEMPTS=1000)
    try:
        base = serve(app)
        staff = staff_in(app)
        cookie, token = login_page(base)
        answers = at_once(
            lambda i: http(
                f"{base}/logga-in",
                {"csrf_token": token, "email": staff.email, "password": f"fel lösenord {i}"},
                cookie,
            )
        )
        assert {a.status for a in answers} == {401}
        # Forty arrived, so the limit is reached exactly: no more tried, and none lost.
        assert actions(app, "login_failed") == app.config["LOGIN_ATTEMPTS"]
        right = http(
            f"{base}/logga-in",
            {"csrf_token": token, "email": staff.email, "password": STAFF_PASSWORD},
            cookie,
        )
        assert right.status == 401  # locked now, even for the right password
    finally:
        app.extensions["samtal.engine"].dispose()


def test_forty_sign_ins_from_one_address_try_at_most_the_address_limit(any_database_url, serve):
    """Finding 4: the address limit (20 in 15 minutes) holds when forty arrive together."""
    app = make_app(any_database_url)
    try:
        base = serve(app)
        cookie, token = login_page(base)
        answers = at_once(
            lambda i: http(
                f"{base}/logga-in",
                {"csrf_token": token, "email": f"okand{i}@kommun.example", "password": "x" * 12},
                cookie,
            )
        )
        limit = app.config["LOGIN_ADDRESS_ATTEMPTS"]
        assert actions(app, "login_failed") == limit
        assert sum(a.status == 429 for a in answers) == AT_ONCE - limit
    finally:
        app.extensions["samtal.engine"].dispose()


def test_forty_guardian_codes_at_once_try_at_most_five(any_database_url, serve):
    """Finding 4: a guardian's six-digit code allows five tries, also forty at once."""
    app = make_app(any_database_url)
    try:
        base = serve(app)
        with app.test_request_context():
            db = get_session()
            child = Child(name="Sam", birth_year=2016)
            db.add(child)
            db.commit()
            issued = invitations.issue(
                session=db,
                child=child,
                flow=library.flows().get("vardnadshavare"),
                guardian_name="Amira",
                language="sv",
                with_code=True,
            )
        path = f"{base}/v/{issued.token}/"
        page = http(path)
        cookie = session_cookie(page)
        token = csrf_token_of(page.text)
        wrong = "000000" if issued.code != "000000" else "111111"
        answers = at_once(
            lambda _i: http(f"{path}kod", {"csrf_token": token, "code": wrong}, cookie)
        )
        tried = sum(a.status == 422 for a in answers)
        # Four wrong tries are told to try again; the fifth locks it, like one after another.
        assert tried == invitations.MAX_CODE_ATTEMPTS - 1, tried
        assert {a.status for a in answers} <= {422, 429}
        right = http(f"{path}kod", {"csrf_token": token, "code": issued.code}, cookie)
        assert right.status == 429  # locked: not even the right code opens it now
    finally:
        app.extensions["samtal.engine"].dispose()


def test_the_kiosk_cannot_lock_the_barnkontakts_account(app, staff_client):
    """Finding 10: wrong passwords on the child's screen keep it locked, but the account
    itself still signs in anywhere else."""
    client, staff = staff_client("barnkontakt")
    page = client.get("/arbete/barn/ny").get_data(as_text=True)
    registered = client.post(
        "/arbete/barn/ny",
        data={
            "csrf_token": csrf_token_of(page),
            "name": "Sam Berg",
            "birth_date": "2017-05-04",
            "language": "sv",
            "guardian1_name": "Amira Berg",
            "guardian1_language": "sv",
        },
    )
    child_page = registered.headers["Location"]
    page = client.get(child_page).get_data(as_text=True)
    started = client.post(
        f"{child_page}/samtal/har", data={"csrf_token": csrf_token_of(page), "flow": "barn-7-9"}
    )
    assert started.headers["Location"].startswith("/samtal/")
    for _ in range(app.config["LOGIN_ATTEMPTS"] + 2):
        leave = client.get("/arbete/kiosk/lamna").get_data(as_text=True)
        wrong = client.post(
            "/arbete/kiosk/lamna", data={"csrf_token": csrf_token_of(leave), "password": "gissat"}
        )
        assert wrong.status_code == 401
    elsewhere = app.test_client()
    assert login(elsewhere, staff.email).status_code == 303
    assert client.get(child_page).status_code == 303  # the child's screen stays locked


def test_locked_and_unknown_accounts_read_the_same(client, make_staff):
    """Finding 11: the page never tells whether an address has an account."""
    staff = make_staff()
    for _ in range(5):
        login(client, staff.email, "fel lösenord")
    locked = login(client, staff.email, STAFF_PASSWORD)
    unknown = login(client, "ingen@kommun.example", STAFF_PASSWORD)
    assert locked.status_code == unknown.status_code == 401

    def message(response) -> str:
        found = re.search(r'<p class="error"[^>]*>(.*?)</p>', response.get_data(as_text=True))
        assert found
        return found.group(1)

    assert message(locked) == message(unknown)
