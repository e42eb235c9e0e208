"""Siblings: finding a child to link as a sibling, linking it, and removing a link.

The rules are in staff/siblings.py: the barnkontakt links their own children, an admin any
two. A child id the staff member may not see is answered exactly like one that does not
exist: the same message when it comes in the form, 404 when it is in the address.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from samtal import audit, inputs
from samtal.db import get_session
from samtal.staff import caseload as cases
from samtal.staff import siblings
from samtal.staff.access import child_or_404, login_required, visible_child
from samtal.staff.workspace.views import READERS, me, to_child


@login_required(*READERS)
def sibling_page(child_id: int):
    """GET: the children that may be linked to this one, by name; POST: link one of them."""
    child = child_or_404(child_id)
    db = get_session()
    if request.method == "POST":
        sibling = visible_child(inputs.number(request.form.get("sibling_id")))
        try:
            if sibling is None:
                raise siblings.unknown_child()
            made = siblings.link(session=db, staff=me(), child=child, sibling=sibling)
        except siblings.SiblingRefused as refused:
            flash(str(refused))
            return redirect(url_for("workspace.sibling_page", child_id=child.id), code=303)
        for linked in (child, sibling):
            audit.record("link_sibling", linked.id, detail=f"syskonlänk {made.id}")
        flash(
            _("%(name)s och %(other)s är länkade som syskon.", name=child.name, other=sibling.name)
        )
        return to_child(child, "syskon")
    search = request.args.get("sok", "")
    found = siblings.candidates(session=db, staff=me(), child=child, search=search)
    audit.record("view_caseload", detail="syskon")
    return render_template(
        "staff/workspace/siblings.html",
        child=child,
        candidates=found,
        search=" ".join(search.split())[:80],
        statuses=cases.STATUSES,
        admin_view=me().role == "admin",
    )


@login_required(*READERS)
def unlink_sibling(child_id: int, sibling_id: int):
    """Remove the link between this child and a sibling the staff member may see too."""
    child = child_or_404(child_id)
    if request.method == "GET":
        return to_child(child, "syskon")
    # In the address like any other child: one the staff member may not see answers 404.
    sibling = child_or_404(sibling_id)
    try:
        removed = siblings.unlink(session=get_session(), staff=me(), child=child, sibling=sibling)
    except siblings.SiblingRefused as refused:
        flash(str(refused))
        return to_child(child, "syskon")
    for linked in (child, sibling):
        audit.record("unlink_sibling", linked.id, detail=f"syskonlänk {removed}")
    flash(_("%(name)s och %(other)s är inte längre länkade.", name=child.name, other=sibling.name))
    return to_child(child, "syskon")
