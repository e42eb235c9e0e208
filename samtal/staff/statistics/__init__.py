"""The statistics page and its CSV (aggregates only, for the statistik role and admins): URLs."""

from flask import Blueprint

from samtal.staff.statistics import views

bp = Blueprint("statistics", __name__)
bp.add_url_rule("/arbete/statistik", view_func=views.page, methods=["GET"])
bp.add_url_rule("/arbete/statistik.csv", view_func=views.export, methods=["GET"])
