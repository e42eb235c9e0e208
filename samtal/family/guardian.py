"""The guardian's questionnaire, reached by an invitation link; phone first, own language."""

from __future__ import annotations

from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import force_locale
from flask_babel import gettext as _

from samtal.conversation import engine, invitations, lifecycle, records
from samtal.db import get_session
from samtal.family import process_page, steps
from samtal.models import utcnow
from samtal.settings import languages_offered
from samtal.summary import exports
from samtal.web.security import refuse_stale_form

bp = Blueprint("guardian", __name__, url_prefix="/v/<token>")
steps.add_step_routes(bp, "guardian/step.html")
process_page.add_process_route(bp)
OPENED_KEY = "opened_invitations"
REFUSAL_STATUS = {"expired": 410, "locked": 429, "invalid": 404}


def _known_language(language: str) -> str:
    return language if language in current_app.config["LANGUAGES"] else "sv"


@bp.url_value_preprocessor
def _open(_endpoint, values) -> None:
    token = values.pop("token", "") if values else ""
    try:
        invitation, conversation = invitations.open_invitation(get_session(), token)
    except invitations.InvitationRefused as refused:
        g.locale = _known_language(refused.language)
        current_app.logger.warning("invitation refused (%s)", refused.reason)
        page = render_template("guardian/refused.html", reason=refused.reason)
        abort(make_response(page, REFUSAL_STATUS[refused.reason]))
    g.invitation = invitation
    steps.enter_conversation(token, conversation, _known_language(conversation.language))


bp.url_defaults(steps.keep_token)


@bp.before_request
def _require_code():
    if request.method == "POST" and request.endpoint != "guardian.answer":
        refused = refuse_stale_form(url_for("guardian.step"))
        if refused is not None:
            return refused
    opened = session.get(OPENED_KEY, [])
    if (
        g.invitation.code_hash
        and g.invitation.id not in opened
        # "Så går det till" says nothing of the child: readable before the code, too.
        and request.endpoint not in ("guardian.code", "guardian.process")
    ):
        return render_template("guardian/code.html"), 200
    return None


@bp.post("/kod")
def code():
    """Check the short code that was said aloud or sent separately."""
    checked = invitations.check_code(get_session(), g.invitation, request.form.get("code", ""))
    if checked == "locked":
        return render_template("guardian/refused.html", reason="locked"), 429
    if checked == "wrong":
        return render_template(
            "guardian/code.html", error=_("Koden stämmer inte. Försök igen.")
        ), 422
    session[OPENED_KEY] = [*session.get(OPENED_KEY, []), g.invitation.id][-20:]
    return redirect(url_for("guardian.step"), code=303)


@bp.post("/sprak")
def language():
    """Switch the questionnaire's language; an unknown code falls back to Swedish with a notice."""
    wanted = request.form.get("language", "")
    if wanted not in languages_offered():
        wanted = "sv"
        with force_locale(wanted):
            flash(_("Det språket finns inte ännu. Frågorna visas på svenska."))
    lifecycle.set_language(session=get_session(), conversation=g.conversation, language=wanted)
    return redirect(url_for("guardian.step"), code=303)


@bp.get("/kopia")
def copy():
    """The guardian's own answers, to print, or to download as PDF in their language; never
    anyone else's."""
    db = get_session()
    sections = engine.review(g.flow, *records.stored_answers_and_words(db, g.conversation.id))
    download = request.args.get("ladda-ner") == "1"

    def page(pdf: bool) -> str:
        return render_template(
            "guardian/copy.html",
            flow=g.flow,
            conversation=g.conversation,
            sections=sections,
            printed_at=utcnow(),
            pdf=pdf,
        )

    if not download:
        return page(pdf=False)
    try:
        stylesheet = Path(current_app.static_folder or "") / "samtal.css"
        response = make_response(exports.render_pdf(page(pdf=True), stylesheet))
        response.mimetype, filename = "application/pdf", "mina-svar.pdf"
    except (ImportError, OSError):
        # Without WeasyPrint's libraries the answers still come, as a page to keep.
        current_app.logger.exception("PDF could not be rendered")
        response, filename = make_response(page(pdf=True)), "mina-svar.html"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
