"""Staff sign-in, sign-out, account and password links: the URLs of the auth blueprint."""

from flask import Blueprint

from samtal.staff.auth import password_pages, phone_page, views

bp = Blueprint("auth", __name__)
bp.add_url_rule("/logga-in", methods=["GET", "POST"], view_func=views.login)
bp.add_url_rule("/logga-ut", view_func=views.logout, methods=["POST"])
bp.add_url_rule("/arbete/", view_func=views.home, methods=["GET"])
bp.add_url_rule("/arbete/konto", view_func=views.account, methods=["GET"])
bp.add_url_rule("/arbete/konto/losenord", view_func=views.account_password, methods=["POST"])
bp.add_url_rule("/arbete/konto/telefon", view_func=phone_page.account_phone, methods=["POST"])
bp.add_url_rule(
    "/arbete/konto/logga-ut-overallt", view_func=views.logout_everywhere, methods=["POST"]
)
bp.add_url_rule("/forsta-start/<token>", methods=["GET", "POST"], view_func=password_pages.setup)
bp.add_url_rule(
    "/nytt-losenord/<token>", methods=["GET", "POST"], view_func=password_pages.set_password
)
