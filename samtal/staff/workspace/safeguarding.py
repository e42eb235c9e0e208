"""Safeguarding in the workspace: a concern's report or reasoned decision, revoking links
and invitations, and "break the glass" for an admin (samtal.staff.need_to_know)."""

from __future__ import annotations

import secrets

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from samtal import audit
from samtal.conversation import concerns, panel_access
from samtal.db import get_session
from samtal.models import Child, Conversation, Guardian, Invitation, utcnow
from samtal.staff.access import child_or_404, login_required
from samtal.staff.need_to_know import (
    GLASS_MINUTES,
    REASON_MIN,
    may_read_sensitive,
    places_of,
)
from samtal.staff.workspace.views import READERS, me, to_child


@login_required(*READERS)
def break_glass(child_id: int):
    """An admin writes down why they need to read the child's sensitive data, then may."""
    child = child_or_404(child_id)
    staff = me()
    target = request.values.get("next", "")
    if not target.startswith(places_of(child.id or 0)):
        target = url_for("workspace.child", child_id=child.id)
    if staff.role != "admin" or may_read_sensitive(staff, child):
        return redirect(target, code=303)
    if request.method == "GET":
        return render_template(
            "staff/workspace/break_glass.html", child=child, target=target, minutes=GLASS_MINUTES
        )
    reason = " ".join(request.form.get("reason", "").split())[:450]
    if len(reason) < REASON_MIN:
        error = _("Skriv varför du behöver läsa uppgifterna (minst %(n)d tecken).", n=REASON_MIN)
        return render_template(
            "staff/workspace/break_glass.html",
            child=child,
            target=target,
            minutes=GLASS_MINUTES,
            error=error,
            reason=reason,
        ), 422
    audit.record("break_glass", child.id, detail=reason)
    return redirect(target, code=303)


# ------------------------------------------------------------------------------- concerns


def _concern_or_404(child: Child, concern_id: int):
    found = concerns.concern_of(get_session(), child.id or 0, concern_id)
    if found is None:
        abort(404)
    return found


@login_required("barnkontakt")
def concern_reported(child_id: int, concern_id: int):
    """Record that I made the orosanmälan for this concern."""
    child = child_or_404(child_id)
    concern = _concern_or_404(child, concern_id)
    if request.method == "GET":
        return to_child(child, "oro")
    try:
        concerns.record_report(session=get_session(), concern=concern, staff=me())
    except concerns.ConcernRefused:
        flash(_("Den oron är redan hanterad."))
        return to_child(child, "oro")
    audit.record("report_made", child.id, detail=f"oro {concern.id}")
    flash(_("Det är sparat att du har gjort orosanmälan."))
    return to_child(child, "oro")


@login_required("barnkontakt")
def concern_no_report(child_id: int, concern_id: int):
    """Record my decision not to make an orosanmälan, and why."""
    child = child_or_404(child_id)
    concern = _concern_or_404(child, concern_id)
    if request.method == "GET":
        return to_child(child, "oro")
    try:
        concerns.record_no_report(
            session=get_session(),
            concern=concern,
            staff=me(),
            reason=request.form.get("reason", ""),
        )
    except concerns.ConcernRefused as refused:
        flash(
            _("Skriv varför ingen orosanmälan görs.")
            if str(refused) == "reason"
            else _("Den oron är redan hanterad.")
        )
        return to_child(child, "oro")
    audit.record("no_report", child.id, detail=f"oro {concern.id}")
    flash(_("Beslutet att inte göra orosanmälan är sparat med skälet."))
    return to_child(child, "oro")


# ---------------------------------------------------------------------------- revoking links


@login_required("barnkontakt")
def revoke_link(child_id: int, conversation_id: int):
    """Make every link to the child's conversation (and its PIN) stop working."""
    child = child_or_404(child_id)
    db = get_session()
    conversation = db.get(Conversation, conversation_id)
    if conversation is None or conversation.child_id != child.id or conversation.guardian_id:
        abort(404)
    if request.method == "GET":
        return to_child(child, "samtal")
    conversation.link_nonce = secrets.token_hex(8)
    # A new link has a new PIN nobody has guessed at: its wrong tries start from zero.
    conversation.pin_attempts, conversation.pin_window_at = 0, None
    db.add(conversation)
    db.commit()
    audit.record("revoke_link", child.id, detail=f"samtal {conversation.id}")
    flash(_("Den gamla länken och koden fungerar inte längre."))
    if panel_access.is_finished(conversation):
        return to_child(child, "samtal")
    return redirect(
        url_for("workspace.conversation_link", child_id=child.id, conversation_id=conversation.id),
        code=303,
    )


@login_required("barnkontakt")
def revoke_invitation(child_id: int, invitation_id: int):
    """Make an invitation's link stop working (sent to the wrong person, lost)."""
    child = child_or_404(child_id)
    db = get_session()
    invitation = db.get(Invitation, invitation_id)
    guardian = db.get(Guardian, invitation.guardian_id) if invitation else None
    if invitation is None or guardian is None or guardian.child_id != child.id:
        abort(404)
    if request.method == "GET":
        return to_child(child, "vardnadshavare")
    invitation.nonce = secrets.token_hex(8)
    invitation.expires_at = utcnow()
    db.add(invitation)
    db.commit()
    audit.record("revoke_invitation", child.id, detail=f"inbjudan {invitation.id}")
    flash(_("Inbjudan fungerar inte längre. Gör en ny inbjudan om vårdnadshavaren ska svara."))
    return to_child(child, "vardnadshavare")
