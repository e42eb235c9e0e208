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
from samtal.summary.wheel import ChangeTexts, WheelTexts, series_of, wheel

QUESTIONS = {
    "hinder": _l("Vad står i vägen för barnets välbefinnande?"),
    "information": _l("Har jag all information jag behöver för att hjälpa?"),
    "gora_nu": _l("Vad kan jag göra nu?"),
    "verksamheten": _l("Vad kan min verksamhet göra?"),
    "andra": _l("Vilket ytterligare stöd behövs från andra, om något?"),
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
    **{key: label for key, label in QUESTIONS.items()},
}
SECTIONS = {
    "header": _l("Uppgifter"),
    "closing": _l("Till sist"),
    "analysis": _l("Analys"),
    "decision": _l("Nästa steg"),
    "safety": _l("Säkerhet"),
}


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
    """The wheel for a built summary."""
    return wheel(
        areas=[(a["id"], translated(a["label"])) for a in content["areas"]],
        series=series_of(
            content, _("Barnet"), lambda name: _("Vårdnadshavare: %(name)s", name=name)
        ),
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
    return _("Det gick inte att spara just nu. Försök igen.")
