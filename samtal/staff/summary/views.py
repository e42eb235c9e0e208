"""The summary (sammanställning) pages: review side by side, notes, sign-off, versions, exports.

Who may use what: reading (the page, versions, comparing, print, PDF, JSON, the child's copy)
admin and barnkontakt; writing notes and signing barnkontakt only. Either way only for a
child the person may see: another barnkontakt's child answers 404. Every view, export and
change is in the audit log. An export for sharing outside the service needs a signed version
and consent on record that covers the recipient.
"""

from __future__ import annotations

import re
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_htmx import HTMX

from samtal import audit
from samtal.conversation import concerns
from samtal.db import get_session
from samtal.i18n import language_name
from samtal.models import Child, Staff, SummaryVersion
from samtal.staff import consent
from samtal.staff.access import child_or_404, current_staff, login_required, restored_form
from samtal.staff.summary.texts import (
    AGREEMENTS,
    CHANGES,
    CONVERSATION_STATES,
    DECISIONS,
    EVALUATION,
    FIELDS,
    MISSING_TEXTS,
    QUESTIONS,
    RATING_STATES,
    SECTIONS,
    SUPPORT,
    WRITERS_OF_WORDS,
    changes,
    compared_round,
    compass,
    document_title,
    refusal,
    round_label,
)
from samtal.summary import store
from samtal.summary.build import translatable
from samtal.summary.store import SummaryRefused

htmx = HTMX()
READERS = ("admin", "barnkontakt")
WRITERS = ("barnkontakt",)


def _install_htmx(state) -> None:
    htmx.init_app(state.app)


def _labels() -> dict[str, Any]:
    return {
        "QUESTIONS": QUESTIONS,
        "EVALUATION": EVALUATION,
        "SUPPORT": SUPPORT,
        "CHANGES": CHANGES,
        "round_label": round_label,
        "compared_round": compared_round,
        "document_title": document_title,
        "DECISIONS": DECISIONS,
        "AGREEMENTS": AGREEMENTS,
        "RATING_STATES": RATING_STATES,
        "MISSING_TEXTS": MISSING_TEXTS,
        "WRITERS_OF_WORDS": WRITERS_OF_WORDS,
        "CONVERSATION_STATES": CONVERSATION_STATES,
        "language_name": language_name,
        "note_limit": store.NOTE_LIMIT,
        "consent_information": consent.INFORMATION,
        "recipient_label": consent.recipient_label,
        "translatable": translatable,
        "version_kept": store.version_kept,
    }


def me() -> Staff:
    """The signed-in staff member (the guard has made sure there is one)."""
    staff = current_staff()
    assert staff is not None
    return staff


def current(child: Child) -> tuple[dict[str, Any], SummaryVersion | None]:
    """The summary as it stands, and the signed version it equals (None: unsigned changes)."""
    session = get_session()
    content = store.gather(session=session, child=child)
    latest = store.latest_version(session, child.id or 0)
    if latest is not None and latest.content_hash == store.content_hash(content):
        return latest.content, latest
    return content, None


def chosen(child: Child) -> tuple[dict[str, Any], SummaryVersion | None]:
    """The version asked for (?version=n), else the summary as it stands."""
    wanted = request.args.get("version", "")
    if not wanted:
        return current(child)
    found = (
        store.version(get_session(), child.id or 0, int(wanted))
        if re.fullmatch(r"\d{1,6}", wanted)
        else None
    )
    if found is None:
        abort(404)
    return found.content, found


def signer_names(versions: list[SummaryVersion]) -> dict[int, str]:
    """Who signed each version, by staff id."""
    session = get_session()
    names = {}
    for signed in versions:
        staff = session.get(Staff, signed.signed_by)
        names[signed.signed_by] = staff.name if staff else "–"
    return names


def recipients(child: Child) -> list[tuple[str, str]]:
    """Recipients to offer for sharing: barnteam and every named service in consent on record."""
    found = {"barnteam": consent.recipient_label("barnteam")}
    for row in consent.on_record(get_session(), child.id or 0):
        for name in row.recipients or []:
            found.setdefault(consent.recipient_key(name), consent.recipient_label(name))
    return list(found.items())


def _area_ids(content: dict[str, Any]) -> list[str]:
    return [a["id"] for a in content["areas"]]


def _render_show(
    child: Child,
    *,
    values: dict[str, str] | None = None,
    error: tuple[str, str] | None = None,
    status: int = 200,
):
    session = get_session()
    content, signed = current(child)
    draft = store.draft_of(session, child.id or 0)
    if values is None:
        values = store.form_values(draft.notes if draft else {})
    history = store.versions(session, child.id or 0)
    return render_template(
        "staff/summary/show.html",
        child=child,
        s=content,
        signed=signed,
        latest=history[-1] if history else None,
        draft=draft,
        values=values,
        error=error,
        wheel=compass(content),
        change=changes(content),
        may_edit=me().role in WRITERS,
        recipients=recipients(child),
    ), status


@login_required(*READERS)
def show(child_id: int):
    """The summary side by side, with the notes, the five questions and the next step."""
    child = child_or_404(child_id)
    audit.record("view_summary", child.id)
    return _render_show(child, values=restored_form() or None)


def _save(child: Child) -> tuple[tuple[str, str] | None, dict[str, Any] | None]:
    """Store the notes sent with the form → (the field and message when refused, the notes
    as stored)."""
    if request.form.get("anteckningar") != "1":
        return None, None
    content = store.gather(session=get_session(), child=child)
    notes = store.notes_from_form(request.form, _area_ids(content))
    try:
        draft = store.save_draft(session=get_session(), child=child, staff=me(), notes=notes)
    except SummaryRefused as refused:
        return (refused.field or "", refusal(refused)), None
    audit.record("save_summary", child.id)
    return None, draft.notes


@login_required(*WRITERS)
def save(child_id: int):
    """Save the notes (plain POST, or htmx while typing); too long: say so, keep the text."""
    child = child_or_404(child_id)
    failed, _notes = _save(child)
    if htmx:
        return render_template(
            "staff/summary/_saved.html", error=failed, at=format_datetime(format="HH:mm")
        ), (422 if failed else 200)
    if failed:
        return _render_show(child, values=request.form.to_dict(), error=failed, status=422)
    flash(_("Utkastet är sparat."))
    return redirect(url_for("summary.show", child_id=child.id), code=303)


@login_required(*READERS)
def sign_page(child_id: int):
    """After signing in again mid-form: the page with what was typed, nothing signed yet."""
    child = child_or_404(child_id)
    audit.record("view_summary", child.id)
    restored = restored_form()
    if restored:
        flash(_("Det du skrev finns kvar. Läs igenom och signera igen."))
    return _render_show(child, values=restored or None)


@login_required(*WRITERS)
def sign(child_id: int):
    """Save the notes, then sign: an immutable version with its hash; twice is once.

    A sign-off that cannot go ahead changes nothing: the notes come back in the form as typed.
    """
    child = child_or_404(child_id)
    failed: tuple[str, str] | None = None
    if concerns.open_count(get_session(), child.id or 0):
        failed = (
            "bekrafta",
            _(
                "Det finns oro för barnets säkerhet utan orosanmälan eller beslut. Registrera "
                "orosanmälan, eller skriv varför den inte görs, innan du signerar."
            ),
        )
    elif request.form.get("bekrafta") != "ja":
        failed = ("bekrafta", _("Kryssa i rutan för att bekräfta att du vill signera."))
    else:
        failed, notes = _save(child)
    if failed:
        values = request.form.to_dict() if request.form.get("anteckningar") == "1" else None
        return _render_show(child, values=values, error=failed, status=422)
    session = get_session()
    before = store.latest_version(session, child.id or 0)
    # What this request sent is what it signs, even if another tab saved other notes since.
    content = store.gather(session=session, child=child, notes=notes)
    try:
        signed = store.sign(session=session, child=child, staff=me(), content=content)
    except SummaryRefused as refused:
        flash(refusal(refused))
        return redirect(url_for("summary.show", child_id=child.id), code=303)
    if before is not None and before.number == signed.number:
        flash(
            _("Inget har ändrats sedan version %(n)d. Ingen ny version behövdes.", n=signed.number)
        )
    else:
        audit.record("sign_summary", child.id, f"version {signed.number}")
        flash(_("Version %(n)d är signerad.", n=signed.number))
    return redirect(url_for("summary.version", child_id=child.id, n=signed.number), code=303)


@login_required(*READERS)
def versions(child_id: int):
    """Every signed version with its content hash."""
    child = child_or_404(child_id)
    audit.record("view_summary_versions", child.id)
    history = store.versions(get_session(), child.id or 0)
    return render_template(
        "staff/summary/versions.html",
        child=child,
        versions=list(reversed(history)),
        names=signer_names(history),
        verified={v.number: store.verify(v) for v in history},
    )


@login_required(*READERS)
def version(child_id: int, n: int):
    """One signed version, as it was signed."""
    child = child_or_404(child_id)
    found = store.version(get_session(), child.id or 0, n)
    if found is None:
        abort(404)
    audit.record("view_summary_version", child.id, f"version {n}")
    latest = store.latest_version(get_session(), child.id or 0)
    return render_template(
        "staff/summary/version.html",
        child=child,
        s=found.content,
        signed=found,
        latest=latest,
        signer=signer_names([found]).get(found.signed_by, "–"),
        verified=store.verify(found),
        wheel=compass(found.content),
        change=changes(found.content),
    )


@login_required(*READERS)
def compare(child_id: int):
    """What differs between two signed versions (by default the newest two)."""
    child = child_or_404(child_id)
    session = get_session()
    history = store.versions(session, child.id or 0)
    numbers = [v.number for v in history]

    def pick(name: str, default: int | None) -> int | None:
        raw = request.args.get(name, "")
        return int(raw) if re.fullmatch(r"\d{1,6}", raw) else default

    first = pick("a", numbers[-2] if len(numbers) > 1 else None)
    second = pick("b", numbers[-1] if numbers else None)
    by_number = {v.number: v for v in history}
    if (first is not None and first not in by_number) or (
        second is not None and second not in by_number
    ):
        abort(404)
    differences = []
    if first is not None and second is not None:
        differences = store.compare(by_number[first].content, by_number[second].content)
        audit.record("compare_summary", child.id, f"version {first} och {second}")
    return render_template(
        "staff/summary/compare.html",
        child=child,
        numbers=numbers,
        first=first,
        second=second,
        differences=differences,
        fields=FIELDS,
        sections=SECTIONS,
    )
