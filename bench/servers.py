"""The benchmark's servers: gunicorn on loopback per database, seeded data, their memory."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


# The barnkontakt bench/seed.py creates (fictional), and what the conversations write.
EMAIL = "bank@kommun.example"


PASSWORD = "bänkens långa lösenord"


CHILD_WORDS = "Jag tycker om att rita."


GUARDIAN_WORDS = "Hon bygger gärna med lego."


def start_seeding(env: dict[str, str], children: int) -> subprocess.Popen:
    """Start bench/seed.py: `children` fictional children for the barnkontakt (whom it
    creates); pass what it returns to seeded()."""
    return subprocess.Popen(
        [sys.executable, "bench/seed.py", "--children", str(children)]
        + ["--email", EMAIL, "--password", PASSWORD],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def seeded(seeding: subprocess.Popen) -> None:
    """Wait until bench/seed.py is done; stop if it failed."""
    _, errors = seeding.communicate()
    if seeding.returncode:
        raise SystemExit(f"bench/seed.py failed:\n{errors}")


def seed_caseload(env: dict[str, str], children: int) -> None:
    """bench/seed.py, and wait for it."""
    seeded(start_seeding(env, children))


def seed_main(env: dict[str, str], tablets: int) -> dict:
    """Start `tablets` conversations (7–9 flow), and a child of the barnkontakt's with a
    conversation and a guardian invitation (answered over HTTP later); their paths."""
    code = f"""
import json
from flask import url_for
from sqlmodel import select
from samtal import create_app, library
from samtal.conversation import invitations, lifecycle, links
from samtal.db import get_session
from samtal.models import Child, Staff
app = create_app()
with app.test_request_context():
    session = get_session()
    flow = library.flows().for_age(8)
    tablets = []
    for n in range({tablets}):
        c = lifecycle.start_conversation(session=session, flow=flow, name=f'Bench {{n}}', age=8)
        tablets.append(f'/samtal/{{links.tablet_token(c.id, c.link_nonce)}}/')
    staff = session.exec(select(Staff).where(Staff.email == {EMAIL!r})).one()
    c = lifecycle.start_conversation(session=session, flow=flow, name='Bänk Sammanställning', age=8)
    child = session.get(Child, c.child_id)
    child.barnkontakt_id = staff.id
    session.add(child)
    session.commit()
    issued = invitations.issue(
        session=session, child=child, flow=library.flows().for_audience('guardian')[0],
        guardian_name='Bänk Vårdnadshavare', language='sv')
    print(json.dumps({{
        'tablets': tablets,
        'child_id': child.id,
        'child': f'/samtal/{{links.tablet_token(c.id, c.link_nonce)}}/',
        'guardian': url_for('guardian.step', token=issued.token),
    }}))
"""
    output = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def peak_rss_mb(master_pid: int) -> list[float]:
    """Peak resident memory (VmHWM) of each gunicorn worker, in MB."""
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children")
    peaks = []
    for pid in children.read_text().split() if children.exists() else []:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                peaks.append(int(line.split()[1]) / 1024)
    return peaks


def environment(database_url: str, port: int) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "SAMTAL_SECRET_KEY": "bench-" + uuid.uuid4().hex,
        "SAMTAL_BASE_URL": f"http://127.0.0.1:{port}",
    }


@contextlib.contextmanager
def serve(env: dict[str, str], port: int) -> Iterator[subprocess.Popen]:
    """gunicorn (2 workers × 8 threads) on this port and database, until the block ends."""
    # The deploy step first: the workers only check the schema.
    flask = str(Path(sys.executable).with_name("flask"))
    subprocess.run([flask, "--app", "app", "samtal", "migrate"], cwd=ROOT, env=env, check=True)
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "--workers",
            "2",
            "--threads",
            "8",
            "--worker-class",
            "gthread",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            # The table is the output; the access log (gunicorn.conf.py) would bury it.
            "--access-logfile",
            "/dev/null",
            "app:create_app()",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        _wait_for(port)
        yield server
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def _wait_for(port: int) -> None:
    for _ in range(150):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/")
            connection.getresponse().read()
            connection.close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("the server did not start")


def memory(label: str, server: subprocess.Popen) -> str:
    peaks = peak_rss_mb(server.pid)
    return f"{label} " + ", ".join(f"{p:.0f}" for p in peaks) + " MB"


def postgres_url() -> str | None:
    """A fresh schema on the local PostgreSQL server, or None when it is not there."""
    try:
        import psycopg

        schema = f"bench_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(
            POSTGRES.replace("+psycopg", ""), connect_timeout=3, autocommit=True
        ) as c:
            c.execute(f'CREATE SCHEMA "{schema}"')
        return f"{POSTGRES}?options=-csearch_path%3D{schema}"
    except Exception as error:  # noqa: BLE001 - any failure means: no PostgreSQL here
        print(f"PostgreSQL not reachable ({error.__class__.__name__}); SQLite only")
        return None


def drop_schemas(urls: list[str]) -> None:
    """Drop the benchmark's PostgreSQL schemas again."""
    import psycopg

    with psycopg.connect(POSTGRES.replace("+psycopg", ""), autocommit=True) as c:
        for url in filter(None, urls):
            c.execute(f'DROP SCHEMA IF EXISTS "{url.rsplit("%3D", 1)[1]}" CASCADE')
