"""The barnkontakt's workspace: the caseload, registering a child, the child page, follow-up.

The child page shows the child's (and each guardian's) finished conversations side by side,
with the change per area since last time (over_time.py).

Starting sessions (kiosk, QR code, invitations), consent and siblings live in kiosk.py,
consent_pages.py and sibling_pages.py; their routes are in this same blueprint ("workspace",
under /arbete).

Who may use what: reading (caseload, child page) admin and barnkontakt; every change
barnkontakt only, and only for their own children (linking siblings: an admin too, any two).
Another barnkontakt's child answers 404.
"""

from __future__ import annotations

from datetime import date

from flask import (
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import distinct
from sqlmodel import col, func, select
from werkzeug.routing import BuildError

from samtal import audit, inputs, library, settings
from samtal.ages import age_of
from samtal.db import get_session
from samtal.flows import Flow
from samtal.models import (
    Answer,
    Child,
    Conversation,
    Guardian,
    Invitation,
    Staff,
    SummaryDraft,
    SummaryVersion,
    Unit,
    utcnow,
)
from samtal.staff import caseload as cases
from samtal.staff import children, consent, siblings
from samtal.staff.access import child_or_404, current_staff, login_required, restored_form
from samtal.staff.invitation_mail import latest_deliveries
from samtal.staff.summary.texts import CONVERSATION_STATES
from samtal.staff.workspace import safety
from samtal.staff.workspace.flow_names import flow_label, flow_name
from samtal.staff.workspace.over_time import timelines

READERS = ("barnkontakt", "admin")
INVITATION_STATES = {
    "sent": _l("Skickad"),
    "started": _l("Påbörjad"),
    "answered": _l("Besvarad"),
    "expired": _l("Har gått ut"),
}
AUDIT_ACTIONS = {
    "view_child": _l("Öppnade barnets sida"),
    "register_child": _l("Registrerade barnet"),
    "add_guardian": _l("Lade till vårdnadshavare"),
    "start_conversation": _l("Startade ett samtal"),
    "view_link": _l("Visade länken till barnets samtal"),
    "invite": _l("Bjöd in vårdnadshavare"),
    "view_invitation": _l("Visade en inbjudan"),
    "invite_email": _l("Skickade en inbjudan med e-post"),
    "invite_email_failed": _l("Försökte skicka en inbjudan med e-post (gick inte)"),
    "print_invitation": _l("Skrev ut en inbjudan"),
    "view_consent": _l("Öppnade samtycken"),
    "record_consent": _l("Registrerade samtycke"),
    "withdraw_consent": _l("Registrerade återkallat samtycke"),
    "set_followup": _l("Ändrade datum för uppföljning"),
    "link_sibling": _l("Länkade ett syskon"),
    "unlink_sibling": _l("Tog bort länken till ett syskon"),
    "kiosk_left": _l("Lämnade barnets skärm"),
    "kiosk_leave_refused": _l("Fel lösenord för att lämna barnets skärm"),
    # The summary (summary_views.py, summary_exports.py)
    "view_summary": _l("Läste sammanställningen"),
    "save_summary": _l("Sparade ändringar i sammanställningen"),
    "sign_summary": _l("Signerade sammanställningen"),
    "view_summary_versions": _l("Läste listan över signerade versioner"),
    "view_summary_version": _l("Läste en signerad version"),
    "compare_summary": _l("Jämförde två versioner av sammanställningen"),
    "print_summary": _l("Öppnade utskriften av sammanställningen"),
    "export_pdf": _l("Laddade ner sammanställningen som PDF"),
    "export_json": _l("Laddade ner sammanställningen som JSON"),
    "export_refused": _l("Fick nej till att dela sammanställningen (inget samtycke)"),
    "view_child_copy": _l("Öppnade barnets kopia ”Det här berättade du”"),
    # Safeguarding (the adult panel, concerns, links, need-to-know, what leaves)
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


def me() -> Staff:
    """The signed-in staff member (the guard has made sure there is one)."""
    staff = current_staff()
    assert staff is not None
    return staff


def to_child(child: Child, anchor: str | None = None):
    """303 back to the child page, at a section."""
    return redirect(url_for("workspace.child", child_id=child.id, _anchor=anchor), code=303)


def optional_url(endpoint: str, **values) -> str | None:
    """The URL of another part's page (e.g. the summary's), or None while it does not exist:
    the child page works before and after that part is installed."""
    if endpoint not in current_app.view_functions:
        return None
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


# ------------------------------------------------------------------------------ caseload


@login_required(*READERS)
def caseload():
    """My children (an admin: every child), with where each stands; search, filter, pages."""
    page = request.args.get("sida", "1")
    found = cases.caseload(
        session=get_session(),
        staff=me(),
        search=request.args.get("sok", ""),
        status=request.args.get("status") or None,
        page=inputs.number(page, maximum=100_000) or 1,
        concern=request.args.get("oro") == "1",
    )
    audit.record("view_caseload", detail=f"sida {found.page}")
    return render_template(
        "staff/workspace/caseload.html",
        caseload=found,
        statuses={key: str(label) for key, label in cases.STATUSES.items()},
        admin_view=me().role == "admin",
    )


# ------------------------------------------------------------------------------ register


def languages() -> list[str]:
    """The languages offered: the admin's choice (Setting "languages") where that part is
    installed, else every language the app has."""
    offered = current_app.jinja_env.globals.get("offered_languages")
    return list(offered()) if callable(offered) else list(current_app.config["LANGUAGES"])


def _units() -> list[Unit]:
    return list(get_session().exec(select(Unit).order_by(col(Unit.name))).all())


@login_required("barnkontakt")
def register():
    """Register a child and its guardians: minimal fields, each with its reason."""
    units = _units()
    if request.method == "GET":
        kept = restored_form() or {"unit_id": str(me().unit_id or "")}
        return render_template(
            "staff/workspace/register.html", form=kept, errors={}, units=units, **_reasons()
        )
    form = request.form.to_dict()
    registration, errors = children.read_registration(
        form,
        languages=languages(),
        unit_ids={u.id for u in units if u.id is not None},
        today=utcnow().date(),
    )
    if registration is None:
        return render_template(
            "staff/workspace/register.html", form=form, errors=errors, units=units, **_reasons()
        ), 422
    child = children.register_child(
        session=get_session(),
        staff=me(),
        name=registration.name,
        birth_date=registration.birth_date,
        home_languages=registration.home_languages,
        unit_id=registration.unit_id,
        guardians=registration.guardians,
        language=registration.language,
    )
    audit.record("register_child", child.id)
    flash(_("%(name)s är registrerad.", name=child.name))
    return to_child(child)


def _reasons() -> dict:
    return {"reasons": children.REASONS, "languages": languages()}


# ------------------------------------------------------------------------------ child page


def _invitation_state(invitation: Invitation, conversation: Conversation, answered: int) -> str:
    if conversation.status == "completed":
        return "answered"
    expires = invitation.expires_at
    if expires.tzinfo is None:
        expires = expires.replace(tzinfo=utcnow().tzinfo)
    if expires < utcnow():
        return "expired"
    return "started" if answered else "sent"


def child_overview(child: Child) -> dict:
    """Everything the child page shows, read in a handful of queries (none per row)."""
    db = get_session()
    guardians = children.guardians_of(db, child.id or 0)
    names = {g.id: g.name for g in guardians if g.id is not None}
    conversations = list(
        db.exec(
            select(Conversation)
            .where(Conversation.child_id == child.id)
            .order_by(col(Conversation.created_at).desc(), col(Conversation.id).desc())
        ).all()
    )
    answered = dict(
        db.exec(  # type: ignore[call-overload]
            select(Answer.conversation_id, func.count(distinct(col(Answer.step_id))))
            .join(Conversation, col(Conversation.id) == Answer.conversation_id)
            .where(Conversation.child_id == child.id, col(Answer.replaced_at).is_(None))
            .group_by(col(Answer.conversation_id))
        ).all()
    )
    by_id = {c.id: c for c in conversations}
    invitations = []
    rows = db.exec(
        select(Invitation)
        .join(Guardian, col(Guardian.id) == Invitation.guardian_id)
        .where(Guardian.child_id == child.id)
        .order_by(col(Invitation.id).desc())
    ).all()
    deliveries = latest_deliveries(db, [i.id for i in rows if i.id is not None])
    for invitation in rows:
        conversation = by_id.get(invitation.conversation_id)
        if conversation is None:
            continue
        state = _invitation_state(invitation, conversation, answered.get(conversation.id or 0, 0))
        invitations.append(
            {
                "invitation": invitation,
                "conversation": conversation,
                "guardian": names.get(invitation.guardian_id, ""),
                "state": state,
                "state_label": INVITATION_STATES[state],
                "delivery": deliveries.get(invitation.id or 0),
            }
        )
    consents = consent.on_record(db, child.id or 0)
    staff_names = {s.id: s.name for s in db.exec(select(Staff)).all() if s.id is not None}
    today = utcnow().date()
    age = age_of(child, today)
    return {
        "child": child,
        "age": age,
        "guardians": guardians,
        "unit": db.get(Unit, child.unit_id) if child.unit_id else None,
        "barnkontakt": staff_names.get(child.barnkontakt_id or 0),
        "conversations": conversations,
        "answered": answered,
        "guardian_names": names,
        "invitations": invitations,
        "consents": consent.describe(
            consents, on_date=today, guardian_names=names, staff_names=staff_names
        ),
        "consent_covers": consent.covers(
            consents,
            information="sammanstallning",
            recipient=consent.BARNTEAM,
            on_date=today,
            child_age=age,
            guardian_ids=[g.id for g in guardians if g.id is not None],
        ),
        "versions": list(
            db.exec(
                select(SummaryVersion)
                .where(SummaryVersion.child_id == child.id)
                .order_by(col(SummaryVersion.number).desc())
            ).all()
        ),
        "draft": db.exec(select(SummaryDraft).where(SummaryDraft.child_id == child.id)).first(),
        "status": cases.status_of(session=db, child=child, today=today),
        "seen_by": audit.entries(db, child_id=child.id, limit=50),
        "staff_names": staff_names,
        "today": today,
    }


# ------------------------------------------------------------------ starting conversations


def _first_then_followup(flows: list[Flow]) -> list[Flow]:
    return sorted(flows, key=lambda f: (getattr(f, "purpose", "first") != "first", f.ages))


def start_choices(child: Child, age: int | None, conversations: list[Conversation]) -> dict:
    """The flows the barnkontakt may start for this child, and which are suggested (the
    child's age band); once the child has finished a conversation, the follow-up for the
    child's age, and a follow-up invitation for each guardian who has answered before."""
    flows = settings.installed_flows()
    done = {c.guardian_id for c in conversations if c.status == "completed"}
    followup_ready = None in done  # the child has finished a conversation
    options = _first_then_followup(flows.for_audience("child", purpose=None))
    suggested = flows.for_age(age) if age is not None else None
    if suggested is None and options:
        first = [f for f in options if getattr(f, "purpose", "first") == "first"] or options
        suggested = first[0] if (age or 0) < first[0].ages[0] else first[-1]
    guardian_flows = _first_then_followup(flows.for_audience("guardian", purpose=None))
    guardian_followups = flows.for_audience("guardian", purpose="followup")
    return {
        "flows": options,
        "suggested": suggested.id if suggested else None,
        "guardian_flows": guardian_flows,
        "guardian_suggested": next((f.id for f in guardian_flows if f.purpose == "first"), None),
        "flow_label": flow_label,
        "followup_ready": followup_ready,
        "followup_flow": (
            flows.for_age(age, purpose="followup") if followup_ready and age is not None else None
        ),
        "last_finished": max(
            (
                c.finished_at or c.created_at
                for c in conversations
                if c.guardian_id is None and c.status == "completed"
            ),
            default=None,
        ),
        "guardians_answered": done - {None} if guardian_followups else set(),
    }


@login_required(*READERS)
def child(child_id: int):
    """One child: conversations over time, invitations, consent, summaries, who has seen it."""
    found = child_or_404(child_id)
    audit.record("view_child", found.id)  # first, so this view is in the list it shows
    overview = child_overview(found)
    db, may_change = get_session(), me().role == "barnkontakt"
    return render_template(
        "staff/workspace/child.html",
        **overview,
        **start_choices(found, overview["age"], overview["conversations"]),
        timelines=timelines(found, overview["guardians"]),
        statuses=cases.STATUSES,
        flow_name=flow_name,
        optional_url=optional_url,
        conversation_states=CONVERSATION_STATES,
        audit_actions=AUDIT_ACTIONS,
        languages=languages(),
        reasons=children.REASONS,
        may_change=may_change,
        siblings=siblings.siblings_of(session=db, child=found, staff=me(), today=overview["today"]),
        # What the guardians said about the siblings is for the child's barnkontakt.
        sibling_hint=(
            siblings.guardians_asking(db, found.id or 0, library.flows()) if may_change else []
        ),
        **safety.child_page_context(found),
    )


@login_required("barnkontakt")
def add_guardian(child_id: int):
    """Add a second guardian to a child already registered."""
    found = child_or_404(child_id)
    if request.method == "GET":
        return to_child(found, "vardnadshavare")
    guardian, errors = children.read_guardian(request.form, "new_guardian_", languages=languages())
    if guardian is None:
        flash(next(iter(errors.values()), _("Skriv vårdnadshavarens namn.")))
        return to_child(found, "vardnadshavare")
    try:
        children.add_guardian(
            session=get_session(),
            child=found,
            name=str(guardian["name"]),
            language=str(guardian["language"]),
            contact=guardian["contact"],
        )
    except children.ChildRefused as refused:
        flash(str(refused))
        return to_child(found, "vardnadshavare")
    audit.record("add_guardian", found.id)
    flash(_("Vårdnadshavaren är tillagd."))
    return to_child(found, "vardnadshavare")


@login_required("barnkontakt")
def followup_due(child_id: int):
    """Set or clear the date of the child's follow-up; it shows on the caseload when due."""
    found = child_or_404(child_id)
    if request.method == "GET":
        return to_child(found, "uppfoljning")
    raw = request.form.get("followup_due", "").strip()
    due: date | None = None
    if raw and request.form.get("clear") != "1":
        try:
            due = date.fromisoformat(raw)
        except ValueError:
            flash(_("Skriv datumet som år-månad-dag, t.ex. %(example)s.", example="2026-05-04"))
            return to_child(found, "uppfoljning")
        if due.year > utcnow().year + 5:
            flash(_("Välj ett datum inom fem år."))
            return to_child(found, "uppfoljning")
    children.set_followup(session=get_session(), child=found, due=due)
    audit.record("set_followup", found.id, detail=due.isoformat() if due else "inget datum")
    flash(
        _("Uppföljningen är satt till %(date)s.", date=due.isoformat())
        if due
        else _("Datumet för uppföljning är borttaget.")
    )
    return to_child(found, "uppfoljning")
