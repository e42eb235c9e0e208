"""Files, logs, passwords and headers (issue 12, findings 9, 12, 13, 14)."""

from __future__ import annotations

import os
import signal
import socket
import stat
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from sqlmodel import select

from samtal import config
from samtal.db import get_session
from samtal.models import AuditEntry
from tests.builders import STAFF_PASSWORD, csrf_token_of, make_app

ROOT = Path(__file__).resolve().parent.parent


def mode(path: Path | str) -> int:
    """A file's permission bits."""
    return stat.S_IMODE(os.stat(path).st_mode)


def test_the_database_its_wal_and_the_secret_key_are_private(tmp_path, monkeypatch):
    """Finding 9: the SQLite file, its WAL and SHM files and the secret key are 0600, the
    instance folder 0700, from the moment they exist."""
    database = tmp_path / "samtal.db"
    app = make_app(f"sqlite:///{database}")
    try:
        with app.app_context():
            get_session().add(AuditEntry(action="test"))
            get_session().commit()
            assert mode(database) == 0o600
            for suffix in ("-wal", "-shm"):
                assert mode(f"{database}{suffix}") == 0o600, suffix
        assert mode(app.instance_path) == 0o700
    finally:
        app.extensions["samtal.engine"].dispose()
    monkeypatch.delenv("SAMTAL_SECRET_KEY", raising=False)
    careless = os.umask(0)  # even a careless umask never shows the key to others
    try:
        config._secret_key(tmp_path / "secret_key")
    finally:
        os.umask(careless)
    assert mode(tmp_path / "secret_key") == 0o600


def test_probing_another_barnkontakts_child_is_audited(app, staff_client):
    """Finding 12: the 404 reveals nothing, and the probe is in the log for the admin."""
    owner, _owner = staff_client("barnkontakt")
    page = owner.get("/arbete/barn/ny").get_data(as_text=True)
    registered = owner.post(
        "/arbete/barn/ny",
        data={
            "csrf_token": csrf_token_of(page),
            "name": "Sam Berg",
            "birth_date": "2017-05-04",
            "language": "sv",
            "guardian1_name": "Amira Berg",
            "guardian1_language": "sv",
        },
    )
    child_page = registered.headers["Location"]
    prober, other = staff_client("barnkontakt")
    assert prober.get(child_page).status_code == 404
    assert prober.get("/arbete/barn/999999").status_code == 404
    with app.app_context():
        probes = (
            get_session().exec(select(AuditEntry).where(AuditEntry.action == "refused_child")).all()
        )
    assert [(p.staff_id, p.detail) for p in probes] == [
        (other.id, f"GET {child_page}"),
        (other.id, "GET /arbete/barn/999999"),
    ]
    assert probes[0].child_id == int(child_page.rsplit("/", 1)[-1])


@pytest.mark.parametrize(
    "password",
    ["aaaaaaaaaaaa", "password1234", "qwertyuiop123", "1q2w3e4r5t6y", "Barnkontakt2024!"],
)
def test_common_and_personal_passwords_are_refused(staff_client, password):
    """Finding 13: a common password, a pattern or one's own name is refused, clearly."""
    client, _staff = staff_client("barnkontakt")
    page = client.get("/arbete/konto").get_data(as_text=True)
    response = client.post(
        "/arbete/konto/losenord",
        data={
            "csrf_token": csrf_token_of(page),
            "current": STAFF_PASSWORD,
            "password": password,
            "repeat": password,
        },
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "gissa" in html or "vanligaste" in html or "ditt namn" in html


def test_a_csrf_refusal_goes_to_a_page_of_the_app_not_the_referer(staff_client):
    """Finding 14: a refused POST never sends the browser back to another site."""
    client, _staff = staff_client("barnkontakt")
    response = client.post(
        "/arbete/konto/logga-ut-overallt",
        data={"csrf_token": "fel"},
        headers={"Referer": "https://angripare.example/sida"},
    )
    assert response.status_code == 303
    assert "angripare" not in response.headers["Location"]
    assert response.headers["Location"].startswith("/")


def test_fragments_carry_the_policy_and_referrer_headers(staff_client):
    """Finding 14: an htmx fragment, opened on its own, is governed like any page."""
    client, _staff = staff_client("barnkontakt")
    response = client.get("/arbete/barn", headers={"HX-Request": "true"})
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_gunicorn_names_no_server_software(tmp_path):
    """Finding 14: served the production way, no response says which server runs it."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'samtal.db'}",
        "SAMTAL_SECRET_KEY": "test",
    }
    flask = str(Path(sys.executable).with_name("flask"))
    subprocess.run([flask, "--app", "app", "samtal", "migrate"], cwd=ROOT, env=env, check=True)
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "--bind", f"127.0.0.1:{port}",
         "app:create_app()"],
        cwd=ROOT,
        env=env,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        for _ in range(200):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
                    servers = response.headers.get_all("Server") or []
                break
            except OSError:
                time.sleep(0.05)
        else:
            pytest.fail("gunicorn did not start")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    assert not any("gunicorn" in name.lower() or "/" in name for name in servers), servers
