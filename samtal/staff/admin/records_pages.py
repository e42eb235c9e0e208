"""Admin pages for a child's data under GDPR: the register extract and erasure on request.

Pages of the admin blueprint (URLs in admin/__init__.py), admins only. Erasing takes two
steps: the reason (checked, nothing written), then a confirmation carrying that reason in a
signed, short-lived form token bound to the admin and the child; only the second step erases.
"""

from __future__ import annotations

from pathlib import Path

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer

from samtal import audit, library
from samtal.db import get_session
from samtal.models import Child, Staff, utcnow
from samtal.records import erasure, extract
from samtal.records.owned import TABLE_NAMES, owned_rows
from samtal.staff.access import child_or_404, current_staff, login_required
from samtal.staff.need_to_know import glass_first
from samtal.summary import exports

ERASE_SALT = "samtal.erase-child"
ERASE_CONFIRM_SECONDS = 15 * 60


def _erase_tokens() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=ERASE_SALT)


def _admin() -> Staff:
    staff = current_staff()
    assert staff is not None  # login_required("admin") let the request in
    return staff


def _extract_file(child: Child, extension: str) -> str:
    return f"registerutdrag-barn-{child.id}-{utcnow():%Y-%m-%d}.{extension}"


@login_required("admin")
def child_extract_json(child_id: int):
    """Everything held about the child as JSON (schema/register-extract-v1.schema.json).

    It holds safety notes and the child's own words: the admin breaks the glass first."""
    child = child_or_404(child_id)
    if stopped := glass_first(_admin(), child):
        return stopped
    document = extract.build(session=get_session(), child=child, made_by=_admin().name)
    audit.record("register_extract", child.id, "json")
    return Response(
        extract.to_json(document),
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{_extract_file(child, "json")}"'},
    )


def _question(conversation: dict, step_id: str) -> str:
    """The question an answer was given to, as its conversation's own flow version asked it
    (the step's id when that version is no longer kept)."""
    flow = library.flows().get(conversation["flow_id"], conversation["flow_version"])
    step = flow.step(step_id) if flow is not None else None
    return step.text if step is not None else step_id


@login_required("admin")
def child_extract_pdf(child_id: int):
    """Everything held about the child as PDF, from the same document as the JSON."""
    child = child_or_404(child_id)
    if stopped := glass_first(_admin(), child):
        return stopped
    document = extract.build(session=get_session(), child=child, made_by=_admin().name)
    html = render_template(
        "staff/admin/extract.html",
        d=document,
        table_names=TABLE_NAMES,
        flat=extract.flat,
        question=_question,
    )
    stylesheet = Path(current_app.static_folder or "") / "samtal.css"
    pdf = exports.render_pdf(html, stylesheet)
    audit.record("register_extract", child.id, "pdf")
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{_extract_file(child, "pdf")}"'},
    )


def _erase_page(child: Child, *, step: int, form: dict[str, str], error: str | None = None):
    rows = {
        table: len(ids)
        for table, ids in owned_rows(get_session(), child.id or 0).items()
        if table != "child"
    }
    token = None
    if step == 2:
        token = _erase_tokens().dumps(
            {"c": child.id, "s": _admin().id, "k": form["category"], "r": form["reason"]}
        )
    return render_template(
        "staff/admin/erase.html",
        child=child,
        step=step,
        form=form,
        error=error,
        rows=rows,
        table_names=TABLE_NAMES,
        categories=erasure.CATEGORIES,
        token=token,
    ), (422 if error else 200)


@login_required("admin")
def child_erase(child_id: int):
    """Step 1 of erasing a child: what will go, and why (category and a written reason)."""
    child = child_or_404(child_id)
    audit.record("view_child", child_id=child.id, detail="admin: radering")
    return _erase_page(child, step=1, form={"category": "", "reason": ""})


@login_required("admin")
def child_erase_check(child_id: int):
    """Check the reason; when it holds, show step 2, the confirmation (nothing is erased)."""
    child = child_or_404(child_id)
    form = {
        "category": request.form.get("category", "")[:40],
        "reason": request.form.get("reason", "")[: erasure.MAX_REASON + 50],
    }
    try:
        form["reason"] = erasure.check_reason(
            session=get_session(), child=child, category=form["category"], reason=form["reason"]
        )
    except erasure.ErasureRefused as refused:
        return _erase_page(child, step=1, form=form, error=str(refused))
    return _erase_page(child, step=2, form=form)


@login_required("admin")
def child_erase_confirm(child_id: int):
    """Step 2: erase everything about the child, keep that it happened, and say so."""
    child = child_or_404(child_id)
    try:
        asked = _erase_tokens().loads(
            request.form.get("confirmation", ""), max_age=ERASE_CONFIRM_SECONDS
        )
    except BadSignature:
        asked = None
    if not isinstance(asked, dict) or asked.get("c") != child.id or asked.get("s") != _admin().id:
        flash(_("Bekräftelsen gällde inte längre. Börja om."))
        return redirect(url_for("admin.child_erase", child_id=child_id), code=303)
    erasure.erase_child(session=get_session(), child=child, category=asked["k"], reason=asked["r"])
    flash(_("Allt om barn nummer %(number)d är raderat.", number=child_id))
    return redirect(url_for("admin.children"), code=303)
