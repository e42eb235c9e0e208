"""Safeguarding in the workspace: concerns (report or a reasoned decision), the panel PIN,
revoking links, and "break the glass" for an admin who needs a child's sensitive data.

Need-to-know: the child's safety notes and own words are for the child's barnkontakt. An
admin reads them (the summary, its exports, the concerns) only after writing down why; that
is audited and shown on the child page, and lasts GLASS_MINUTES.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlmodel import Session, func, select

from samtal import audit, concerns, panel_access
from samtal.db import get_session
from samtal.models import (
    AuditEntry,
    Child,
    Conversation,
    Guardian,
    Invitation,
    Staff,
    utcnow,
)
from samtal.staff import summary_views
from samtal.staff.auth import current_staff, login_required
from samtal.staff.children import child_or_404
from samtal.staff.workspace import AUDIT_ACTIONS, READERS, bp, me, to_child

GLASS_MINUTES = 60
REASON_MIN = 10

AUDIT_ACTIONS.update(
    {
        "break_glass": _l("Bröt förseglingen för att läsa känsliga uppgifter"),
        "panel_opened": _l("Öppnade panelen för den vuxna"),
        "panel_pin_refused": _l("Fel kod till panelen för den vuxna"),
        "panel_pin_throttled": _l("För många fel koder till panelen"),
        "panel_words": _l("Skrev ner barnets ord i panelen"),
        "panel_paused": _l("Pausade samtalet"),
        "panel_active": _l("Fortsatte samtalet"),
        "panel_ended": _l("Avslutade samtalet"),
        "panel_language": _l("Bytte samtalets språk"),
        "panel_age_band": _l("Bytte åldersgrupp"),
        "mark_concern": _l("Markerade oro för barnets säkerhet"),
        "report_made": _l("Registrerade att orosanmälan är gjord"),
        "no_report": _l("Beslutade att inte göra orosanmälan, med skäl"),
        "view_concerns": _l("Läste oroanteckningarna"),
        "revoke_link": _l("Gjorde barnets länk ogiltig"),
        "revoke_invitation": _l("Gjorde en inbjudan ogiltig"),
        "choose_child_copy": _l("Valde vad som ska med i barnets kopia"),
        "export_consultation": _l("Laddade ner sammanställningen avidentifierad"),
    }
)


# ---------------------------------------------------------------------------- need-to-know


def glass_broken(session: Session, staff: Staff, child_id: int) -> bool:
    """Whether an admin wrote down a reason to read this child's sensitive data lately."""
    since = utcnow() - timedelta(minutes=GLASS_MINUTES)
    found = session.exec(
        select(func.count())
        .select_from(AuditEntry)
        .where(
            AuditEntry.action == "break_glass",
            AuditEntry.staff_id == staff.id,
            AuditEntry.child_id == child_id,
            AuditEntry.at >= since,
        )
    ).one()
    return found > 0


def may_read_sensitive(staff: Staff | None, child: Child) -> bool:
    """The child's own barnkontakt; an admin only after breaking the glass."""
    if staff is None:
        return False
    if staff.role == "barnkontakt":
        return child.barnkontakt_id == staff.id
    return staff.role == "admin" and glass_broken(get_session(), staff, child.id or 0)


@summary_views.bp.before_request
def _summary_needs_to_know():
    """The summary holds safety notes and the child's own words: need-to-know."""
    staff = current_staff()
    child_id = (request.view_args or {}).get("child_id")
    if staff is None or staff.role != "admin" or not isinstance(child_id, int):
        return None  # login_required decides for everyone else
    child = child_or_404(child_id)
    if may_read_sensitive(staff, child):
        return None
    return redirect(url_for("workspace.break_glass", child_id=child.id, next=request.path), 303)


@summary_views.bp.context_processor
def _open_concerns() -> dict:
    """The sign-off asks for the report or the decision first while a concern is open."""
    child_id = (request.view_args or {}).get("child_id")
    if not isinstance(child_id, int):
        return {}
    return {"open_concerns": concerns.open_count(get_session(), child_id)}


@bp.route("/barn/<int:child_id>/bryt-forseglingen", methods=["GET", "POST"])
@login_required(*READERS)
def break_glass(child_id: int):
    """An admin writes down why they need to read the child's sensitive data, then may."""
    child = child_or_404(child_id)
    staff = me()
    target = request.values.get("next", "")
    if not target.startswith(f"/arbete/barn/{child.id}"):
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


# ------------------------------------------------------------------------- the child page


def child_page_context(child: Child) -> dict:
    """What the child page shows about safety: open concerns, concerns (need-to-know), PINs."""
    db = get_session()
    staff = me()
    views = concerns.of_child(db, child.id or 0)
    readable = may_read_sensitive(staff, child)
    owner = staff.role == "barnkontakt" and child.barnkontakt_id == staff.id
    if readable and views:
        audit.record("view_concerns", child.id)
    return {
        "open_concerns": sum(1 for v in views if v.open),
        "concern_views": views if readable else [],
        "sensitive_readable": readable,
        "is_owner": owner,
        "glass_breaks": audit.entries(db, child_id=child.id, action="break_glass", limit=50),
    }


@bp.app_template_global()
def panel_pin(conversation: Conversation) -> str | None:
    """The panel PIN of a running child conversation, for its own barnkontakt only."""
    staff = current_staff()
    child = get_session().get(Child, conversation.child_id)
    if (
        staff is None
        or child is None
        or staff.role != "barnkontakt"
        or child.barnkontakt_id != staff.id
        or conversation.guardian_id is not None
        or panel_access.is_finished(conversation)
    ):
        return None
    return panel_access.pin_for(conversation)


# ------------------------------------------------------------------------------- concerns


def _concern_or_404(child: Child, concern_id: int):
    found = concerns.concern_of(get_session(), child.id or 0, concern_id)
    if found is None:
        abort(404)
    return found


@bp.route(
    "/barn/<int:child_id>/oro/<int(max=2147483647):concern_id>/anmald", methods=["GET", "POST"]
)
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


@bp.route(
    "/barn/<int:child_id>/oro/<int(max=2147483647):concern_id>/ingen-anmalan",
    methods=["GET", "POST"],
)
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


@bp.route(
    "/barn/<int:child_id>/samtal/<int(max=2147483647):conversation_id>/ny-lank",
    methods=["GET", "POST"],
)
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


@bp.route(
    "/barn/<int:child_id>/inbjudan/<int(max=2147483647):invitation_id>/aterkalla",
    methods=["GET", "POST"],
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
