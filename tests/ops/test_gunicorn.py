"""gunicorn as deployed: several workers start on an empty database without a crash (after
the migrate step), refuse one whose schema is behind, and one worker with 16 threads serves a
barnkontakt's caseload to 16 clients at once without a 500."""

from __future__ import annotations

import re
import threading
import time
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

import pytest

from tests.builders import STAFF_PASSWORD, make_app
from tests.ops.deployed import migrate, server_env

STARTS = 3
DATABASES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.mark.parametrize("kind", DATABASES)
def test_four_workers_start_on_an_empty_database_every_time(kind, empty_database, gunicorn):
    """The migrate step, then `gunicorn -w 4`, on a new empty database each time: every
    worker boots, /healthz says the schema is current, nothing crashes."""
    crashes = []
    for attempt in range(STARTS):
        env = server_env(empty_database(kind))
        migrate(env)
        server = gunicorn(env, workers=4, threads=2)
        up = server.ready()
        deadline = time.monotonic() + 30
        while up and server.booted_workers() < 4 and time.monotonic() < deadline:
            time.sleep(0.1)
        log = server.log.read_text()
        if not up or server.booted_workers() < 4 or re.search(r"Traceback|exited|failed", log):
            crashes.append(f"start {attempt + 1}:\n{log[-2000:]}")
        server.stop()
    print(f"\n{kind}: {len(crashes)} crashes in {STARTS} starts with 4 workers")
    assert crashes == []


def test_workers_refuse_a_database_whose_schema_is_behind(empty_database, gunicorn):
    """Without the migrate step the workers do not make tables: gunicorn stops, and its log
    names the command to run."""
    server = gunicorn(server_env(empty_database("sqlite")), workers=2, threads=2)
    assert not server.ready(seconds=60)
    assert server.process is not None and server.process.wait(timeout=30) != 0
    assert "flask --app app samtal migrate" in server.log.read_text()


@pytest.mark.parametrize("kind", DATABASES)
def test_one_worker_with_sixteen_threads_serves_the_caseload_without_errors(
    kind, empty_database, gunicorn
):
    """16 clients at once on one worker × 16 threads: every request answers 200 (each view
    writes an audit entry; the pool is sized from the threads)."""
    url = empty_database(kind)
    app = make_app(url)
    with app.app_context():
        from samtal.db import get_session
        from samtal.staff import accounts

        staff = accounts.create_staff(
            session=get_session(),
            email="tradar@kommun.example",
            name="Trådar",
            role="barnkontakt",
            password=STAFF_PASSWORD,
        )
        from samtal.models import Child

        session = get_session()
        session.add_all(
            Child(name=f"Barn {n}", birth_year=2015, barnkontakt_id=staff.id) for n in range(30)
        )
        session.commit()
    app.extensions["samtal.engine"].dispose()
    server = gunicorn(server_env(url), workers=1, threads=16)
    assert server.ready()
    base = f"http://127.0.0.1:{server.port}"
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    page = opener.open(base + "/logga-in").read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token is not None
    form = {"csrf_token": token.group(1), "email": staff.email, "password": STAFF_PASSWORD}
    signed_in = opener.open(base + "/logga-in", urllib.parse.urlencode(form).encode())
    assert signed_in.url.endswith("/arbete/barn") or signed_in.status == 200
    statuses: list[int] = []
    slowest: list[float] = []

    def client() -> None:
        for _ in range(6):
            started = time.perf_counter()
            try:
                with opener.open(base + "/arbete/barn", timeout=60) as response:
                    statuses.append(response.status)
                    assert "Barn 1" in response.read().decode()
            except urllib.error.HTTPError as error:
                statuses.append(error.code)
            slowest.append(time.perf_counter() - started)

    clients = [threading.Thread(target=client) for _ in range(16)]
    for each in clients:
        each.start()
    for each in clients:
        each.join(timeout=120)
    errors = [status for status in statuses if status != 200]
    print(
        f"\n{kind}: {len(errors)} errors of {len(statuses)} caseload requests at 16 threads, "
        f"slowest {max(slowest):.2f} s"
    )
    assert len(statuses) == 16 * 6 and errors == []
