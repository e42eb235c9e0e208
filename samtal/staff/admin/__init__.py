"""The admin's pages (accounts, units, children, settings, audit log): the admin blueprint."""

from flask import Blueprint

from samtal.staff.admin import framework_pages, records_pages, settings_pages, views

bp = Blueprint("admin", __name__, url_prefix="/arbete/admin")
bp.add_url_rule("/", view_func=views.index, methods=["GET"])
bp.add_url_rule("/personal", view_func=views.staff_list, methods=["GET"])
bp.add_url_rule("/personal/ny", methods=["GET", "POST"], view_func=views.staff_new)
bp.add_url_rule("/personal/<int:staff_id>", view_func=views.staff_detail, methods=["GET"])
bp.add_url_rule("/personal/<int:staff_id>/andra", view_func=views.staff_update, methods=["POST"])
bp.add_url_rule(
    "/personal/<int:staff_id>/avaktivera", view_func=views.staff_deactivate, methods=["POST"]
)
bp.add_url_rule(
    "/personal/<int:staff_id>/aktivera", view_func=views.staff_activate, methods=["POST"]
)
bp.add_url_rule(
    "/personal/<int:staff_id>/losenordslank", view_func=views.staff_link, methods=["POST"]
)
bp.add_url_rule(
    "/personal/<int:staff_id>/flytta-barn", view_func=views.staff_move_children, methods=["POST"]
)
bp.add_url_rule("/enheter", view_func=views.units, methods=["GET"])
bp.add_url_rule("/enheter", view_func=views.unit_create, methods=["POST"])
bp.add_url_rule("/enheter/<int:unit_id>", view_func=views.unit_update, methods=["POST"])
bp.add_url_rule("/barn", view_func=views.children, methods=["GET"])
bp.add_url_rule("/barn/<int:child_id>", view_func=views.child, methods=["GET"])
bp.add_url_rule(
    "/barn/<int:child_id>/barnkontakt", view_func=views.child_reassign, methods=["POST"]
)
bp.add_url_rule("/omraden", view_func=settings_pages.areas, methods=["GET"])
bp.add_url_rule("/omraden/<framework_id>", view_func=settings_pages.areas_save, methods=["POST"])
bp.add_url_rule(
    "/omraden/<framework_id>/aterstall", view_func=settings_pages.areas_reset, methods=["POST"]
)
bp.add_url_rule("/ramverk", methods=["GET", "POST"], view_func=framework_pages.framework)
bp.add_url_rule("/gallring", methods=["GET", "POST"], view_func=settings_pages.retention)
bp.add_url_rule("/sprak", methods=["GET", "POST"], view_func=settings_pages.languages)
bp.add_url_rule("/logg", view_func=settings_pages.audit_log, methods=["GET"])
bp.add_url_rule(
    "/barn/<int:child_id>/registerutdrag.json",
    view_func=records_pages.child_extract_json,
    methods=["GET"],
)
bp.add_url_rule(
    "/barn/<int:child_id>/registerutdrag.pdf",
    view_func=records_pages.child_extract_pdf,
    methods=["GET"],
)
bp.add_url_rule("/barn/<int:child_id>/radera", view_func=records_pages.child_erase, methods=["GET"])
bp.add_url_rule(
    "/barn/<int:child_id>/radera", view_func=records_pages.child_erase_check, methods=["POST"]
)
bp.add_url_rule(
    "/barn/<int:child_id>/radera/bekrafta",
    view_func=records_pages.child_erase_confirm,
    methods=["POST"],
)
