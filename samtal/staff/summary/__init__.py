"""The summary of one child (review, sign-off, versions, exports): URLs of the summary blueprint."""

from flask import Blueprint

from samtal.staff.summary import consultation, copy_choice, drawings, exports, guard, views

bp = Blueprint("summary", __name__, url_prefix="/arbete/barn/<int:child_id>/sammanstallning")
bp.record_once(views._install_htmx)
bp.context_processor(views._labels)
bp.context_processor(guard.open_concerns)
bp.before_request(guard.needs_to_know)
bp.add_url_rule("", view_func=views.show, methods=["GET"])
bp.add_url_rule("", view_func=views.save, methods=["POST"])
bp.add_url_rule("/signera", view_func=views.sign_page, methods=["GET"])
bp.add_url_rule("/signera", view_func=views.sign, methods=["POST"])
bp.add_url_rule("/versioner", view_func=views.versions, methods=["GET"])
bp.add_url_rule("/version/<int:n>", view_func=views.version, methods=["GET"])
bp.add_url_rule("/jamfor", view_func=views.compare, methods=["GET"])
bp.add_url_rule("/utskrift", view_func=exports.print_view, methods=["GET"])
bp.add_url_rule("/pdf", view_func=exports.pdf, methods=["GET"])
bp.add_url_rule("/json", view_func=exports.json_export, methods=["GET"])
bp.add_url_rule("/barnets-kopia", view_func=exports.child_copy, methods=["GET"])
bp.add_url_rule(
    "/barnets-kopia/val",
    methods=["GET", "POST"],
    view_func=copy_choice.child_copy_choice,
)
bp.add_url_rule("/konsultation", methods=["GET", "POST"], view_func=consultation.consultation)
bp.add_url_rule(
    "/teckning/<int(max=2147483647):drawing_id>", view_func=drawings.drawing, methods=["GET"]
)
