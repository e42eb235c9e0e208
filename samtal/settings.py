"""Settings an admin changes at run time: area labels and order, retention, languages offered.

Each lives in one Setting row, read once per request (several app processes share the
database, so nothing is cached across requests):

- "areas:<framework_id>" = {"areas": [{"id": …, "label": …}, …]} in the order to show them;
- "retention" = {"months": n};
- "languages" = {"codes": [...]} (a subset of the app's LANGUAGES; Swedish always);
- "framework" = {"id": …, "role_names": {"sv": …, "en": …}}: the installation's framework and
  the contact role's name in each language.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from flask import current_app, g
from flask_babel import gettext
from markupsafe import Markup
from sqlmodel import Session

from samtal import library
from samtal.db import get_session
from samtal.flows import Area, Flow, FlowLibrary, Framework
from samtal.i18n import current_locale
from samtal.models import Setting

DEFAULT_RETENTION_MONTHS = 24
MIN_RETENTION_MONTHS = 1
MAX_RETENTION_MONTHS = 240
MAX_AREA_LABEL = 40


class SettingRefused(ValueError):
    """A setting that cannot be saved as asked; the message is for the admin, in Swedish."""


def read(session: Session, key: str) -> dict[str, Any] | None:
    """A setting's value, read once per request; None when it is not set."""
    cache: dict[str, dict[str, Any] | None] = g.setdefault("samtal_settings", {})
    if key not in cache:
        row = session.get(Setting, key)
        cache[key] = dict(row.value) if row is not None else None
    return cache[key]


def write(session: Session, key: str, value: dict[str, Any] | None) -> None:
    """Store (or, with None, remove) a setting and commit."""
    row = session.get(Setting, key)
    if value is None:
        if row is not None:
            session.delete(row)
    elif row is None:
        session.add(Setting(key=key, value=value))
    else:
        row.value = value
        session.add(row)
    session.commit()
    g.setdefault("samtal_settings", {}).pop(key, None)


# Area labels and order ---------------------------------------------------------------------


def _area_rows(session: Session, framework_id: str) -> list[dict[str, str]]:
    stored = read(session, f"areas:{framework_id}") or {}
    rows = stored.get("areas")
    return [r for r in rows if isinstance(r, dict)] if isinstance(rows, list) else []


def area_labels(framework: Framework, *, session: Session) -> dict[str, str]:
    """Area id → the Swedish label this municipality uses (the framework's own when not set)."""
    labels = {area.id: area.label for area in framework.areas}
    for row in _area_rows(session, framework.id):
        label = str(row.get("label") or "").strip()
        if row.get("id") in labels and label:
            labels[str(row["id"])] = label
    return labels


def area_order(framework: Framework, *, session: Session) -> list[str]:
    """Area ids in the configured order; areas the setting does not name keep theirs, last."""
    known = [area.id for area in framework.areas]
    configured = [str(r.get("id")) for r in _area_rows(session, framework.id)]
    ordered = [area_id for area_id in dict.fromkeys(configured) if area_id in known]
    return ordered + [area_id for area_id in known if area_id not in ordered]


def ordered_areas(framework: Framework, *, session: Session) -> list[Area]:
    """The framework's areas in the configured order."""
    by_id = {area.id: area for area in framework.areas}
    return [by_id[area_id] for area_id in area_order(framework, session=session)]


def ordered_flow(flow: Flow, *, session: Session) -> Flow:
    """The flow with its framework's areas in the configured order (labels untouched).

    The engine and templates walk flow.framework.areas, so handing them this flow is all it
    takes for the order to apply everywhere (progress, choosing an area, review, summary).
    """
    order = area_order(flow.framework, session=session)
    if order == [area.id for area in flow.framework.areas]:
        return flow
    areas = tuple(ordered_areas(flow.framework, session=session))
    return dataclasses.replace(flow, framework=dataclasses.replace(flow.framework, areas=areas))


def save_areas(
    *, session: Session, framework: Framework, labels: dict[str, str], positions: dict[str, int]
) -> None:
    """Store labels and order for a framework; ids never change. Refuses empty or long labels."""
    rows = []
    for index, area in enumerate(framework.areas):
        label = " ".join(labels.get(area.id, "").split())
        if not label:
            raise SettingRefused(gettext("Skriv ett namn för området %(area)s.", area=area.label))
        if len(label) > MAX_AREA_LABEL:
            raise SettingRefused(
                gettext(
                    "Namnet för %(area)s får vara högst %(count)d tecken.",
                    area=area.label,
                    count=MAX_AREA_LABEL,
                )
            )
        rows.append((positions.get(area.id, index + 1), index, {"id": area.id, "label": label}))
    lowered = [row[2]["label"].casefold() for row in rows]
    if len(set(lowered)) != len(lowered):
        raise SettingRefused(gettext("Två områden kan inte ha samma namn."))
    rows.sort(key=lambda row: (row[0], row[1]))
    write(session, f"areas:{framework.id}", {"areas": [row[2] for row in rows]})


def reset_areas(*, session: Session, framework: Framework) -> None:
    """Go back to the framework file's own labels and order."""
    write(session, f"areas:{framework.id}", None)


def _framework_of(area: Area, framework: Framework | str | None) -> Framework | None:
    frameworks = library.flows().frameworks
    if isinstance(framework, Framework):
        return framework
    if isinstance(framework, str):
        return frameworks.get(framework)
    return next((f for f in frameworks.values() if area in f.areas), None)


def area_label(area: Area, framework: Framework | str | None = None) -> str:
    """The area's name for this page: the configured label in Swedish, else the translation.

    A municipality's own label is Swedish only; in another language the translation of the
    framework's label is shown, which names the same area.
    """
    if current_locale() != "sv":
        return gettext(area.label)
    found = _framework_of(area, framework)
    if found is None:
        return area.label
    return area_labels(found, session=get_session()).get(area.id, area.label)


def area_label_both(area: Area, framework: Framework | str | None = None) -> Markup:
    """Like i18n.both() for an area: the family's language first, the Swedish label beside."""
    translated = gettext(area.label) if current_locale() != "sv" else ""
    found = _framework_of(area, framework)
    if found is None:
        swedish = area.label
    else:
        swedish = area_labels(found, session=get_session()).get(area.id, area.label)
    if not translated or translated == area.label:
        return Markup("{}").format(swedish)
    return Markup(
        '<span class="own-language">{}</span> '
        '<span class="swedish-beside" lang="sv" dir="ltr">{}</span>'
    ).format(translated, swedish)


# Retention ---------------------------------------------------------------------------------


def retention_months(*, session: Session) -> int:
    """How many months a child's data is kept after the last activity (the municipality's call)."""
    stored = read(session, "retention") or {}
    months = stored.get("months")
    return months if isinstance(months, int) and months > 0 else DEFAULT_RETENTION_MONTHS


def save_retention(*, session: Session, months: int) -> None:
    """Store the retention period; refuses a period outside 1–240 months."""
    if not MIN_RETENTION_MONTHS <= months <= MAX_RETENTION_MONTHS:
        raise SettingRefused(
            gettext(
                "Ange ett antal månader mellan %(low)d och %(high)d.",
                low=MIN_RETENTION_MONTHS,
                high=MAX_RETENTION_MONTHS,
            )
        )
    write(session, "retention", {"months": months})


# Languages offered -------------------------------------------------------------------------


def offered_languages(*, session: Session) -> list[str]:
    """The languages families may choose, in the app's order; Swedish always, first."""
    built_in = list(current_app.config["LANGUAGES"])
    stored = read(session, "languages") or {}
    codes = stored.get("codes")
    chosen = set(codes) if isinstance(codes, list) else set(built_in)
    return [code for code in built_in if code == "sv" or code in chosen]


def languages_offered() -> list[str]:
    """offered_languages for the current request (a Jinja global for language pickers)."""
    return offered_languages(session=get_session())


def save_languages(*, session: Session, codes: list[str]) -> list[str]:
    """Store the languages offered (unknown codes dropped, Swedish kept); returns them."""
    built_in = list(current_app.config["LANGUAGES"])
    kept = [code for code in built_in if code == "sv" or code in codes]
    write(session, "languages", {"codes": kept})
    return kept


# The installation's framework and the name of the contact role -----------------------------

MAX_ROLE_NAME = 40


def framework_id(*, session: Session) -> str:
    """The framework new conversations run under (the admin's choice, else config FRAMEWORK)."""
    stored = read(session, "framework") or {}
    chosen = stored.get("id") or current_app.config["FRAMEWORK"]
    frameworks = library.flows().frameworks
    return chosen if chosen in frameworks else next(iter(frameworks))


def current_framework() -> Framework:
    """The installation's framework for the current request."""
    return library.flows().frameworks[framework_id(session=get_session())]


def role_names(*, session: Session) -> dict[str, str]:
    """The contact role's name per language code; Swedish always (the framework's own if unset)."""
    stored = read(session, "framework") or {}
    names = {k: v for k, v in (stored.get("role_names") or {}).items() if isinstance(v, str) and v}
    if not names.get("sv"):
        names["sv"] = library.flows().frameworks[framework_id(session=session)].role
    return names


def role_name(language: str | None = None) -> str:
    """The contact role's name (barnkontakt, Named Person, …) in the page's language.

    A template global and the value of the %(role)s placeholder in catalog strings; a language
    the admin gave no name for gets the Swedish name.
    """
    names = role_names(session=get_session())
    return names.get(language or current_locale()) or names["sv"]


def save_framework(*, session: Session, chosen: str, names: dict[str, str]) -> dict[str, str]:
    """Store the framework and the role's names; refuses an unknown framework or a bad name."""
    if chosen not in library.flows().frameworks:
        raise SettingRefused(gettext("Välj ett av ramverken i listan."))
    cleaned = {code: " ".join(str(name).split()) for code, name in names.items()}
    if not cleaned.get("sv"):
        raise SettingRefused(gettext("Skriv rollens namn på svenska."))
    if any(len(name) > MAX_ROLE_NAME for name in cleaned.values()):
        raise SettingRefused(
            gettext("Ett namn får vara högst %(count)d tecken.", count=MAX_ROLE_NAME)
        )
    kept = {code: name for code, name in cleaned.items() if name}
    write(session, "framework", {"id": chosen, "role_names": kept})
    return kept


def installed_flows() -> FlowLibrary:
    """The flows of the installation's framework: what new conversations are started from,
    and (retired) its earlier versions, which the statistics count too.

    Every framework stays loaded (library.flows()), so conversations and summaries made under
    an earlier choice still open with the flow they ran.
    """
    every = library.flows()
    chosen = framework_id(session=get_session())
    return FlowLibrary(
        frameworks=every.frameworks,
        flows={key: f for key, f in every.flows.items() if f.framework.id == chosen},
        retired={key: f for key, f in every.retired.items() if f.framework.id == chosen},
    )
