"""A guardian's invitation as the family reads it, in their language with Swedish beside: the
e-mail (plain text and HTML) and the printed letter share these texts.

It names the child (first name), the school or unit and the barnkontakt (with a phone number
when the account has one), says what Samtal is and why they are asked, so it cannot be taken
for phishing. The link is in it; a code never is: the e-mail says it comes another way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from email.message import EmailMessage
from email.utils import formataddr

from flask import render_template
from flask_babel import force_locale, format_date
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from samtal.i18n import direction, isolated

SUBJECT = _l("Frågor om hur %(child)s har det")
GREETING = _l("Hej %(name)s!")
GREETING_NO_NAME = _l("Hej!")
WHO = _l("Jag heter %(barnkontakt)s och är barnkontakt för %(child)s på %(unit)s.")
WHO_NO_UNIT = _l("Jag heter %(barnkontakt)s och är barnkontakt för %(child)s.")
WHY = _l(
    "Vi vill veta hur %(child)s har det hemma, i skolan och på fritiden. Dina svar hjälper "
    "oss att tillsammans med dig se vad %(child)s behöver."
)
WHAT = _l(
    "Samtal är frågor på nätet, på ditt språk. Det tar 10–15 minuter. Du kan pausa och "
    "fortsätta senare."
)
OPEN_LINK = _l("Öppna länken för att svara:")
SCAN = _l("Skanna QR-koden med mobilens kamera, eller skriv in länken:")
EXPIRES = _l("Länken fungerar till och med %(date)s.")
CODE_SEPARATELY = _l(
    "Du behöver också en kod. Du får koden av %(barnkontakt)s på ett annat sätt, inte i det "
    "här meddelandet."
)
CODE = _l("Kod:")
QR = _l("QR-kod med länken")
CALL = _l("Har du frågor? Ring %(barnkontakt)s på %(phone)s.")
ASK = _l("Har du frågor? Kontakta %(barnkontakt)s.")
REPLY = _l("Du kan också svara på det här e-postmeddelandet.")
IN_SWEDISH = _l("Samma sak på svenska:")


@dataclass(frozen=True)
class Letter:
    """What one invitation says: to whom, about which child, from whom, and the link."""

    language: str
    guardian_name: str
    child_first_name: str
    unit: str | None
    barnkontakt: str
    phone: str | None
    url: str
    expires: date
    has_code: bool
    code: str | None = None  # only on a letter printed right after the invitation was made


@dataclass(frozen=True)
class Line:
    """One paragraph: in the guardian's language, and in Swedish (None when that is the same)."""

    own: str
    swedish: str | None


def _fill(text, letter: Letter, *, markup: bool) -> str:
    """A text in the locale in force, the names set apart from the sentence (<bdi> in HTML,
    Unicode isolates in plain text) so a Latin name stays whole inside Arabic and back."""
    values = {
        "name": letter.guardian_name,
        "child": letter.child_first_name,
        "unit": letter.unit or "",
        "barnkontakt": letter.barnkontakt,
        "phone": letter.phone or "",
    }
    if markup:
        filled: dict[str, object] = {key: isolated(value) for key, value in values.items()}
        filled["date"] = escape(format_date(letter.expires, "long"))
        # The text escaped first, every value escaped by isolated() or escape(): safe markup.
        return Markup(escape(str(text)) % filled)  # noqa: S704
    plain: dict[str, object] = {k: f"\u2068{v}\u2069" for k, v in values.items()}
    plain["date"] = format_date(letter.expires, "long")
    return str(text) % plain


def _texts(letter: Letter, *, printed: bool) -> list:
    """The paragraphs, in order."""
    lines = [GREETING if letter.guardian_name else GREETING_NO_NAME]
    lines += [WHO if letter.unit else WHO_NO_UNIT, WHY, WHAT]
    lines += [SCAN if printed else OPEN_LINK]
    return lines


def _after_link(letter: Letter, *, printed: bool) -> list:
    lines = [EXPIRES]
    if letter.has_code and not (printed and letter.code):
        lines.append(CODE_SEPARATELY)
    lines.append(CALL if letter.phone else ASK)
    if not printed:
        lines.append(REPLY)
    return lines


def lines(letter: Letter, texts: list, *, markup: bool = True) -> list[Line]:
    """These texts in the guardian's language, each with its Swedish beside it."""
    with force_locale(letter.language):
        own = [_fill(t, letter, markup=markup) for t in texts]
    if letter.language == "sv":
        return [Line(o, None) for o in own]
    with force_locale("sv"):
        swedish = [_fill(t, letter, markup=markup) for t in texts]
    return [Line(o, s) for o, s in zip(own, swedish, strict=True)]


def context(letter: Letter, *, printed: bool) -> dict:
    """What the e-mail's HTML and the printed letter's template show."""
    with force_locale(letter.language):
        subject = _fill(SUBJECT, letter, markup=False).replace("\u2068", "").replace("\u2069", "")
        code_label, qr_label, in_swedish = str(CODE), str(QR), str(IN_SWEDISH)
    with force_locale("sv"):
        code_label_swedish = str(CODE)
        subject_swedish = str(SUBJECT) % {"child": letter.child_first_name}
    return {
        "letter": letter,
        "subject": subject,
        "subject_swedish": None if letter.language == "sv" else subject_swedish,
        "lang": letter.language,
        "dir": direction(letter.language),
        "before_link": lines(letter, _texts(letter, printed=printed)),
        "after_link": lines(letter, _after_link(letter, printed=printed)),
        "code_label": code_label,
        "code_label_swedish": code_label_swedish,
        "qr_label": qr_label,
        "in_swedish": in_swedish,
    }


def _plain_text(letter: Letter) -> str:
    """The e-mail's plain text: the guardian's language first, then the same in Swedish."""
    before = lines(letter, _texts(letter, printed=False), markup=False)
    after = lines(letter, _after_link(letter, printed=False), markup=False)
    own = [line.own for line in before] + [letter.url] + [line.own for line in after]
    text = "\n\n".join(own)
    if letter.language != "sv":
        with force_locale(letter.language):
            heading = str(IN_SWEDISH)
        swedish = [line.swedish or "" for line in before] + [letter.url]
        swedish += [line.swedish or "" for line in after]
        text += "\n\n---\n" + heading + "\n\n" + "\n\n".join(swedish)
    return text + "\n"


def email(letter: Letter, *, to: str, reply_to: str | None) -> EmailMessage:
    """The invitation as an e-mail: plain text and HTML, nothing fetched from anywhere, no
    tracking (no images, no redirecting links: the link is the invitation's own)."""
    found = context(letter, printed=False)
    message = EmailMessage()
    message["Subject"] = " / ".join(filter(None, [found["subject"], found["subject_swedish"]]))
    message["To"] = formataddr((letter.guardian_name, to))
    if reply_to:
        message["Reply-To"] = formataddr((letter.barnkontakt, reply_to))
    message.set_content(_plain_text(letter))
    message.add_alternative(render_template("family/invitation_mail.html", **found), subtype="html")
    # After the content: setting it replaces every Content- header.
    message["Content-Language"] = ", ".join(dict.fromkeys([letter.language, "sv"]))
    return message
