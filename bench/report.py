"""The benchmark's figures: samples, rows, the outcome per database and the printed table."""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass, field

LOADS: list[float] = []  # the load average at each step of the run


@dataclass
class Sample:
    """Latencies (seconds) of one kind of request, and how many failed."""

    name: str
    latencies: list[float]
    errors: int = 0

    def percentile(self, share: float) -> float:
        """The latency below which this share of the requests fell."""
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]

    @property
    def p95(self) -> float:
        return self.percentile(0.95)


@dataclass
class Row:
    """One line of the table."""

    database: str
    what: str
    load: str
    sample: Sample
    floor: Sample | None  # the static file this row's p95 is a multiple of
    target: str = ""
    passed: bool | None = None  # None: no target on this row


@dataclass
class Outcome:
    """Everything measured on one database."""

    rows: list[Row] = field(default_factory=list)
    memory: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(row.sample.errors for row in self.rows)

    @property
    def requests(self) -> int:
        return sum(len(row.sample.latencies) + row.sample.errors for row in self.rows)

    @property
    def targets_met(self) -> bool:
        return all(row.passed is not False for row in self.rows)


STARTED = time.monotonic()


def progress(message: str) -> None:
    """What the run is doing (on stderr, with the seconds since the start): not the table."""
    LOADS.append(os.getloadavg()[0])
    print(
        f"  {time.monotonic() - STARTED:5.1f} s  load {LOADS[-1]:4.1f}  {message}",
        file=sys.stderr,
        flush=True,
    )


def count(n: int) -> str:
    return f"{n:,}"


def print_table(outcomes: dict[str, Outcome]) -> None:
    """The table: a row per measurement, then each database's errors and memory."""
    header = (
        f"{'database':10} {'measured':58} {'load':>13} {'requests':>8} {'errors':>6}"
        f" {'p50':>9} {'p95':>9} {'p95/static':>10}  target"
    )
    print(header)
    print("-" * (len(header) + 24))
    for label, outcome in outcomes.items():
        for row in outcome.rows:
            sample = row.sample
            ratio = f"{sample.p95 / row.floor.p95:.1f}×" if row.floor else ""
            verdict = ""
            if row.passed is not None:
                verdict = f"{row.target} {'PASS' if row.passed else 'FAIL'}"
            print(
                f"{label:10} {row.what:58} {row.load:>13} {len(sample.latencies):>8}"
                f" {sample.errors:>6} {duration(sample.percentile(0.5))}"
                f" {duration(sample.p95)} {ratio:>10}  {verdict}"
            )
        errors = outcome.errors
        print(
            f"{label:10} all {outcome.requests} requests: {errors} errors "
            f"{'PASS' if errors == 0 else 'FAIL'}"
        )
        print(f"{label:10} peak RSS per worker after the load: " + "; ".join(outcome.memory))
        for note in outcome.notes:
            print(f"note: {note}")


def duration(seconds: float) -> str:
    """Milliseconds, aligned for the table."""
    return f"{seconds * 1000:6.1f} ms"
