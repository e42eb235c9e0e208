"""Consent pages: record consent to share, see what is on record, record a withdrawal."""

from __future__ import annotations

from flask import abort, flash, render_template, request
from flask_babel import gettext as _
from sqlmodel import select

from samtal import audit
from samtal.ages import age_of
from samtal.db import get_session
from samtal.models import Child, Consent, Staff, utcnow
from samtal.staff import children, consent
from samtal.staff.access import child_or_404, login_required, restored_form
from samtal.staff.workspace.views import me, to_child


def _page(child: Child, form: dict, errors: dict[str, str], status: int = 200):
    db = get_session()
    today = utcnow().date()
    age = age_of(child, today)
    guardians = children.guardians_of(db, child.id or 0)
    staff_names = {s.id: s.name for s in db.exec(select(Staff)).all() if s.id is not None}
    return render_template(
        "staff/workspace/consent.html",
        child=child,
        age=age,
        guardians=guardians,
        child_must_consent=consent.child_must_consent(age),
        consent_age=consent.child_consent_age(),
        information=consent.INFORMATION,
        on_record=consent.describe(
            consent.on_record(db, child.id or 0),
            on_date=today,
            guardian_names={g.id: g.name for g in guardians if g.id is not None},
            staff_names=staff_names,
        ),
        form=form,
        errors=errors,
        today=today,
        may_change=True,
    ), status


@login_required("barnkontakt")
def consent_page(child_id: int):
    """Record consent before anything is shared outside the barnkontakt's own service."""
    child = child_or_404(child_id)
    if request.method == "GET":
        audit.record("view_consent", child.id)
        kept = restored_form()
        form = {k: [v] for k, v in kept.items()} if kept else {}
        return _page(child, form, {})
    form = request.form.to_dict(flat=False)
    db = get_session()
    today = utcnow().date()
    checked, errors = consent.read_consent_form(
        form,
        guardians=children.guardians_of(db, child.id or 0),
        child_age=age_of(child, today),
        today=today,
    )
    if checked is None:
        return _page(child, form, errors, 422)
    try:
        rows = consent.record_consent(session=db, staff=me(), child=child, form=checked)
    except consent.ConsentRefused as refused:
        return _page(child, form, refused.errors, 422)
    audit.record(
        "record_consent",
        child.id,
        detail=f"{len(rows)} st: {', '.join(checked.information)} → "
        f"{', '.join(checked.recipients)} t.o.m. {checked.valid_until.isoformat()}",
    )
    flash(_("Samtycket är registrerat."))
    return to_child(child, "samtycke")


@login_required("barnkontakt")
def withdraw_consent(child_id: int, consent_id: int):
    """Record that a consent is withdrawn; it stops counting at once."""
    child = child_or_404(child_id)
    if request.method == "GET":
        return to_child(child, "samtycke")
    db = get_session()
    found = db.get(Consent, consent_id)
    if found is None or found.child_id != child.id:
        abort(404)
    if request.form.get("confirm") != "ja":
        flash(_("Kryssa i rutan för att bekräfta att samtycket är återkallat."))
        return to_child(child, "samtycke")
    if consent.withdraw(session=db, consent=found):
        audit.record("withdraw_consent", child.id, detail=f"samtycke {found.id}")
        flash(_("Samtycket är återkallat och gäller inte längre."))
    return to_child(child, "samtycke")
