"""What browser tests check on every page: WCAG A/AA by two engines (axe and
HTML_CodeSniffer), the devices, screenshots."""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
HTMLCS_SCRIPT = ROOT / "node_modules" / "html_codesniffer" / "build" / "HTMLCS.js"


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


# HTMLCS's WCAG2AA standard is WCAG 2.0 with some 2.1 checks (axe knows 2.2 as well). Its
# errors are its sure findings; its warnings and notices ask a person to judge.
# `m.element` is the document itself for page-wide findings, which has no outerHTML.
# Three mistakes of HTMLCS 2.5.1 (the latest) are worked around, nothing else:
# - its autocomplete sniff asks for "…InvalidAutoComplete_…" texts that its catalog spells
#   "…InvalidAutocomplete_…", and the missing text throws, so the run dies on any page with a
#   finding there (https://github.com/squizlabs/HTML_CodeSniffer/issues/296); the lookup
#   falls back to the catalog's spelling;
# - it holds autocomplete="username" to HTML 5.2's Text control group, but the HTML Standard
#   has allowed it on input type=email since 2020 (https://github.com/whatwg/html/pull/5881;
#   axe accepts it), as the staff sign-in form uses it: exactly that finding is dropped;
# - H30.2 ("img is the only content of the link, but is missing alt text") reads only the
#   link's text, so it fails a link named by aria-label around a decorative picture, as the
#   4–6 review's picture links are; aria-label names a link (WCAG technique ARIA8,
#   https://www.w3.org/WAI/WCAG22/Techniques/aria/ARIA8) and HTMLCS's own link-name sniff
#   (H91) accepts it through HTMLCS.util.hasValidAriaLabel, so H30.2 is dropped where that
#   finds a name.
RUN_HTMLCS = """() => new Promise((resolve, reject) => {
    const translate = HTMLCS.getTranslation;
    HTMLCS.getTranslation = function (text) {
        return translate.call(this, text)
            ?? translate.call(this, text.replace('InvalidAutoComplete_', 'InvalidAutocomplete_'));
    };
    const usernameOnEmail = m => m.code.endsWith('.1_3_5.H98')
        && m.msg.startsWith('Invalid autocomplete value: username.')
        && m.element.matches('input[type=email]');
    const namedPictureLink = m => m.code.endsWith('.1_1_1.H30.2')
        && HTMLCS.util.hasValidAriaLabel(m.element);
    HTMLCS.process(
        'WCAG2AA',
        document,
        () => resolve(HTMLCS.getMessages()
            .filter(m => m.type === HTMLCS.ERROR && !usernameOnEmail(m) && !namedPictureLink(m))
            .map(m => ({
                code: m.code,
                message: m.msg,
                html: (m.element.outerHTML || m.element.nodeName)
                    .replace(/\\s+/g, ' ').slice(0, 160),
            }))),
        () => reject(new Error('HTMLCS could not load its WCAG2AA standard')),
        'en',
    );
})"""


@functools.cache
def htmlcs_script() -> str:
    if not HTMLCS_SCRIPT.exists():
        raise FileNotFoundError(f"{HTMLCS_SCRIPT} is missing: run scripts/setup.sh")
    return HTMLCS_SCRIPT.read_text(encoding="utf-8")


def axe_violations(page: Page) -> list[str]:
    results = AXE.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    return [
        f"axe {v['id']}: {v['help']} @ {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
    ]


def htmlcs_violations(page: Page) -> list[str]:
    # Like axe-playwright-python, the script goes in through page.evaluate: the DevTools
    # protocol runs it, outside the page's Content-Security-Policy (script-src 'self' still
    # blocks any script the page loads or makes), so the app's policy stays as in production.
    page.evaluate(htmlcs_script())
    by_code: dict[str, tuple[str, list[str]]] = {}
    for found in page.evaluate(RUN_HTMLCS):
        by_code.setdefault(found["code"], (found["message"], []))[1].append(found["html"])
    return [
        f"HTMLCS {code}: {message} @ {elements[:3]}"
        for code, (message, elements) in by_code.items()
    ]


def violations(page: Page) -> list[str]:
    """WCAG A/AA violations on the page found by axe and by HTMLCS, as readable lines."""
    return axe_violations(page) + htmlcs_violations(page)
