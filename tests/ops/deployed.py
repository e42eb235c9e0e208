"""Running Samtal as it is deployed: the migrate step, gunicorn on loopback with the production
config, and a tablet that answers over real HTTP (tests/ops/conftest.py's fixtures use these)."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from tests.builders import (
    TEST_FLOWS,
)

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SECRET = "test-secret"  # the same as the in-process test apps, so their links work here
FORM_TOKEN = re.compile(r'name="form_token" value="([^"]+)"')
VALUE = re.compile(r'name="value" value="([^"]+)"')


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_env(database_url: str, **settings: object) -> dict[str, str]:
    """The environment a deployed server gets: database, secret, the test flows, settings."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SAMTAL_SECRET_KEY": SECRET,
        "SAMTAL_EXTRA_FLOW_DIRS": json.dumps([str(TEST_FLOWS)]),
        "SAMTAL_CHECK_TRANSLATION_TEMPLATE": "false",
    }
    env.update({f"SAMTAL_{key}": json.dumps(value) for key, value in settings.items()})
    return env


def migrate(env: dict[str, str]) -> subprocess.CompletedProcess:
    """The deploy step, as the README gives it."""
    return subprocess.run(
        [str(BIN / "flask"), "--app", "app", "samtal", "migrate"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )


@dataclass
class Server:
    """gunicorn with the project's gunicorn.conf.py on a loopback port; its log in a file."""

    env: dict[str, str]
    log: Path
    workers: int = 2
    threads: int = 4
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    def start(self) -> Server:
        """Start the arbiter (its workers boot in the background)."""
        command = [
            str(BIN / "gunicorn"),
            "-c",
            "gunicorn.conf.py",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(self.workers),
            "--threads",
            str(self.threads),
            "app:create_app()",
        ]
        with self.log.open("a") as log:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        return self

    def ready(self, seconds: float = 90) -> bool:
        """Wait until /healthz answers 200; False when the arbiter exits or time runs out."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                return False
            try:
                status, _ = get(self.port, "/healthz", timeout=5)
                if status == 200:
                    return True
            except OSError:
                pass
            time.sleep(0.1)
        return False

    def booted_workers(self) -> int:
        """How many workers have booted so far, by the arbiter's log."""
        return self.log.read_text().count("Booting worker")

    def processes(self) -> list[int]:
        """The arbiter and its workers."""
        assert self.process is not None
        children = subprocess.run(
            ["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True
        ).stdout.split()
        return [self.process.pid, *map(int, children)]

    def kill(self) -> None:
        """SIGKILL the arbiter and every worker at once: a power cut for this server."""
        for pid in self.processes():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        assert self.process is not None
        self.process.wait(timeout=10)

    def stop(self) -> None:
        """Stop gracefully (SIGTERM), or kill after a while."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill()


def get(port: int, path: str, timeout: float = 30) -> tuple[int, str]:
    """One GET on loopback."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


def answer_form(page: str, words: str) -> dict[str, str] | None:
    """What a tablet sends for the step on this page: the first choice, these words in a
    words step, or just "go on"; None when the page has no step form (the conversation ended)."""
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


@dataclass
class Tablet:
    """A child's tablet (or a guardian's phone) that answers every step of one conversation,
    retrying a step until the server acknowledges it (303), as a person taps again."""

    path: str
    send: Callable[[str, str, str | None], tuple[int, str]]
    words: str = "Jag tycker om att rita."
    acknowledged: list[str] = field(default_factory=list)  # form tokens answered with a 303
    retries: int = 0
    last_page: str = ""

    def _until_answered(self, method: str, path: str, body: str | None, deadline: float):
        while True:
            try:
                status, page = self.send(method, path, body)
                if status < 500:
                    return status, page
            except (OSError, http.client.HTTPException):
                pass  # the server died mid-request (refused, reset, cut short): tap again
            if time.monotonic() > deadline:
                raise TimeoutError(f"{method} {path} unanswered")
            self.retries += 1
            time.sleep(0.2)

    def answer_all(self, seconds: float = 90, limit: int = 200) -> bool:
        """Answer to the end; True when the conversation ended within the limits (else
        last_page says where it stopped)."""
        deadline = time.monotonic() + seconds
        try:
            return self._answer_all(deadline, limit)
        except TimeoutError as error:
            self.last_page = f"gave up: {error}"
            return False

    def _answer_all(self, deadline: float, limit: int) -> bool:
        for _ in range(limit):
            status, page = self._until_answered("GET", self.path, None, deadline)
            form = answer_form(page, self.words) if status == 200 else None
            if form is None:
                self.last_page = f"{status} {page}"
                return status == 200
            status, _ = self._until_answered("POST", self.path + "svar", urlencode(form), deadline)
            if status == 303:
                self.acknowledged.append(form["form_token"])
        return False


def plain_sender(port: int) -> Callable[[str, str, str | None], tuple[int, str]]:
    """send(method, path, body) over a fresh loopback connection each time."""

    def _send(method: str, path: str, body: str | None) -> tuple[int, str]:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            headers = {"Content-Type": "application/x-www-form-urlencoded"} if body else {}
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            return response.status, response.read().decode("utf-8", "replace")
        finally:
            connection.close()

    return _send
