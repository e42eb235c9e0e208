"""Single sign-on without a provider running: configuration, the sign-in page, the SP's
metadata, and answers that cannot be accepted (never a 500). The journeys through real
providers are in tests/browser/test_sso_journey.py."""

from __future__ import annotations

import base64

import pytest
from sqlmodel import select

from samtal.db import get_session
from samtal.models import AuditEntry
from tests.builders import make_app

SAML = {"SSO": "saml", "SAML_IDP_METADATA": "http://127.0.0.1:9/metadata.xml"}
OIDC = {
    "SSO": "oidc",
    "OIDC_ISSUER": "http://127.0.0.1:9",
    "OIDC_CLIENT_ID": "samtal",
    "OIDC_CLIENT_SECRET": "hemligt",
}


@pytest.fixture
def sso_app(tmp_path):
    """sso_app(**config) → the app on a fresh SQLite file with that single sign-on."""
    made: list = []

    def _make(**config):
        app = make_app(f"sqlite:///{tmp_path / f'{len(made)}.db'}", **config)
        made.append(app)
        return app

    yield _make
    for app in made:
        app.extensions["samtal.engine"].dispose()


def refusals(app) -> list[str]:
    with app.app_context():
        query = select(AuditEntry).where(AuditEntry.action == "sso_refused")
        return [entry.detail or "" for entry in get_session().exec(query).all()]


@pytest.mark.parametrize(
    ("config", "named"),
    [
        ({"SSO": "kerberos"}, "SAMTAL_SSO ska vara none, saml eller oidc, inte 'kerberos'"),
        ({"SSO": "saml"}, "SAMTAL_SSO=saml behöver SAMTAL_SAML_IDP_METADATA"),
        (
            {"SSO": "oidc", "OIDC_ISSUER": "https://idp.example"},
            "SAMTAL_SSO=oidc behöver SAMTAL_OIDC_CLIENT_ID, SAMTAL_OIDC_CLIENT_SECRET",
        ),
    ],
)
def test_the_app_refuses_to_start_with_an_incomplete_configuration(sso_app, config, named):
    with pytest.raises(ValueError, match=named):
        sso_app(**config)


def test_without_sso_the_sign_in_page_has_passwords_only(client):
    page = client.get("/logga-in").get_data(as_text=True)
    assert "Logga in med kommunens konto" not in page
    assert client.get("/sso/start").status_code == 404
    assert client.get("/sso/saml/metadata").status_code == 404


@pytest.mark.parametrize("config", [SAML, OIDC], ids=["saml", "oidc"])
def test_with_sso_the_sign_in_page_offers_it_beside_the_password(sso_app, config):
    client = sso_app(**config).test_client()
    page = client.get("/logga-in?next=/arbete/barn").get_data(as_text=True)
    assert '<a class="button primary" href="/sso/start?next=/arbete/barn">' in page
    assert "Logga in med kommunens konto" in page
    assert 'name="password"' in page


@pytest.mark.parametrize("config", [SAML, OIDC], ids=["saml", "oidc"])
def test_an_unreachable_provider_gets_a_message_not_a_500(sso_app, config):
    app = sso_app(**config)
    response = app.test_client().get("/sso/start")
    assert response.status_code == 503
    assert "Kommunens inloggning svarar inte just nu" in response.get_data(as_text=True)
    assert refusals(app) == [f"{config['SSO']}: provider unreachable"]


def test_the_saml_metadata_names_samtals_addresses(sso_app):
    app = sso_app(**SAML, BASE_URL="https://samtal.kommun.example")
    response = app.test_client().get("/sso/saml/metadata")
    assert response.status_code == 200
    assert response.mimetype == "application/samlmetadata+xml"
    xml = response.get_data(as_text=True)
    assert 'entityID="https://samtal.kommun.example/sso/saml/metadata"' in xml
    assert 'Location="https://samtal.kommun.example/sso/saml/acs"' in xml
    assert "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" in xml


@pytest.mark.parametrize(
    "form",
    [
        {},
        {"SAMLResponse": "not base64 at all"},
        {"SAMLResponse": base64.b64encode(b"<samlp:Response>").decode()},
    ],
)
def test_an_answer_this_browser_did_not_ask_for_is_refused(sso_app, form):
    app = sso_app(**SAML)
    response = app.test_client().post("/sso/saml/acs", data=form)
    assert response.status_code == 400
    assert "Inloggningen med kommunens konto gick inte igenom" in response.get_data(as_text=True)
    assert refusals(app) == ["saml: no request of this browser"]


def test_an_oidc_callback_without_a_started_sign_in_is_refused(sso_app):
    app = sso_app(**OIDC)
    response = app.test_client().get("/sso/oidc/callback?code=stolen&state=guessed")
    assert response.status_code == 400
    assert "gick inte igenom" in response.get_data(as_text=True)
    assert refusals(app) == ["oidc: MismatchingStateError"]


def test_unlocking_the_childs_screen_needs_the_barnkontakt_signed_in_just_now(app, make_staff):
    from datetime import UTC, datetime

    from samtal.staff.sso.accounts import Answer, Flow, SignInRefused, check_unlock

    anna = make_staff("barnkontakt")
    other = make_staff("barnkontakt")
    started = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
    flow = Flow(only=anna.id, started=started.timestamp())
    fresh = datetime(2026, 5, 4, 9, 0, 20, tzinfo=UTC)
    stale = datetime(2026, 5, 4, 8, 30, tzinfo=UTC)
    with app.test_request_context():
        check_unlock(staff=anna, answer=Answer(email=anna.email, authenticated_at=fresh, flow=flow))
        check_unlock(
            staff=other, answer=Answer(email=other.email, authenticated_at=stale, flow=Flow())
        )
        for staff, moment, reason in (
            (other, fresh, "other account"),
            (anna, stale, "no fresh sign-in"),
            (anna, None, "no fresh sign-in"),
        ):
            with pytest.raises(SignInRefused, match="fortfarande låst") as refused:
                answer = Answer(email=staff.email, authenticated_at=moment, flow=flow)
                check_unlock(staff=staff, answer=answer)
            assert reason in refused.value.reason
