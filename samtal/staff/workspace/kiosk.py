"""Starting sessions from the child page: on this tablet (kiosk), on another device (QR code
and link), and guardian invitations. The same service functions as the command line.

Kiosk: once the barnkontakt starts the child's conversation "on this tablet", the browser is
the child's screen. The staff session is set aside: every staff page answers with a request
for the barnkontakt's password (/arbete/kiosk/lamna) until it is given. The child's screen
(/samtal/<token>/) and the adult's panel beside it are reached by their signed token and
work as always.
"""

from __future__ import annotations

from flask import (
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from sqlmodel import col, select

from samtal import audit, inputs, library, limits, settings
from samtal.ages import age_of
from samtal.conversation import invitations, lifecycle, links
from samtal.conversation.panel_access import KIOSK_KEY
from samtal.db import get_session
from samtal.flows import Flow
from samtal.models import Child, Conversation, Guardian, Invitation, Staff
from samtal.staff import access, invitation_mail, passwords
from samtal.staff.access import child_or_404
from samtal.staff.two_factor import second_step
from samtal.staff.workspace.views import languages, me, to_child
from samtal.web.qr import qr_svg
from samtal.web.security import refuse_stale_form

CODES_KEY = "shown_codes"
# The code of the newest invitation, for its printed letter (the page shows it only once).
LETTER_CODE_KEY = "letter_code"
# An e-mail address refused as mistyped, shown again in the form so it can be corrected.
REFUSED_ADDRESS_KEY = "refused_address"
# Staff pages live under /arbete and in these blueprints; in kiosk mode they all ask for the
# password. Signing out stays possible: it ends the staff session altogether.
STAFF_BLUEPRINTS = frozenset({"auth", "admin", "workspace", "summary", "sso", "two_factor"})
# Single sign-on unlocks the screen only with a fresh sign-in of the barnkontakt's own account.
OPEN_IN_KIOSK = frozenset(
    {
        "workspace.kiosk_leave",
        "auth.logout",
        "static",
        "sso.start",
        "sso.saml_acs",
        "sso.oidc_callback",
    }
)


# ------------------------------------------------------------------------- the kiosk guard


def _kiosk_guard():
    """In kiosk mode, every staff page waits for the barnkontakt's password."""
    if KIOSK_KEY not in session or request.endpoint in OPEN_IN_KIOSK:
        return None
    if request.path.startswith("/arbete") or request.blueprint in STAFF_BLUEPRINTS:
        return redirect(url_for("workspace.kiosk_leave"), code=303)
    return None


def _chosen_flow(child: Child) -> tuple[Flow | None, str]:
    """The child flow and language from the start form (defaults: the child's own)."""
    flow = library.flows().get(request.form.get("flow", ""))
    if flow is None or flow.audience != "child":
        age = age_of(child)
        flow = settings.installed_flows().for_age(age) if age is not None else None
    language = request.form.get("language") or child.language
    if language not in languages():
        language = "sv"
    return flow, language


def _has_finished(child: Child, guardian: Guardian | None = None) -> bool:
    """Whether the child (or this guardian) has finished a conversation: what a follow-up
    follows up."""
    query = select(Conversation.id).where(
        Conversation.child_id == child.id, Conversation.status == "completed"
    )
    if guardian is None:
        query = query.where(col(Conversation.guardian_id).is_(None))
    else:
        query = query.where(Conversation.guardian_id == guardian.id)
    return get_session().exec(query.limit(1)).first() is not None


def _start_followup(
    child: Child, where: str, flow: Flow | None, language: str
) -> Conversation | None:
    """The child's follow-up, with the same service function as `samtal start --child N
    --followup`; None (and a kind message) when it cannot start."""
    if not _has_finished(child):
        flash(
            _(
                "%(name)s har inget avslutat samtal att följa upp än. Starta ett första "
                "samtal i stället.",
                name=child.name,
            )
        )
        return None
    try:
        conversation = lifecycle.start_followup(
            session=get_session(),
            flows=settings.installed_flows(),
            child=child,
            flow=flow if flow is not None and flow.purpose == "followup" else None,
            language=language,
        )
    except lifecycle.FollowupRefused as refused:
        flash(
            _(
                "Uppföljningssamtalet kunde inte startas: %(why)s Välj frågor själv under "
                "”Ett annat samtal”.",
                why=str(refused),
            )
        )
        return None
    audit.record(
        "start_conversation",
        child.id,
        detail=f"{where}: uppföljning {conversation.flow_id} ({conversation.language})",
    )
    return conversation


def _start(child: Child, where: str) -> Conversation | None:
    """Start the child's conversation with the same service functions as the command line:
    a follow-up (asked for, or a follow-up flow chosen) through start_followup."""
    flow, language = _chosen_flow(child)
    if request.form.get("followup") == "1":
        return _start_followup(child, where, None, language)
    if flow is not None and flow.purpose == "followup":
        return _start_followup(child, where, flow, language)
    if flow is None:
        flash(_("Välj vilka frågor samtalet ska ha."))
        return None
    age = age_of(child)
    conversation = lifecycle.start_conversation(
        session=get_session(),
        flow=flow,
        name=child.name,
        age=age if age is not None else flow.ages[0],
        language=language,
        child=child,
    )
    audit.record("start_conversation", child.id, detail=f"{where}: {flow.id} ({language})")
    return conversation


def _started(child_id: int, where: str) -> tuple[Child, Conversation | None]:
    """The child and the conversation a POST started (None on a GET or when it could not)."""
    child = child_or_404(child_id)
    return child, _start(child, where) if request.method == "POST" else None


@access.login_required("barnkontakt")
def start_here(child_id: int):
    """Start the child's conversation on this tablet: the browser becomes the child's screen."""
    child, conversation = _started(child_id, "här")
    if conversation is None:
        return to_child(child, "starta")
    path = links.tablet_path(conversation.id or 0, conversation.link_nonce)
    session[KIOSK_KEY] = {
        "conversation": conversation.id,
        "path": path,
        "staff": me().id,
        "child": child.id,
    }
    return redirect(path, code=303)


@access.login_required("barnkontakt")
def start_elsewhere(child_id: int):
    """Start the child's conversation for another device: a QR code and a link."""
    child, conversation = _started(child_id, "annan enhet")
    if conversation is None:
        return to_child(child, "starta")
    return redirect(
        url_for("workspace.conversation_link", child_id=child.id, conversation_id=conversation.id),
        code=303,
    )


@access.login_required("barnkontakt")
def conversation_link(child_id: int, conversation_id: int):
    """The link to the child's conversation again, with its QR code, to copy or print."""
    child = child_or_404(child_id)
    conversation = get_session().get(Conversation, conversation_id)
    if conversation is None or conversation.child_id != child.id or conversation.guardian_id:
        abort(404)
    token = links.tablet_token(conversation.id or 0, conversation.link_nonce)
    url = links.external_url("tablet.step", token=token)
    flow = library.flows().of(conversation)
    followup = flow is not None and flow.purpose == "followup"
    audit.record("view_link", child.id, detail=f"samtal {conversation.id}")
    return render_template(
        "staff/workspace/link.html",
        child=child,
        url=url,
        qr=qr_svg(url, _("QR-kod till barnets samtal")),
        heading=(
            _("Barnets uppföljningssamtal på en annan enhet")
            if followup
            else _("Barnets samtal på en annan enhet")
        ),
        days=current_app.config["TABLET_LINK_DAYS"],
        conversation=conversation,
        code=None,
        kind="child",
    )


# --------------------------------------------------------------------------- invitations


@access.login_required("barnkontakt")
def invite(child_id: int):
    """Invite a registered guardian: link and, if asked for, a code; shown once, then again."""
    child = child_or_404(child_id)
    if request.method == "GET":
        return to_child(child, "vardnadshavare")
    db = get_session()
    guardian_id = request.form.get("guardian_id", "")
    found_id = inputs.number(guardian_id)
    guardian = db.get(Guardian, found_id) if found_id is not None else None
    if guardian is None or guardian.child_id != child.id:
        flash(_("Välj vilken vårdnadshavare som ska bjudas in."))
        return to_child(child, "vardnadshavare")
    language = request.form.get("invite_language") or guardian.language
    if language not in languages():
        flash(_("Välj ett av språken i listan."))
        return to_child(child, "vardnadshavare")
    flow = library.flows().get(request.form.get("flow", ""))
    if request.form.get("followup") == "1":
        followups = settings.installed_flows().for_audience("guardian", purpose="followup")
        flow = followups[0] if followups else None
        if flow is None:
            flash(_("Det finns inga uppföljningsfrågor för vårdnadshavare."))
            return to_child(child, "vardnadshavare")
    elif flow is None or flow.audience != "guardian":
        choices = settings.installed_flows().for_audience("guardian")
        flow = choices[0] if choices else None
    if flow is None:
        flash(_("Det finns inga frågor för vårdnadshavare."))
        return to_child(child, "vardnadshavare")
    if flow.purpose == "followup" and not _has_finished(child, guardian):
        flash(
            _(
                "%(name)s har inte svarat på frågorna förut, så det finns inget att följa "
                "upp. Bjud in till de vanliga frågorna i stället.",
                name=guardian.name,
            )
        )
        return to_child(child, "vardnadshavare")
    issued = invitations.issue(
        session=db,
        child=child,
        flow=flow,
        language=language,
        with_code=request.form.get("with_code") == "1",
        guardian=guardian,
    )
    if issued.code:
        session[CODES_KEY] = {str(issued.invitation.id): issued.code}
    what = "uppföljning " if flow.purpose == "followup" else ""
    audit.record("invite", child.id, detail=f"{guardian.name} ({what}{language}, {flow.id})")
    return redirect(
        url_for("workspace.invitation", child_id=child.id, invitation_id=issued.invitation.id),
        code=303,
    )


@access.login_required("barnkontakt")
def invitation(child_id: int, invitation_id: int):
    """An invitation's link again (the code only right after it was made), to copy or print."""
    child = child_or_404(child_id)
    db = get_session()
    found = db.get(Invitation, invitation_id)
    guardian = db.get(Guardian, found.guardian_id) if found else None
    conversation = db.get(Conversation, found.conversation_id) if found else None
    if found is None or guardian is None or conversation is None or guardian.child_id != child.id:
        abort(404)
    codes = session.pop(CODES_KEY, {})
    if codes:
        session[LETTER_CODE_KEY] = codes
    token = invitations.link_token(found, conversation.language)
    url = links.external_url("guardian.step", token=token)
    audit.record("view_invitation", child.id, detail=f"inbjudan {found.id}")
    delivery = invitation_mail.latest_deliveries(db, [found.id or 0]).get(found.id or 0)
    return render_template(
        "staff/workspace/link.html",
        child=child,
        url=url,
        qr=qr_svg(url, _("QR-kod till inbjudan")),
        heading=(
            _("Inbjudan till uppföljning för %(name)s", name=guardian.name)
            if getattr(library.flows().of(conversation), "purpose", "") == "followup"
            else _("Inbjudan till %(name)s", name=guardian.name)
        ),
        guardian=guardian,
        invitation=found,
        conversation=conversation,
        code=codes.get(str(found.id)),
        has_code=found.code_hash is not None,
        kind="guardian",
        delivery=delivery,
        # A mistyped address to correct, else the last one tried (to try again), else the
        # guardian's contact note.
        address=session.pop(REFUSED_ADDRESS_KEY, None)
        or (delivery.address if delivery else invitation_mail.address_of(guardian.contact)),
    )


# ------------------------------------------------------------------------- leaving kiosk


def kiosk_leave():
    """Leave the child's screen: only with the barnkontakt's password (which also signs in
    again if the staff session ran out while the child was talking)."""
    kiosk = session.get(KIOSK_KEY)
    if not kiosk:
        return redirect(url_for("auth.home"), code=303)
    if request.method == "GET":
        return render_template("staff/workspace/kiosk_leave.html", back=kiosk.get("path"))
    refused = refuse_stale_form(url_for("workspace.kiosk_leave"))
    if refused is not None:
        return refused
    db = get_session()
    staff = db.get(Staff, kiosk.get("staff"))
    signed_in = access.current_staff()  # the log then names whose session this is, if still on
    # The kiosk's own count: a child's screen must never lock the barnkontakt's account.
    attempts = f"kiosk leave: staff {kiosk.get('staff')}, child {kiosk.get('child')}"
    allowed = limits.claim(
        db,
        attempts,
        int(current_app.config["LOGIN_ATTEMPTS"]),
        int(current_app.config["LOCK_MINUTES"]),
    )
    password = request.form.get("password", "")
    if staff is None or not staff.active or not allowed or not passwords.matches(staff, password):
        audit.record("kiosk_leave_refused", kiosk.get("child"), detail=f"staff {kiosk['staff']}")
        message = (
            _("För många misslyckade försök. Vänta en kvart och försök igen.")
            if not allowed
            else _("Lösenordet stämmer inte. Barnets skärm är fortfarande låst.")
        )
        return render_template(
            "staff/workspace/kiosk_leave.html", back=kiosk.get("path"), error=message
        ), 401
    assert staff is not None
    limits.forgive(db, attempts)
    if signed_in is None or signed_in.id != staff.id:
        if second_step.needed(staff):
            # The password alone does not sign this account in again: the code follows.
            session.pop(KIOSK_KEY, None)
            g.staff_member = staff
            audit.record("kiosk_left", kiosk.get("child"))
            child_id = kiosk.get("child")
            after = url_for("workspace.child", child_id=child_id) if child_id else None
            return second_step.begin(staff, after)
        access.sign_in(staff)  # the password is a fresh sign-in
    session.pop(KIOSK_KEY, None)
    g.staff_member = staff
    audit.record("kiosk_left", kiosk.get("child"))
    child = db.get(Child, kiosk.get("child")) if kiosk.get("child") else None
    if child is None:
        return redirect(url_for("auth.home"), code=303)
    return to_child(child, "samtal")
