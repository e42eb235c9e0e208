"""The one generic step route, shared by the child's tablet and the guardian's questionnaire.

The blueprint that calls these has already put the conversation and its flow on `g`.
GET renders the step the conversation stands at (or an answered one to change); POST checks
and stores an answer, then redirects (POST/redirect/GET). htmx requests get only the
conversation block of the same template.
"""

from __future__ import annotations

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_htmx import HTMX
from jinja2_fragments.flask import render_block

from samtal import i18n, library
from samtal.conversation import engine, followup, links, reading, records
from samtal.db import get_session
from samtal.flows.kinds import KINDS
from samtal.models import Conversation
from samtal.settings import ordered_flow, role_name

htmx = HTMX()
ANSWERED_ELSEWHERE = _l(
    "Samma fråga besvarades nyss på en annan skärm. Ditt svar är det som gäller nu."
)
CLOSED_MESSAGES = {
    "completed": _l(
        "Svaren är redan skickade och kan inte ändras här. "
        "Kontakta din %(role)s om du vill lägga till något."
    ),
}


def enter_conversation(token: str, conversation: Conversation, locale: str) -> None:
    """What every page of a conversation needs: its token for url_for, the conversation, its
    flow in the municipality's order of areas, and its language."""
    g.token = token
    g.conversation = conversation
    flow = library.flow_or_404(conversation.flow_id, conversation.flow_version)
    g.flow = ordered_flow(flow, session=get_session())
    g.locale = locale


def keep_token(_endpoint, values) -> None:
    """Let url_for inside a conversation fill in its token."""
    if "token" in g:
        values.setdefault("token", g.token)


def render_step(
    template: str, step_id: str | None = None, error: str | None = None, status: int = 200, **extra
):
    """The conversation page, or only its conversation block for an htmx request."""
    flow, conversation = g.flow, g.conversation
    session = get_session()
    answers, words = records.stored_answers_and_words(session, conversation.id)
    now = engine.position(flow, answers)
    editing = None
    if step_id is not None:
        candidate = flow.step(step_id)
        if candidate is not None and engine.is_editable(flow, candidate, answers):
            editing = candidate
    step = editing or now.step
    # A follow-up shows, on each "how is it now" step, what was said last time.
    previous = (
        followup.load_previous(session, conversation, library.flows())
        if flow.purpose == "followup"
        else None
    )
    context = {
        "flow": flow,
        "conversation": conversation,
        "position": now,
        "step": step,
        "editing": editing is not None,
        "given": answers.get(step.id) if step else None,
        "answers": answers,
        "progress": engine.area_progress(flow, answers, now),
        "last": None
        if editing or (step and step.kind in ("review", "goodbye"))
        else engine.last_exchange(flow, answers),
        "area": flow.framework.area(step.area) if step and step.area else now.area,
        "form_token": links.step_form_token(conversation.id, step.id) if step else None,
        "seen": revision(answers.get(step.id)) if step else "",
        "error": error,
        "engine": engine,
        "review": engine.review(flow, answers, words) if step and step.kind == "review" else None,
        "remaining": engine.remaining_areas(flow, answers),
        "translation_notice": i18n.translation_notice(conversation.language),
        "previous": previous,
        "recall": followup.recall(previous, step.area)
        if previous and step and step.recall and step.area
        else None,
        **extra,
    }
    if htmx:
        return render_block("conversation/page.html", "conversation", **context), status
    return render_template(template, **context), status


def show_change(template: str, step_id: str):
    """Show an answered step again so it can be changed; anything else goes to the current step."""
    answers = records.stored_answers(get_session(), g.conversation.id)
    candidate = g.flow.step(step_id)
    if (
        g.conversation.status != "active"
        or candidate is None
        or not engine.is_editable(g.flow, candidate, answers)
    ):
        return redirect(url_for(f"{request.blueprint}.step"), code=303)
    return render_step(template, step_id=step_id)


def take_answer(template: str):
    """Check and store an answer, then go to whatever comes next."""
    session = get_session()
    conversation, flow = g.conversation, g.flow
    here = url_for(f"{request.blueprint}.step")
    form = links.read_step_form_token(request.form.get("form_token"))
    if form is None or form.conversation_id != conversation.id:
        records.log_event(session, conversation, "refused", detail="missing or foreign form token")
        session.commit()
        current_app.logger.warning("answer refused: form token missing or foreign")
        flash(_("Sidan var för gammal. Här är frågan igen."))
        return redirect(here, code=303)
    if conversation.status != "active":
        if conversation.status in CLOSED_MESSAGES:
            flash(str(CLOSED_MESSAGES[conversation.status]) % {"role": role_name()})
        return redirect(here, code=303)
    answers = records.stored_answers(session, conversation.id)
    step = flow.step(form.step_id)
    current = engine.position(flow, answers).step
    is_current = step is not None and current is not None and step.id == current.id
    if step is None or not (is_current or engine.is_editable(flow, step, answers)):
        records.log_event(session, conversation, "refused", form.step_id, "not the current step")
        session.commit()
        return redirect(here, code=303)
    try:
        parsed = reading.read_answer(flow, step, request.form.to_dict(flat=False), answers)
    except reading.AnswerRefused as refused:
        records.log_event(session, conversation, "refused", step.id, str(refused))
        session.commit()
        return render_step(
            template,
            step_id=None if is_current else step.id,
            error=str(refused),
            status=422,
            kept_words=request.form.get("words", ""),
            kept_values=request.form.getlist("value"),
        )
    in_words = KINDS[step.kind].answers == "words"
    # A drawing alone is the child's own, whatever the box says about who writes the words.
    written_by_adult = request.form.get("written_by") == "adult" and in_words and bool(parsed.words)
    # Two screens on one step: the last write wins, and a screen that answered over an answer
    # it never saw is told so (the form says which revision it was showing).
    elsewhere = "seen" in request.form and request.form["seen"] != revision(answers.get(step.id))
    stored = records.store_answer(
        session=session,
        conversation=conversation,
        flow=flow,
        step=step,
        parsed=parsed,
        request_key=form.key,
        by="adult" if written_by_adult else flow.audience,
        current=answers,
    )
    if stored and elsewhere:
        flash(str(ANSWERED_ELSEWHERE))
    return redirect(here, code=303)


def revision(given: engine.Given | None) -> str:
    """Which revision of a step's answer a form was shown with ("" for none yet)."""
    return given.at.isoformat() if given is not None and given.at is not None else ""


def add_step_routes(bp: Blueprint, template: str) -> None:
    """Give a blueprint the three routes of a conversation screen: step, change, answer."""

    def step():
        """Show the step the conversation stands at now (opening the link again resumes)."""
        return render_step(template)

    def change(step_id: str):
        """Show an answered step again so the answer can be changed."""
        return show_change(template, step_id)

    def answer():
        """Check and store an answer, then go to whatever comes next (POST/redirect/GET)."""
        return take_answer(template)

    bp.add_url_rule("/", view_func=step, methods=["GET"])
    bp.add_url_rule("/andra/<step_id>", view_func=change, methods=["GET"])
    bp.add_url_rule("/svar", view_func=answer, methods=["POST"])
