"""The child's copy: the barnkontakt reviews every item and ticks what goes home.

A route of the summary blueprint. The copy itself (exports.child_copy) shows only what
was ticked; until the barnkontakt has reviewed everything the child said, it asks for that.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from samtal import audit
from samtal.db import get_session
from samtal.models import Child
from samtal.staff.access import child_or_404, current_staff, login_required
from samtal.staff.summary.views import READERS, WRITERS, current
from samtal.summary import child_copy


def prepared(child: Child) -> tuple[dict[str, Any], bool, bool]:
    """The copy's content with only what may go home, whether something was left out, and
    whether the barnkontakt still has to review it."""
    content, _signed = current(child)
    session = get_session()
    found = child_copy.items(content, child_copy.concern_areas(session, content))
    choice = child_copy.latest_choice(session, child.id or 0)
    shown, left_out = child_copy.apply(content, found, choice)
    return shown, left_out, child_copy.needs_review(choice, found)


def review_first(child: Child):
    """The barnkontakt is sent to review first; anyone else sees what was chosen."""
    staff = current_staff()
    if staff is not None and staff.role in WRITERS:
        flash(_("Välj först vad som ska med i barnets kopia."))
        return redirect(url_for("summary.child_copy_choice", child_id=child.id), code=303)
    return None


@login_required(*READERS)
def child_copy_choice(child_id: int):
    """Every item of the child's copy, to tick what goes home."""
    child = child_or_404(child_id)
    content, _signed = current(child)
    session = get_session()
    found = child_copy.items(content, child_copy.concern_areas(session, content))
    staff = current_staff()
    may_choose = staff is not None and staff.role in WRITERS
    if request.method == "POST" and may_choose:
        assert staff is not None
        child_copy.choose(
            session=session,
            child=child,
            staff=staff,
            found=found,
            included=request.form.getlist("med"),
        )
        left = len(found) - len(set(request.form.getlist("med")) & {i.key for i in found})
        audit.record("choose_child_copy", child.id, detail=f"{left} av {len(found)} utelämnade")
        return redirect(url_for("summary.child_copy", child_id=child.id), code=303)
    labels = {a["id"]: a["label"] for a in content.get("areas", [])}
    return render_template(
        "staff/summary/child_copy_choice.html",
        child=child,
        found=found,
        ticked=child_copy.ticks(found, child_copy.latest_choice(session, child.id or 0)),
        labels=labels,
        may_choose=may_choose,
    )
