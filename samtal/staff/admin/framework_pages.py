"""The admin's choice of framework and of the contact role's name in each family language."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from samtal import audit, library, settings
from samtal.db import get_session
from samtal.staff.access import login_required


@login_required("admin")
def framework():
    """Pick the framework new conversations run under and name the role in every language."""
    db = get_session()
    languages = list(current_app.config["LANGUAGES"])
    error = None
    chosen = settings.framework_id(session=db)
    names = settings.role_names(session=db)
    if request.method == "POST":
        chosen = request.form.get("framework", "")[:40]
        names = {code: request.form.get(f"role-{code}", "")[:200] for code in languages}
        before = settings.framework_id(session=db)
        try:
            kept = settings.save_framework(session=db, chosen=chosen, names=names)
        except settings.SettingRefused as refused:
            error = str(refused)
        else:
            shown = ", ".join(f"{code}={name}" for code, name in kept.items())
            audit.record("framework_changed", detail=f"{before} → {chosen}; {shown}")
            flash(_("Ramverket och rollens namn är sparade."))
            return redirect(url_for("admin.framework"), code=303)
    frameworks = sorted(library.flows().frameworks.values(), key=lambda f: f.name)
    return render_template(
        "staff/admin/framework.html",
        frameworks=frameworks,
        chosen=chosen,
        names=names,
        languages=languages,
        error=error,
    ), (422 if error else 200)
