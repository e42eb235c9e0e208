"""Page weight in Chromium: every byte transferred (compressed, headers included) per screen."""

from __future__ import annotations

from playwright.sync_api import Page, Response

from samtal import library
from samtal.conversation import invitations
from samtal.db import get_session
from samtal.models import Child, Conversation
from tests.browser.journey import answer_in_any_language

FIRST_SCREEN_BUDGET = 60 * 1024
NEXT_STEP_BUDGET = 10 * 1024
GUARDIAN_FIRST_SCREEN_BUDGET = 60 * 1024


class Meter:
    """Counts the bytes of every response a page receives."""

    def __init__(self, page: Page):
        self.page = page
        self.total = 0
        self.in_flight = 0
        self.compressed_types: set[str] = set()
        page.on("request", self._started)
        page.on("requestfinished", self._count)
        page.on("requestfailed", self._failed)

    def _started(self, _request) -> None:
        self.in_flight += 1

    def _failed(self, _request) -> None:
        self.in_flight -= 1

    def settle(self) -> None:
        """Wait until nothing has been loading for a moment (the screen is complete)."""
        quiet = 0
        while quiet < 3:
            self.page.wait_for_timeout(100)
            quiet = quiet + 1 if self.in_flight == 0 else 0

    def _count(self, request) -> None:
        self.in_flight -= 1
        sizes = request.sizes()
        self.total += sizes["responseBodySize"] + sizes["responseHeadersSize"]
        response: Response | None = request.response()
        if response and response.header_value("content-encoding"):
            self.compressed_types.add(response.header_value("content-type").split(";")[0])

    def take(self) -> int:
        """Bytes since the last take, once the screen has finished loading."""
        self.settle()
        total, self.total = self.total, 0
        return total


def test_child_conversation_stays_within_its_byte_budget(open_page, start_tablet, capsys):
    """The first screen is at most 60 KB with everything, each next step at most 10 KB."""
    page = open_page()
    meter = Meter(page)
    _id, url = start_tablet("barn-7-9", age=8)
    page.goto(url)
    page.wait_for_load_state("networkidle")
    first = meter.take()
    steps: list = []
    while page.locator("form.answer").count() and len(steps) < 60:
        answer_in_any_language(page)
        steps.append(meter.take())
    with capsys.disabled():
        print(
            f"\npage weight: first child screen {first / 1024:.1f} KB; next steps max "
            f"{max(steps) / 1024:.1f} KB, mean {sum(steps) / len(steps) / 1024:.1f} KB "
            f"over {len(steps)} steps; compressed: {sorted(meter.compressed_types)}"
        )
    assert first <= FIRST_SCREEN_BUDGET
    assert max(steps) <= NEXT_STEP_BUDGET
    assert {"text/html", "text/css", "text/javascript"} & meter.compressed_types


def test_guardian_first_screen_on_a_phone_is_light(open_page, live_app, start_tablet, capsys):
    """A guardian's first screen on a phone is at most 60 KB with everything it loads."""
    conversation_id, _url = start_tablet("barn-7-9", age=8)
    with live_app.test_request_context():
        db = get_session()
        issued = invitations.issue(
            session=db,
            child=db.get(Child, db.get(Conversation, conversation_id).child_id),
            flow=library.flows().for_audience("guardian")[0],
            guardian_name="Förälder",
            language="ar",
        )
    page = open_page(viewport={"width": 360, "height": 740})
    meter = Meter(page)
    page.goto(f"{live_app.config['BASE_URL']}/v/{issued.token}/")
    page.wait_for_load_state("networkidle")
    first = meter.take()
    with capsys.disabled():
        print(f"\npage weight: guardian first screen (phone, Arabic) {first / 1024:.1f} KB")
    assert first <= GUARDIAN_FIRST_SCREEN_BUDGET
