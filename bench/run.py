"""Benchmark: Samtal under gunicorn on loopback, driven by real HTTP from separate processes.

One run prints one table, every figure measured in that run, on SQLite and (when reachable)
PostgreSQL, each database a fresh file or schema:

- the static file from the same server, alone (the floor);
- an answer step (POST + the next question as an htmx fragment) at 1, 10 and 50 simulated
  tablets, beside the static file fetched by the same tablets under the same load;
- the summary page (sammanställning) and its PDF export, for a child whose conversation is
  finished and whose guardian has answered (both answered over HTTP first), as a barnkontakt;
- the caseload page (first page, a search, two status filters) at 100 and at 10,000 seeded
  children (bench/seed.py, each size in its own database and server, both measured side by
  side, request for request), as the barnkontakt signed in through the real login form with
  a cookie jar;
- the statistics page and its CSV at 100 and at 10,000 children (bench/statistics.py), side
  by side, as the statistik role; and the counting itself, the first view of a day;
- peak memory (RSS) per gunicorn worker after the load.

Each row has p50 and p95 and p95 as a multiple of the static file's p95. Targets, with
PASS/FAIL: answer step p95 ≤ 3× static p95 at 50 tablets; summary page and PDF p95 ≤ 1 s;
caseload p95 at 10,000 ≤ 2× at 100; statistics page p95 at 10,000 ≤ 2× at 100; 0 errors.

    .venv/bin/python bench/run.py            # the full run (about three minutes)
    .venv/bin/python bench/run.py --quick    # about half a minute; CI runs it so it cannot rot
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script: bench/ and samtal/ import from the checkout

from bench.report import LOADS, Outcome, print_table  # noqa: E402
from bench.scenarios import FULL, QUICK, run_database  # noqa: E402
from bench.servers import drop_schemas, postgres_url  # noqa: E402
from bench.statistics import run as run_statistics  # noqa: E402


def main() -> int:
    """Run the benchmark and print the table; exit 1 on errors or a missed target (full run)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a few seconds, for CI")
    options = parser.parse_args()
    plan = QUICK if options.quick else FULL
    started, load_before = time.monotonic(), os.getloadavg()
    outcomes: dict[str, Outcome] = {}
    with tempfile.TemporaryDirectory(prefix="samtal-bench-db-") as folder:
        names = ["main", *(f"caseload-{size}" for size in plan.caseloads)]
        sqlite = [f"sqlite:///{Path(folder) / name}.db" for name in names]
        outcomes["SQLite"] = run_database("SQLite", sqlite, plan)
        run_statistics("SQLite", sqlite[0], plan, outcomes["SQLite"])
    first = postgres_url()
    if first:
        schemas = [first, *(postgres_url() or "" for _ in plan.caseloads)]
        try:
            outcomes["PostgreSQL"] = run_database("PostgreSQL", schemas, plan)
            run_statistics("PostgreSQL", schemas[0], plan, outcomes["PostgreSQL"])
        finally:
            drop_schemas(schemas)

    load_after = os.getloadavg()
    print(
        f"Samtal benchmark ({'quick' if plan.quick else 'full'}): gunicorn 2 workers × 8 threads"
        f" on loopback, load from separate processes; {time.monotonic() - started:.0f} s"
    )
    print(
        f"this machine: {os.cpu_count()} cores; load average {load_before[0]:.1f} at the start,"
        f" {load_after[0]:.1f} at the end, {max([*LOADS, load_after[0]]):.1f} at most"
        " (counting this run's own processes; other work on the machine makes every figure worse)"
    )
    print_table(outcomes)
    print(
        "p95/static: answer steps against the static file fetched beside them under the same"
        " load; every other row against the static file alone."
    )
    no_errors = all(outcome.errors == 0 for outcome in outcomes.values())
    targets_met = all(outcome.targets_met for outcome in outcomes.values())
    if plan.quick:
        # Timing targets are judged on the full run only: seconds on a shared machine are noise.
        print("Quick run: timing targets are judged on the full run only.")
    return 0 if no_errors and (targets_met or plan.quick) else 1


if __name__ == "__main__":
    raise SystemExit(main())
