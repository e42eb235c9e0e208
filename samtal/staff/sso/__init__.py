"""Staff single sign-on through the municipality's identity provider: SAML 2.0 or OpenID Connect.

Chosen by SSO ("none", "saml" or "oidc"; config.py refuses a method without its settings); the
IdP's user is mapped to an existing Samtal account by e-mail. Accounts are never created from
the IdP: an admin creates them first. These are the URLs of the sso blueprint.
"""

from flask import Blueprint

from samtal.staff.sso import views

bp = Blueprint("sso", __name__, url_prefix="/sso")
bp.add_url_rule("/start", view_func=views.start, methods=["GET"])
bp.add_url_rule("/saml/metadata", view_func=views.saml_metadata, methods=["GET"])
bp.add_url_rule("/saml/acs", view_func=views.saml_acs, methods=["POST"])
bp.add_url_rule("/oidc/callback", view_func=views.oidc_callback, methods=["GET"])
