"""Review in context: each message of a language beside its Swedish source and a preview of
the step as the child or guardian sees it; the translator corrects it or marks it reviewed."""

from __future__ import annotations

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from samtal import audit, library
from samtal.db import get_session
from samtal.i18n import direction
from samtal.staff.access import current_staff, login_required
from samtal.staff.translation.recording_pages import ROLES, known_language
from samtal.tools import review as catalog_review

PAGE_SIZE = 25
REFUSED = {
    "empty": _l("Översättningen får inte vara tom."),
    "too_long": _l("Översättningen är för lång (högst 4000 tecken)."),
    "placeholder": _l("Platshållaren %(placeholder)s saknas i översättningen."),
}


def _translated_language(language: str) -> str:
    if known_language(language) == "sv":
        abort(404)
    return language


def _preview(message, translations: dict[str, str]) -> dict | None:
    """What the child or guardian sees on the step that says this message: the question and
    its answers in the language (with corrections), for the preview beside the message."""
    if message.step is None:
        return None
    flow = library.flows().flows[message.step[0]]
    step = flow.step(message.step[1])
    if step is None:
        return None
    options = [*step.options] or ([*flow.scale] if step.kind == "rating" else [])
    return {
        "audience": flow.audience,
        "flow": flow,
        "step": step,
        "question": translations.get(step.text, step.text),
        "options": [(o, translations.get(o.text, o.text)) for o in options],
    }


def _page(language: str, error: tuple[str, str, str] | None = None, status: int = 200):
    """A page of messages; after a refused correction, that message alone with what was typed
    and why it was refused."""
    db = get_session()
    directory = current_app.config["BABEL_TRANSLATION_DIRECTORIES"]
    every = catalog_review.messages(directory, language)
    reviewed = catalog_review.reviews(db, language)
    translations = {m.source: m.translation for m in every if m.context is None}
    for message in every:
        row = reviewed.get(message.key)
        if row is not None and row.correction and message.context is None:
            translations[message.source] = row.correction
    show = request.values.get("visa", "ogranskade")
    wanted = (request.values.get("sok") or "").strip().casefold()[:200]
    listed = [
        m
        for m in every
        if (show == "alla" or m.key not in reviewed)
        and (not wanted or wanted in m.source.casefold() or wanted in m.translation.casefold())
    ]
    if error is not None:
        listed = [m for m in every if m.key == error[0]]
    pages = max(1, -(-len(listed) // PAGE_SIZE))
    page = min(max(1, request.values.get("sida", 1, type=int) or 1), pages)
    shown = listed[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    return (
        render_template(
            "staff/translation/review.html",
            language=language,
            language_dir=direction(language),
            items=[(m, reviewed.get(m.key), _preview(m, translations)) for m in shown],
            total=len(every),
            reviewed_count=len(reviewed),
            show=show,
            wanted=wanted,
            page=page,
            pages=pages,
            error=error,
        ),
        status,
    )


@login_required(*ROLES)
def review(language: str):
    """A page of a language's messages, the unreviewed first."""
    return _page(_translated_language(language))


@login_required(*ROLES)
def review_save(language: str):
    """Record a message as reviewed, with the translator's correction if they changed it."""
    _translated_language(language)
    key = request.form.get("message", "")
    directory = current_app.config["BABEL_TRANSLATION_DIRECTORIES"]
    message = next((m for m in catalog_review.messages(directory, language) if m.key == key), None)
    if message is None:
        abort(404)
    staff = current_staff()
    assert staff is not None and staff.id is not None
    try:
        catalog_review.review(
            session=get_session(),
            language=language,
            message=message,
            correction=request.form.get("translation", ""),
            staff_id=staff.id,
        )
    except catalog_review.ReviewRefused as refused:
        message = REFUSED[refused.reason] % {"placeholder": refused.placeholder}
        return _page(language, (key, message, request.form.get("translation", "")), 400)
    flash(_("Meddelandet är markerat som granskat."))
    target = url_for(
        "translation.review",
        language=language,
        visa=request.form.get("visa", "ogranskade"),
        sok=request.form.get("sok") or None,
        sida=request.form.get("sida", 1, type=int),
    )
    return redirect(target, code=303)


@login_required(*ROLES)
def export(language: str):
    """The catalog with every correction applied, as messages.po for the repository."""
    _translated_language(language)
    directory = current_app.config["BABEL_TRANSLATION_DIRECTORIES"]
    data = catalog_review.export_po(directory, get_session(), language)
    audit.record("catalog_exported", detail=language)
    return Response(
        data,
        mimetype="text/x-gettext-translation",
        headers={"Content-Disposition": f'attachment; filename="{language}-messages.po"'},
    )
