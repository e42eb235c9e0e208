"""The statistics page's words: what each measure and column is called, in Swedish."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from samtal.staff.summary.texts import AGREEMENTS, DECISIONS

SPLITS = {"age": _l("Åldersgrupp"), "unit": _l("Enhet")}
ACTIVITY = {
    "samtal": _l("Barn med samtal"),
    "forsta": _l("Första samtal"),
    "uppfoljning": _l("Uppföljningssamtal"),
    "vardnadshavare": _l("Vårdnadshavare svarade"),
    "orosanmalan": _l("Påminnelse om orosanmälan"),
}
RATINGS = {
    "low": _l("Inte bra"),
    "middle": _l("Mittemellan"),
    "high": _l("Bra"),
    "vet_inte": _l("Vet inte"),
    "vill_inte_svara": _l("Vill inte svara"),
}
CHANGES = {
    "better": _l("Bättre"),
    "same": _l("Som förut"),
    "worse": _l("Sämre"),
    "kan_inte_jamforas": _l("Kan inte jämföras"),
}
TIMES = {"0-30": _l("Inom 30 dagar"), "31-90": _l("31–90 dagar"), "91-": _l("Mer än 90 dagar")}
COLUMNS = {
    "activity": ACTIVITY,
    "decisions": {**DECISIONS, "inget": _l("Inget nästa steg valt")},
    "time": TIMES,
    "child": RATINGS,
    "guardian": RATINGS,
    "agreement": AGREEMENTS,
    "change": CHANGES,
}
TOTAL = _l("Alla")
ROW_TOTAL = _l("Summa")
OTHER_BAND = _l("Annan ålder")
OTHER_UNITS = _l("Övriga enheter och barn utan enhet")
SMALL = _l("färre än 5")
HIDDEN = _l("dold")
