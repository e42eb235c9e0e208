"""Known vulnerabilities in the locked packages: pip-audit against requirements-test.lock
(the app's own lock, requirements.lock, is a part of it).

Exits 1 when a package has a known vulnerability. When the vulnerability service cannot be
reached, or answers for none of the packages (here the index has no JSON API), it says so
plainly: nothing checked is not "no vulnerabilities". That alone does not fail the run.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOT_CHECKED = "pip-audit: the locked packages were NOT checked for known vulnerabilities"


def main() -> int:
    """Run pip-audit, then report what it could and could not check."""
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "audit.json"
        done = subprocess.run(
            [
                str(Path(sys.executable).with_name("pip-audit")),
                "--requirement",
                str(ROOT / "requirements-test.lock"),
                "--require-hashes",
                "--disable-pip",
                "--progress-spinner",
                "off",
                "--format",
                "json",
                "--output",
                str(report),
            ],
            capture_output=True,
            text=True,
            timeout=600,
        )
        try:
            found = json.loads(report.read_text())["dependencies"]
        except (OSError, ValueError, KeyError):
            reason = (done.stderr.strip().splitlines() or ["no answer"])[-1][:300]
            print(f"{NOT_CHECKED}: the vulnerability service could not be reached ({reason}).")
            return 0
    vulnerable = [package for package in found if package.get("vulns")]
    skipped = [package for package in found if "skip_reason" in package]
    for package in vulnerable:
        for vulnerability in package["vulns"]:
            fixed = ", ".join(vulnerability.get("fix_versions", [])) or "no fix yet"
            name = f"{package['name']} {package['version']}"
            print(f"{name}: {vulnerability['id']} (fixed in {fixed})")
    if skipped:
        what = NOT_CHECKED if len(skipped) == len(found) else "pip-audit: some were NOT checked"
        print(
            f"{what} ({len(skipped)} of {len(found)}): the vulnerability service gave no answer"
            f" for them, e.g. {skipped[0]['skip_reason']}"
        )
    elif not vulnerable:
        print(f"pip-audit: no known vulnerabilities in the {len(found)} locked packages.")
    return 1 if vulnerable else 0


if __name__ == "__main__":
    sys.exit(main())
