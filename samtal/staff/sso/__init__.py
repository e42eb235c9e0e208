"""Staff single sign-on through the municipality's identity provider: SAML 2.0 or OpenID Connect.

Chosen by SSO ("none", "saml" or "oidc"); the IdP's user is mapped to an existing Samtal
account by e-mail. Accounts are never created from the IdP: an admin creates them first.
"""

from __future__ import annotations

from flask import Blueprint
from flask.blueprints import BlueprintSetupState

bp: Blueprint = Blueprint("sso", __name__, url_prefix="/sso")
METHODS = ("none", "saml", "oidc")
NEEDED = {
    "saml": ("SAML_IDP_METADATA",),
    "oidc": ("OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET"),
}


@bp.record_once
def _check_configuration(state: BlueprintSetupState) -> None:
    """Refuse to start with an unknown method or a missing setting, naming it."""
    config = state.app.config
    method = str(config.get("SSO") or "none").lower()
    if method not in METHODS:
        raise RuntimeError(f"SAMTAL_SSO must be one of {', '.join(METHODS)}, not {method!r}")
    missing = [key for key in NEEDED.get(method, ()) if not config.get(key)]
    if missing:
        names = ", ".join(f"SAMTAL_{key}" for key in missing)
        raise RuntimeError(f"SAMTAL_SSO={method} needs {names}")
    config["SSO"] = method


from samtal.staff.sso import views  # noqa: E402, F401
