"""The person always knows whether their tap was saved (issue 12, finding 6): with the
server stopped, and with a database that refuses writes, the tablet says so kindly, keeps
the choice on screen, and "Försök igen" stores the answer once when the server is back."""

from __future__ import annotations

import logging
import threading

import pytest
from playwright.sync_api import expect
from sqlalchemy import event
from sqlmodel import select
from werkzeug.serving import make_server

from samtal.conversation import records as recording
from samtal.db import get_session
from samtal.models import WebSession
from samtal.staff import accounts
from tests.browser.checks import screenshot
from tests.browser.journey import button, question, tap
from tests.builders import STAFF_PASSWORD, csrf_token_of, login, make_app, start_conversation_in

NOT_SAVED = "Ditt svar sparades inte. Det är inte ditt fel. Försök igen."


class Served:
    """The app on a loopback port that can be stopped and started again on the same port."""

    def __init__(self, app):
        self.app, self.port, self.server = app, 0, None
        self.start()

    def start(self) -> None:
        self.server = make_server("127.0.0.1", self.port, self.app, threaded=True)
        self.port = self.server.server_port
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        assert self.server is not None
        self.server.shutdown()
        self.server.server_close()
        self.server = None


@pytest.fixture
def served(tmp_path):
    """The app with its own SQLite file, served so that the test can stop and start it."""
    app = make_app(f"sqlite:///{tmp_path / 'samtal.db'}")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = Served(app)
    app.config["BASE_URL"] = f"http://127.0.0.1:{server.port}"
    yield server
    if server.server is not None:
        server.stop()
    app.extensions["samtal.engine"].dispose()


def stored(app, conversation_id: int, step_id: str) -> list:
    """Every stored revision of a step's answer."""
    with app.app_context():
        return recording.history(get_session(), conversation_id, step_id)


def open_tablet(served: Served, open_page):
    """The child's screen of a new conversation, at its first question."""
    conversation, path = start_conversation_in(served.app, "barn-4-6")
    page = open_page(allow_errors=True)  # the failed requests are logged by Chromium
    page.goto(served.app.config["BASE_URL"] + path)
    expect(button(page, "Ja")).to_be_visible()
    return conversation.id or 0, page


def expect_told_and_kept(page) -> None:
    """The kind message with its button; the question is still the same one."""
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text(NOT_SAVED)
    expect(page.get_by_role("button", name="Försök igen")).to_be_focused()
    expect(button(page, "Ja")).to_be_visible()


def test_a_tap_with_the_server_stopped_is_said_and_tried_again(served, open_page):
    """No server: the message shows, the choice stays; once it is back, one answer."""
    conversation_id, page = open_tablet(served, open_page)
    before = question(page).inner_text()
    served.stop()
    button(page, "Ja").tap()
    expect_told_and_kept(page)
    expect(question(page)).to_have_text(before)
    screenshot(page, "save-failed-server-stopped")
    served.start()
    page.get_by_role("button", name="Försök igen").tap()
    expect(question(page)).not_to_have_text(before)
    assert [row.value for row in stored(served.app, conversation_id, "hej")] == ["ja"]


def test_a_tap_the_database_refuses_is_said_and_tried_again(served, open_page):
    """A read-only database (a full disk answers the same way): a 500, said kindly; the
    retry after the database takes writes again stores the answer once."""
    conversation_id, page = open_tablet(served, open_page)
    before = question(page).inner_text()
    engine = served.app.extensions["samtal.engine"]

    def read_only(connection, _record):
        connection.execute("PRAGMA query_only=ON")

    event.listen(engine, "connect", read_only)
    engine.dispose()
    button(page, "Ja").tap()
    expect_told_and_kept(page)
    assert stored(served.app, conversation_id, "hej") == []
    event.remove(engine, "connect", read_only)
    engine.dispose()
    page.get_by_role("button", name="Försök igen").tap()
    expect(question(page)).not_to_have_text(before)
    assert [row.value for row in stored(served.app, conversation_id, "hej")] == ["ja"]
    tap(page, "Bra")


def test_autosave_after_the_timeout_says_not_saved_and_keeps_the_text(served, open_page):
    """Finding 5: once the sign-in has run out, typing in the summary shows "Inte sparat —
    logga in igen, texten finns kvar." (never a stale "Sparat"), and after signing in again
    the text is there."""
    app = served.app
    with app.app_context():
        staff = accounts.create_staff(
            session=get_session(),
            email="bk@kommun.example",
            name="Bo",
            role="barnkontakt",
            password=STAFF_PASSWORD,
        )
    setup = app.test_client()
    login(setup, staff.email)
    form = setup.get("/arbete/barn/ny").get_data(as_text=True)
    registered = setup.post(
        "/arbete/barn/ny",
        data={
            "csrf_token": csrf_token_of(form),
            "name": "Sam Berg",
            "birth_date": "2017-05-04",
            "language": "sv",
            "guardian1_name": "Amira Berg",
            "guardian1_language": "sv",
        },
    )
    summary = f"{app.config['BASE_URL']}{registered.headers['Location']}/sammanstallning"
    page = open_page(allow_errors=True, viewport={"width": 1280, "height": 900})
    page.goto(f"{app.config['BASE_URL']}/logga-in")
    page.get_by_label("E-postadress").fill(staff.email)
    page.get_by_label("Lösenord").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.goto(summary)
    with app.app_context():
        db = get_session()
        for row in db.exec(select(WebSession).where(WebSession.staff_id == staff.id)).all():
            row.data = {**row.data, "staff": {**row.data["staff"], "seen": 0}}
            db.add(row)
        db.commit()
    page.get_by_label("Vad står i vägen för barnets välbefinnande?").fill("Skrivet efter paus")
    status = page.locator("#sparat")
    expect(status).to_have_text("Inte sparat — logga in igen, texten finns kvar.", timeout=15_000)
    screenshot(page, "autosave-signed-out")
    page.goto(f"{app.config['BASE_URL']}/logga-in")
    page.get_by_label("E-postadress").fill(staff.email)
    page.get_by_label("Lösenord").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    expect(page.get_by_label("Vad står i vägen för barnets välbefinnande?")).to_have_value(
        "Skrivet efter paus"
    )
