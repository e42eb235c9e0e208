"""The benchmark script runs (quick mode) against gunicorn with no failed request."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_quick_benchmark_runs_without_errors():
    """The benchmark cannot rot: its quick run serves real HTTP and every request succeeds."""
    result = subprocess.run(
        [sys.executable, "bench/run.py", "--quick"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SQLite" in result.stdout and "peak RSS per worker" in result.stdout
    assert "errors FAIL" not in result.stdout
    print(result.stdout)
