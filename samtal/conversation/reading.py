"""Reading a submitted form into an answer, by the step's kind; refusals are kind messages."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from samtal.conversation import drawings, engine
from samtal.flows import DECLINED, SKIP_VALUES, SKIPPED, UNKNOWN, Flow, Step
from samtal.flows.kinds import KINDS

WORDS_LIMIT = 2000


# Control characters other than tab and newline: never meant, and PostgreSQL refuses NUL.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class AnswerRefused(ValueError):
    """An answer that cannot be stored as sent; the message is shown to the person, in Swedish."""


@dataclass(frozen=True)
class Parsed:
    """A checked answer, ready to store."""

    status: str
    value: str | list[str] | None = None
    words: str | None = None
    # A drawing made instead of (or beside) words: clean PNG bytes, width, height.
    drawing: tuple[bytes, int, int] | None = None


FormData = Mapping[str, list[str]]


def _skip(form: FormData, allowed: tuple[str, ...]) -> Parsed | None:
    sent = form.get("skip")
    if not sent:
        return None
    skip = sent[0]
    if skip not in allowed:
        raise AnswerRefused(_l("Det svaret finns inte här. Välj ett av svaren på skärmen."))
    return Parsed(status=skip)


def _one_of(flow: Flow, step: Step, form: FormData, _answers: engine.Answers) -> Parsed:
    values = form.get("value") or []
    allowed = {o.value for o in flow.options_for(step)}
    if len(values) != 1 or values[0] not in allowed:
        raise AnswerRefused(_l("Det svaret finns inte här. Välj ett av svaren på skärmen."))
    if values[0] in SKIP_VALUES:
        return Parsed(status=values[0])
    return Parsed(status="answered", value=values[0])


def _some_of(allowed: set[str], maximum: int | None, form: FormData) -> Parsed:
    values = list(dict.fromkeys(form.get("value") or []))
    if not values:
        raise AnswerRefused(_l("Välj minst en bild. Du kan också trycka på ”Vill inte svara”."))
    if any(v not in allowed for v in values):
        raise AnswerRefused(_l("Det svaret finns inte här. Välj ett av svaren på skärmen."))
    if maximum is not None and len(values) > maximum:
        raise AnswerRefused(_l("Du kan välja högst %(max)d.", max=maximum))
    return Parsed(status="answered", value=values)


def _choice(flow: Flow, step: Step, form: FormData, answers: engine.Answers) -> Parsed:
    if not step.multiple:
        return _one_of(flow, step, form, answers)
    skipped = _skip(form, SKIP_VALUES)
    return skipped or _some_of({o.value for o in step.options}, step.max, form)


def _areas(flow: Flow, step: Step, form: FormData, _answers: engine.Answers) -> Parsed:
    skipped = _skip(form, (DECLINED,))
    if skipped is None and step.none is not None and form.get("none"):
        # "Inget har blivit bättre": an answer that names no area.
        return Parsed(status="answered", value=[])
    return skipped or _some_of({a.id for a in flow.framework.areas}, step.max, form)


def _choose_area(flow: Flow, step: Step, form: FormData, answers: engine.Answers) -> Parsed:
    remaining = [a.id for a in engine.remaining_areas(flow, answers)]
    if _skip(form, (UNKNOWN,)):
        # "Du väljer": the guide takes the next area in the framework's order.
        return Parsed(status=UNKNOWN, value=remaining[0] if remaining else None)
    values = form.get("value") or []
    if len(values) != 1 or values[0] not in remaining:
        raise AnswerRefused(_l("Välj ett av områdena på skärmen."))
    return Parsed(status="answered", value=values[0])


def _words(_flow: Flow, _step: Step, form: FormData, _answers: engine.Answers) -> Parsed:
    skipped = _skip(form, (DECLINED,))
    if skipped:
        return skipped
    text = clean_words((form.get("words") or [""])[0])
    try:
        drawing = drawings.read_drawing((form.get("drawing") or [""])[0])
    except drawings.DrawingRefused as refused:
        raise AnswerRefused(refused.args[0]) from refused
    if text or drawing:
        return Parsed(status="answered", words=text or None, drawing=drawing)
    # Saving an empty box is going on, not refusing: only the button says "Vill inte svara".
    return Parsed(status=SKIPPED)


def _go_on(_flow: Flow, _step: Step, _form: FormData, _answers: engine.Answers) -> Parsed:
    return Parsed(status="answered")


# One reader per way of answering (flows/kinds.py names which a kind uses): the engine stays
# free of form details.
READERS: dict[str, Callable[[Flow, Step, FormData, engine.Answers], Parsed]] = {
    "one_of": _one_of,
    "choice": _choice,
    "words": _words,
    "choose_area": _choose_area,
    "areas": _areas,
    "go_on": _go_on,
}


def clean_words(text: str) -> str:
    """Own words as stored: trimmed, at most WORDS_LIMIT characters or refused."""
    text = _CONTROL.sub("", text.replace("\r\n", "\n")).strip()
    if len(text) > WORDS_LIMIT:
        raise AnswerRefused(
            _l(
                "Texten är för lång: högst %(limit)d tecken (nu %(count)d). Korta den lite.",
                limit=WORDS_LIMIT,
                count=len(text),
            )
        )
    return text


def read_answer(flow: Flow, step: Step, form: FormData, answers: engine.Answers) -> Parsed:
    """Check a submitted form against the step; raises AnswerRefused with a kind message."""
    reads = KINDS[step.kind].reads
    reader = READERS[reads] if reads is not None else None
    if reader is None:
        raise AnswerRefused(_l("Här behövs inget svar."))
    return reader(flow, step, form, answers)
