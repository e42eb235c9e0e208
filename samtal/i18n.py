"""Languages: Flask-Babel wired in, the locale of the page, and its text direction."""

from __future__ import annotations

import tomllib
import unicodedata
from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale, support
from flask import Flask, current_app, g, has_request_context, request
from flask_babel import Babel, Domain, get_locale, gettext
from jinja2 import pass_context
from markupsafe import Markup

RIGHT_TO_LEFT = frozenset({"ar", "fa", "he", "ur", "ps", "ckb"})


# The staff pages' blueprints: they speak the configured STAFF_LANGUAGE.
STAFF_BLUEPRINTS = frozenset({"auth", "workspace", "summary", "admin", "two_factor", "sso"})


def current_locale() -> str:
    """The page's language: the conversation's when there is one, the staff language on staff
    pages, else Swedish."""
    wanted = g.get("locale")
    if not wanted and has_request_context() and request.blueprint in STAFF_BLUEPRINTS:
        wanted = current_app.config["STAFF_LANGUAGE"]
    wanted = wanted or current_app.config["BABEL_DEFAULT_LOCALE"]
    return wanted if wanted in current_app.config["LANGUAGES"] else "sv"


def direction(locale: str) -> str:
    """'rtl' for right-to-left languages, else 'ltr'."""
    return "rtl" if locale.split("_")[0] in RIGHT_TO_LEFT else "ltr"


def text_direction(text: str | None) -> str:
    """'rtl' when a text's first strong character is right-to-left, else 'ltr'.

    What dir="auto" means to a browser, worked out here because WeasyPrint (the PDFs) does not
    read dir="auto": without it an Arabic answer inside a Swedish page gets its punctuation and
    quotation marks at the wrong ends.
    """
    for character in text or "":
        kind = unicodedata.bidirectional(character)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return "ltr"


def isolated(text: str | None) -> Markup:
    """A name or other family-written text set apart from the sentence around it (<bdi>), with
    its own direction."""
    return Markup('<bdi dir="{}">{}</bdi>').format(text_direction(text), text or "")


def language_name(code: str, in_locale: str | None = None) -> str:
    """The language's own name (or its name in another language), from Babel's CLDR data."""
    try:
        return Locale.parse(code).get_display_name(in_locale or code) or code
    except (ValueError, TypeError):
        return code


class FamiliesPluralDomain(Domain):
    """Flask-Babel's message domain, keeping the plural rule of the families' catalogs.

    Flask-Babel merges the catalog of every translation directory and takes the plural rule
    of the last one read (a directory without the language brings "n != 1"). The staff
    catalogs and a municipality's own wheels are read after the families' ones, so without
    this Persian (one plural form) would show the Swedish plural.
    """

    def get_translations(self):
        """The merged catalogs (cached by Flask-Babel) with the families' plural rule."""
        translations = super().get_translations()
        if not getattr(translations, "families_plural", False):
            families = support.Translations.load(
                self.translation_directories[0], [get_locale()], self.domain[0]
            )
            if isinstance(families, support.Translations):
                translations.plural = families.plural
            translations.families_plural = True
        return translations


def init_app(app: Flask) -> None:
    """Install Flask-Babel and the template helpers for language and direction."""
    babel = Babel(app, locale_selector=current_locale)
    babel.domain_instance = FamiliesPluralDomain()
    # The staff pages' own catalogs (i18n/staff/<lang>), merged after the families' ones.
    staff = Path(app.config["BABEL_TRANSLATION_DIRECTORIES"]) / "staff"
    if staff.is_dir():
        app.extensions["babel"].translation_directories.append(str(staff))
    _fill_role_in_templates(app)
    # A stored Swedish text (a flow's, a framework's) in the page's language, the role named
    # as the installation calls it; plain text, so the template escapes it.
    app.jinja_env.filters["tr"] = lambda text: with_role(gettext(text)) if text else text
    app.jinja_env.filters["text_direction"] = text_direction
    app.jinja_env.filters["isolated"] = isolated

    @app.context_processor
    def _language_helpers():
        locale = current_locale()
        return {
            "page_lang": locale,
            "page_dir": direction(locale),
            "language_name": language_name,
            "both": both,
            "age_band": age_band,
        }


def _fill_role_in_templates(app: Flask) -> None:
    """Templates' _() fills %(role)s itself: a flow text may name the role with the placeholder,
    and Jinja's gettext formats every text with the variables it is given."""
    translate: Any = app.jinja_env.globals["gettext"]

    @pass_context
    def gettext_with_role(context, string, **variables):
        if ROLE_PLACEHOLDER in string and "role" not in variables:
            variables["role"] = current_app.extensions["samtal.role_name"](None)
        return translate(context, string, **variables)

    app.jinja_env.globals["gettext"] = gettext_with_role


def age_band(flow) -> str:
    """A flow's age band for adults, e.g. '7–9 år', in the page's language."""
    return gettext("%(first)d–%(last)d år", first=flow.ages[0], last=flow.ages[1])


def catalog_status(language: str) -> dict[str, str]:
    """A catalog's review status from i18n/catalogs.toml (source, reviewed or not reviewed)."""
    path = Path(current_app.config["BABEL_TRANSLATION_DIRECTORIES"]) / "catalogs.toml"
    catalogs = _read_catalogs(str(path))
    return catalogs.get(language, {"status": "not-reviewed"})


@cache
def _read_catalogs(path: str) -> dict[str, dict[str, str]]:
    file = Path(path)
    if not file.exists():
        return {}
    return tomllib.loads(file.read_text("utf-8"))


def translation_notice(language: str) -> Markup | None:
    """For the adult: a notice when the session runs in a catalog no human translator reviewed."""
    if language == "sv" or catalog_status(language).get("status") in ("source", "reviewed"):
        return None
    return both("Den här översättningen är inte granskad av en människa ännu.")


ROLE_PLACEHOLDER = "%(role)s"


def with_role(text: str, language: str | None = None) -> str:
    """A text with %(role)s filled in: the contact role's name as this installation calls it.

    The name comes from the admin's settings, which sit above this module; create_app hands
    the function over as app.extensions["samtal.role_name"].
    """
    if ROLE_PLACEHOLDER not in text:
        return text
    return text.replace(ROLE_PLACEHOLDER, current_app.extensions["samtal.role_name"](language))


def both(source: str) -> Markup:
    """A flow text in the page's language, with the Swedish source beside it when they differ."""
    translated = with_role(gettext(source))
    source = with_role(source, "sv")
    if current_locale() == "sv" or translated == source:
        return Markup("{}").format(translated)
    return Markup(
        '<span class="own-language">{}</span> '
        '<span class="swedish-beside" lang="sv" dir="ltr">{}</span>'
    ).format(translated, source)
