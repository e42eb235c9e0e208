"""The statistics page and its CSV: aggregates only, for the statistik role and admins."""

from flask import Blueprint

bp = Blueprint("statistics", __name__)

from samtal.staff.statistics import views  # noqa: E402,F401  (registers the routes on bp)
