"""SAML 2.0 service provider (pysaml2, which signs and checks with Debian's xmlsec1).

The IdP answers with a cross-site POST to the assertion consumer service, on which browsers do
not send the SameSite=Lax session cookie; the request's id therefore travels in a cookie of its
own (signed, ten minutes, SameSite=None over https) so that only answers to requests this
browser made are accepted.
"""

from __future__ import annotations

import time
from dataclasses import asdict
from datetime import datetime
from typing import Any

from flask import current_app, redirect, request, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.client import Saml2Client
from saml2.config import SPConfig
from saml2.metadata import entity_descriptor
from saml2.saml import NAMEID_FORMAT_EMAILADDRESS
from saml2.sigver import get_xmlsec_binary
from werkzeug.wrappers import Response

from samtal.staff.sso.accounts import Answer, Flow

COOKIE = "samtal_saml"
COOKIE_SECONDS = 10 * 60
# The IdP's metadata is read again after a day, so a rolled-over signing certificate is taken.
METADATA_SECONDS = 24 * 3600


def _url(endpoint: str) -> str:
    return current_app.config["BASE_URL"].rstrip("/") + url_for(endpoint)


def _settings() -> dict[str, Any]:
    """This service provider as pysaml2 configures it, without the IdP."""
    return {
        "entityid": _url("sso.saml_metadata"),
        "xmlsec_binary": get_xmlsec_binary(["/usr/bin", "/usr/local/bin"]),
        "service": {
            "sp": {
                "endpoints": {
                    "assertion_consumer_service": [(_url("sso.saml_acs"), BINDING_HTTP_POST)]
                },
                "allow_unsolicited": False,
                "want_assertions_signed": True,
                "want_response_signed": False,
                "name_id_format": NAMEID_FORMAT_EMAILADDRESS,
            }
        },
        "allow_unknown_attributes": True,
        # Reading the IdP's metadata (TLS-verified by pysaml2) must not hang a worker.
        "http_client_timeout": 10,
    }


def _sp_config(with_idp: bool) -> SPConfig:
    settings = _settings()
    if with_idp:
        source = str(current_app.config["SAML_IDP_METADATA"])
        remote = source.startswith(("http://", "https://"))
        settings["metadata"] = {"remote": [{"url": source}]} if remote else {"local": [source]}
    config = SPConfig()
    config.load(settings)
    return config


def _client() -> Saml2Client:
    """This process's SAML client, with the IdP's metadata read at most a day ago."""
    cached = current_app.extensions.get("samtal.saml")
    if cached is None or time.time() - cached[0] > METADATA_SECONDS:
        cached = (time.time(), Saml2Client(config=_sp_config(with_idp=True)))
        current_app.extensions["samtal.saml"] = cached
    return cached[1]


def metadata_xml() -> str:
    """This service provider's metadata, for the IdP's administrators (needs no IdP yet)."""
    return str(entity_descriptor(_sp_config(with_idp=False)))


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key or "", salt="samtal-saml-request")


def start(flow: Flow) -> Response:
    """Send the browser to the IdP with a fresh authentication request."""
    request_id, info = _client().prepare_for_authenticate(
        binding=BINDING_HTTP_REDIRECT,
        # Unlocking the child's screen: the IdP must ask again, not reuse its session.
        force_authn="true" if flow.only is not None else None,
    )
    location = dict(info["headers"])["Location"]
    response = redirect(location, code=303)
    secure = current_app.config["BASE_URL"].startswith("https")
    response.set_cookie(
        COOKIE,
        _serializer().dumps({"id": request_id, **asdict(flow)}),
        max_age=COOKIE_SECONDS,
        path=url_for("sso.saml_acs"),
        secure=secure,
        httponly=True,
        samesite="None" if secure else "Lax",
    )
    return response


def forget_request(response: Response) -> None:
    """Remove the request's cookie: the IdP's answer to it cannot be posted again."""
    secure = current_app.config["BASE_URL"].startswith("https")
    response.delete_cookie(
        COOKIE,
        path=url_for("sso.saml_acs"),
        secure=secure,
        httponly=True,
        samesite="None" if secure else "Lax",
    )


class ResponseRefused(ValueError):
    """The IdP's answer was not accepted (expired, not ours, bad signature…)."""


def read_response() -> Answer:
    """The IdP's signed answer to this browser's request: who, and when they signed in."""
    try:
        state = _serializer().loads(request.cookies.get(COOKIE, ""), max_age=COOKIE_SECONDS)
    except BadSignature as error:
        raise ResponseRefused("no request of this browser") from error
    flow = Flow(target=state.get("target"), only=state.get("only"), started=state.get("started", 0))
    try:
        answer = _client().parse_authn_request_response(
            request.form.get("SAMLResponse", ""),
            BINDING_HTTP_POST,
            outstanding={state["id"]: flow.target or ""},
        )
    # pysaml2 raises many kinds (signature, status, lifetime, XML); each only means "refused".
    except Exception as error:  # noqa: BLE001
        raise ResponseRefused(type(error).__name__) from error
    if answer is None:
        raise ResponseRefused("empty response")
    instants = [instant for _class, _authority, instant in answer.authn_info() if instant]
    authenticated_at = datetime.fromisoformat(max(instants)) if instants else None
    return Answer(email=_email(answer), authenticated_at=authenticated_at, flow=flow)


def _email(answer: Any) -> str | None:
    """The configured attribute, or else a NameID in e-mail format."""
    wanted = current_app.config["SAML_EMAIL_ATTRIBUTE"].lower()
    for name, values in (answer.ava or {}).items():
        if name.lower() == wanted and values:
            return str(values[0])
    name_id = answer.name_id
    if name_id is not None and name_id.format == NAMEID_FORMAT_EMAILADDRESS:
        return str(name_id.text)
    return None
