"""De-identified consultation: the barnkontakt approves each free text, then downloads.

A route of the summary blueprint; barnkontakt only (it is a decision about the child's data).
"""

from __future__ import annotations

from flask import Response, render_template, request
from sqlmodel import select

from samtal import audit
from samtal.db import get_session
from samtal.models import Guardian, Staff, Unit
from samtal.staff.access import child_or_404, login_required
from samtal.staff.summary.views import WRITERS, chosen
from samtal.summary import deidentify, exports


def known_names(child_id: int, child_name: str) -> list[str]:
    """Names the service knows that must not turn up in free text."""
    db = get_session()
    names = [child_name]
    names += [g.name for g in db.exec(select(Guardian).where(Guardian.child_id == child_id))]
    names += [s.name for s in db.exec(select(Staff))]
    names += [u.name for u in db.exec(select(Unit))]
    return names


@login_required(*WRITERS)
def consultation(child_id: int):
    """Review every free text, then download the summary de-identified as JSON."""
    child = child_or_404(child_id)
    content, signed = chosen(child)
    found = deidentify.free_texts(content, known_names(child.id or 0, child.name))
    if request.method == "GET":
        return render_template("staff/summary/consultation.html", child=child, found=found)
    approved = set(request.form.getlist("godkand")) & {f.key for f in found}
    document = exports.consultation_document(content, signed=signed, approved=approved)
    audit.record(
        "export_consultation", child.id, f"{len(approved)} av {len(found)} fritexter godkända"
    )
    return Response(
        exports.to_json(document),
        mimetype="application/json",
        headers={"Content-Disposition": 'attachment; filename="konsultation.json"'},
    )
