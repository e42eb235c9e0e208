"""Response headers: a strict Content-Security-Policy and long caching of static files."""

from __future__ import annotations

import hmac
import secrets

from flask import Flask, flash, redirect, request, session
from flask.typing import ResponseReturnValue
from flask.wrappers import Response
from flask_babel import gettext as _
from flask_compress import Compress

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "media-src 'self'",
        "connect-src 'self'",
        "font-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]
)
ONE_YEAR = 365 * 24 * 3600
# Only these serve content addressed by its hash; a page with ?v= added is still a page.
VERSIONED_ENDPOINTS = frozenset({"static", "web.picture"})


def init_app(app: Flask) -> None:
    """Compress responses and add the security and caching headers to every response."""
    Compress(app)
    app.jinja_env.globals["csrf_token"] = csrf_token

    @app.after_request
    def _headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("X-Content-Type-Options", "nosniff")
        if (
            request.args.get("v")
            and response.status_code == 200
            and request.endpoint in VERSIONED_ENDPOINTS
        ):
            # Versioned URLs (?v=<content hash>) never change content: cache them for a year.
            # They are files, not pages: the short policy keeps every picture's headers small.
            headers["Cache-Control"] = f"public, max-age={ONE_YEAR}, immutable"
            headers.setdefault("Content-Security-Policy", "default-src 'none'")
            return response
        if "Cache-Control" not in headers:
            # Pages hold a child's answers: never keep them in a shared or back-forward cache.
            headers["Cache-Control"] = "no-store"
        if response.status_code in (301, 302, 303, 307, 308):
            response.set_data(b"")  # the Location header says it all
        # Fragments too: one opened on its own (or by another site) is a page like any other.
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("Referrer-Policy", "no-referrer")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response


def csrf_token() -> str:
    """The session's CSRF token for forms outside the child's step forms."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(24)
    return session["csrf"]


def check_csrf() -> bool:
    """True when the POST carries the session's CSRF token."""
    sent = request.form.get("csrf_token", "")
    return bool(sent) and hmac.compare_digest(sent, session.get("csrf", ""))


def refuse_stale_form(back: str) -> ResponseReturnValue | None:
    """None when the POST carries the session's CSRF token; else a redirect back saying why."""
    if check_csrf():
        return None
    flash(_("Sidan var för gammal. Försök igen."))
    return redirect(back, code=303)
