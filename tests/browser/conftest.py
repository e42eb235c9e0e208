"""Browser fixtures: the app served by a real WSGI server thread, driven by Debian's Chromium."""

from __future__ import annotations

import logging
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.browser.checks import EXPECTED_CONSOLE, TABLET
from tests.builders import make_app, start_conversation_in

CHROMIUM = os.environ.get("SAMTAL_CHROMIUM", "/usr/bin/chromium")

pytestmark = pytest.mark.browser


@pytest.fixture(scope="session")
def browser():
    """One Chromium for the whole run."""
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run scripts/setup.sh")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def live_app(tmp_path):
    """The app with its own SQLite file, served over real HTTP on a free loopback port."""
    app = make_app(f"sqlite:///{tmp_path / 'samtal.db'}")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request in the output
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.config["BASE_URL"] = f"http://127.0.0.1:{server.server_port}"
    yield app
    server.shutdown()
    app.extensions["samtal.engine"].dispose()


@pytest.fixture
def start_tablet(live_app):
    """Start a conversation in live_app: start_tablet(flow_id, age) → (conversation id, URL)."""

    def _start(flow_id: str = "barn-4-6", age: int | None = None, language: str = "sv"):
        conversation, path = start_conversation_in(live_app, flow_id, age, language)
        return conversation.id or 0, live_app.config["BASE_URL"] + path

    return _start


@pytest.fixture
def open_page(browser) -> Iterator:
    """open_page(**context options) → a page in a brand-new browser context (TABLET unless told).

    Like `tablet`, every page fails the test on a console error unless `allow_errors=True`
    (for pages that are meant to answer 404).
    """
    contexts: list = []
    errors: list[str] = []

    def _open(allow_errors: bool = False, **options):
        context = browser.new_context(**{**TABLET, "locale": "sv-SE", **options})
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        if not allow_errors:
            page.on(
                "console",
                lambda message: (
                    errors.append(message.text)
                    if message.type == "error" and not EXPECTED_CONSOLE.match(message.text)
                    else None
                ),
            )
            page.on("pageerror", lambda error: errors.append(str(error)))
        return page

    yield _open
    for context in contexts:
        context.close()
    assert not errors, f"console errors: {errors}"


@pytest.fixture
def tablet(open_page):
    """A fresh tablet-sized page with touch; fails the test on any console error."""
    return open_page()
