"""The summary pages' words (Swedish, staff catalog): labels for codes, the wheel's texts.

The summary itself holds codes (samtal.summary); these say them for people. The follow-up
view on the child page uses change_texts() for its chart.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from samtal.summary import store
from samtal.summary.store import SummaryRefused
from samtal.summary.wheel import (
    ChangeTexts,
    WheelTexts,
    change_chart,
    mark_of,
    series_of,
    wheel,
)

QUESTIONS = {
    "hinder": _l("Vad står i vägen för barnets välbefinnande?"),
    "information": _l("Har jag all information jag behöver för att hjälpa?"),
    "gora_nu": _l("Vad kan jag göra nu?"),
    "verksamheten": _l("Vad kan min verksamhet göra?"),
    "andra": _l("Vilket ytterligare stöd behövs från andra, om något?"),
}
# GIRFEC's review questions, asked of the barnkontakt in a follow-up (build.EVALUATION).
EVALUATION = {
    "skillnad": _l("Har planen gjort skillnad för barnet? På vilket sätt?"),
    "forandrat": _l("Vad har förändrats sedan förra gången, för barnet och för familjen?"),
    "mer_stod": _l("Behövs mer stöd, eller ett annat stöd?"),
    "horts": _l("Har barnet och vårdnadshavarna fått säga sitt, och syns deras syn i planen? Hur?"),
}
SUPPORT = {
    "fortsatta": _l("Stödet fortsätter som nu"),
    "andras": _l("Stödet ändras"),
    "avslutas": _l("Stödet avslutas"),
}
CHANGES = {
    "better": _l("Bättre"),
    "worse": _l("Sämre"),
    "same": _l("Som förut"),
}
DECISIONS = {
    "inget_vidare": _l("Inget vidare"),
    "stod_egen_verksamhet": _l("Stöd inom egen verksamhet"),
    "barnteam": _l("Barnteam"),
    "individuellt_barnteam": _l("Individuellt barnteam"),
    "sip": _l("SIP (samordnad individuell plan)"),
    "orosanmalan_gjord": _l("Orosanmälan gjord"),
}
AGREEMENTS = {
    "samma": _l("Samma"),
    "nara": _l("Nära"),
    "skiljer_sig": _l("Skiljer sig"),
    "kan_inte_jamforas": _l("Kan inte jämföras"),
}
RATING_STATES = {
    "not_answered": _l("Inget svar"),
    "not_asked": _l("Frågades inte"),
    "withheld": _l("Inte delat"),
}
# Why the child's answer is missing from an export (samtal.sharing.MISSING), said truthfully.
MISSING_TEXTS = {
    "withheld": _l("Barnet har valt att inte dela det"),
    "not_shared": _l("Inte med i den här delningen (barnkontaktens val)"),
    "not_included": _l("Inte med i den här kopian"),
    "not_asked": _l("Frågades inte"),
    "skipped": _l("Samtalet slutade innan det här"),
    "vet_inte": _l("Vet inte"),
    "vill_inte_svara": _l("Ville inte svara"),
    "not_answered": _l("Inget svar"),
}
WRITERS_OF_WORDS = {
    "child": _l("barnet skrev"),
    "adult": _l("den vuxna skrev ner barnets ord"),
    "guardian": _l("vårdnadshavaren skrev"),
}
CONVERSATION_STATES = {
    "active": _l("Pågår"),
    "paused": _l("Pausat"),
    "declined": _l("Barnet ville inte prata i dag"),
    "ended": _l("Avslutat av den vuxna"),
    "completed": _l("Klart"),
}
FIELDS = {
    "child_name": _l("Barnets namn"),
    "age_band": _l("Åldersgrupp"),
    "barnkontakt": _l("Barnkontakt"),
    "conversation_finished": _l("Samtalet klart"),
    "languages": _l("Språk"),
    "interpreter_wanted": _l("Tolk önskas"),
    "consent": _l("Samtycke"),
    "child_rating": _l("Barnets svar"),
    "child_strengths": _l("Barnet: det som är bra"),
    "child_wishes": _l("Barnet: det som kan bli bättre"),
    "child_words": _l("Barnets egna ord"),
    "child_other": _l("Barnet: andra svar"),
    "guardian_rating": _l("Vårdnadshavarens svar"),
    "guardian_strengths": _l("Vårdnadshavaren: det som fungerar bra"),
    "guardian_wishes": _l("Vårdnadshavaren: det som kan bli bättre"),
    "guardian_words": _l("Vårdnadshavarens egna ord"),
    "guardian_other": _l("Vårdnadshavaren: andra svar"),
    "agreement": _l("Samstämmighet"),
    "note": _l("Din anteckning"),
    "translation": _l("Översättning"),
    "kept_from_guardians": _l("Hålls från vårdnadshavarna"),
    "priorities": _l("Viktigast för barnet"),
    "meeting": _l("Vill ha med på mötet"),
    "adult": _l("Vuxen att vända sig till"),
    "code": _l("Nästa steg"),
    "text": _l("Nästa steg, fritext"),
    "notes": _l("Oro för barnets säkerhet"),
    "support": _l("Stödet fortsätter, ändras eller avslutas"),
    "support_text": _l("Vad händer med stödet"),
    **{key: label for key, label in QUESTIONS.items()},
    **{key: label for key, label in EVALUATION.items()},
}
SECTIONS = {
    "header": _l("Uppgifter"),
    "closing": _l("Till sist"),
    "analysis": _l("Analys"),
    "evaluation": _l("Uppföljning"),
    "decision": _l("Nästa steg"),
    "safety": _l("Säkerhet"),
}


def document_title(content: dict[str, Any]) -> str:
    """What the document is: a follow-up's summary is the follow-up of Barnets plan."""
    if content.get("header", {}).get("purpose") == "followup":
        return _("Barnets plan – uppföljning")
    return _("Sammanställning")


def round_name(number: int) -> str:
    """A round by its number: the first conversation (0), or the n:th follow-up."""
    return _("Uppföljning %(n)d", n=number) if number else _("Första samtalet")


def round_label(found: dict[str, Any] | None) -> str:
    """Which round answers come from, with the day: 'Första samtalet, 2026-01-12'."""
    if not found or found.get("number") is None:
        return _("Tidigare")
    name = round_name(found["number"])
    return f"{name}, {found['date']}" if found.get("date") else name


def compared_round(content: dict[str, Any]) -> dict[str, Any] | None:
    """The round the child's answers are compared with in a follow-up, else None."""
    for area in content["areas"]:
        if area.get("child") and area["child"].get("before"):
            return area["child"]["before"]["round"]
    return None


def changes(content: dict[str, Any], prefix: str = "forandring") -> Markup | None:
    """A follow-up's chart of the child's change per area since last time; None when the
    summary compares nothing (a first conversation, or no earlier one to compare with)."""
    areas = [a for a in content["areas"] if a.get("child") and a["child"].get("before")]
    if not areas:
        return None
    return change_chart(
        [(a["id"], translated(a["label"])) for a in areas],
        {a["id"]: mark_of(a["child"]["before"]["rating"]) for a in areas},
        {a["id"]: mark_of(a["child"]["rating"]) for a in areas},
        texts=change_texts(),
        prefix=prefix,
    )


def wheel_texts(framework: str = "Behovskompassen") -> WheelTexts:
    """The wheel's words in Swedish (staff pages), titled with the summary's framework."""
    return WheelTexts(
        title=_("%(framework)s: barnets och vårdnadshavarnas syn", framework=framework),
        description=_(
            "Varje område är en del av hjulet. I varje del har barnet och varje vårdnadshavare "
            "en egen stapel: ju längre, desto bättre enligt den som svarade. Vet inte och Vill "
            "inte svara visas med mönster, inte som värden. En stjärna visar det som är "
            "viktigast för barnet. Tabellen intill visar samma sak i text."
        ),
        unknown=_("Vet inte"),
        declined=_("Vill inte svara"),
        missing=_("Inget svar"),
        withheld=_("Inte delat"),
        priority=_("Viktigast för barnet"),
    )


def change_texts() -> ChangeTexts:
    """The change chart's words in Swedish (for the child page's follow-up view)."""
    return ChangeTexts(
        title=_("Förändring per område sedan förra samtalet"),
        description=_(
            "En ofylld ring visar svaret förra gången, en fylld prick svaret nu. Texten till "
            "höger säger om det blivit bättre, sämre eller är som förut."
        ),
        before=_("Förra gången"),
        after=_("Nu"),
        better=_("Bättre"),
        worse=_("Sämre"),
        same=_("Som förut"),
        unknown=_("Vet inte"),
        declined=_("Vill inte svara"),
        missing=_("Inget svar"),
    )


def translated(text: str) -> str:
    """A flow's or framework's Swedish text, stored in the summary, in the page's language."""
    return _(text) if text else text


def compass(content: dict[str, Any], prefix: str = "kompass") -> Markup:
    """The wheel for a built summary; a guardian whose answers are from another round than
    the child's says which in the legend."""
    elsewhere = {
        g["name"]: round_label(g.get("round"))
        for g in content.get("guardians", [])
        if g.get("same_round") is False
    }

    def guardian(name: str) -> str:
        said = _("Vårdnadshavare: %(name)s", name=name)
        return f"{said} ({elsewhere[name]})" if name in elsewhere else said

    return wheel(
        areas=[(a["id"], translated(a["label"])) for a in content["areas"]],
        series=series_of(content, _("Barnet"), guardian),
        priorities=content.get("priorities", []),
        texts=wheel_texts(translated(content["framework"]["name"])),
        prefix=prefix,
    )


def refusal(refused: SummaryRefused) -> str:
    """A refused save, worded for the barnkontakt."""
    if refused.reason == "too_long":
        return _(
            "Texten är för lång: högst %(limit)d tecken (nu %(count)d). Korta den, "
            "det du skrev finns kvar i rutan.",
            limit=store.NOTE_LIMIT,
            count=refused.count,
        )
    if refused.reason == "unknown_decision":
        return _("Välj ett av alternativen för nästa steg.")
    if refused.reason == "unknown_support":
        return _("Välj om stödet fortsätter, ändras eller avslutas.")
    return _("Det gick inte att spara just nu. Försök igen.")
