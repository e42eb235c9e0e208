"""The child's own stop control: "Jag vill sluta" → "Vill du pausa eller sluta?" in pictures."""

from __future__ import annotations

from flask import g, redirect, render_template, request, url_for

from samtal.conversation import control, links
from samtal.db import get_session


def ask():
    """Ask whether the child wants a pause or to stop; back to the question otherwise."""
    if g.conversation.status != "active":
        return redirect(url_for("tablet.step"), code=303)
    return render_template(
        "child/stop.html",
        flow=g.flow,
        conversation=g.conversation,
        form_token=links.step_form_token(g.conversation.id, "stop"),
    )


def stop():
    """Pause or end as the child chose; a tap on "Fortsätta" goes back to the question."""
    # The signed form key is the CSRF guard here, as on every step of the child's screen.
    form = links.read_step_form_token(request.form.get("form_token"))
    if form is not None and form.conversation_id == g.conversation.id:
        control.child_stops(
            session=get_session(), conversation=g.conversation, choice=request.form.get("val", "")
        )
    return redirect(url_for("tablet.step"), code=303)
