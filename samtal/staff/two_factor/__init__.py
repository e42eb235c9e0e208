"""Two-factor sign-in (TOTP) for password accounts: the URLs of the two_factor blueprint."""

from flask import Blueprint

from samtal.staff.two_factor import views

bp = Blueprint("two_factor", __name__)
bp.add_url_rule("/logga-in/kod", methods=["GET", "POST"], view_func=views.code)
bp.add_url_rule("/logga-in/tvasteg", methods=["GET", "POST"], view_func=views.enrol_at_sign_in)
bp.add_url_rule("/arbete/konto/tvasteg", methods=["GET", "POST"], view_func=views.enrol)
bp.add_url_rule("/arbete/admin/tvasteg", methods=["GET", "POST"], view_func=views.admin_setting)
bp.add_url_rule(
    "/arbete/admin/personal/<int:staff_id>/tvasteg", methods=["POST"], view_func=views.admin_reset
)
