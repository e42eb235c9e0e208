"""Passwords that are guessed first: the most common ones, and those made of the person's own
e-mail address or name. The list ships with Samtal (data/common-passwords.txt, MIT, from the
zxcvbn package); nothing is looked up elsewhere."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from flask_babel import gettext as _

LIST = Path(__file__).parent / "data" / "common-passwords.txt"
# Fewer different characters than this is a pattern (aaaaaaaaaaaa, abababababab), not a secret.
MIN_DISTINCT = 5
# A part of the address or name this long or longer gives the password away.
MIN_OWN_PART = 4


@cache
def common() -> frozenset[str]:
    """The shipped list of common passwords, lower case."""
    lines = LIST.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


def _core(password: str) -> str:
    """The password without the digits and symbols people add before and after a word."""
    return re.sub(r"^[\W\d_]+|[\W\d_]+$", "", password.casefold())


def weakness(password: str, *, email: str = "", name: str = "") -> str | None:
    """Why a password is easily guessed (a sentence for the person), or None when it is not."""
    folded = password.casefold()
    if len(set(folded)) < MIN_DISTINCT:
        return _("Lösenordet upprepar samma få tecken. Välj något som är svårare att gissa.")
    words = common()
    squeezed = re.sub(r"\s+", "", folded)
    if folded in words or squeezed in words or _core(squeezed) in words:
        return _(
            "Lösenordet finns bland de vanligaste lösenorden och gissas lätt. "
            "Välj ett annat, till exempel några ord som inte hör ihop."
        )
    own = re.split(r"[\W_]+", email.casefold().split("@")[0]) + re.split(r"\W+", name.casefold())
    if any(len(part) >= MIN_OWN_PART and part in squeezed for part in own):
        return _("Lösenordet innehåller din e-postadress eller ditt namn. Välj något annat.")
    return None
