"""Translators' review in context: each message of a family catalog beside its Swedish source,
a review recorded per message in the database, and the corrections exported as a .po file."""

from __future__ import annotations

import copy
import hashlib
import io
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po
from sqlmodel import Session, select

from samtal import audit, library
from samtal.models import MessageReview, utcnow

PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]")


class ReviewRefused(ValueError):
    """A correction that cannot be kept; `reason` says why (the page words it): empty,
    too_long or placeholder (the missing one in `placeholder`)."""

    def __init__(self, reason: str, placeholder: str = ""):
        self.reason, self.placeholder = reason, placeholder
        super().__init__(reason)


@dataclass(frozen=True)
class Message:
    """One catalog message: its key, context, Swedish source, translation and where it is said."""

    key: str
    context: str | None
    source: str
    translation: str
    places: tuple[str, ...]
    # Where a preview can show it: (flow id, step id) of a flow step that says it, if any.
    step: tuple[str, str] | None


def message_key(context: str | None, source: str) -> str:
    """The key a message's review is stored under."""
    return hashlib.sha256(f"{context or ''}\x04{source}".encode()).hexdigest()


@cache
def _catalog(path: str, mtime: float) -> Catalog:
    with Path(path).open("rb") as handle:
        return read_po(handle)


def catalog(directory: str, language: str) -> Catalog:
    """The family catalog of a language as it is in the repository (re-read when it changes)."""
    path = Path(directory) / language / "LC_MESSAGES" / "messages.po"
    return _catalog(str(path), path.stat().st_mtime)


def _flow_steps() -> dict[str, tuple[str, str]]:
    """Swedish source text → the first (flow, step) that says it, for the preview."""
    found: dict[str, tuple[str, str]] = {}
    for flow in library.flows().flows.values():
        for step in flow.all_steps():
            texts = [step.text, *(o.text for o in step.options)]
            for text in texts:
                found.setdefault(text, (flow.id, step.id))
    return found


def messages(directory: str, language: str) -> list[Message]:
    """Every message of a language's family catalog, in catalog order."""
    steps = _flow_steps()
    result = []
    for entry in catalog(directory, language):
        if not entry.id:
            continue
        source = entry.id if isinstance(entry.id, str) else entry.id[0]
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        result.append(
            Message(
                key=message_key(entry.context, source),
                context=entry.context,
                source=source,
                translation=str(strings[0] or ""),
                places=tuple(c for c in entry.auto_comments if c),
                step=steps.get(source),
            )
        )
    return result


def reviews(session: Session, language: str) -> dict[str, MessageReview]:
    """Message key → its review, for one language."""
    rows = session.exec(select(MessageReview).where(MessageReview.language == language))
    return {row.message_key: row for row in rows}


def review(
    *, session: Session, language: str, message: Message, correction: str, staff_id: int
) -> MessageReview:
    """Record that a translator reviewed a message, with their correction if they changed it."""
    corrected = correction.strip()
    if not corrected:
        raise ReviewRefused("empty")
    if len(corrected) > 4000:
        raise ReviewRefused("too_long")
    missing = sorted(_placeholders(message.source) - _placeholders(corrected))
    if missing:
        raise ReviewRefused("placeholder", missing[0])
    row = reviews(session, language).get(message.key) or MessageReview(
        language=language, message_key=message.key, context=message.context, source=message.source
    )
    row.correction = corrected if corrected != message.translation else None
    row.reviewed_by = staff_id
    row.reviewed_at = utcnow()
    session.add(row)
    session.commit()
    audit.record(
        "message_reviewed",
        detail=f"{language}: {message.source[:60]}" + (" (rättad)" if row.correction else ""),
    )
    return row


def _placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def export_po(directory: str, session: Session, language: str) -> bytes:
    """The language's catalog with every correction applied, written as the repository's own
    file is (same header and line width): committed over it, the diff is the corrections."""
    corrections = {
        key: row.correction for key, row in reviews(session, language).items() if row.correction
    }
    out = copy.deepcopy(catalog(directory, language))
    for entry in out:
        if not entry.id:
            continue
        text = entry.id if isinstance(entry.id, str) else entry.id[0]
        corrected = corrections.get(message_key(entry.context, text))
        if corrected is None:
            continue
        if isinstance(entry.string, tuple):
            entry.string = (corrected, *entry.string[1:])
        else:
            entry.string = corrected
    buffer = io.BytesIO()
    write_po(buffer, out, omit_header=False, width=76, no_location=True)
    return buffer.getvalue()
