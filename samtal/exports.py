"""Exports of a summary: the JSON document (schema/summary-v1.schema.json) and the PDF.

The JSON is for import into other systems (e.g. Barnets plan in a journal system); the PDF is
rendered on the server by WeasyPrint from the same template as the print view, with nothing
fetched from anywhere: pictures are inline SVG and the stylesheet is handed over as text.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from samtal import summary_store
from samtal.models import SummaryVersion, utcnow
from samtal.summary import for_sharing

SCHEMA_VERSION = "1.0"
SCHEMA_FILE = Path(__file__).resolve().parent.parent / "schema" / "summary-v1.schema.json"


def _moment(value: datetime) -> str:
    """An ISO 8601 timestamp; stored times are UTC (SQLite gives them back without zone)."""
    aware = value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.replace(microsecond=0).isoformat()


def document(
    content: Mapping[str, Any],
    *,
    signed: SummaryVersion | None,
    signed_by: str | None = None,
    sharing: bool = False,
) -> dict[str, Any]:
    """The export document: the summary (for sharing: only what may leave) and its signature."""
    summary = for_sharing(content) if sharing else dict(content)
    return {
        "schema": "samtal-summary",
        "version": SCHEMA_VERSION,
        "status": "signed" if signed is not None else "draft",
        "signature": (
            {
                "number": signed.number,
                "signed_at": _moment(signed.signed_at),
                "signed_by": signed_by or "",
                "hash_algorithm": "sha256",
                "content_hash": signed.content_hash,
            }
            if signed is not None
            else None
        ),
        "shared": sharing,
        "summary_hash": summary_store.content_hash(summary),
        "exported_at": _moment(utcnow()),
        "summary": summary,
    }


def to_json(document_: Mapping[str, Any]) -> str:
    """The document as pretty, UTF-8 JSON text."""
    return json.dumps(document_, ensure_ascii=False, indent=2, sort_keys=False) + "\n"


@cache
def schema() -> dict[str, Any]:
    """The JSON Schema the export follows."""
    return json.loads(SCHEMA_FILE.read_text("utf-8"))


def _refusing_fetcher() -> Any:
    """A URL fetcher that fetches nothing: a summary PDF never reaches out to any address."""
    try:
        from weasyprint.urls import URLFetcher
    except ImportError:  # older WeasyPrint: a plain function is the fetcher

        def refuse(url: str, *args: Any, **kwargs: Any) -> Any:
            raise ValueError(f"not fetched: {url}")

        return refuse

    class Refusing(URLFetcher):
        def fetch(self, url, headers=None):  # type: ignore[override]
            raise ValueError(f"not fetched: {url}")

    return Refusing()


_FLEX_RULE = re.compile(r"([^{}]+)\{([^{}]*display:\s*(inline-)?flex[^{}]*)\}")


@cache
def pdf_stylesheet(path: str) -> str:
    """The shared stylesheet for the PDF, every flex container laid out as a block.

    WeasyPrint spends most of a summary's render time on flexbox; on paper the blocks read
    the same, and the side-by-side parts are tables already in the print rules.
    """
    css = Path(path).read_text("utf-8")
    overrides = [
        f"{selectors.strip()} {{ display: {'inline-block' if inline else 'block'}; }}"
        for selectors, _body, inline in _FLEX_RULE.findall(css)
        if not selectors.strip().startswith("@")
    ]
    return css + "\n" + "\n".join(overrides)


def render_pdf(html: str, stylesheet: Path) -> bytes:
    """The page as PDF (A4, print media), rendered by WeasyPrint without any network."""
    from weasyprint import CSS, HTML

    fetcher = _refusing_fetcher()
    # The shared stylesheet is written for browsers; WeasyPrint warns about every screen-only
    # rule in it. Those warnings say nothing about the document, so only errors are logged.
    logger = logging.getLogger("weasyprint")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        css = CSS(string=pdf_stylesheet(str(stylesheet)), url_fetcher=fetcher)
        pdf = HTML(string=html, url_fetcher=fetcher, media_type="print").write_pdf(
            stylesheets=[css]
        )
    finally:
        logger.setLevel(level)
    assert pdf is not None
    return pdf
