"""What browser tests check on every page: axe (WCAG 2.2 AA), the devices, screenshots."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


TABLET: dict[str, Any] = {
    "viewport": {"width": 820, "height": 1180},
    "has_touch": True,
    "is_mobile": True,
}


PHONE: dict[str, Any] = {
    "viewport": {"width": 360, "height": 740},
    "has_touch": True,
    "is_mobile": True,
}


# Chromium logs every non-2xx response as a console error. 422 is how the app answers a refused
# answer (the step comes back with a kind message, which htmx swaps in), so it is expected.
EXPECTED_CONSOLE = re.compile(r"^Failed to load resource: .* status of 422")


def screenshot(page, name: str) -> None:
    """Save a full-page screenshot to test-artifacts/ for people to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


AXE = Axe()


def violations(page: Page) -> list[str]:
    """axe's WCAG A/AA violations on the page, as readable lines."""
    results = AXE.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    return [
        f"{v['id']}: {v['help']} @ {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
    ]
