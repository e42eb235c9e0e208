"""Languages: Flask-Babel wired in, the locale of the page, and its text direction."""

from __future__ import annotations

from babel import Locale
from flask import Flask, current_app, g
from flask_babel import Babel

RIGHT_TO_LEFT = frozenset({"ar", "fa", "he", "ur", "ps", "ckb"})


def current_locale() -> str:
    """The page's language: the conversation's when there is one, else Swedish."""
    wanted = g.get("locale") or current_app.config["BABEL_DEFAULT_LOCALE"]
    return wanted if wanted in current_app.config["LANGUAGES"] else "sv"


def direction(locale: str) -> str:
    """'rtl' for right-to-left languages, else 'ltr'."""
    return "rtl" if locale.split("_")[0] in RIGHT_TO_LEFT else "ltr"


def language_name(code: str, in_locale: str | None = None) -> str:
    """The language's own name (or its name in another language), from Babel's CLDR data."""
    try:
        return Locale.parse(code).get_display_name(in_locale or code) or code
    except (ValueError, TypeError):
        return code


def init_app(app: Flask) -> None:
    """Install Flask-Babel and the template helpers for language and direction."""
    Babel(app, locale_selector=current_locale)

    @app.context_processor
    def _language_helpers():
        locale = current_locale()
        return {"page_lang": locale, "page_dir": direction(locale), "language_name": language_name}
