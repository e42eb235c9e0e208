"""The npm package oidc-provider (an OpenID Certified provider) run with node on loopback."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.idp.common import PEOPLE, REQUIRE_SERVICES, free_port, need, stop, wait_until_up

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("oidc_provider.mjs")
CLIENT_ID = "samtal-test"
CLIENT_SECRET = "samtal-test-secret-that-is-long-enough-for-hs256"


@contextmanager
def running_provider(directory: Path, redirect_uri: str) -> Iterator[str]:
    """Serve the provider on loopback with one client; yields its issuer URL."""
    node = need("node", "apt-get install nodejs")
    if not (ROOT / "node_modules" / "oidc-provider").exists():
        message = "node_modules/oidc-provider is missing (run scripts/setup.sh)"
        if REQUIRE_SERVICES:
            pytest.fail(message)
        pytest.skip(message)
    port = free_port()
    people = {user: person for user, person in PEOPLE.items()}
    log_path = str(directory / "oidc-provider.log")
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [node, str(SCRIPT)],
            cwd=ROOT,
            env={
                **os.environ,
                "OIDC_PORT": str(port),
                "OIDC_PEOPLE": json.dumps(people),
                "OIDC_CLIENT_ID": CLIENT_ID,
                "OIDC_CLIENT_SECRET": CLIENT_SECRET,
                "OIDC_REDIRECT_URI": redirect_uri,
            },
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    issuer = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{issuer}/.well-known/openid-configuration", process, log_path)
        yield issuer
    finally:
        stop(process)
