"""Two-factor sign-in (TOTP) for password accounts: the code step, enrolment, admin reset."""

from __future__ import annotations

from flask import Blueprint

bp: Blueprint = Blueprint("two_factor", __name__)

from samtal.staff.two_factor.views import (  # noqa: E402
    begin_second_step,
    second_step_needed,
)

__all__ = ["begin_second_step", "bp", "second_step_needed"]
