"""What both test providers need: a free loopback port, waiting for it, stopping cleanly."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import urllib.request

import pytest

REQUIRE_SERVICES = os.environ.get("SAMTAL_REQUIRE_SERVICES") == "1"
# The people at the test IdPs: one barnkontakt (written in another case than in Samtal), one
# whose Samtal account is an admin, and one Samtal does not know.
PEOPLE = {
    "anna": {"email": "Anna.Berg@Kommun.example", "name": "Anna Berg"},
    "chef": {"email": "chef@kommun.example", "name": "Chef Chefsson"},
    "okand": {"email": "okand@kommun.example", "name": "Okänd Person"},
}
PASSWORD = "idp-losenord"


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def need(tool: str, hint: str) -> str:
    """The tool's path, or skip (fail when services are required) without it."""
    found = shutil.which(tool)
    if found:
        return found
    message = f"{tool} is not installed ({hint}); single sign-on tests skipped"
    if REQUIRE_SERVICES:
        pytest.fail(message)
    pytest.skip(message)


def wait_until_up(url: str, process: subprocess.Popen, log_path: str) -> None:
    """Wait (at most 20 s) until the URL answers; fail with the server's log otherwise."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    process.terminate()
    with open(log_path, encoding="utf-8", errors="replace") as log:
        pytest.fail(f"{url} did not come up:\n{log.read()[-3000:]}")


def stop(process: subprocess.Popen) -> None:
    """Stop a provider the test started."""
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
