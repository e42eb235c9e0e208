"""Admin settings pages: area labels and order, retention, languages offered, the audit log.

Pages of the admin blueprint (admin.py), admins only; every change is an audit entry.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlmodel import select

from samtal import audit, inputs, library, settings
from samtal.db import get_session
from samtal.i18n import catalog_status
from samtal.models import Staff
from samtal.records import retention as gallring
from samtal.staff import accounts
from samtal.staff.access import login_required
from samtal.staff.admin.views import ACTION_NAMES, form_int
from samtal.tools import review as catalog_review

# Areas, retention, languages ---------------------------------------------------------------


def _framework_or_404(framework_id: str):
    framework = library.flows().frameworks.get(framework_id)
    if framework is None:
        abort(404)
    return framework


def _areas_page(errors: dict[str, str] | None = None, typed: dict | None = None, status=200):
    db = get_session()
    frameworks = sorted(library.flows().frameworks.values(), key=lambda f: f.name)
    shown = []
    for framework in frameworks:
        labels = settings.area_labels(framework, session=db)
        order = settings.area_order(framework, session=db)
        rows: list[dict[str, Any]] = [
            {
                "area": framework.area(area_id),
                "label": labels[area_id],
                "position": position,
            }
            for position, area_id in enumerate(order, 1)
        ]
        if typed and typed.get("framework") == framework.id:
            for row in rows:
                row["label"] = typed["labels"].get(row["area"].id, row["label"])
                row["position"] = typed["positions"].get(row["area"].id, row["position"])
        shown.append((framework, rows))
    return render_template("staff/admin/areas.html", frameworks=shown, errors=errors or {}), status


@login_required("admin")
def areas():
    """Each framework's areas: the names this municipality uses and their order."""
    return _areas_page()


@login_required("admin")
def areas_save(framework_id: str):
    """Store area labels and order for one framework (the ids never change)."""
    framework = _framework_or_404(framework_id)
    labels = {a.id: request.form.get(f"label-{a.id}", "")[:200] for a in framework.areas}
    raw_positions = {a.id: request.form.get(f"position-{a.id}", "") for a in framework.areas}
    positions = {k: v for k, v in ((k, form_int(v)) for k, v in raw_positions.items()) if v}
    typed = {"framework": framework.id, "labels": labels, "positions": raw_positions}
    if len(positions) != len(framework.areas) or not all(
        1 <= p <= len(framework.areas) for p in positions.values()
    ):
        message = _(
            "Ange en plats mellan 1 och %(count)d för varje område.", count=len(framework.areas)
        )
        return _areas_page({framework.id: message}, typed, 422)
    try:
        settings.save_areas(
            session=get_session(), framework=framework, labels=labels, positions=positions
        )
    except settings.SettingRefused as refused:
        return _areas_page({framework.id: str(refused)}, typed, 422)
    shown = ", ".join(
        f"{area_id}={label}"
        for area_id, label in settings.area_labels(framework, session=get_session()).items()
    )
    audit.record("areas_changed", detail=f"{framework.id}: {shown}")
    flash(_("Områdena i %(name)s är sparade.", name=framework.name))
    return redirect(url_for("admin.areas"), code=303)


@login_required("admin")
def areas_reset(framework_id: str):
    """Go back to the framework's own labels and order."""
    framework = _framework_or_404(framework_id)
    settings.reset_areas(session=get_session(), framework=framework)
    audit.record("areas_reset", detail=framework.id)
    flash(_("Områdena i %(name)s har ramverkets egna namn och ordning igen.", name=framework.name))
    return redirect(url_for("admin.areas"), code=303)


@login_required("admin")
def retention():
    """How long a child's data is kept: the municipality's decision, stored here."""
    db = get_session()
    error = None
    typed = None
    if request.method == "POST":
        typed = request.form.get("months", "")[:10]
        months = form_int(typed)
        try:
            if months is None:
                raise settings.SettingRefused(_("Skriv antalet månader med siffror."))
            before = settings.retention_months(session=db)
            settings.save_retention(session=db, months=months)
        except settings.SettingRefused as refused:
            error = str(refused)
        else:
            audit.record("retention_changed", detail=f"{before} → {months} månader")
            flash(_("Gallringstiden är sparad."))
            return redirect(url_for("admin.retention"), code=303)
    months_now = settings.retention_months(session=db)
    return render_template(
        "staff/admin/retention.html",
        months=typed if typed is not None else months_now,
        months_now=months_now,
        default=settings.DEFAULT_RETENTION_MONTHS,
        due=gallring.due(session=db, months=months_now),
        last_run=gallring.last_run(db),
        error=error,
    ), (422 if error else 200)


@login_required("admin")
def languages():
    """Which of the built-in languages families are offered (Swedish always)."""
    db = get_session()
    if request.method == "POST":
        kept = settings.save_languages(session=db, codes=request.form.getlist("language"))
        audit.record("languages_changed", detail=", ".join(kept))
        flash(_("Språken är sparade."))
        return redirect(url_for("admin.languages"), code=303)
    built_in = current_app.config["LANGUAGES"]
    return render_template(
        "staff/admin/languages.html",
        built_in=built_in,
        offered=settings.offered_languages(session=db),
        status={code: catalog_status(code).get("status", "") for code in built_in},
        reviewed={code: len(catalog_review.reviews(db, code)) for code in built_in},
    )


# The audit log -----------------------------------------------------------------------------


def _date(value: str | None) -> date | None:
    return inputs.day(value)


@login_required("admin")
def audit_log():
    """The audit log, newest first: filter by child, staff, action and dates; 50 a page."""
    args = request.args
    filters = accounts.AuditFilter(
        child_id=form_int(args.get("barn")),
        staff_id=form_int(args.get("personal")),
        action=(args.get("handelse") or "").strip()[:40] or None,
        date_from=_date(args.get("fran")),
        date_to=_date(args.get("till")),
    )
    page = form_int(args.get("sida")) or 1
    db = get_session()
    entries, has_next = accounts.audit_page(session=db, filters=filters, page=page)
    people = {s.id: s for s in db.exec(select(Staff).order_by(Staff.name)).all()}
    query = {k: v for k, v in args.items() if k != "sida" and v}
    return render_template(
        "staff/admin/audit_log.html",
        entries=entries,
        has_next=has_next,
        page=page,
        filters=filters,
        args=args,
        query=query,
        people=people,
        actions=sorted(set(accounts.audit_actions(session=db)) | set(ACTION_NAMES)),
        action_names=ACTION_NAMES,
        bad_dates=[k for k in ("fran", "till") if args.get(k) and _date(args.get(k)) is None],
    )
