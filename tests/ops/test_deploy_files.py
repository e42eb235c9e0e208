"""The production kit's files are valid as written: nginx's example passes `nginx -t`, the
systemd units pass `systemd-analyze verify` (paths pointed at this checkout's venv)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
VENV_BIN = str(Path(sys.executable).parent)


@pytest.mark.skipif(not Path("/usr/sbin/nginx").exists(), reason="needs Debian's nginx")
def test_the_nginx_example_is_valid(tmp_path):
    """The example with its certificate and log paths in a scratch directory."""
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-subj", "/CN=localhost", "-keyout", str(tmp_path / "k.pem")]
        + ["-out", str(tmp_path / "c.pem")],
        check=True,
        capture_output=True,
    )
    site = (DEPLOY / "nginx-samtal.conf").read_text()
    site = site.replace("/etc/ssl/samtal/fullchain.pem", str(tmp_path / "c.pem"))
    site = site.replace("/etc/ssl/samtal/privkey.pem", str(tmp_path / "k.pem"))
    site = site.replace("/var/log/nginx/", f"{tmp_path}/")
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log;\n"
        f"events {{}}\nhttp {{ include {tmp_path}/site.conf; }}\n"
    )
    checked = subprocess.run(
        ["/usr/sbin/nginx", "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stderr


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="needs systemd-analyze")
def test_the_systemd_units_are_valid(tmp_path):
    """The app's unit, the gallring service and its timer."""
    names = ["samtal.service", "samtal-gallra.service", "samtal-gallra.timer"]
    for name in names:
        unit = (DEPLOY / name).read_text().replace("/opt/samtal/venv/bin", VENV_BIN)
        (tmp_path / name).write_text(unit)
    checked = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *names],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0 and checked.stderr == "", checked.stderr
