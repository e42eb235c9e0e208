"""The child's screen: one generic step route over the flow, reached by a signed tablet link."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_htmx import HTMX
from jinja2_fragments.flask import render_block

from samtal import answers as recording
from samtal import conversation as engine
from samtal import library, links
from samtal.db import get_session
from samtal.models import Conversation

bp = Blueprint("tablet", __name__, url_prefix="/samtal/<token>")
htmx = HTMX()


@bp.record_once
def _install_htmx(state) -> None:
    htmx.init_app(state.app)


def refuse_link(reason: str):
    """Stop with a kind page for a link that is tampered with, expired or revoked."""
    current_app.logger.warning("tablet link refused (%s) from %s", reason, request.remote_addr)
    status = 410 if reason == "expired" else 404
    abort(make_response(render_template("link_refused.html", reason=reason), status))


def open_conversation(_endpoint, values) -> None:
    """Find the conversation a tablet token grants, or stop with a kind page."""
    token = values.pop("token", "") if values else ""
    try:
        conversation_id, nonce = links.read_tablet_token(token)
    except links.LinkRefused as refused:
        refuse_link(refused.reason)
    conversation = get_session().get(Conversation, conversation_id)
    if conversation is None or conversation.link_nonce != nonce:
        refuse_link("invalid")
        return
    g.token = token
    g.conversation = conversation
    g.flow = library.flow_or_404(conversation.flow_id)
    g.locale = conversation.language


def keep_token(_endpoint, values) -> None:
    """Let url_for inside a conversation fill in its token."""
    if "token" in g:
        values.setdefault("token", g.token)


bp.url_value_preprocessor(open_conversation)
bp.url_defaults(keep_token)


def render_step(step_id: str | None = None, error: str | None = None, status: int = 200, **extra):
    """The conversation page, or only its conversation block for an htmx request."""
    flow, conversation = g.flow, g.conversation
    session = get_session()
    answers = recording.stored_answers(session, conversation.id)
    words = recording.stored_answers(session, conversation.id, part="words")
    now = engine.position(flow, answers)
    editing = None
    if step_id is not None:
        candidate = flow.step(step_id)
        if candidate is not None and engine.is_editable(flow, candidate, answers):
            editing = candidate
    step = editing or now.step
    context = {
        "flow": flow,
        "conversation": conversation,
        "position": now,
        "step": step,
        "editing": editing is not None,
        "given": answers.get(step.id) if step else None,
        "answers": answers,
        "progress": engine.area_progress(flow, answers),
        "last": None if editing else engine.last_exchange(flow, answers),
        "area": flow.framework.area(step.area) if step and step.area else now.area,
        "form_token": links.step_form_token(conversation.id, step.id) if step else None,
        "error": error,
        "engine": engine,
        "review": engine.review(flow, answers, words) if step and step.kind == "review" else None,
        "remaining": engine.remaining_areas(flow, answers),
        **extra,
    }
    if htmx:
        return render_block("child/step.html", "conversation", **context), status
    return render_template("child/step.html", **context), status


@bp.get("/")
def step():
    """Show the step the conversation stands at now (resume is simply opening the link again)."""
    return render_step()


@bp.get("/andra/<step_id>")
def change(step_id: str):
    """Show an answered step again so the child can change the answer."""
    answers = recording.stored_answers(get_session(), g.conversation.id)
    candidate = g.flow.step(step_id)
    if (
        g.conversation.status != "active"
        or candidate is None
        or not engine.is_editable(g.flow, candidate, answers)
    ):
        return redirect(url_for("tablet.step"), code=303)
    return render_step(step_id=step_id)


@bp.post("/svar")
def answer():
    """Check and store an answer, then go to whatever comes next (POST/redirect/GET)."""
    session = get_session()
    conversation, flow = g.conversation, g.flow
    form = links.read_step_form_token(request.form.get("form_token"))
    if form is None or form.conversation_id != conversation.id:
        recording.log_event(
            session, conversation, "refused", detail="missing or foreign form token"
        )
        session.commit()
        flash(_("Sidan var för gammal. Här är frågan igen."))
        return redirect(url_for("tablet.step"), code=303)
    if conversation.status != "active":
        return redirect(url_for("tablet.step"), code=303)
    answers = recording.stored_answers(session, conversation.id)
    step = flow.step(form.step_id)
    current = engine.position(flow, answers).step
    allowed = step is not None and (
        (current is not None and step.id == current.id) or engine.is_editable(flow, step, answers)
    )
    if not allowed or step is None:
        recording.log_event(session, conversation, "refused", form.step_id, "not the current step")
        session.commit()
        return redirect(url_for("tablet.step"), code=303)
    try:
        parsed = recording.read_answer(flow, step, request.form.to_dict(flat=False), answers)
    except recording.AnswerRefused as refused:
        recording.log_event(session, conversation, "refused", step.id, str(refused))
        session.commit()
        editing = None if current is not None and step.id == current.id else step.id
        return render_step(
            step_id=editing,
            error=str(refused),
            status=422,
            kept_words=request.form.get("words", ""),
        )
    by = "adult" if request.form.get("written_by") == "adult" and step.kind == "words" else "child"
    recording.store_answer(
        session=session,
        conversation=conversation,
        flow=flow,
        step=step,
        parsed=parsed,
        request_key=form.key,
        by=by,
    )
    return redirect(url_for("tablet.step"), code=303)
