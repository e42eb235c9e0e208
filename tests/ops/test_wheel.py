"""The wheel holds everything the app serves: built from a copy of the checkout, installed
into a fresh venv outside it (dependencies from this venv, so offline), it migrates an empty
database and serves a child's first step, its stylesheet and a picture under gunicorn."""

from __future__ import annotations

import http.client
import os
import re
import shutil
import site
import subprocess
import sys
import time
from pathlib import Path

from tests.ops.deployed import free_port

ROOT = Path(__file__).resolve().parents[2]
LEFT_OUT = ("__pycache__", ".git", ".venv", "node_modules", "tests", "instance", "test-artifacts")


def run(*command: str, cwd: Path, env: dict[str, str] | None = None) -> str:
    """Run a command; its output, or the test fails with it."""
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def get(port: int, path: str) -> tuple[int, str]:
    """One GET on loopback."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


def test_the_wheel_installed_elsewhere_serves_a_childs_first_step(tmp_path):
    """Build, install with --no-deps into a new venv (this venv's packages through a .pth),
    then from a directory with no checkout in sight: migrate, start a conversation, serve it."""
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(*LEFT_OUT, "*.egg-info", "*.mo"))
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    run(*pip, "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", "dist", ".", cwd=source)
    (wheel,) = (source / "dist").glob("samtal-*.whl")
    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", str(venv), cwd=tmp_path)
    python = str(venv / "bin" / "python")
    install = ("install", "-q", "--no-deps", "--no-index", str(wheel))
    run(*pip, "--python", python, *install, cwd=tmp_path)
    where_packages = "import sysconfig; print(sysconfig.get_path('purelib'))"
    purelib = run(python, "-c", where_packages, cwd=tmp_path)
    # The dependencies, not samtal: this venv's editable samtal hook is a .pth, never read here.
    (Path(purelib.strip()) / "dependencies.pth").write_text(site.getsitepackages()[0] + "\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {
        key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "FLASK_APP")
    }
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'wheel.db'}", SAMTAL_SECRET_KEY="wheel")
    where = run(python, "-c", "import samtal; print(samtal.__file__)", cwd=elsewhere, env=env)
    assert where.startswith(str(venv)), where
    flask = (python, "-m", "flask", "--app", "samtal", "samtal")
    run(*flask, "migrate", cwd=elsewhere, env=env)
    started = run(*flask, "start", "--age", "8", "--name", "Hjul", cwd=elsewhere, env=env)
    path = re.search(r"http://[^/]+(/samtal/\S+)", started)
    assert path is not None, started
    port = free_port()
    server = subprocess.Popen(
        [python, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "samtal:create_app()"],
        cwd=elsewhere,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, page = get(port, path.group(1))
                break
            except OSError:
                assert time.monotonic() < deadline and server.poll() is None, "no server"
                time.sleep(0.2)
        assert status == 200 and 'name="form_token"' in page
        stylesheet = re.search(r'href="(/static/samtal\.css\?v=[^"]+)"', page)
        picture = re.search(r'src="(/bild/[^"]+)"', page)
        assert stylesheet and picture
        assert get(port, stylesheet.group(1))[0] == 200
        assert get(port, picture.group(1))[0] == 200
        assert get(port, "/healthz")[0] == 200
    finally:
        server.terminate()
        server.wait(timeout=30)
