"""The adult's panel beside the child's screen: behind a confirmation, never one stray tap away."""

from __future__ import annotations

import time

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlmodel import col, select

from samtal import audit, library
from samtal.conversation import adult, control, engine, lifecycle, panel_access, reading, records
from samtal.conversation.panel_access import KIOSK_KEY, Actor
from samtal.db import get_session
from samtal.family.steps import keep_token
from samtal.family.tablet import open_conversation
from samtal.i18n import age_band as age_band_label
from samtal.i18n import catalog_status, language_name
from samtal.models import Staff
from samtal.settings import languages_offered
from samtal.web.security import refuse_stale_form

bp = Blueprint("adult", __name__, url_prefix="/samtal/<token>/vuxen")
bp.url_value_preprocessor(open_conversation)
bp.url_defaults(keep_token)
UNLOCK_KEY = "adult_panel"


def _opened() -> dict | None:
    """How this browser opened the panel (who, by what proof), while not idle too long."""
    opened = session.get(UNLOCK_KEY, {}).get(str(g.conversation.id))
    limit = current_app.config["ADULT_PANEL_MINUTES"] * 60
    if not isinstance(opened, dict) or time.time() - opened.get("at", 0) >= limit:
        return None
    return opened


def _actor() -> Actor:
    """Who acts in the open panel."""
    opened = _opened() or {}
    return Actor(opened.get("staff"), opened.get("via", "pin"), g.conversation.id or 0)


def _open(actor: Actor) -> None:
    unlocked = dict(session.get(UNLOCK_KEY, {}))
    unlocked[str(g.conversation.id)] = {
        "at": time.time(),
        "staff": actor.staff_id,
        "via": actor.via,
    }
    session[UNLOCK_KEY] = unlocked


def _touch() -> None:
    _open(_actor())


def _presence() -> Actor | None:
    """Proof of a staff member without the PIN: the kiosk, or the barnkontakt signed in here."""
    kiosk = session.get(KIOSK_KEY)
    if kiosk:
        # On the kiosk the staff session is set aside: only the kiosk's own rule counts.
        return panel_access.kiosk_proof(kiosk, g.conversation)
    # The staff pages offer who is signed in here (a family page never imports them).
    signed_in = current_app.extensions.get("samtal.signed_in_staff")
    staff = signed_in() if signed_in is not None else None
    return panel_access.staff_proof(staff, get_session(), g.conversation)


def _audit(action: str, detail: str = "") -> None:
    """Log a panel action with who did it (or that only the PIN was used)."""
    actor = _actor()
    staff = get_session().get(Staff, actor.staff_id) if actor.staff_id else None
    said = f"samtal {g.conversation.id}; {actor.describe(staff.name if staff else None)}"
    audit.record(
        action,
        g.conversation.child_id,
        detail=f"{said}; {detail}" if detail else said,
        staff_id=actor.staff_id,
    )


@bp.before_request
def _guard():
    # A "Nej" at the start may still be taken back in the same visit: the panel stays open.
    undoable = control.decline_undoable(g.conversation, current_app.config["UNDO_DECLINE_MINUTES"])
    if panel_access.is_finished(g.conversation) and not undoable:
        _lock()
        return render_template("conversation/finished.html")
    if request.method == "POST":
        refused = refuse_stale_form(url_for("adult.panel"))
        if refused is not None:
            return refused
        if request.endpoint != "adult.unlock":
            if _opened() is None:
                return redirect(url_for("adult.panel"), code=303)
            _touch()
    return None


def _current_step():
    answers = records.stored_answers(get_session(), g.conversation.id)
    return engine.position(g.flow, answers).step


@bp.get("/")
def panel():
    """The confirmation question, or the panel itself once the adult has confirmed."""
    if _opened() is None:
        return _confirm_page()
    _touch()
    return _panel_page()


def _confirm_page(error: str | None = None, status: int = 200):
    kiosk = KIOSK_KEY in session
    return render_template(
        "adult/confirm.html",
        present=_presence() is not None,
        error=error,
        login=None if kiosk else url_for("auth.login", next=url_for("adult.panel")),
    ), status


def _panel_page(status: int = 200, **extra):
    session_ = get_session()
    step = _current_step()
    other_flows = [
        f
        for f in library.flows().for_audience(
            g.flow.audience, g.flow.framework.id, purpose=g.flow.purpose
        )
        if f.id != g.flow.id
    ]
    return render_template(
        "adult/panel.html",
        flow=g.flow,
        conversation=g.conversation,
        step=step,
        concerns=adult.concerns(session_, g.conversation.id),
        marked_by=_staff_names(session_),
        actor=_actor(),
        pin=panel_access.pin_for(g.conversation),
        other_flows=other_flows,
        reporting_duty=current_app.config["REPORTING_DUTY_REFERENCE"],
        catalog=catalog_status(g.conversation.language),
        undo_decline=control.decline_undoable(
            g.conversation, current_app.config["UNDO_DECLINE_MINUTES"]
        ),
        openable=adult.openable(g.flow, records.stored_answers(session_, g.conversation.id)),
        **extra,
    ), status


def _staff_names(session_) -> dict[int, str]:
    ids = {c.marked_by for c in adult.concerns(session_, g.conversation.id or 0) if c.marked_by}
    return {s.id: s.name for s in session_.exec(select(Staff).where(col(Staff.id).in_(ids)))}


@bp.post("/")
def unlock():
    """Open the panel for a few minutes on this browser, with proof that staff are here."""
    actor = _presence()
    typed = request.form.get("pin", "").strip()
    if actor is None and typed:
        result = panel_access.check_pin(get_session(), g.conversation, typed)
        if result != "ok":
            audit.record(
                "panel_pin_throttled" if result == "throttled" else "panel_pin_refused",
                g.conversation.child_id,
                detail=f"samtal {g.conversation.id}",
            )
            if result == "throttled":
                return _confirm_page(_("För många fel koder. Vänta en kvart och försök igen."), 429)
            return _confirm_page(_("Koden stämmer inte."), 422)
        actor = Actor(None, "pin", g.conversation.id or 0)
    if actor is None:
        return _confirm_page(_("Skriv koden till panelen."), 422)
    _open(actor)
    _audit("panel_opened")
    return redirect(url_for("adult.panel"), code=303)


def _lock() -> None:
    unlocked = dict(session.get(UNLOCK_KEY, {}))
    unlocked.pop(str(g.conversation.id), None)
    session[UNLOCK_KEY] = unlocked


@bp.post("/stang")
def lock():
    """Close the panel and give the screen back to the child."""
    _lock()
    return redirect(url_for("tablet.step"), code=303)


@bp.post("/ord")
def childs_words():
    """Write down the child's own words for the current question."""
    step = _current_step()
    if step is None or not step.asks or g.conversation.status != "active":
        flash(_("Det finns ingen fråga att skriva till just nu."))
        return redirect(url_for("adult.panel"), code=303)
    try:
        adult.write_childs_words(
            session=get_session(),
            conversation=g.conversation,
            flow=g.flow,
            step=step,
            text=request.form.get("words", ""),
        )
    except reading.AnswerRefused as refused:
        flash(str(refused))
        return _panel_page(422, kept_words=request.form.get("words", ""))
    _audit("panel_words", f"fråga {step.id}")
    flash(_("Barnets ord är sparade."))
    return redirect(url_for("adult.panel"), code=303)


@bp.post("/status")
def status():
    """Pause, resume or end the conversation."""
    wanted = request.form.get("status", "")
    if wanted == "ended" and request.form.get("confirm") != "ja":
        flash(_("Kryssa i rutan för att bekräfta att samtalet ska avslutas."))
        return redirect(url_for("adult.panel"), code=303)
    before = g.conversation.status
    adult.set_status(session=get_session(), conversation=g.conversation, status=wanted)
    if g.conversation.status != before:
        _audit(f"panel_{g.conversation.status}")
    if wanted == "paused":
        # The screen goes back to the child: the panel must need the confirmation again.
        _lock()
        return redirect(url_for("tablet.step"), code=303)
    flash(
        {"active": _("Samtalet fortsätter."), "ended": _("Samtalet är avslutat.")}.get(wanted, "")
    )
    return redirect(url_for("adult.panel"), code=303)


@bp.post("/mer")
def open_further():
    """Let the child say more, or draw, about an area: its own-words step comes next."""
    if adult.open_further(
        session=get_session(),
        conversation=g.conversation,
        flow=g.flow,
        area_id=request.form.get("area", ""),
    ):
        flash(_("Barnet kan nu säga mer eller rita om det."))
    return redirect(url_for("adult.panel"), code=303)


@bp.post("/angra-nej")
def undo_decline():
    """The child said "Nej" by mistake: take it back within the same visit and go on."""
    if control.undo_decline(
        session=get_session(),
        conversation=g.conversation,
        flow=g.flow,
        minutes=current_app.config["UNDO_DECLINE_MINUTES"],
    ):
        flash(_("Barnets nej är ångrat. Samtalet fortsätter."))
    return redirect(url_for("adult.panel"), code=303)


@bp.post("/oro")
def concern():
    """Mark a safety concern; the panel then reminds the adult of the duty to report."""
    step = _current_step()
    try:
        adult.mark_concern(
            session=get_session(),
            conversation=g.conversation,
            step_id=step.id if step else None,
            note=request.form.get("note", ""),
            actor=_actor(),
        )
    except reading.AnswerRefused as refused:
        flash(str(refused))
        return redirect(url_for("adult.panel", _anchor="oro"), code=303)
    _audit("mark_concern", f"fråga {step.id}" if step else "")
    # The text is never shown here again: the child may be holding the tablet next.
    flash(_("Oron är sparad. Texten visas bara i arbetsytan."))
    return redirect(url_for("adult.panel", _anchor="oro"), code=303)


@bp.post("/oro/<int(max=2147483647):concern_id>/anmald")  # an id the database can hold
def report_made(concern_id: int):
    """Record that the orosanmälan has been made, by the staff member who opened the panel."""
    actor = _actor()
    if actor.staff_id is None:
        # Whoever held the PIN is no one in particular: the barnkontakt records it instead.
        flash(_("Att orosanmälan är gjord registreras av barnkontakten i arbetsytan."))
    elif adult.confirm_report(
        session=get_session(),
        conversation=g.conversation,
        concern_id=concern_id,
        staff_id=actor.staff_id,
    ):
        _audit("report_made", f"oro {concern_id}")
        flash(_("Det är sparat att orosanmälan är gjord."))
    return redirect(url_for("adult.panel", _anchor="oro"), code=303)


@bp.post("/sprak")
def language():
    """Switch the running conversation's language; nothing already answered is lost."""
    wanted = request.form.get("language", "")
    known = wanted in languages_offered()
    wanted = wanted if known else "sv"
    lifecycle.set_language(session=get_session(), conversation=g.conversation, language=wanted)
    _audit("panel_language", wanted)
    # Said in the new language: the next page is in it.
    with force_locale(wanted):
        if not known:
            flash(_("Det språket finns inte ännu. Samtalet fortsätter på svenska."))
        flash(_("Samtalet visas nu på %(language)s.", language=language_name(wanted)))
    return redirect(url_for("adult.panel"), code=303)


@bp.post("/aldersgrupp")
def age_band():
    """Switch the conversation to another age band's flow before the areas begin."""
    flow = library.flows().get(request.form.get("flow_id", ""))
    if (
        flow is None
        or flow.audience != g.flow.audience
        or flow.framework.id != g.flow.framework.id
        or flow.purpose != g.flow.purpose
    ):
        flash(_("Välj en av åldersgrupperna i listan."))
    elif adult.change_flow(
        session=get_session(), conversation=g.conversation, old_flow=g.flow, flow=flow
    ):
        _audit("panel_age_band", f"{flow.id} v{flow.version}")
        flash(_("Samtalet använder nu frågorna för %(band)s.", band=age_band_label(flow)))
    else:
        flash(_("Åldersgruppen kan bara bytas innan barnet har svarat om något område."))
    return redirect(url_for("adult.panel"), code=303)
