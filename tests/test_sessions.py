"""Sessions kept on the server (issue 12, findings 1, 2, 3, 5): the cookie is a random id,
signing out ends it, nothing typed is lost after a timeout and nothing planted is kept."""

from __future__ import annotations

import re
import time
from datetime import timedelta

from sqlalchemy import func, update
from sqlmodel import select

from samtal import models
from samtal.db import get_session
from samtal.models import SummaryVersion, utcnow
from tests.builders import csrf_token_of, login, make_app

REGISTRATION = {
    "name": "Sam Berg",
    "birth_date": "2017-05-04",
    "language": "sv",
    "guardian1_name": "Amira Berg",
    "guardian1_language": "sv",
}
RANDOM_ID = re.compile(r"[A-Za-z0-9_-]{43}")


def register(client) -> int:
    """Register a child through the real form; returns its id."""
    token = csrf_token_of(client.get("/arbete/barn/ny").get_data(as_text=True))
    response = client.post("/arbete/barn/ny", data={"csrf_token": token, **REGISTRATION})
    assert response.status_code == 303, response.get_data(as_text=True)
    return int(response.headers["Location"].rsplit("/", 1)[-1])


def cookie_of(client) -> str:
    """The session cookie the browser holds now."""
    cookie = client.get_cookie("samtal")
    assert cookie is not None
    return cookie.value


def idle_out(client) -> None:
    """Let the staff sign-in run out as if the person had been away an hour."""
    with client.session_transaction() as session:
        data = dict(session["staff"])
        data["seen"] = time.time() - 3600
        session["staff"] = data


def summary_form(client, child_id: int, **fields: str) -> dict[str, str]:
    """The summary form as the browser would send it."""
    html = client.get(f"/arbete/barn/{child_id}/sammanstallning").get_data(as_text=True)
    return {"csrf_token": csrf_token_of(html), "anteckningar": "1", **fields}


def test_a_cross_site_post_without_the_session_plants_nothing(app, staff_client):
    """Finding 1: another site's auto-POST to the sign-off arrives without the cookie; after
    signing in again nothing of it is offered, and nothing of it is ever signed."""
    client, staff = staff_client("barnkontakt")
    child_id = register(client)
    sign = f"/arbete/barn/{child_id}/sammanstallning/signera"
    client.delete_cookie("samtal")  # SameSite=Lax: the cross-site POST carries no cookie
    planted = client.post(
        sign, data={"anteckningar": "1", "q-hinder": "Planterad text", "bekrafta": "ja"}
    )
    assert planted.status_code == 303 and "/logga-in" in planted.headers["Location"]
    back = login(client, staff.email)
    assert back.status_code == 303
    landing = client.get(back.headers["Location"], follow_redirects=True).get_data(as_text=True)
    for html in (landing, client.get(sign).get_data(as_text=True)):
        assert "Planterad text" not in html and "Det du skrev finns kvar" not in html
    with app.app_context():
        assert get_session().exec(select(func.count()).select_from(SummaryVersion)).one() == 0


def test_typed_text_comes_back_after_a_timeout_only_to_the_same_person(
    app, staff_client, make_staff
):
    """Finding 1: what was typed before the sign-in ran out is kept on the server for that
    person; someone else signing in on the same browser never sees it."""
    client, _staff = staff_client("barnkontakt")
    child_id = register(client)
    form = summary_form(client, child_id, **{"q-hinder": "Skrivet före timeouten"})
    idle_out(client)
    kept = client.post(f"/arbete/barn/{child_id}/sammanstallning", data=form)
    assert kept.status_code == 303 and "/logga-in" in kept.headers["Location"]
    assert "Skrivet före timeouten" not in cookie_of(client)
    other = make_staff("barnkontakt")
    landing = login(client, other.email)
    assert landing.headers["Location"].endswith("/arbete/")
    with app.app_context():
        assert "Skrivet före timeouten" not in str(
            [row.data for row in get_session().exec(select(models.WebSession)).all()]
        )


def test_long_notes_survive_a_timeout_and_fit_the_request_limit(app, staff_client):
    """Finding 5: fourteen notes of 3,900 characters (over 10,000 in all, 64 KiB and more
    when sent) are kept through a timeout and all come back after signing in."""
    client, staff = staff_client("barnkontakt")
    child_id = register(client)
    text = "Åsa och Örjan är här. " * 177  # 3,894 characters, many of them two bytes
    fields = {f"note-{i}": text for i in range(9)} | {
        f"q-{key}": f"{key}: {text}"[:3900]
        for key in ("hinder", "information", "gora_nu", "verksamheten", "andra")
    }
    form = summary_form(client, child_id, **fields)
    idle_out(client)
    kept = client.post(f"/arbete/barn/{child_id}/sammanstallning", data=form)
    assert kept.status_code == 303, kept.status_code
    assert len(cookie_of(client)) < 64
    back = login(client, staff.email)
    assert back.headers["Location"].endswith(f"/arbete/barn/{child_id}/sammanstallning")
    html = client.get(back.headers["Location"]).get_data(as_text=True)
    for key in ("hinder", "information", "gora_nu", "verksamheten", "andra"):
        assert f"{key}: Åsa och Örjan" in html


def test_autosave_after_the_timeout_says_plainly_that_nothing_was_saved(staff_client):
    """Finding 5: the autosave (htmx) after the idle time answers 401 with the message, and
    the text is kept for after signing in; never a redirect that reads as 'saved'."""
    client, staff = staff_client("barnkontakt")
    child_id = register(client)
    form = summary_form(client, child_id, **{"q-hinder": "Autosparat utkast"})
    idle_out(client)
    response = client.post(
        f"/arbete/barn/{child_id}/sammanstallning", data=form, headers={"HX-Request": "true"}
    )
    assert response.status_code == 401
    assert "Inte sparat — logga in igen, texten finns kvar." in response.get_data(as_text=True)
    back = login(client, staff.email)
    assert "Autosparat utkast" in client.get(back.headers["Location"]).get_data(as_text=True)


def test_the_cookie_is_secure_when_the_base_url_is_https(tmp_path, make_staff):
    """Finding 2: with an https base URL the session cookie is Secure (and HttpOnly, Lax)."""
    app = make_app(f"sqlite:///{tmp_path / 'https.db'}", BASE_URL="https://samtal.example")
    try:
        client = app.test_client()
        response = client.get("/logga-in")
        header = response.headers["Set-Cookie"]
        assert "Secure" in header and "HttpOnly" in header and "SameSite=Lax" in header
    finally:
        app.extensions["samtal.engine"].dispose()


def test_a_copy_of_the_cookie_dies_at_sign_out(app, staff_client):
    """Finding 3: a copy of the cookie taken before signing out opens nothing afterwards."""
    client, _staff = staff_client("barnkontakt")
    thief = app.test_client()
    thief.set_cookie("samtal", cookie_of(client))
    assert thief.get("/arbete/konto").status_code == 200
    page = client.get("/arbete/konto").get_data(as_text=True)
    client.post("/logga-ut", data={"csrf_token": csrf_token_of(page)})
    assert thief.get("/arbete/konto").status_code == 303
    assert client.get("/arbete/konto").status_code == 303


def test_every_session_ends_after_its_absolute_lifetime(app, staff_client):
    """Finding 3: however busy, a session ends SESSION_HOURS after signing in."""
    client, _staff = staff_client("barnkontakt")
    assert client.get("/arbete/konto").status_code == 200
    with app.app_context():
        db = get_session()
        began = utcnow() - timedelta(hours=app.config["SESSION_HOURS"], minutes=1)
        db.execute(update(models.WebSession).values(created_at=began, seen_at=utcnow()))
        db.commit()
    assert client.get("/arbete/konto").status_code == 303


def test_sign_out_everywhere_password_change_and_deactivation_end_sessions(
    app, staff_client, make_staff
):
    """Finding 3: each of them deletes the account's sessions in every browser."""
    client, staff = staff_client("barnkontakt")
    other = app.test_client()
    login(other, staff.email)
    page = client.get("/arbete/konto").get_data(as_text=True)
    client.post("/arbete/konto/logga-ut-overallt", data={"csrf_token": csrf_token_of(page)})
    assert other.get("/arbete/konto").status_code == 303
    with app.app_context():
        rows = (
            get_session()
            .exec(select(models.WebSession).where(models.WebSession.staff_id == staff.id))
            .all()
        )
    assert rows == []
    login(client, staff.email)
    login(other, staff.email)
    page = client.get("/arbete/konto").get_data(as_text=True)
    changed = client.post(
        "/arbete/konto/losenord",
        data={
            "csrf_token": csrf_token_of(page),
            "current": "ett långt och bra lösenord",
            "password": "kaffe under eken vid sjön",
            "repeat": "kaffe under eken vid sjön",
        },
    )
    assert changed.status_code == 303
    assert client.get("/arbete/konto").status_code == 200
    assert other.get("/arbete/konto").status_code == 303


def test_the_cookie_holds_only_a_random_id(app, staff_client):
    """Finding 3: no data in the cookie, not even the set-password link just shown."""
    client, _admin = staff_client("admin")
    page = client.get("/arbete/admin/").get_data(as_text=True)
    created = client.post(
        "/arbete/admin/personal/ny",
        data={
            "csrf_token": csrf_token_of(page),
            "name": "Bo Barnkontakt",
            "email": "bo@kommun.example",
            "role": "barnkontakt",
        },
    )
    assert created.status_code == 303
    cookie = cookie_of(client)
    assert RANDOM_ID.fullmatch(cookie), cookie
    html = client.get(created.headers["Location"]).get_data(as_text=True)
    link = re.search(r"/nytt-losenord/([^\"<]+)", html)
    assert link and link.group(1) not in cookie
