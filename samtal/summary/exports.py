"""Exports of a summary: the JSON document (schema/summary-v1.schema.json) and the PDF.

The JSON is for import into other systems (e.g. Barnets plan in a journal system); the PDF is
rendered on the server by WeasyPrint from the same template as the print view, with nothing
fetched from anywhere: pictures are inline SVG and the stylesheet is handed over as text.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Collection, Mapping
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from samtal import library
from samtal.config import shipped
from samtal.models import SummaryVersion, utcnow
from samtal.summary import store
from samtal.summary.deidentify import deidentify
from samtal.summary.sharing import prepare

SCHEMA_VERSION = "1.2"
SCHEMA_FILE = shipped("schema") / "summary-v1.schema.json"


def _moment(value: datetime) -> str:
    """An ISO 8601 timestamp; stored times are UTC (SQLite gives them back without zone)."""
    aware = value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.replace(microsecond=0).isoformat()


def asks_sharing(content: Mapping[str, Any]) -> bool:
    """Whether the child's flow asked the young person what guardians may see."""
    header = content.get("header", {})
    flow_id = header.get("flow")
    flow = library.flows().get(str(flow_id), header.get("flow_version")) if flow_id else None
    return flow is not None and any(step.kind == "sharing" for step in flow.outro)


def document(
    content: Mapping[str, Any],
    *,
    signed: SummaryVersion | None,
    signed_by: str | None = None,
    audience: str = "staff",
    areas: Collection[str] | None = None,
) -> dict[str, Any]:
    """The export document: the summary as its audience may have it, why anything is
    missing, and its signature."""
    sharing = audience != "staff"
    summary, missing = prepare(
        content, audience=audience, areas=areas, asks_sharing=asks_sharing(content)
    )
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
        "audience": audience,
        "missing": missing,
        "summary_hash": store.content_hash(summary),
        "exported_at": _moment(utcnow()),
        "summary": summary,
    }


def consultation_document(
    content: Mapping[str, Any], *, signed: SummaryVersion | None, approved: Collection[str]
) -> dict[str, Any]:
    """The de-identified export for a consultation: no one named, only approved free text."""
    summary = deidentify(content, approved)
    _shown, missing = prepare(content, audience="staff")
    found = document(content, signed=signed, signed_by="")
    found.update(
        shared=True,
        audience="consultation",
        missing=missing,
        summary=summary,
        summary_hash=store.content_hash(summary),
    )
    return found


def to_json(document_: Mapping[str, Any]) -> str:
    """The document as pretty, UTF-8 JSON text."""
    return json.dumps(document_, ensure_ascii=False, indent=2, sort_keys=False) + "\n"


@cache
def schema() -> dict[str, Any]:
    """The JSON Schema the export follows."""
    return json.loads(SCHEMA_FILE.read_text("utf-8"))


# Pictures in the PDF are <img> elements with these addresses, served by the fetcher below:
# the registry's pictures, drawn once per document however often they appear, and the
# document's own figures (the wheel), handed over with the HTML. Styling the elements of an
# inline SVG costs WeasyPrint as much as the rest of a page. Nothing else is fetched.
PICTURE_ADDRESS = "samtal-bild:"
FIGURE_ADDRESS = "samtal-figur:"
DRAWING_ADDRESS = "samtal-teckning:"

# Every PDF is tagged for screen readers and says it follows PDF/UA-1; WeasyPrint writes one
# conformance at a time, so an archival copy is PDF/A-2a (level A: tagged, Unicode text) and
# carries PDF/UA-1's identification beside it in its XMP metadata.
ACCESSIBLE = "pdf/ua-1"
ARCHIVAL = "pdf/a-2a"
_UA_IDENTIFICATION = (
    b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b'<rdf:Description rdf:about="" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/">'
    b"<pdfuaid:part>1</pdfuaid:part></rdf:Description></rdf:RDF>"
)
UA_IDENTIFICATION_ADDRESS = "samtal-xmp:pdfua"  # WeasyPrint fetches XMP parts by address


def picture_address(picture_id: str) -> str:
    """Where the PDF's fetcher finds a picture of the registry."""
    return PICTURE_ADDRESS + picture_id


def drawing_address(drawing_id: int) -> str:
    """Where the PDF's fetcher finds a child's drawing handed to render_pdf."""
    return f"{DRAWING_ADDRESS}{drawing_id}"


def picture_alt(picture_id: str) -> str:
    """A registry picture's (Swedish) text alternative: a tagged PDF needs one on every image."""
    picture = library.pictures().get(picture_id)
    return picture.alt if picture else ""


def figure_address(name: str) -> str:
    """Where the PDF's fetcher finds a figure handed to render_pdf under this name."""
    return FIGURE_ADDRESS + name


def _local_fetcher(figures: Mapping[str, str], drawings: Mapping[str, bytes] | None = None) -> Any:
    """A URL fetcher that serves the registry's pictures, these figures and drawings and
    fetches nothing from any address: a summary PDF never reaches out."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class LocalOnly(URLFetcher):
        def fetch(self, url, headers=None):  # type: ignore[override]
            name = url.partition(":")[2]  # every address ends at its first colon
            if url.startswith(DRAWING_ADDRESS) and drawings and name in drawings:
                png = drawings[name]
                return URLFetcherResponse(url, body=png, headers={"Content-Type": "image/png"})
            if url.startswith(FIGURE_ADDRESS) and name in figures:
                svg = figures[name].encode("utf-8")
            elif url.startswith(PICTURE_ADDRESS) and name in (pictures := library.pictures()):
                svg = pictures[name].svg
            elif url == UA_IDENTIFICATION_ADDRESS:
                return URLFetcherResponse(url, body=_UA_IDENTIFICATION)
            else:
                raise ValueError(f"not fetched: {url}")
            return URLFetcherResponse(url, body=svg, headers={"Content-Type": "image/svg+xml"})

    return LocalOnly()


# The shared stylesheet is written for browsers; WeasyPrint warns about every screen-only rule
# in it. Those warnings say nothing about the document, so only its errors are logged (set once
# for the process: a level changed and restored around each render races between threads).
logging.getLogger("weasyprint").setLevel(logging.ERROR)

_FLEX_RULE = re.compile(r"([^{}]+)\{([^{}]*display:\s*(inline-)?flex[^{}]*)\}")


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


@cache
def _parsed_stylesheet(path: str, modified: float) -> Any:
    """The PDF stylesheet parsed once per process (and again when the file changes): parsing
    and compiling its selectors is a sixth of a render. WeasyPrint only reads it afterwards."""
    from weasyprint import CSS

    del modified  # only part of the cache key
    return CSS(string=pdf_stylesheet(path), url_fetcher=_local_fetcher({}))


_per_thread = threading.local()


def _font_configuration() -> Any:
    """This thread's WeasyPrint font configuration. Made afresh for each render it costs a
    sixth of the render (fonts are looked up and measured again); Pango's font maps are not
    safe to share between threads, so each server thread keeps its own."""
    from weasyprint.text.fonts import FontConfiguration

    if not hasattr(_per_thread, "fonts"):
        _per_thread.fonts = FontConfiguration()
    return _per_thread.fonts


def render_pdf(
    html: str,
    stylesheet: Path,
    figures: Mapping[str, str] | None = None,
    drawings: Mapping[str, bytes] | None = None,
    *,
    archival: bool = False,
) -> bytes:
    """The page as a tagged PDF (A4, print media, the language of <html lang>), rendered by
    WeasyPrint without any network; archival: PDF/A-2a as well, for a signed copy.

    figures: SVG documents the page shows as <img src="{figure_address(name)}">; drawings: PNGs
    it shows as <img src="{drawing_address(id)}">, by id.
    """
    from weasyprint import HTML

    css = _parsed_stylesheet(str(stylesheet), stylesheet.stat().st_mtime)
    page = HTML(
        string=html, url_fetcher=_local_fetcher(figures or {}, drawings), media_type="print"
    )
    pdf = page.write_pdf(
        stylesheets=[css],
        presentational_hints=True,  # the pictures' width and height
        font_config=_font_configuration(),
        pdf_variant=ARCHIVAL if archival else ACCESSIBLE,
        xmp_metadata=[UA_IDENTIFICATION_ADDRESS] if archival else None,
    )
    assert pdf is not None
    return pdf
