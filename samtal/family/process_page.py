""" "Så går det till": what happens after the conversation, for the child or the guardian, in
the conversation's language, with pictures. Linked at the start and the end of a conversation."""

from __future__ import annotations

from flask import g, render_template, request


def process():
    """The short page about the process, for whoever holds this conversation's link."""
    return render_template(
        "family/process.html",
        flow=g.flow,
        conversation=g.conversation,
        back=f"{request.blueprint}.step",
    )


def add_process_route(bp) -> None:
    """Give a conversation's blueprint its "Så går det till" page."""
    bp.add_url_rule("/sa-gar-det-till", view_func=process, methods=["GET"])
