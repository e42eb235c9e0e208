"""The benchmark script runs (quick mode) against gunicorn with no failed request."""

from __future__ import annotations

import subprocess
import sys

from samtal.config import ROOT


def test_quick_benchmark_runs_without_errors():
    """The benchmark cannot rot: its quick run serves real HTTP, signs in as a barnkontakt, and
    every request succeeds, each row of the table there."""
    result = subprocess.run(
        [sys.executable, "bench/run.py", "--quick"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    table = result.stdout
    for row in (
        "SQLite     static file, alone",
        "SQLite     answer step",
        "SQLite     summary page (sammanställning)",
        "SQLite     summary as PDF",
        "SQLite     caseload 100: first page (50 of 100 listed)",
        "SQLite     caseload 1,000: search",
        "SQLite     caseload 1,000: status filter",
        "SQLite     statistics 100: statistics page",
        "SQLite     statistics 1,000: statistics CSV",
        "SQLite     peak RSS per worker",
        "SQLite     all ",
    ):
        assert row in table, row
    assert "errors FAIL" not in table and " 0 errors PASS" in table
    print(table)
