"""OpenID Connect relying party (Authlib): authorisation code flow with PKCE and a nonce.

The provider sends the browser back with a GET, so the state and nonce Authlib keeps in the
(SameSite=Lax) session arrive with it.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from authlib.common.errors import AuthlibBaseError
from authlib.integrations.flask_client import OAuth
from flask import current_app, session, url_for
from joserfc.errors import JoseError
from requests import RequestException

from samtal.staff.sso.accounts import Answer, Flow

FLOW_KEY = "sso_flow"


def _client() -> Any:
    """This process's OpenID client; the provider's discovery document is read on first use."""
    registry = current_app.extensions.get("samtal.oidc")
    if registry is None:
        config = current_app.config
        registry = OAuth(current_app._get_current_object())  # type: ignore[attr-defined]
        registry.register(
            "idp",
            client_id=str(config["OIDC_CLIENT_ID"]),
            client_secret=str(config["OIDC_CLIENT_SECRET"]),
            server_metadata_url=str(config["OIDC_ISSUER"]).rstrip("/")
            + "/.well-known/openid-configuration",
            client_kwargs={"scope": "openid email profile", "code_challenge_method": "S256"},
        )
        current_app.extensions["samtal.oidc"] = registry
    return registry.idp


def _callback_url() -> str:
    return current_app.config["BASE_URL"].rstrip("/") + url_for("sso.oidc_callback")


def start(flow: Flow):
    """Send the browser to the provider's sign-in."""
    session[FLOW_KEY] = asdict(flow)
    if flow.only is not None:
        # Unlocking the child's screen: the provider must ask again (and say when it did).
        return _client().authorize_redirect(_callback_url(), prompt="login", max_age=0)
    return _client().authorize_redirect(_callback_url())


class ResponseRefused(ValueError):
    """The provider's answer was not accepted; the reason is for the log."""


def read_response() -> Answer:
    """Whoever signed in at the provider (a verified e-mail), and when."""
    client = _client()
    try:
        token = client.authorize_access_token()
        claims = dict(token.get("userinfo") or {})
        if not claims.get("email"):
            # Providers may keep the e-mail out of the ID token and give it at userinfo.
            extra = dict(client.userinfo(token=token))
            if extra.get("sub") == claims.get("sub"):
                claims.update(extra)
    except (AuthlibBaseError, JoseError, RequestException, ValueError) as error:
        raise ResponseRefused(type(error).__name__) from error
    flow = Flow(**session.pop(FLOW_KEY, {}))
    auth_time = claims.get("auth_time")
    return Answer(
        email=None if claims.get("email_verified") is False else claims.get("email"),
        authenticated_at=datetime.fromtimestamp(auth_time, UTC) if auth_time else None,
        flow=flow,
    )
