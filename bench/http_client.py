"""The benchmark's HTTP: a client with a cookie jar, the forms it fills, answering over it."""

from __future__ import annotations

import http.client
import http.cookiejar
import re
import socket
import urllib.request
from urllib.parse import urlencode

FORM_TOKEN = re.compile(r'name="form_token" value="([^"]+)"')


CSRF_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


VALUE = re.compile(r'name="value" value="([^"]+)"')


STATIC = re.compile(r'href="(/static/samtal\.css\?v=[^"]+)"')


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def request(
    connection: http.client.HTTPConnection,
    method: str,
    path: str,
    body: str | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, str]:
    """One request on a kept-alive connection."""
    connection.request(method, path, body=body, headers=headers or {})
    response = connection.getresponse()
    return response.status, response.read().decode("utf-8", "replace")


def answer_form(page: str, words: str) -> dict[str, str] | None:
    """The form a tablet (or a guardian's phone) sends for the step on this page: the first
    choice, these words in a words step, or just "go on"; None when the conversation ended."""
    token = FORM_TOKEN.search(page)
    if token is None:
        return None
    form = {"form_token": token.group(1)}
    values = VALUE.findall(page)
    if 'name="words"' in page:
        form["words"] = words
    elif values:
        form["value"] = values[0]
    return form


def answer_to_the_end(port: int, path: str, words: str, limit: int = 200) -> int:
    """Answer a conversation over plain HTTP until it ends; how many steps it took."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        for steps in range(limit):
            status, page = request(connection, "GET", path)
            form = answer_form(page, words) if status == 200 else None
            if form is None:
                return steps
            status, _ = request(
                connection,
                "POST",
                path + "svar",
                urlencode(form),
                {"Content-Type": "application/x-www-form-urlencoded"},
            )
            if status != 303:
                raise SystemExit(f"answering step {steps + 1} of {path} gave HTTP {status}")
    finally:
        connection.close()
    raise SystemExit(f"{path} did not end within {limit} steps")


class _Headers:
    """What http.cookiejar reads Set-Cookie from (a urllib-style response)."""

    def __init__(self, response: http.client.HTTPResponse):
        self.headers = response.headers

    def info(self):
        return self.headers


class Browser:
    """A staff member's browser: one kept-alive connection and a cookie jar."""

    def __init__(self, port: int):
        self.base = f"http://127.0.0.1:{port}"
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.jar = http.cookiejar.CookieJar()

    def fetch(
        self, method: str, path: str, form: dict[str, str] | None = None
    ) -> tuple[int, str, bytes, str]:
        """One request with the jar's cookies: status, content type, body, Location."""
        wanted = urllib.request.Request(self.base + path, method=method)
        self.jar.add_cookie_header(wanted)
        headers = dict(wanted.header_items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
        except http.client.RemoteDisconnected:
            if method != "GET":
                raise
            # gunicorn closes a kept-alive connection idle for 2 s (a slow page on the other
            # server measured side by side): open a new one; the time counts.
            self.connection.close()
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
        data = response.read()
        self.jar.extract_cookies(_Headers(response), wanted)  # type: ignore[arg-type]
        return (
            response.status,
            response.getheader("Content-Type", ""),
            data,
            response.getheader("Location", ""),
        )

    def sign_in(self, email: str, password: str) -> None:
        """Sign in through the login form, as a person would, and land on the caseload."""
        status, _, page, _ = self.fetch("GET", "/logga-in")
        token = CSRF_TOKEN.search(page.decode("utf-8"))
        if status != 200 or token is None:
            raise SystemExit(f"the login form did not come (HTTP {status})")
        form = {"csrf_token": token.group(1), "email": email, "password": password}
        status, _, _, location = self.fetch("POST", "/logga-in", form)
        for _ in range(3):  # /arbete/ → /arbete/barn
            if status != 303:
                break
            status, _, _, location = self.fetch("GET", location.removeprefix(self.base))
        if status != 200 or "samtal" not in {cookie.name for cookie in self.jar}:
            raise SystemExit(f"signing in as {email} failed (HTTP {status})")

    def session_cookie(self) -> str:
        """The signed-in session's cookie, as a Cookie header's value."""
        return "; ".join(f"{cookie.name}={cookie.value}" for cookie in self.jar)

    def close(self) -> None:
        self.connection.close()
