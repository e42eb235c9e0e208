"""Translation work (recorded read-aloud, review of the catalogs): the translation blueprint,
for admins and translators (role "oversattare")."""

from flask import Blueprint

from samtal.staff.translation import recording_pages, review_pages

bp = Blueprint("translation", __name__, url_prefix="/arbete/oversattning")
bp.before_request(recording_pages.allow_recording_size)
bp.add_url_rule("/", view_func=recording_pages.index, methods=["GET"])
bp.add_url_rule(
    "/<language>/inspelningar", view_func=recording_pages.recording_list, methods=["GET"]
)
bp.add_url_rule(
    "/<language>/inspelningar", view_func=recording_pages.recording_save, methods=["POST"]
)
bp.add_url_rule(
    "/<language>/inspelningar/radera",
    view_func=recording_pages.recording_remove,
    methods=["POST"],
)
bp.add_url_rule("/<language>/granskning", view_func=review_pages.review, methods=["GET"])
bp.add_url_rule("/<language>/granskning", view_func=review_pages.review_save, methods=["POST"])
bp.add_url_rule(
    "/<language>/granskning/messages.po", view_func=review_pages.export, methods=["GET"]
)
