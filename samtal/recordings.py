"""Recorded read-aloud: a human voice for each text of the conversations in each language,
kept in the database (so the database backup covers it), checked to be mono Opus audio."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from flask import g
from sqlmodel import Session, col, select

from samtal import audit
from samtal.flows import Flow, Step
from samtal.models import Recording, utcnow

# What a browser's MediaRecorder makes (WebM) and what opusenc or a phone app makes (Ogg).
MIMETYPES = ("audio/webm", "audio/ogg")
# One sentence or two read slowly: 32 kbit/s mono Opus for a minute is about 240 kB.
MAX_BYTES = 400_000
MIN_BYTES = 200
_EBML = b"\x1a\x45\xdf\xa3"


class RecordingRefused(ValueError):
    """An upload that is not a short mono Opus recording; `reason` says why (the page words it):
    too_large, empty, not_opus or not_mono."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


@dataclass(frozen=True)
class Text:
    """One text to read aloud: where it is said (step and what part) and the Swedish source."""

    where: str
    text: str


def text_key(text: str) -> str:
    """The key a recording of this Swedish source text is stored under."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _opus_channels(data: bytes) -> int | None:
    # Ogg Opus starts with the OpusHead packet; WebM carries the same packet as the track's
    # CodecPrivate. Byte 9 of it is the channel count (RFC 7845, section 5.1).
    found = data.find(b"OpusHead", 0, 4096)
    if found < 0 or len(data) < found + 10:
        return None
    return data[found + 9]


def check(data: bytes) -> str:
    """The mimetype of a valid recording; raises RecordingRefused otherwise."""
    if len(data) > MAX_BYTES:
        raise RecordingRefused("too_large")
    if len(data) < MIN_BYTES:
        raise RecordingRefused("empty")
    if data.startswith(b"OggS"):
        mimetype = "audio/ogg"
    elif data.startswith(_EBML) and b"webm" in data[:64] and b"A_OPUS" in data[:4096]:
        mimetype = "audio/webm"
    else:
        raise RecordingRefused("not_opus")
    channels = _opus_channels(data)
    if channels is None:
        raise RecordingRefused("not_opus")
    if channels != 1:
        raise RecordingRefused("not_mono")
    return mimetype


def save(*, session: Session, language: str, text: str, data: bytes, staff_id: int) -> Recording:
    """Store a checked recording of a text, replacing an earlier take."""
    mimetype = check(data)
    key = text_key(text)
    take: dict[str, Any] = {
        "mimetype": mimetype,
        "data": data,
        "digest": hashlib.sha256(data).hexdigest(),
        "recorded_by": staff_id,
        "recorded_at": utcnow(),
    }
    recording = session.exec(
        select(Recording).where(Recording.language == language, Recording.text_key == key)
    ).first()
    if recording is None:
        recording = Recording(language=language, text_key=key, text=text, **take)
    else:
        recording.sqlmodel_update(take)
    session.add(recording)
    session.commit()
    audit.record("recording_saved", detail=f"{language}: {text[:80]}")
    return recording


def remove(*, session: Session, language: str, text: str) -> bool:
    """Delete the recording of a text in a language; False when there was none."""
    found = session.exec(
        select(Recording).where(
            Recording.language == language, Recording.text_key == text_key(text)
        )
    ).all()
    for recording in found:
        session.delete(recording)
    session.commit()
    if found:
        audit.record("recording_removed", detail=f"{language}: {text[:80]}")
    return bool(found)


def recorded(session: Session, language: str) -> dict[str, tuple[int, str]]:
    """Text key → (recording id, digest) for every recording in a language (once a request)."""
    cache = g.setdefault("recordings", {})
    if language not in cache:
        rows = session.exec(
            select(Recording.text_key, Recording.id, Recording.digest).where(
                Recording.language == language
            )
        ).all()
        cache[language] = {key: (rid, digest) for key, rid, digest in rows if rid is not None}
    return cache[language]


def counts(session: Session) -> dict[str, int]:
    """How many texts are recorded per language."""
    rows = session.exec(select(Recording.language, col(Recording.id))).all()
    result: dict[str, int] = {}
    for language, _id in rows:
        result[language] = result.get(language, 0) + 1
    return result


def _step_texts(step: Step) -> Iterator[Text]:
    yield Text(step.id, step.text)
    for option in step.options:
        yield Text(f"{step.id} · {option.value}", option.text)
    if step.none is not None:
        yield Text(f"{step.id} · {step.none.value}", step.none.text)
    if step.end_text:
        yield Text(f"{step.id} · slut", step.end_text)


def flow_texts(flow: Flow) -> list[Text]:
    """Every text a flow reads aloud, in reading order, each once."""
    found: list[Text] = []
    seen: set[str] = set()
    candidates = [t for s in flow.all_steps() for t in _step_texts(s)]
    candidates += [Text(f"skala · {o.value}", o.text) for o in flow.scale]
    candidates += [Text(f"alltid · {o.value}", o.text) for o in flow.always.values()]
    candidates += [Text(f"område · {a.id}", a.label) for a in flow.framework.areas]
    for text in candidates:
        if text.text not in seen:
            seen.add(text.text)
            found.append(text)
    return found
