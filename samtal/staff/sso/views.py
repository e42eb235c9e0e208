"""The single sign-on routes: start, SAML's metadata and assertion consumer, OIDC's callback."""

from __future__ import annotations

import logging
import time

from flask import (
    Response,
    abort,
    current_app,
    make_response,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _

from samtal import audit
from samtal.db import get_session
from samtal.staff.access import finish_sign_in
from samtal.staff.sso import oidc, saml
from samtal.staff.sso.accounts import Answer, Flow, SignInRefused, check_unlock, staff_for_email
from samtal.staff.workspace.kiosk import KIOSK_KEY

log = logging.getLogger(__name__)


def _method() -> str:
    method = current_app.config["SSO"]
    if method == "none":
        abort(404)
    return method


def _refused(message: str, status: int):
    return render_template("staff/login.html", error=message), status


def start():
    """Go to the municipality's sign-in (the button on the sign-in page)."""
    method = _method()
    kiosk = session.get(KIOSK_KEY)
    if kiosk:
        child = kiosk.get("child")
        target = url_for("workspace.child", child_id=child) if child else None
        flow = Flow(target=target, only=kiosk.get("staff"), started=time.time())
    else:
        flow = Flow(target=request.args.get("next"), started=time.time())
    try:
        return saml.start(flow) if method == "saml" else oidc.start(flow)
    # The IdP's metadata could not be read (down, moved, not valid): say so, not a 500.
    except Exception as error:  # noqa: BLE001
        log.warning("single sign-on: the identity provider is unreachable (%s)", error)
        audit.record("sso_refused", detail=f"{method}: provider unreachable")
        return _refused(
            _(
                "Kommunens inloggning svarar inte just nu. Försök igen om en stund, "
                "eller kontakta kommunens IT-avdelning."
            ),
            503,
        )


def saml_metadata():
    """This service provider's SAML metadata, to register Samtal at the IdP."""
    if _method() != "saml":
        abort(404)
    return Response(saml.metadata_xml(), mimetype="application/samlmetadata+xml")


def saml_acs():
    """The IdP's signed answer arrives here (HTTP-POST binding)."""
    if _method() != "saml":
        abort(404)
    try:
        answer = saml.read_response()
    except saml.ResponseRefused as refused:
        outcome = make_response(_not_accepted("saml", str(refused)))
    else:
        outcome = make_response(_sign_in(answer, "saml"))
    saml.forget_request(outcome)  # an answer is used once
    return outcome


def oidc_callback():
    """The OpenID provider sends the browser back here with a code."""
    if _method() != "oidc":
        abort(404)
    try:
        answer = oidc.read_response()
    except oidc.ResponseRefused as refused:
        return _not_accepted("oidc", str(refused))
    return _sign_in(answer, "oidc")


def _not_accepted(method: str, reason: str):
    audit.record("sso_refused", detail=f"{method}: {reason}")
    return _refused(_("Inloggningen med kommunens konto gick inte igenom. Försök igen."), 400)


def _sign_in(answer: Answer, method: str):
    """Sign in the account the answer's e-mail belongs to, or refuse with the reason, audited."""
    try:
        staff = staff_for_email(session=get_session(), email=answer.email)
        check_unlock(staff=staff, answer=answer)
    except SignInRefused as refused:
        audit.record("sso_refused", detail=f"{method}: {refused.reason}")
        return _refused(str(refused), 403)
    return finish_sign_in(staff, answer.flow.target, method)
