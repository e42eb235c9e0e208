"""QR codes as inline SVG, for links a person opens on another device."""

from __future__ import annotations

import segno
from markupsafe import Markup


def qr_svg(url: str, label: str) -> Markup:
    """A QR code of the URL as inline SVG: no style attributes (the CSP forbids them), a text
    alternative for screen readers."""
    code = segno.make_qr(url, error="m")
    svg = code.svg_inline(
        scale=4, border=2, dark="#000", light="#fff", svgclass="qr", lineclass=None, omitsize=True
    )
    assert "style=" not in svg
    # segno's own SVG (no user input); the label goes in through format(), escaped.
    labelled = svg.replace("<svg ", '<svg role="img" aria-label="{}" ', 1)
    return Markup(labelled).format(label)  # noqa: S704
