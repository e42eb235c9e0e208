"""The barnkontakt's workspace (caseload, child page, starting conversations, kiosk, consent)."""

from flask import Blueprint

from samtal.staff.workspace import (
    consent_pages,
    invitation_letters,
    kiosk,
    safeguarding,
    safety,
    views,
)

bp = Blueprint("workspace", __name__, url_prefix="/arbete")
bp.before_app_request(kiosk._kiosk_guard)
bp.add_app_template_global(safety.panel_pin)
bp.record_once(safety.offer_signed_in_staff)
bp.add_url_rule("/barn", view_func=views.caseload, methods=["GET"])
bp.add_url_rule("/barn/ny", methods=["GET", "POST"], view_func=views.register)
bp.add_url_rule("/barn/<int:child_id>", view_func=views.child, methods=["GET"])
bp.add_url_rule(
    "/barn/<int:child_id>/vardnadshavare", methods=["GET", "POST"], view_func=views.add_guardian
)
bp.add_url_rule(
    "/barn/<int:child_id>/uppfoljning", methods=["GET", "POST"], view_func=views.followup_due
)
bp.add_url_rule(
    "/barn/<int:child_id>/samtal/har", methods=["GET", "POST"], view_func=kiosk.start_here
)
bp.add_url_rule(
    "/barn/<int:child_id>/samtal/annan", methods=["GET", "POST"], view_func=kiosk.start_elsewhere
)
bp.add_url_rule(
    "/barn/<int:child_id>/samtal/<int:conversation_id>",
    view_func=kiosk.conversation_link,
    methods=["GET"],
)
bp.add_url_rule("/barn/<int:child_id>/inbjudan", methods=["GET", "POST"], view_func=kiosk.invite)
bp.add_url_rule(
    "/barn/<int:child_id>/inbjudan/<int:invitation_id>", view_func=kiosk.invitation, methods=["GET"]
)
bp.add_url_rule(
    "/barn/<int:child_id>/inbjudan/<int:invitation_id>/epost",
    view_func=invitation_letters.invitation_email,
    methods=["POST"],
)
bp.add_url_rule(
    "/barn/<int:child_id>/inbjudan/<int:invitation_id>/brev",
    view_func=invitation_letters.invitation_letter,
    methods=["GET"],
)
bp.add_url_rule(
    "/barn/<int:child_id>/inbjudan/<int:invitation_id>/brev.pdf",
    view_func=invitation_letters.invitation_letter_pdf,
    methods=["GET"],
)
bp.add_url_rule("/kiosk/lamna", methods=["GET", "POST"], view_func=kiosk.kiosk_leave)
bp.add_url_rule(
    "/barn/<int:child_id>/samtycke",
    methods=["GET", "POST"],
    endpoint="consent",
    view_func=consent_pages.consent_page,
)
bp.add_url_rule(
    "/barn/<int:child_id>/samtycke/<int:consent_id>/aterkalla",
    methods=["GET", "POST"],
    view_func=consent_pages.withdraw_consent,
)
bp.add_url_rule(
    "/barn/<int:child_id>/bryt-forseglingen",
    methods=["GET", "POST"],
    view_func=safeguarding.break_glass,
)
bp.add_url_rule(
    "/barn/<int:child_id>/oro/<int(max=2147483647):concern_id>/anmald",
    methods=["GET", "POST"],
    view_func=safeguarding.concern_reported,
)
bp.add_url_rule(
    "/barn/<int:child_id>/oro/<int(max=2147483647):concern_id>/ingen-anmalan",
    methods=["GET", "POST"],
    view_func=safeguarding.concern_no_report,
)
bp.add_url_rule(
    "/barn/<int:child_id>/samtal/<int(max=2147483647):conversation_id>/ny-lank",
    methods=["GET", "POST"],
    view_func=safeguarding.revoke_link,
)
bp.add_url_rule(
    "/barn/<int:child_id>/inbjudan/<int(max=2147483647):invitation_id>/aterkalla",
    methods=["GET", "POST"],
    view_func=safeguarding.revoke_invitation,
)
