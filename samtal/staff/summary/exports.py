"""The summary's exports: print view, PDF, JSON, and the child's own copy.

Routes on the summary blueprint (see summary_views). Reading is for admin and barnkontakt,
for a child they may see. An export for sharing (?for=sharing or ?dela=1, with ?mottagare=
barnteam or a named service) leaves out safety notes and the areas a young person kept from
the guardians, and is refused, with a clear message, unless it is of a signed version and
consent on record covers that recipient today.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Response, current_app, g, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import refresh
from sqlmodel import select

from samtal import audit, library
from samtal.conversation import drawings
from samtal.db import get_session
from samtal.models import Child, Conversation, SummaryVersion, utcnow
from samtal.staff import consent
from samtal.staff.access import child_or_404, login_required
from samtal.staff.summary import copy_choice
from samtal.staff.summary.texts import changes, compass
from samtal.staff.summary.views import READERS, chosen, signer_names
from samtal.summary import exports, store
from samtal.summary.sharing import prepare

GUARDIANS = "vardnadshavare"

# The drawings a PDF page shows: exactly those its own <img> elements point at.
DRAWN = re.compile(re.escape(exports.DRAWING_ADDRESS) + r"(\d+)")


@dataclass(frozen=True)
class ExportRequest:
    """What to export: the content, its version, for whom, and (barnteam) which areas."""

    content: dict[str, Any]
    signed: SummaryVersion | None
    audience: str  # staff, barnteam (any recipient outside the service) or guardians
    recipient: str
    areas: list[str] | None  # the barnkontakt's choice; None: not made yet

    @property
    def sharing(self) -> bool:
        """Made to leave the service."""
        return self.audience != "staff"


def _sharing_refused(child: Child, request_: ExportRequest):
    """None when sharing may go ahead, else the refusal page (and an audit entry).

    The guardians' copy needs no consent to share (it goes to the child's own guardians and
    holds only what the young person let them see); every other recipient does.
    """
    signed, recipient = request_.signed, request_.recipient
    if signed is None:
        reason = _("Sammanställningen är inte signerad. Signera den innan den delas.")
    elif request_.audience != "guardians" and not consent.child_covered(
        session=get_session(), child=child, information="sammanstallning", recipient=recipient
    ):
        reason = _(
            "Det finns inget samtycke som täcker att sammanställningen delas med %(recipient)s "
            "i dag. Registrera samtycke från vårdnadshavarna (och barnet från %(age)d år) först.",
            recipient=consent.recipient_label(recipient),
            age=consent.child_consent_age(),
        )
    else:
        return None
    audit.record("export_refused", child.id, f"dela med {recipient}"[:500])
    consent_url = (
        url_for("workspace.consent", child_id=child.id)
        if "workspace.consent" in current_app.view_functions
        else None
    )
    return render_template(
        "staff/summary/refused.html", child=child, reason=reason, consent_url=consent_url
    ), 403


def _export_request(child: Child) -> ExportRequest:
    """What to export: the content, its version, whether for sharing and with whom."""
    sharing = request.args.get("for") == "sharing" or request.args.get("dela") == "1"
    if sharing and not request.args.get("version"):
        # What leaves the service is what was signed: the newest signed version.
        signed = store.latest_version(get_session(), child.id or 0)
        content = signed.content if signed is not None else {}
    else:
        content, signed = chosen(child)
    recipient = " ".join(request.args.get("mottagare", "barnteam").split())[:80] or "barnteam"
    audience = "staff" if not sharing else ("guardians" if recipient == GUARDIANS else "barnteam")
    known = {a["id"] for a in content.get("areas", [])}
    chosen_areas = (
        [a for a in request.args.getlist("omrade") if a in known]
        if request.args.get("valt") == "1"
        else None
    )
    return ExportRequest(content, signed, audience, recipient, chosen_areas)


def _refused_or_choice(child: Child, request_: ExportRequest):
    """For sharing: the refusal page, or (barnteam) the page to choose the areas first."""
    if not request_.sharing:
        return None
    if refused := _sharing_refused(child, request_):
        return refused
    if request_.audience == "barnteam" and request_.areas is None:
        return render_template(
            "staff/summary/choose_areas.html",
            child=child,
            s=request_.content,
            recipient=request_.recipient,
            action=request.path,
        )
    return None


def _filename(request_: ExportRequest, child: Child, extension: str) -> str:
    signed = request_.signed
    suffix = f"v{signed.number}" if signed else "utkast"
    followup = request_.content.get("header", {}).get("purpose") == "followup"
    name = "barnets-plan-uppfoljning" if followup else "sammanstallning"
    return f"{name}-{child.id}-{suffix}.{extension}"


def _print_page(child: Child, request_: ExportRequest, *, pdf: bool) -> tuple[str, dict[str, str]]:
    """The print page, and for the PDF the figures its pictures point at."""
    signed = request_.signed
    shown, missing = prepare(
        request_.content,
        audience=request_.audience,
        areas=request_.areas,
        asks_sharing=exports.asks_sharing(request_.content),
    )
    names = signer_names([signed]) if signed else {}
    wheel = compass(shown, prefix="utskrift")
    change = changes(shown, prefix="utskrift-forandring")
    page = render_template(
        "staff/summary/print.html",
        child=child,
        s=shown,
        signed=signed,
        signer=names.get(signed.signed_by, "–") if signed else None,
        sharing=request_.sharing,
        audience=request_.audience,
        missing=missing,
        pdf=pdf,
        pdf_picture=exports.picture_address,
        pdf_picture_alt=exports.picture_alt,
        pdf_figure=exports.figure_address,
        pdf_drawing=exports.drawing_address,
        wheel=wheel,
        change=change,
    )
    figures = {"hjul": str(wheel)}
    if change is not None:
        figures["forandring"] = str(change)
    return page, figures


@login_required(*READERS)
def print_view(child_id: int):
    """The summary for printing: clean print CSS, page breaks between sections."""
    child = child_or_404(child_id)
    request_ = _export_request(child)
    if stopped := _refused_or_choice(child, request_):
        return stopped
    audit.record("print_summary", child.id, _detail(request_))
    page, _figures = _print_page(child, request_, pdf=False)
    return page


def _drawings(child: Child, html: str) -> dict[str, bytes]:
    """The PNGs of the child's drawings the PDF page shows, by id."""
    shown = {int(found) for found in DRAWN.findall(html)}
    session = get_session()
    conversations = session.exec(
        select(Conversation.id).where(Conversation.child_id == child.id)
    ).all()
    found = {}
    for drawing_id in shown:
        drawing = drawings.drawing_of(session, drawing_id, [c for c in conversations if c])
        if drawing is not None:
            found[str(drawing_id)] = drawing.png
    return found


def _detail(request_: ExportRequest) -> str:
    which = f"version {request_.signed.number}" if request_.signed else "utkast"
    if not request_.sharing:
        return which
    areas = f"; områden: {', '.join(request_.areas)}" if request_.areas is not None else ""
    return f"{which}, dela med {request_.recipient}{areas}"


@login_required(*READERS)
def pdf(child_id: int):
    """The summary as PDF, rendered here by WeasyPrint from the print page."""
    child = child_or_404(child_id)
    request_ = _export_request(child)
    if stopped := _refused_or_choice(child, request_):
        return stopped
    signed = request_.signed
    html, figures = _print_page(child, request_, pdf=True)
    try:
        stylesheet = Path(current_app.static_folder or "") / "samtal.css"
        document = exports.render_pdf(
            html, stylesheet, figures, _drawings(child, html), archival=signed is not None
        )
    except (ImportError, OSError):
        # WeasyPrint without its system libraries (Pango): say so, and offer the print view.
        current_app.logger.exception("PDF could not be rendered")
        return render_template(
            "staff/summary/refused.html",
            child=child,
            title=_("PDF kan inte skapas just nu"),
            reason=_(
                "Servern saknar det som behövs för att skapa PDF. Använd utskriften i stället "
                "och spara som PDF i webbläsaren, eller be den som sköter servern köra "
                "scripts/setup.sh."
            ),
            consent_url=None,
        ), 503
    audit.record("export_pdf", child.id, _detail(request_))
    return Response(
        document,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{_filename(request_, child, "pdf")}"'
        },
    )


@login_required(*READERS)
def json_export(child_id: int):
    """The summary as JSON following schema/summary-v1.schema.json."""
    child = child_or_404(child_id)
    request_ = _export_request(child)
    if stopped := _refused_or_choice(child, request_):
        return stopped
    signed = request_.signed
    names = signer_names([signed]) if signed else {}
    document = exports.document(
        request_.content,
        signed=signed,
        signed_by=names.get(signed.signed_by) if signed else None,
        audience=request_.audience,
        areas=request_.areas,
    )
    audit.record("export_json", child.id, _detail(request_))
    return Response(
        exports.to_json(document),
        mimetype="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="{_filename(request_, child, "json")}"'
        },
    )


def _said_something(view: dict[str, Any] | None) -> bool:
    """True when the child answered anything in the area (a skip counts: it was their answer)."""
    if view is None:
        return False
    answered = view["rating"]["status"] in ("answered", "vet_inte", "vill_inte_svara")
    return answered or any(view[k] for k in ("strengths", "wishes", "words"))


@login_required(*READERS)
def child_copy(child_id: int):
    """'Det här berättade du': what the barnkontakt let go home of the child's own answers,
    in the child's language, with pictures."""
    child = child_or_404(child_id)
    content, left_out, unreviewed = copy_choice.prepared(child)
    if unreviewed and (review := copy_choice.review_first(child)):
        return review
    language = content["header"].get("language") or child.language or "sv"
    g.locale = language
    refresh()
    framework = library.flows().frameworks.get(content["framework"]["id"])
    areas = [
        (framework.area(a["id"]) if framework else None, a)
        for a in content["areas"]
        if _said_something(a.get("child"))
    ]
    audit.record("view_child_copy", child.id)
    return render_template(
        "family/child_copy.html",
        child=child,
        s=content,
        areas=areas,
        framework=framework,
        printed_at=utcnow(),
        left_out=left_out or unreviewed,
    )
