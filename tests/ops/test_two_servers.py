"""Two app servers (separate gunicorn processes, several workers each) on one PostgreSQL
behind Debian's nginx with TLS on loopback: tablets, a guardian and a barnkontakt alternate
between them; nothing is lost or doubled, signing out on one ends the session on the other,
and sign-in throttling counts the real client."""

from __future__ import annotations

import http.client
import re
import ssl
import subprocess
import threading
import time
from collections import Counter
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
from sqlmodel import col, select

from samtal import library
from samtal.conversation import invitations, links
from samtal.db import get_session
from samtal.models import Answer, Child
from samtal.staff import accounts
from tests.builders import STAFF_PASSWORD, make_app, start_conversation_in
from tests.ops.deployed import Tablet, free_port, server_env

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not Path("/usr/sbin/nginx").exists(), reason="needs Debian's nginx"),
]
TABLETS = 6
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
NGINX_SITE = """
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 256; }}
http {{
  # As deploy/nginx-samtal.conf: no path in the log, the tokens are in the paths.
  log_format samtal '$time_iso8601 $request_method $status $body_bytes_sent $request_time';
  access_log {dir}/access.log samtal;
  client_body_temp_path {dir}/body;
  proxy_temp_path {dir}/proxy;
  fastcgi_temp_path {dir}/fastcgi;
  uwsgi_temp_path {dir}/uwsgi;
  scgi_temp_path {dir}/scgi;
  {servers}
}}
"""
NGINX_SERVER = """
  server {{
    listen 127.0.0.1:{listen} ssl;
    ssl_certificate {dir}/cert.pem;
    ssl_certificate_key {dir}/key.pem;
    location / {{
      proxy_pass http://127.0.0.1:{upstream};
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Forwarded-Host $host;
      proxy_set_header X-Forwarded-Port $server_port;
    }}
  }}
"""


class Client:
    """A browser over TLS that alternates between the two front ports, from its own loopback
    address, with its own cookies."""

    def __init__(self, ports: list[int], context: ssl.SSLContext, address: str = "127.0.0.1"):
        self.ports, self.context, self.address = ports, context, address
        self.cookies: dict[str, str] = {}
        self.sent = Counter[int]()

    def send(self, method: str, path: str, body: str | None) -> tuple[int, str]:
        """One request on the next port in turn."""
        port = self.ports[sum(self.sent.values()) % len(self.ports)]
        self.sent[port] += 1
        connection = http.client.HTTPSConnection(
            "127.0.0.1", port, context=self.context, timeout=30, source_address=(self.address, 0)
        )
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
            self.last_headers = response.headers
            return response.status, response.read().decode("utf-8", "replace")
        finally:
            connection.close()

    def sign_in(self, email: str, password: str) -> int:
        """The login form, as a person fills it in; the POST's status."""
        _, page = self.send("GET", "/logga-in", None)
        token = CSRF.search(page)
        assert token is not None
        form = {"csrf_token": token.group(1), "email": email, "password": password}
        status, _ = self.send("POST", "/logga-in", urlencode(form))
        return status


@pytest.fixture
def nginx(tmp_path):
    """nginx(upstream ports) → its TLS ports, one per upstream, with a self-signed cert."""
    processes: list[subprocess.Popen] = []

    def _start(upstreams: list[int]) -> tuple[list[int], ssl.SSLContext]:
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
            + ["-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1"]
            + ["-keyout", str(tmp_path / "key.pem"), "-out", str(tmp_path / "cert.pem")],
            check=True,
            capture_output=True,
        )
        fronts = [free_port() for _ in upstreams]
        servers = "".join(
            NGINX_SERVER.format(listen=front, upstream=upstream, dir=tmp_path)
            for front, upstream in zip(fronts, upstreams, strict=True)
        )
        (tmp_path / "nginx.conf").write_text(NGINX_SITE.format(dir=tmp_path, servers=servers))
        processes.append(
            subprocess.Popen(
                ["/usr/sbin/nginx", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")]
                + ["-g", "daemon off;"],
            )
        )
        context = ssl.create_default_context(cafile=str(tmp_path / "cert.pem"))
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                Client(fronts, context).send("GET", "/healthz", None)
                break
            except OSError:
                time.sleep(0.1)
        return fronts, context

    yield _start
    for process in processes:
        process.terminate()
        process.wait(timeout=10)


def test_two_servers_behind_nginx_lose_nothing_and_throttle_the_real_client(
    empty_database, gunicorn, nginx, tmp_path
):
    """Tablets, a guardian and a barnkontakt, every request on the other server than the one
    before: each acknowledged answer stored once, the barnkontakt stays signed in on both,
    HSTS over https, and failed sign-ins from one address do not lock out another."""
    url = empty_database("postgres")
    app = make_app(url)
    with app.test_request_context():
        session = get_session()
        staff = accounts.create_staff(
            session=session,
            email="tva@kommun.example",
            name="Två Servrar",
            role="barnkontakt",
            password=STAFF_PASSWORD,
        )
    with app.app_context():
        flow_id = library.flows().for_age(8).id
    started = [start_conversation_in(app, flow_id, 8) for _ in range(TABLETS)]
    with app.test_request_context():
        session = get_session()
        child = session.get(Child, started[0][0].child_id)
        assert child is not None
        child.barnkontakt_id = staff.id
        session.add(child)
        session.commit()
        issued = invitations.issue(
            session=session,
            child=child,
            flow=library.flows().for_audience("guardian")[0],
            guardian_name="Vårdnadshavare",
            language="sv",
        )
        guardian_path = f"/v/{issued.token}/"
    env = server_env(url, PROXY_FIX=1, LOGIN_ADDRESS_ATTEMPTS=3)
    servers = [gunicorn(env, workers=2, threads=4) for _ in range(2)]
    assert all(server.ready() for server in servers)
    fronts, context = nginx([server.port for server in servers])

    barnkontakt = Client(fronts, context, "127.0.0.2")
    assert barnkontakt.sign_in(staff.email, STAFF_PASSWORD) == 303
    assert "max-age=" in barnkontakt.last_headers.get("Strict-Transport-Security", "")
    people = [Tablet(path, Client(fronts, context).send) for _, path in started]
    people.append(Tablet(guardian_path, Client(fronts, context).send, words="Hon ritar."))
    finished: list[bool] = []
    runs = [threading.Thread(target=lambda p=p: finished.append(p.answer_all())) for p in people]
    for run in runs:
        run.start()
    caseload_views = []
    while any(run.is_alive() for run in runs):
        status, page = barnkontakt.send("GET", "/arbete/barn", None)
        caseload_views.append(status == 200 and child.name in page)
        time.sleep(0.2)
    for run in runs:
        run.join(timeout=120)

    acknowledged = stored = 0
    for person, conversation_id in zip(
        people, [c.id for c, _ in started] + [issued.conversation.id], strict=True
    ):
        with app.test_request_context():
            keys = {links.read_step_form_token(t).key for t in person.acknowledged}  # type: ignore[union-attr]
            found = (
                get_session()
                .exec(
                    select(Answer.request_key).where(
                        Answer.conversation_id == conversation_id,
                        col(Answer.request_key).is_not(None),
                    )
                )
                .all()
            )
        acknowledged += len(keys)
        stored += len(found)
        assert keys == set(found) and len(found) == len(set(found))

    # Signing out on one server ends the session on the other (sessions live in the database).
    _, page = barnkontakt.send("GET", "/arbete/barn", None)
    token = CSRF.search(page)
    assert token is not None
    kept = dict(barnkontakt.cookies)
    signed_out = barnkontakt.send("POST", "/logga-ut", urlencode({"csrf_token": token.group(1)}))
    # The cookie from before, sent again to each server: it opens nothing any more.
    replay = Client(fronts, context, "127.0.0.2")
    replay.cookies = kept
    after_sign_out = [replay.send("GET", "/arbete/barn", None)[0] for _ in fronts]

    attacker = Client(fronts, context, "127.0.0.5")
    refused = [attacker.sign_in(staff.email, "fel lösenord") for _ in range(4)]
    colleague = Client(fronts, context, "127.0.0.6")
    per_server = [server.log.read_text().count('"logger": "access"') for server in servers]
    app.extensions["samtal.engine"].dispose()
    print(
        f"\ntwo servers: {len(people)} conversations ({TABLETS} tablets, 1 guardian), "
        f"{acknowledged} answers acknowledged, {stored} stored; "
        f"{len(caseload_views)} caseload views, {sum(caseload_views)} right; "
        f"requests per server {per_server}; sign-ins from one address {refused}"
    )
    assert len(finished) == len(people) and all(finished), [p.last_page[:300] for p in people]
    assert caseload_views and all(caseload_views)
    assert signed_out[0] == 303 and after_sign_out == [303, 303]  # to the sign-in page
    assert refused == [401, 401, 401, 429]
    assert colleague.sign_in(staff.email, STAFF_PASSWORD) == 303
    assert min(per_server) > 0.4 * sum(per_server)
    access = "".join(server.log.read_text() for server in servers)
    access += (tmp_path / "access.log").read_text()
    assert issued.token not in access and started[0][1].split("/")[2] not in access
    assert '"route": "/samtal/<token>/svar"' in access
