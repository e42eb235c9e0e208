"""Serving behind a proxy: the client's own address (ProxyFix), HSTS over https, /healthz,
and logs as JSON lines without tokens or personal data."""

from __future__ import annotations

import json

from sqlalchemy import text
from sqlmodel import select

from samtal.models import AuditEntry
from samtal.web.serving import access_entry
from tests.builders import csrf_token_of, make_app


def failed_sign_in(client, **headers) -> None:
    """A wrong password through the real form."""
    page = client.get("/logga-in", headers=headers).get_data(as_text=True)
    form = {"csrf_token": csrf_token_of(page), "email": "ingen@kommun.example", "password": "x"}
    assert client.post("/logga-in", data=form, headers=headers).status_code == 401


def addresses(app) -> list[str | None]:
    """The address of every audit entry."""
    with app.app_context():
        from samtal.db import get_session

        return list(get_session().exec(select(AuditEntry.address)).all())


def test_behind_one_trusted_proxy_the_clients_address_counts(tmp_path):
    """SAMTAL_PROXY_FIX=1: the address the proxy saw is the one audited (and throttled)."""
    app = make_app(f"sqlite:///{tmp_path / 'proxy.db'}", PROXY_FIX=1)
    failed_sign_in(app.test_client(), **{"X-Forwarded-For": "203.0.113.9"})
    assert addresses(app) == ["203.0.113.9"]
    app.extensions["samtal.engine"].dispose()


def test_without_proxy_fix_forwarded_headers_are_not_believed(app, client):
    """By default nothing in front is trusted: a client cannot choose its own address."""
    failed_sign_in(client, **{"X-Forwarded-For": "203.0.113.9"})
    assert addresses(app) == ["127.0.0.1"]


def test_hsts_only_over_https(tmp_path):
    """Strict-Transport-Security when the proxy says the request came over https."""
    app = make_app(f"sqlite:///{tmp_path / 'hsts.db'}", PROXY_FIX=1)
    client = app.test_client()
    secure = client.get("/", headers={"X-Forwarded-Proto": "https"})
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert "Strict-Transport-Security" not in client.get("/").headers
    app.extensions["samtal.engine"].dispose()


def test_healthz_says_whether_the_schema_is_current(app, client):
    """200 with the schema current; 503 once the database is at an older revision."""
    healthy = client.get("/healthz")
    assert healthy.status_code == 200
    assert healthy.json is not None and healthy.json["schema"] == "current"
    with app.extensions["samtal.engine"].begin() as connection:
        connection.execute(
            text("UPDATE alembic_version SET version_num = '0002_child_search_name'")
        )
    behind = client.get("/healthz")
    assert behind.status_code == 503 and behind.json == {
        **behind.json,
        "status": "unavailable",
        "schema": "behind",
    }


def test_logs_are_json_lines_without_exception_messages(app, capsys):
    """One JSON object a line; an exception by type and frames, never its message (which can
    carry an SQL statement's parameters: names)."""
    with app.app_context():
        app.logger.warning("answer refused: %s", "form token missing")
        try:
            raise ValueError("Åsa Öberg, 2016-04-01")
        except ValueError:
            app.logger.exception("unexpected error")
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(entry["level"], entry["message"]) for entry in lines] == [
        ("warning", "answer refused: form token missing"),
        ("error", "unexpected error"),
    ]
    assert lines[1]["exception"] == "ValueError" and "Åsa" not in json.dumps(lines)


def test_an_access_entry_names_the_route_never_the_path_or_query():
    """The token in /samtal/<token>/ and a searched name in ?sok= stay out of the access log."""
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/samtal/hemlig-token/",
        "QUERY_STRING": "sok=Åsa",
        "REMOTE_ADDR": "203.0.113.9",
        "samtal.route": "/samtal/<token>/",
    }
    entry = access_entry(environ, "200 OK", 0.0123, 512)
    assert entry == {
        "method": "GET",
        "route": "/samtal/<token>/",
        "status": 200,
        "ms": 12.3,
        "bytes": 512,
    }


def test_a_rotated_key_keeps_the_links_already_given_out(tmp_path, make_staff, app):
    """SECRET_KEY_FALLBACKS: after a new SECRET_KEY, a tablet link, a guardian's invitation
    with its code and a signed-in staff session made under the old key still work; without
    the old key among the fallbacks, the link is refused."""
    from samtal import library
    from samtal.conversation import invitations
    from samtal.db import get_session
    from tests.builders import login, start_conversation_in

    url = app.config["DATABASE_URL"]
    conversation, tablet = start_conversation_in(app, "test-fast")
    with app.test_request_context():
        session = get_session()
        from samtal.models import Child

        child = session.get(Child, conversation.child_id)
        issued = invitations.issue(
            session=session,
            child=child,
            flow=library.flows().for_audience("guardian")[0],
            language="sv",
            with_code=True,
        )
    staff = make_staff("barnkontakt")
    old_client = app.test_client()
    assert login(old_client, staff.email).status_code == 303
    rotated = make_app(url, SECRET_KEY="new-secret", SECRET_KEY_FALLBACKS=["test-secret"])
    client = rotated.test_client()
    assert client.get(tablet).status_code == 200
    guardian = f"/v/{issued.token}/"
    code_page = client.get(guardian).get_data(as_text=True)
    assert 'name="code"' in code_page
    form = {"csrf_token": csrf_token_of(code_page), "code": issued.code}
    assert client.post(guardian + "kod", data=form).status_code == 303
    assert 'name="form_token"' in client.get(guardian).get_data(as_text=True)
    cookie = old_client.get_cookie("samtal")
    assert cookie is not None
    client.set_cookie("samtal", cookie.value)
    assert client.get("/arbete/barn").status_code == 200
    forgotten = make_app(url, SECRET_KEY="new-secret")
    assert forgotten.test_client().get(tablet).status_code != 200
    for each in (rotated, forgotten):
        each.extensions["samtal.engine"].dispose()
