"""The front door `/`: what Samtal is, sign-in, where families go, the statement and credits;
before the first admin exists, how they begin; never a terminal command."""

from __future__ import annotations

from tests.builders import make_app


def test_a_fresh_installation_says_the_first_admin_starts_from_the_printed_link(client):
    """No admin yet: the page says so and points to the one-time link, not a command."""
    page = client.get("/").get_data(as_text=True)
    assert "ingen administratör ännu" in page and "engångslänken" in page
    assert "flask" not in page and ".venv" not in page and "<pre" not in page
    assert 'href="/tillganglighet"' in page and 'href="/om-bilderna"' in page


def test_with_an_admin_the_front_door_leads_to_sign_in(client, make_staff):
    """Once an admin exists: a sign-in link, and nothing about the first-run link."""
    make_staff("admin")
    page = client.get("/").get_data(as_text=True)
    assert 'href="/logga-in"' in page and "Logga in" in page
    assert "engångslänken" not in page
    assert "behovskompassens åtta områden" in page and "länken du har fått" in page


def test_the_front_door_works_on_postgresql(any_database_url):
    """The admin check reads the database the installation runs on."""
    app = make_app(any_database_url)
    try:
        assert app.test_client().get("/").status_code == 200
    finally:
        app.extensions["samtal.engine"].dispose()
