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

from samtal import library
from samtal.conversation import adult, control, engine, lifecycle, reading, records
from samtal.db import get_session
from samtal.family.steps import keep_token
from samtal.family.tablet import open_conversation
from samtal.i18n import age_band as age_band_label
from samtal.i18n import catalog_status, language_name
from samtal.settings import languages_offered
from samtal.web.security import refuse_stale_form

bp = Blueprint("adult", __name__, url_prefix="/samtal/<token>/vuxen")
bp.url_value_preprocessor(open_conversation)
bp.url_defaults(keep_token)
UNLOCK_KEY = "adult_panel"


def _unlocked() -> bool:
    opened = session.get(UNLOCK_KEY, {}).get(str(g.conversation.id))
    limit = current_app.config["ADULT_PANEL_MINUTES"] * 60
    return opened is not None and time.time() - opened < limit


def _touch() -> None:
    unlocked = dict(session.get(UNLOCK_KEY, {}))
    unlocked[str(g.conversation.id)] = time.time()
    session[UNLOCK_KEY] = unlocked


@bp.before_request
def _guard():
    if request.method == "POST":
        refused = refuse_stale_form(url_for("adult.panel"))
        if refused is not None:
            return refused
        if request.endpoint != "adult.unlock" and not _unlocked():
            return redirect(url_for("adult.panel"), code=303)
        _touch()
    return None


def _current_step():
    answers = records.stored_answers(get_session(), g.conversation.id)
    return engine.position(g.flow, answers).step


@bp.get("/")
def panel():
    """The confirmation question, or the panel itself once the adult has confirmed."""
    if not _unlocked():
        return render_template("adult/confirm.html")
    _touch()
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
        other_flows=other_flows,
        reporting_duty=current_app.config["REPORTING_DUTY_REFERENCE"],
        catalog=catalog_status(g.conversation.language),
        undo_decline=control.decline_undoable(
            g.conversation, current_app.config["UNDO_DECLINE_MINUTES"]
        ),
        openable=adult.openable(g.flow, records.stored_answers(session_, g.conversation.id)),
    )


@bp.post("/")
def unlock():
    """Open the panel for a few minutes on this browser."""
    _touch()
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
        return render_template(
            "adult/panel.html",
            flow=g.flow,
            conversation=g.conversation,
            step=step,
            concerns=adult.concerns(get_session(), g.conversation.id),
            other_flows=[],
            reporting_duty=current_app.config["REPORTING_DUTY_REFERENCE"],
            catalog=catalog_status(g.conversation.language),
            kept_words=request.form.get("words", ""),
        ), 422
    flash(_("Barnets ord är sparade."))
    return redirect(url_for("adult.panel"), code=303)


@bp.post("/status")
def status():
    """Pause, resume or end the conversation."""
    wanted = request.form.get("status", "")
    if wanted == "ended" and request.form.get("confirm") != "ja":
        flash(_("Kryssa i rutan för att bekräfta att samtalet ska avslutas."))
        return redirect(url_for("adult.panel"), code=303)
    adult.set_status(session=get_session(), conversation=g.conversation, status=wanted)
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
        )
    except reading.AnswerRefused as refused:
        flash(str(refused))
    return redirect(url_for("adult.panel", _anchor="oro"), code=303)


@bp.post("/oro/<int(max=2147483647):concern_id>/anmald")  # an id the database can hold
def report_made(concern_id: int):
    """Record that the orosanmälan has been made."""
    if adult.confirm_report(
        session=get_session(), conversation=g.conversation, concern_id=concern_id
    ):
        flash(_("Det är sparat att orosanmälan är gjord."))
    return redirect(url_for("adult.panel", _anchor="oro"), code=303)


@bp.post("/sprak")
def language():
    """Switch the running conversation's language; nothing already answered is lost."""
    wanted = request.form.get("language", "")
    known = wanted in languages_offered()
    wanted = wanted if known else "sv"
    lifecycle.set_language(session=get_session(), conversation=g.conversation, language=wanted)
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
        flash(_("Samtalet använder nu frågorna för %(band)s.", band=age_band_label(flow)))
    else:
        flash(_("Åldersgruppen kan bara bytas innan barnet har svarat om något område."))
    return redirect(url_for("adult.panel"), code=303)
