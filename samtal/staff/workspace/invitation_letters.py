"""Pages that get an invitation to the family: by e-mail, and as a printed letter (print view
and PDF) in the guardian's language with Swedish beside."""

from __future__ import annotations

from pathlib import Path

from flask import Response, abort, current_app, flash, redirect, render_template, request, session
from flask import url_for as url
from flask_babel import gettext as _

from samtal import audit
from samtal.db import get_session
from samtal.family.invitation_letter import context
from samtal.models import Child, Guardian, Invitation
from samtal.staff import access
from samtal.staff.access import child_or_404
from samtal.staff.invitation_mail import AddressRefused, letter_for, send_by_email
from samtal.staff.workspace.kiosk import LETTER_CODE_KEY, REFUSED_ADDRESS_KEY, qr_svg
from samtal.staff.workspace.views import me
from samtal.summary import exports


def invitation_or_404(child: Child, invitation_id: int) -> Invitation:
    """The child's invitation, or 404."""
    db = get_session()
    found = db.get(Invitation, invitation_id)
    guardian = db.get(Guardian, found.guardian_id) if found else None
    if found is None or guardian is None or guardian.child_id != child.id:
        abort(404)
    return found


def _back(child: Child, invitation: Invitation):
    return redirect(
        url(
            "workspace.invitation",
            child_id=child.id,
            invitation_id=invitation.id,
            _anchor="epost",
        ),
        code=303,
    )


@access.login_required("barnkontakt")
def invitation_email(child_id: int, invitation_id: int):
    """Send the invitation by e-mail; how it went is kept and shown, the invitation stands."""
    child = child_or_404(child_id)
    invitation = invitation_or_404(child, invitation_id)
    try:
        delivery = send_by_email(
            session=get_session(),
            invitation=invitation,
            address=request.form.get("address", ""),
            staff=me(),
        )
    except AddressRefused as refused:
        flash(str(refused))
        session[REFUSED_ADDRESS_KEY] = request.form.get("address", "")[:254]
        return _back(child, invitation)
    if delivery.status == "sent":
        flash(_("Inbjudan är skickad med e-post till %(address)s.", address=delivery.address))
    else:
        flash(
            _(
                "Inbjudan kunde inte skickas till %(address)s: %(reason)s Inbjudan gäller "
                "ändå: försök igen, eller skriv ut den eller ge länken på annat sätt.",
                address=delivery.address,
                reason=delivery.reason,
            )
        )
    return _back(child, invitation)


def _letter_page(child: Child, invitation: Invitation, *, pdf: bool) -> tuple[str, dict]:
    """The printed letter's page, and for the PDF its QR code as a figure."""
    codes = session.get(LETTER_CODE_KEY) or {}
    letter = letter_for(get_session(), invitation, code=codes.get(str(invitation.id)))
    found = context(letter, printed=True)
    qr = qr_svg(letter.url, found["qr_label"])
    page = render_template(
        "family/invitation_letter.html",
        **found,
        qr=qr,
        pdf=pdf,
        pdf_figure=exports.figure_address,
        back_url=url("workspace.invitation", child_id=child.id, invitation_id=invitation.id),
        pdf_url=url(
            "workspace.invitation_letter_pdf", child_id=child.id, invitation_id=invitation.id
        ),
    )
    return page, {"qr": str(qr)}


@access.login_required("barnkontakt")
def invitation_letter(child_id: int, invitation_id: int):
    """The invitation to print, in the guardian's language with Swedish beside."""
    child = child_or_404(child_id)
    invitation = invitation_or_404(child, invitation_id)
    audit.record("print_invitation", child.id, f"inbjudan {invitation.id}")
    page, _figures = _letter_page(child, invitation, pdf=False)
    return page


@access.login_required("barnkontakt")
def invitation_letter_pdf(child_id: int, invitation_id: int):
    """The invitation to print, as PDF."""
    child = child_or_404(child_id)
    invitation = invitation_or_404(child, invitation_id)
    page, figures = _letter_page(child, invitation, pdf=True)
    stylesheet = Path(current_app.static_folder or "") / "samtal.css"
    try:
        document = exports.render_pdf(page, stylesheet, figures)
    except (ImportError, OSError):
        current_app.logger.exception("PDF could not be rendered")
        flash(_("PDF kan inte skapas just nu. Skriv ut sidan från webbläsaren i stället."))
        return redirect(
            url("workspace.invitation_letter", child_id=child.id, invitation_id=invitation.id),
            code=303,
        )
    audit.record("print_invitation", child.id, f"inbjudan {invitation.id}, pdf")
    return Response(
        document,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="inbjudan-{invitation.id}.pdf"'},
    )
