"""The child's screen, reached by a signed tablet link that grants one conversation."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, make_response, render_template

from samtal.conversation import links
from samtal.db import get_session
from samtal.family import drawing_pages, process_page, steps, stopping
from samtal.models import Conversation

bp = Blueprint("tablet", __name__, url_prefix="/samtal/<token>")


@bp.record_once
def _install_htmx(state) -> None:
    steps.htmx.init_app(state.app)


def refuse_link(reason: str):
    """Stop with a kind page for a link that is tampered with, expired or revoked."""
    current_app.logger.warning("tablet link refused (%s)", reason)
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
    steps.enter_conversation(token, conversation, conversation.language)


bp.url_value_preprocessor(open_conversation)
bp.url_defaults(steps.keep_token)


steps.add_step_routes(bp, "child/step.html")
process_page.add_process_route(bp)
bp.add_url_rule("/sluta", view_func=stopping.ask, methods=["GET"])
bp.add_url_rule("/sluta", view_func=stopping.stop, methods=["POST"])
bp.add_url_rule(
    "/teckning/<int(max=2147483647):drawing_id>",
    view_func=drawing_pages.tablet_drawing,
    methods=["GET"],
)
