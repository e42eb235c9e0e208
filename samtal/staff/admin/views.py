"""Admin pages: staff accounts, units, moving a child to another barnkontakt.

Admins only. Every change is an audit entry. The writes themselves are in accounts.py and
settings.py; these views read the form, call them and redirect (303), or show the form again
with a Swedish message and what was typed.
"""

from __future__ import annotations

from flask import (
    abort,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlmodel import select

from samtal import audit, inputs
from samtal.conversation import links
from samtal.db import get_session
from samtal.models import Child, Staff, Unit
from samtal.staff import accounts
from samtal.staff.access import child_or_404, current_staff, login_required
from samtal.staff.password_links import invite_days, issue_invite_token
from samtal.staff.passwords import AccountRefused

ROLE_NAMES = {
    "admin": _l("Administratör"),
    "barnkontakt": _l("Barnkontakt"),
    "statistik": _l("Statistik (bara sammanställda siffror)"),
}
UNIT_KIND_NAMES = {"förskola": _l("Förskola"), "skola": _l("Skola")}
# How the audit log names what happened; an action not listed is shown as its code.
ACTION_NAMES = {
    "login": _l("Loggade in"),
    "login_failed": _l("Misslyckad inloggning"),
    "login_locked": _l("Inloggning nekad: kontot var tillfälligt låst"),
    "login_throttled": _l("Inloggning stoppad (för många försök)"),
    "logout": _l("Loggade ut"),
    "logout_everywhere": _l("Loggade ut överallt"),
    "password_changed": _l("Bytte lösenord"),
    "password_change_refused": _l("Lösenordsbyte nekat"),
    "password_set_by_link": _l("Valde lösenord via länk"),
    "setup_admin_created": _l("Första administratören skapad"),
    "refused": _l("Nekad sida (saknar behörighet)"),
    "refused_child": _l("Sökte ett barn som inte är ens eget eller inte finns"),
    "staff_created": _l("Skapade konto"),
    "staff_updated": _l("Ändrade konto"),
    "staff_deactivated": _l("Avaktiverade konto"),
    "staff_activated": _l("Aktiverade konto"),
    "password_link_issued": _l("Skapade lösenordslänk"),
    "child_reassigned": _l("Flyttade barn till annan barnkontakt"),
    "children_searched": _l("Sökte barn"),
    "view_child": _l("Såg barnets uppgifter"),
    "unit_created": _l("Skapade enhet"),
    "unit_updated": _l("Ändrade enhet"),
    "areas_changed": _l("Ändrade områdenas namn eller ordning"),
    "areas_reset": _l("Återställde områdena"),
    "retention_changed": _l("Ändrade gallringstid"),
    "languages_changed": _l("Ändrade språk som erbjuds"),
    "register_extract": _l("Tog ut registerutdrag"),
    "child_erased": _l("Raderade allt om barnet"),
    "gallring_run": _l("Gallring kördes"),
    "backup_made": _l("Säkerhetskopia gjord"),
    "backup_restored": _l("Säkerhetskopia återställd"),
    "two_factor_failed": _l("Fel kod vid tvåstegsverifiering"),
    "two_factor_enrolled": _l("Slog på tvåstegsverifiering"),
    "two_factor_reset": _l("Tog bort tvåstegsverifiering"),
    "two_factor_required": _l("Ändrade krav på tvåstegsverifiering"),
    "sso_refused": _l("Nekad inloggning med kommunens konto"),
}


def form_int(value: str | None) -> int | None:
    """A whole number from a form or query field, or None."""
    return inputs.number(value)


def _staff_or_404(staff_id: int) -> Staff:
    found = get_session().get(Staff, staff_id)
    if found is None:
        abort(404)
    return found


def _units() -> list[Unit]:
    return list(get_session().exec(select(Unit).order_by(Unit.name)).all())


def _acting() -> Staff:
    staff = current_staff()
    assert staff is not None
    return staff


@login_required("admin")
def index():
    """The admin's start page: what can be managed here."""
    return render_template("staff/admin/index.html")


# Staff accounts ----------------------------------------------------------------------------


@login_required("admin")
def staff_list():
    """Every staff account: name, e-mail, role, unit, active."""
    db = get_session()
    people = db.exec(select(Staff).order_by(Staff.active.desc(), Staff.name)).all()  # type: ignore[attr-defined]
    units = {unit.id: unit for unit in _units()}
    return render_template(
        "staff/admin/staff_list.html", people=people, units=units, role_names=ROLE_NAMES
    )


def _show_link_once(staff: Staff) -> None:
    """Make a set-password link and keep it for the next page, which shows it once."""
    token = issue_invite_token(session=get_session(), staff=staff)
    url = links.external_url("auth.set_password", token=token)
    session["shown_link"] = {"staff_id": staff.id, "url": url}


@login_required("admin")
def staff_new():
    """Create an account; the person gets a one-time link to choose their own password."""
    if request.method == "GET":
        return render_template(
            "staff/admin/staff_new.html", form={}, units=_units(), role_names=ROLE_NAMES
        )
    form = {key: request.form.get(key, "")[:254] for key in ("name", "email", "role", "unit_id")}
    try:
        staff = accounts.invite_staff(
            session=get_session(),
            name=form["name"],
            email=form["email"],
            role=form["role"],
            unit_id=form_int(form["unit_id"]),
        )
    except AccountRefused as refused:
        return render_template(
            "staff/admin/staff_new.html",
            form=form,
            units=_units(),
            role_names=ROLE_NAMES,
            error=str(refused),
        ), 422
    audit.record("staff_created", detail=f"{staff.id} {staff.email} {staff.role}")
    _show_link_once(staff)
    audit.record("password_link_issued", detail=f"{staff.id} {staff.email}")
    flash(_("Kontot är skapat."))
    return redirect(url_for("admin.staff_detail", staff_id=staff.id), code=303)


@login_required("admin")
def staff_detail(staff_id: int):
    """One account: change it, (de)activate it, give a new password link, move its children."""
    staff = _staff_or_404(staff_id)
    shown = session.get("shown_link")
    link = None
    if shown and shown.get("staff_id") == staff.id:
        link = session.pop("shown_link")["url"]
    db = get_session()
    return render_template(
        "staff/admin/staff_detail.html",
        person=staff,
        link=link,
        link_days=invite_days(),
        units=_units(),
        role_names=ROLE_NAMES,
        child_count=accounts.children_of(session=db, staff=staff),
        receivers=[s for s in accounts.barnkontakter(session=db) if s.id != staff.id],
        error=None,
    )


@login_required("admin")
def staff_update(staff_id: int):
    """Change an account's name, role and unit."""
    staff = _staff_or_404(staff_id)
    try:
        changes = accounts.update_staff(
            session=get_session(),
            staff=staff,
            name=request.form.get("name", "")[:254],
            role=request.form.get("role", ""),
            unit_id=form_int(request.form.get("unit_id")),
        )
    except AccountRefused as refused:
        flash(str(refused))
        return redirect(url_for("admin.staff_detail", staff_id=staff_id), code=303)
    if changes:
        audit.record("staff_updated", detail=f"{staff.id} {staff.email}: {', '.join(changes)}")
        flash(_("Ändringarna är sparade."))
    return redirect(url_for("admin.staff_detail", staff_id=staff_id), code=303)


@login_required("admin")
def staff_deactivate(staff_id: int):
    """Deactivate an account: it is signed out everywhere and cannot sign in."""
    return _set_active(staff_id, active=False)


@login_required("admin")
def staff_activate(staff_id: int):
    """Let a deactivated account sign in again."""
    return _set_active(staff_id, active=True)


def _set_active(staff_id: int, *, active: bool):
    staff = _staff_or_404(staff_id)
    try:
        accounts.set_active(session=get_session(), staff=staff, acting=_acting(), active=active)
    except AccountRefused as refused:
        flash(str(refused))
    else:
        action = "staff_activated" if active else "staff_deactivated"
        audit.record(action, detail=f"{staff.id} {staff.email}")
        flash(_("Kontot är aktivt igen.") if active else _("Kontot är avaktiverat."))
    return redirect(url_for("admin.staff_detail", staff_id=staff_id), code=303)


@login_required("admin")
def staff_link(staff_id: int):
    """A new one-time link for the person to choose a password (earlier links stop working)."""
    staff = _staff_or_404(staff_id)
    if not staff.active:
        flash(_("Aktivera kontot först."))
        return redirect(url_for("admin.staff_detail", staff_id=staff_id), code=303)
    _show_link_once(staff)
    audit.record("password_link_issued", detail=f"{staff.id} {staff.email}")
    return redirect(url_for("admin.staff_detail", staff_id=staff_id), code=303)


@login_required("admin")
def staff_move_children(staff_id: int):
    """Give every child of this barnkontakt to another barnkontakt."""
    staff = _staff_or_404(staff_id)
    try:
        moved = accounts.reassign_all(
            session=get_session(), from_staff=staff, to_staff_id=form_int(request.form.get("to"))
        )
    except AccountRefused as refused:
        flash(str(refused))
        return redirect(url_for("admin.staff_detail", staff_id=staff_id), code=303)
    to_id = request.form.get("to")
    for child_id in moved:
        audit.record("child_reassigned", child_id=child_id, detail=f"från {staff.id} till {to_id}")
    flash(_("%(count)d barn är flyttade.", count=len(moved)))
    return redirect(url_for("admin.staff_detail", staff_id=staff_id), code=303)


# Units -------------------------------------------------------------------------------------


@login_required("admin")
def units():
    """Förskolor and skolor: add one, rename one."""
    return _units_page()


def _units_page(error: str | None = None, form: dict | None = None, status: int = 200):
    return render_template(
        "staff/admin/units.html",
        units=_units(),
        kind_names=UNIT_KIND_NAMES,
        error=error,
        form=form or {},
    ), status


@login_required("admin")
def unit_create():
    """Add a förskola or skola."""
    form = {"name": request.form.get("name", "")[:200], "kind": request.form.get("kind", "")}
    try:
        unit = accounts.create_unit(session=get_session(), name=form["name"], kind=form["kind"])
    except AccountRefused as refused:
        return _units_page(str(refused), form, 422)
    audit.record("unit_created", detail=f"{unit.id} {unit.name} ({unit.kind})")
    flash(_("Enheten %(name)s är tillagd.", name=unit.name))
    return redirect(url_for("admin.units"), code=303)


@login_required("admin")
def unit_update(unit_id: int):
    """Rename a unit or change whether it is a förskola or a skola."""
    unit = get_session().get(Unit, unit_id)
    if unit is None:
        abort(404)
    before = f"{unit.name} ({unit.kind})"
    try:
        accounts.update_unit(
            session=get_session(),
            unit=unit,
            name=request.form.get("name", "")[:200],
            kind=request.form.get("kind", ""),
        )
    except AccountRefused as refused:
        flash(str(refused))
    else:
        audit.record("unit_updated", detail=f"{unit.id} {before} → {unit.name} ({unit.kind})")
        flash(_("Enheten är sparad."))
    return redirect(url_for("admin.units"), code=303)


# Moving a child to another barnkontakt -----------------------------------------------------


@login_required("admin")
def children():
    """Find a child by number or name, to give them another barnkontakt."""
    query = request.args.get("q", "")[:80]
    found: list[Child] = []
    if query.strip():
        found = accounts.search_children(session=get_session(), query=query)
        audit.record("children_searched", detail=f"{query!r}: {len(found)}")
    db = get_session()
    people = {s.id: s for s in db.exec(select(Staff)).all()}
    units = {unit.id: unit for unit in _units()}
    return render_template(
        "staff/admin/children.html", query=query, found=found, people=people, units=units
    )


@login_required("admin")
def child(child_id: int):
    """A child's barnkontakt, and the form to choose another."""
    db = get_session()
    found = child_or_404(child_id)
    audit.record("view_child", child_id=child_id, detail="admin: byte av barnkontakt")
    return render_template(
        "staff/admin/child.html",
        child=found,
        current=db.get(Staff, found.barnkontakt_id) if found.barnkontakt_id else None,
        unit=db.get(Unit, found.unit_id) if found.unit_id else None,
        receivers=accounts.barnkontakter(session=db),
    )


@login_required("admin")
def child_reassign(child_id: int):
    """Give a child another barnkontakt."""
    db = get_session()
    found = child_or_404(child_id)
    before = found.barnkontakt_id
    try:
        receiver = accounts.reassign_child(
            session=db, child=found, to_staff_id=form_int(request.form.get("to"))
        )
    except AccountRefused as refused:
        flash(str(refused))
        return redirect(url_for("admin.child", child_id=child_id), code=303)
    audit.record("child_reassigned", child_id=child_id, detail=f"från {before} till {receiver.id}")
    flash(_("%(child)s har nu %(name)s som barnkontakt.", child=found.name, name=receiver.name))
    return redirect(url_for("admin.child", child_id=child_id), code=303)


# Area labels, retention, languages and the audit log are pages of this blueprint too.
