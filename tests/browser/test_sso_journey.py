"""Staff sign in through the municipality's IdP: SAML 2.0 (SimpleSAMLphp) and OpenID Connect
(oidc-provider), both real providers on loopback, driven in Chromium."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterator

import pytest
from sqlmodel import func, select
from werkzeug.serving import make_server

from samtal.db import get_session
from samtal.models import AuditEntry, Staff
from tests.browser.checks import violations
from tests.builders import make_app
from tests.idp import oidc, simplesamlphp
from tests.idp.common import PASSWORD, PEOPLE, free_port

pytestmark = pytest.mark.browser


@pytest.fixture(scope="session")
def app_port() -> int:
    """The app's port for the whole run: the IdPs know the app's addresses from the start."""
    return free_port()


def _base(port: int) -> str:
    return f"http://127.0.0.1:{port}"


@pytest.fixture(scope="session")
def saml_idp(tmp_path_factory, app_port) -> Iterator[str]:
    """SimpleSAMLphp with the test people, trusting Samtal's published SP metadata."""
    directory = tmp_path_factory.mktemp("saml-idp")
    publisher = make_app(
        f"sqlite:///{directory / 'metadata.db'}",
        SSO="saml",
        SAML_IDP_METADATA="not read for the SP's own metadata",
        BASE_URL=_base(app_port),
    )
    metadata = publisher.test_client().get("/sso/saml/metadata").get_data(as_text=True)
    publisher.extensions["samtal.engine"].dispose()
    with simplesamlphp.running_idp(directory, metadata) as metadata_url:
        yield metadata_url


@pytest.fixture(scope="session")
def oidc_issuer(tmp_path_factory, app_port) -> Iterator[str]:
    """oidc-provider with one client: Samtal, redirecting to its callback."""
    directory = tmp_path_factory.mktemp("oidc-provider")
    with oidc.running_provider(directory, f"{_base(app_port)}/sso/oidc/callback") as issuer:
        yield issuer


@pytest.fixture(params=["saml", "oidc"])
def app(request, tmp_path, app_port):
    """The app with single sign-on through one of the providers, served on app_port."""
    if request.param == "saml":
        config = {"SSO": "saml", "SAML_IDP_METADATA": request.getfixturevalue("saml_idp")}
    else:
        config = {
            "SSO": "oidc",
            "OIDC_ISSUER": request.getfixturevalue("oidc_issuer"),
            "OIDC_CLIENT_ID": oidc.CLIENT_ID,
            "OIDC_CLIENT_SECRET": oidc.CLIENT_SECRET,
        }
    app = make_app(f"sqlite:///{tmp_path / 'samtal.db'}", BASE_URL=_base(app_port), **config)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", app_port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app
    server.shutdown()
    server.server_close()
    app.extensions["samtal.engine"].dispose()


def sign_in_at_idp(page, app, user: str, button: str = "Logga in med kommunens konto") -> None:
    """From Samtal's button through the IdP's own pages, as the person would.

    Pages are opened with allow_errors: the IdPs serve no favicon (a 404 in the console), and
    a refusal is a 403; Samtal's own pages are checked for console errors by other tests.
    """
    if button == "Logga in med kommunens konto":
        page.goto(app.config["BASE_URL"] + "/logga-in")
    page.get_by_role("link", name=button).click()
    if app.config["SSO"] == "saml":
        page.get_by_label("Username").fill(user)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Login").click()
    else:
        login_page = page.url
        page.locator("input[name=login]").fill(user)
        page.locator("input[name=password]").fill(PASSWORD)
        page.get_by_role("button", name="Sign-in").click()
        page.wait_for_url(lambda url: url != login_page)
        if not page.url.startswith(app.config["BASE_URL"]):
            page.get_by_role("button", name="Continue").click()  # consent, the first time
    page.wait_for_url(app.config["BASE_URL"] + "/**")


def audit_of(app, action: str) -> list[str]:
    """The details of every audit entry of one kind, oldest first."""
    with app.app_context():
        rows = get_session().exec(select(AuditEntry).where(AuditEntry.action == action)).all()
        return [row.detail or "" for row in rows]


def test_barnkontakt_signs_in_at_the_idp_and_lands_in_the_workspace(app, make_staff, open_page):
    anna = make_staff("barnkontakt", email=PEOPLE["anna"]["email"].lower())
    page = open_page(allow_errors=True)
    answers: list[str] = []
    page.on("request", lambda r: answers.append(r.post_data or "") if "/acs" in r.url else None)
    sign_in_at_idp(page, app, "anna")
    assert page.get_by_role("heading", name="Mina barn").is_visible()
    assert page.get_by_role("link", name=re.compile("^Test barnkontakt")).is_visible()
    assert audit_of(app, "login") == [app.config["SSO"]]
    with app.app_context():
        assert get_session().get(Staff, anna.id).last_login_at is not None
    if app.config["SSO"] == "saml":
        # The IdP's signed answer, posted again from the same browser, is not accepted twice.
        assert len(answers) == 1
        replay = page.request.post(
            app.config["BASE_URL"] + "/sso/saml/acs",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            data=answers[0],
        )
        assert replay.status == 400
        assert "gick inte igenom" in replay.text()
        assert audit_of(app, "sso_refused") == ["saml: no request of this browser"]


def test_unknown_email_is_refused_and_an_admin_is_never_created(app, make_staff, open_page):
    page = open_page(allow_errors=True)
    sign_in_at_idp(page, app, "chef")
    alert = page.get_by_role("alert")
    assert "Det finns inget konto i Samtal för chef@kommun.example" in alert.inner_text()
    assert page.get_by_role("heading", name="Logga in", exact=True).is_visible()
    assert violations(page) == []
    with app.app_context():
        count = get_session().exec(select(func.count()).select_from(Staff)).one()
    assert count == 0
    assert audit_of(app, "sso_refused") == [f"{app.config['SSO']}: unknown chef@kommun.example"]

    # Once an admin has made the account, the same IdP user is that admin, and nothing more.
    make_staff("admin", email=PEOPLE["chef"]["email"])
    make_staff("barnkontakt", email=PEOPLE["anna"]["email"].lower())
    page = open_page(allow_errors=True)
    sign_in_at_idp(page, app, "chef")
    assert page.get_by_role("heading", name="Administration").is_visible()
    with app.app_context():
        roles = get_session().exec(select(Staff.email, Staff.role)).all()
    assert sorted(roles) == [
        ("anna.berg@kommun.example", "barnkontakt"),
        ("chef@kommun.example", "admin"),
    ]


def test_deactivated_account_is_refused(app, make_staff, open_page):
    anna = make_staff("barnkontakt", email=PEOPLE["anna"]["email"].lower())
    with app.app_context():
        session = get_session()
        stored = session.get(Staff, anna.id)
        stored.active = False
        session.add(stored)
        session.commit()
    page = open_page(allow_errors=True)
    sign_in_at_idp(page, app, "anna")
    assert "Ditt konto i Samtal är avaktiverat" in page.get_by_role("alert").inner_text()
    assert audit_of(app, "login") == []
    assert audit_of(app, "sso_refused") == [
        f"{app.config['SSO']}: deactivated anna.berg@kommun.example"
    ]


def csrf_of(page) -> str:
    return page.locator("input[name=csrf_token]").first.get_attribute("value")


def test_the_childs_screen_unlocks_only_with_a_fresh_sign_in_of_the_barnkontakt(
    app, make_staff, open_page
):
    make_staff("barnkontakt", email=PEOPLE["anna"]["email"].lower())
    make_staff("admin", email=PEOPLE["chef"]["email"])
    base = app.config["BASE_URL"]
    page = open_page(allow_errors=True)
    sign_in_at_idp(page, app, "anna")
    page.goto(f"{base}/arbete/barn/ny")
    registered = page.request.post(
        f"{base}/arbete/barn/ny",
        form={
            "csrf_token": csrf_of(page),
            "name": "Sam Berg",
            "birth_date": "2017-05-04",
            "language": "sv",
            "guardian1_name": "Amira Berg",
            "guardian1_language": "sv",
        },
    )
    child_page = registered.url
    page.goto(child_page)
    page.request.post(
        f"{child_page}/samtal/har", form={"csrf_token": csrf_of(page), "flow": "barn-7-9"}
    )
    page.goto(child_page)
    assert page.get_by_role("heading", name="Den här skärmen är barnets just nu").is_visible()

    # Someone else's IdP account does not open it, not even an admin's.
    sign_in_at_idp(page, app, "chef", button="Lås upp med kommunens konto")
    assert "Det är inte barnkontaktens konto" in page.get_by_role("alert").inner_text()
    page.goto(child_page)
    assert page.get_by_role("heading", name="Den här skärmen är barnets just nu").is_visible()

    # The barnkontakt signs in at the IdP again (it asks, though its session is open).
    sign_in_at_idp(page, app, "anna", button="Lås upp med kommunens konto")
    assert page.url == child_page
    assert page.get_by_role("heading", name="Sam Berg").is_visible()
    assert audit_of(app, "sso_refused") == [
        f"{app.config['SSO']}: kiosk: other account chef@kommun.example"
    ]
