"""The recording page: each text of a flow in one language, recorded with the microphone (or
uploaded), played back and stored; and the overview of every language's translation work."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from samtal import library, recordings
from samtal.db import get_session
from samtal.i18n import catalog_status, direction
from samtal.staff.access import current_staff, login_required
from samtal.tools import review as catalog_review

ROLES = ("admin", "oversattare")
REFUSED = {
    "too_large": _l("Inspelningen är för stor (högst %(kb)d kB, ungefär en minut)."),
    "empty": _l("Inspelningen är tom eller för kort."),
    "not_opus": _l("Filen är ingen Opus-inspelning (WebM eller Ogg)."),
    "not_mono": _l("Inspelningen ska vara i mono (en kanal)."),
}
# The recording page may use the microphone and play back what was just recorded (blob:).
RECORDING_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "media-src 'self' blob:",
        "connect-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]
)


def known_language(language: str) -> str:
    """The language if the app has it, else 404."""
    if language not in current_app.config["LANGUAGES"]:
        abort(404)
    return language


@login_required(*ROLES)
def index():
    """Every language: its review status, messages reviewed, texts recorded."""
    db = get_session()
    directory = current_app.config["BABEL_TRANSLATION_DIRECTORIES"]
    recorded = recordings.counts(db)
    rows = []
    for code in current_app.config["LANGUAGES"]:
        row = {
            "code": code,
            "status": catalog_status(code).get("status", "not-reviewed"),
            "recorded": recorded.get(code, 0),
            "messages": 0,
            "reviewed": 0,
        }
        if code != "sv":
            row["messages"] = len(catalog_review.messages(directory, code))
            row["reviewed"] = len(catalog_review.reviews(db, code))
        rows.append(row)
    texts = {t.text for flow in library.flows().flows.values() for t in recordings.flow_texts(flow)}
    return render_template("staff/translation/index.html", rows=rows, texts=len(texts))


def _flow_or_first(flow_id: str | None):
    flows = sorted(library.flows().flows.values(), key=lambda f: (f.audience, f.ages, f.id))
    chosen = next((f for f in flows if f.id == flow_id), flows[0])
    return flows, chosen


@login_required(*ROLES)
def recording_list(language: str):
    """The texts of one flow in one language, each with its recording and a recorder."""
    return _page(known_language(language))


def _page(language: str, error: str | None = None, status: int = 200):
    flows, flow = _flow_or_first(request.values.get("flode"))
    stored = recordings.recorded(get_session(), language)
    with force_locale(language):
        texts = [
            {
                "where": text.where,
                "source": text.text,
                "translated": _(text.text),
                "key": recordings.text_key(text.text),
                "recording": stored.get(recordings.text_key(text.text)),
            }
            for text in recordings.flow_texts(flow)
        ]
    response = current_app.make_response(
        (
            render_template(
                "staff/translation/recordings.html",
                language=language,
                language_dir=direction(language),
                flows=flows,
                flow=flow,
                texts=texts,
                error=error,
                max_kb=recordings.MAX_BYTES // 1000,
            ),
            status,
        )
    )
    response.headers["Content-Security-Policy"] = RECORDING_POLICY
    response.headers["Permissions-Policy"] = "camera=(), microphone=(self), geolocation=()"
    return response


def _text_of(flow, key: str) -> str | None:
    texts = recordings.flow_texts(flow)
    return next((t.text for t in texts if recordings.text_key(t.text) == key), None)


def allow_recording_size() -> None:
    """Before the form is read (the CSRF check reads it): a recording is larger than any other
    form; room for one, and for a too large one to be refused with a message rather than the
    bare "request too large"."""
    if request.endpoint == "translation.recording_save":
        request.max_content_length = 2 * recordings.MAX_BYTES


@login_required(*ROLES)
def recording_save(language: str):
    """Store the recording (from the microphone or a file) of one text."""
    known_language(language)
    _flows, flow = _flow_or_first(request.form.get("flode"))
    text = _text_of(flow, request.form.get("text", ""))
    if text is None:
        abort(404)
    upload = request.files.get("file")
    data = upload.read(recordings.MAX_BYTES + 1) if upload else b""
    staff = current_staff()
    assert staff is not None and staff.id is not None
    try:
        recordings.save(
            session=get_session(), language=language, text=text, data=data, staff_id=staff.id
        )
    except recordings.RecordingRefused as refused:
        message = REFUSED[refused.reason] % {"kb": recordings.MAX_BYTES // 1000}
        return _page(language, message, 400)
    flash(_("Inspelningen är sparad."))
    target = url_for("translation.recording_list", language=language, flode=flow.id)
    return redirect(f"{target}#text-{recordings.text_key(text)[:12]}", code=303)


@login_required(*ROLES)
def recording_remove(language: str):
    """Delete the recording of one text: the tablet falls back to the device's voice."""
    known_language(language)
    _flows, flow = _flow_or_first(request.form.get("flode"))
    text = _text_of(flow, request.form.get("text", ""))
    if text is None:
        abort(404)
    if recordings.remove(session=get_session(), language=language, text=text):
        flash(_("Inspelningen är borttagen."))
    return redirect(
        url_for("translation.recording_list", language=language, flode=flow.id), code=303
    )
