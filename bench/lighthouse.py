"""Lighthouse on the screens children and guardians see: performance, accessibility, best practices.

Starts Samtal under gunicorn on a free loopback port with a throw-away SQLite database, makes a
child's conversation and a guardian invitation with the app's own commands (`flask samtal start`,
`flask samtal invite`), and runs Google Lighthouse (mobile: emulated phone, simulated slow 4G and
CPU throttling, its defaults) in Debian's Chromium on:

- the child's first screen (the 7–9 conversation, Swedish: "Vill du prata med mig i dag?");
- a child step further in (the first scale question, reached by answering the earlier steps
  over plain HTTP, as a tablet without JavaScript would);
- the guardian's first screen (the invitation link, Arabic: right to left);
- the summary page (sammanställning) of a child whose conversation is finished and whose
  guardian has answered (both answered over plain HTTP first), as the child's barnkontakt.
  Lighthouse cannot sign in by itself: the script signs in through the login form over HTTP
  (bench/run.py's cookie jar) and hands Lighthouse the session cookie with --extra-headers; a
  run that ends anywhere but on the summary page (e.g. redirected to the login form) stops
  the script.

Lighthouse's performance score varies from run to run, so after one warm-up run that is not
counted, each page is measured several times (--runs, default 5) and the median run counts, as
Lighthouse's own documentation recommends. Lighthouse simulates a slow phone from the main-thread
time it observes here, so other work on this machine (a test suite running beside it) lowers the
performance score: the load average and Lighthouse's benchmark index of this machine are printed
with the scores, so that such a run can be recognised and repeated on a quiet machine.

It prints each page's median scores (with the range of performance scores) and PASS/FAIL against
performance ≥ 95, accessibility 100 and best practices ≥ 95, and exits 1 if any page fails. The
median run's full report (HTML and JSON) is kept in test-artifacts/lighthouse/.

    .venv/bin/python bench/lighthouse.py            # about five minutes
    .venv/bin/python bench/lighthouse.py --runs 1   # one run per page

Lighthouse (Apache-2.0) comes from the npm registry and is installed on demand into
.venv/lighthouse/ (not committed, not part of `npm ci`): it is a tool for people measuring, not
something the app or the test suite needs. Nothing is fetched from anywhere else: Lighthouse
uses /usr/bin/chromium (CHROME_PATH), and Samtal's pages request nothing outside the server.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import http_client, servers  # noqa: E402  (seeding, answering, signing in over HTTP)

LIGHTHOUSE_VERSION = "12"
LIGHTHOUSE_DIR = ROOT / ".venv" / "lighthouse"
LIGHTHOUSE_CLI = LIGHTHOUSE_DIR / "node_modules" / "lighthouse" / "cli" / "index.js"
REPORTS = ROOT / "test-artifacts" / "lighthouse"
CHROME_PATH = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu --disable-background-networking"
CATEGORIES = ("performance", "accessibility", "best-practices")
# The lowest score (0–100) each category must reach.
TARGETS = {"performance": 95, "accessibility": 100, "best-practices": 95}

FORM_KIND = re.compile(r'<form class="answer answer-([a-z_]+)"')
URL = re.compile(r"^https?://\S+$", re.MULTILINE)


@dataclass
class Result:
    """One Lighthouse run on one page: scores (0–100) and the audits that cost it points."""

    name: str
    scores: dict[str, int]
    failing_audits: list[str]
    report: Path
    benchmark_index: float

    @property
    def passed(self) -> bool:
        return all(self.scores.get(c, -1) >= target for c, target in TARGETS.items())


def install_lighthouse() -> None:
    """Install Lighthouse from the npm registry into .venv/lighthouse/ unless it is there."""
    if LIGHTHOUSE_CLI.exists():
        return
    if not shutil.which("npm"):
        raise SystemExit("npm is missing: run scripts/setup.sh first")
    print(f"installing lighthouse@{LIGHTHOUSE_VERSION} into {LIGHTHOUSE_DIR.relative_to(ROOT)}/")
    LIGHTHOUSE_DIR.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            "npm",
            "install",
            "--prefix",
            str(LIGHTHOUSE_DIR),
            "--no-save",
            "--no-audit",
            "--no-fund",
            "--silent",
            f"lighthouse@{LIGHTHOUSE_VERSION}",
        ],
        check=True,
    )


def flask_command(env: dict[str, str], *args: str) -> str:
    """Run `flask --app app samtal …` and return the URL it prints."""
    flask = Path(sys.executable).with_name("flask")
    output = subprocess.run(
        [str(flask), "--app", "app", "samtal", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    found = URL.search(output)
    if found is None:
        raise SystemExit(f"no link in the output of samtal {' '.join(args)}:\n{output}")
    return found.group(0)


def answer_until(url: str, kind: str, limit: int = 20) -> None:
    """Answer a conversation's steps over plain HTTP (as bench/run.py's tablets do) until a
    step of this kind ("rating", "choice", …) is on screen."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)
    for _ in range(limit):
        _status, page = http_client.request(connection, "GET", parts.path)
        shown = FORM_KIND.search(page)
        if shown and shown.group(1) == kind:
            connection.close()
            return
        form = http_client.answer_form(page, servers.CHILD_WORDS)
        if form is None:
            raise SystemExit(f"the conversation ended before a {kind!r} step")
        status, _page = http_client.request(
            connection,
            "POST",
            parts.path + "svar",
            urlencode(form),
            {"Content-Type": "application/x-www-form-urlencoded"},
        )
        if status != 303:
            raise SystemExit(f"answering a step gave HTTP {status}")
    raise SystemExit(f"no {kind!r} step within {limit} steps")


def run_lighthouse(name: str, url: str, slug: str, headers: Path | None = None) -> Result:
    """Lighthouse (mobile, default throttling) on one URL; its report goes to test-artifacts/.

    headers: a JSON file of extra request headers (the signed-in session's Cookie)."""
    REPORTS.mkdir(parents=True, exist_ok=True)
    base = REPORTS / slug
    command = [
        "node",
        str(LIGHTHOUSE_CLI),
        url,
        f"--only-categories={','.join(CATEGORIES)}",
        "--form-factor=mobile",
        f"--chrome-flags={CHROME_FLAGS}",
        "--output=json",
        "--output=html",
        f"--output-path={base}",
        "--quiet",
    ]
    if headers is not None:
        command.append(f"--extra-headers={headers}")
    for attempt in range(3):
        # Lighthouse now and then fails to record a trace (NO_NAVSTART); another run succeeds.
        done = subprocess.run(
            command, env={**os.environ, "CHROME_PATH": CHROME_PATH}, timeout=300, check=False
        )
        if done.returncode == 0:
            break
        print(f"Lighthouse failed on {name} (attempt {attempt + 1} of 3)", file=sys.stderr)
    else:
        raise SystemExit(f"Lighthouse failed three times on {name}: see the messages above")
    report = json.loads(base.with_suffix(".report.json").read_text(encoding="utf-8"))
    if report.get("runtimeError"):
        raise SystemExit(f"Lighthouse could not load {name}: {report['runtimeError']}")
    landed = report.get("finalDisplayedUrl") or report.get("finalUrl") or url
    if urlsplit(landed).path != urlsplit(url).path:
        raise SystemExit(f"Lighthouse measured {landed} instead of {name} ({url})")
    scores = {
        category: round((report["categories"][category]["score"] or 0) * 100)
        for category in CATEGORIES
    }
    failing = []
    for category in CATEGORIES:
        for ref in report["categories"][category]["auditRefs"]:
            audit = report["audits"][ref["id"]]
            if ref["weight"] and audit["score"] is not None and audit["score"] < 1:
                value = audit.get("displayValue", "")
                failing.append(f"{category}: {ref['id']} ({audit['score']:.2f}) {value}".strip())
    return Result(name, scores, failing, base, report["environment"]["benchmarkIndex"])


def median_run(
    name: str, url: str, slug: str, runs: int, headers: Path | None = None
) -> tuple[Result, list[int]]:
    """Run Lighthouse `runs` times on a page; the median run by performance, and every
    performance score. Only the median run's report is kept."""
    results = []
    for number in range(runs):
        result = run_lighthouse(name, url, f"{slug}-{number + 1}", headers)
        results.append(result)
    ordered = sorted(results, key=lambda r: r.scores["performance"])
    median = ordered[(len(ordered) - 1) // 2]
    for result in results:
        for suffix in (".report.json", ".report.html"):
            kept = REPORTS / f"{slug}{suffix}"
            if result is median:
                result.report.with_suffix(suffix).replace(kept)
            else:
                result.report.with_suffix(suffix).unlink()
    return median, [r.scores["performance"] for r in results]


def summary_child(env: dict[str, str], port: int) -> str:
    """A child of the barnkontakt's (bench/seed.py's fictional one) whose conversation is
    finished and whose guardian has answered, both over HTTP; the summary page's URL."""
    servers.seed_caseload(env, 0)  # the barnkontakt's account
    made = servers.seed_main(env, 0)
    http_client.answer_to_the_end(port, made["child"], servers.CHILD_WORDS)
    http_client.answer_to_the_end(port, made["guardian"], servers.GUARDIAN_WORDS)
    return f"http://127.0.0.1:{port}/arbete/barn/{made['child_id']}/sammanstallning"


def signed_in_headers(port: int, folder: Path) -> Path:
    """Sign in as the barnkontakt through the login form; a JSON file with the session cookie
    for Lighthouse's --extra-headers."""
    browser = http_client.Browser(port)
    browser.sign_in(servers.EMAIL, servers.PASSWORD)
    headers = folder / "signed-in-headers.json"
    headers.write_text(json.dumps({"Cookie": browser.session_cookie()}), encoding="utf-8")
    headers.chmod(0o600)
    browser.close()
    return headers


def lighthouse_version() -> str:
    package = LIGHTHOUSE_CLI.parents[1] / "package.json"
    return json.loads(package.read_text(encoding="utf-8"))["version"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per page (median counts)")
    options = parser.parse_args()
    if not Path(CHROME_PATH).exists():
        raise SystemExit(f"Chromium not found at {CHROME_PATH}: run scripts/setup.sh")
    install_lighthouse()
    load_before = os.getloadavg()[0]
    runs = max(1, options.runs)
    port = http_client.free_port()
    with tempfile.TemporaryDirectory(prefix="samtal-lighthouse-") as temporary:
        env = servers.environment(f"sqlite:///{Path(temporary) / 'samtal.db'}", port)
        # Create the tables once before the workers start, so two cannot race to create them.
        flask = Path(sys.executable).with_name("flask")
        subprocess.run(
            [str(flask), "--app", "app", "samtal", "init"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        with servers.serve(env, port):
            first = flask_command(env, "start", "--age", "8", "--name", "Lighthouse")
            further = flask_command(env, "start", "--age", "8", "--name", "Lighthouse 2")
            answer_until(further, "rating")
            guardian = flask_command(env, "invite", "--child", "1", "--lang", "ar")
            summary = summary_child(env, port)
            pages = [
                ("child, first screen (7–9, sv)", first, "child-first"),
                ("child, a scale step (7–9, sv)", further, "child-step"),
                ("guardian, first screen (ar)", guardian, "guardian-first"),
            ]
            # Warm-up: the first Chromium start on a machine is slower; it is not counted.
            warm_up = run_lighthouse("warm-up", f"http://127.0.0.1:{port}/", "warm-up")
            for suffix in (".report.json", ".report.html"):
                warm_up.report.with_suffix(suffix).unlink()
            measured = [median_run(*page, runs=runs) for page in pages]
            # Signed in just before, so the session is fresh (idle timeout) for these runs.
            headers = signed_in_headers(port, Path(temporary))
            measured.append(
                median_run(
                    "summary (sammanställning)",
                    summary,
                    "summary",
                    runs=runs,
                    headers=headers,
                )
            )

    benchmark = sorted(result.benchmark_index for result, _performance in measured)
    print(f"\nLighthouse {lighthouse_version()} · mobile (default throttling) · {CHROME_PATH}")
    print(
        f"this machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end "
        f"({load_before:.1f} at the start), Lighthouse benchmark index "
        f"{benchmark[0]:.0f}–{benchmark[-1]:.0f}"
    )
    print(f"median of {runs} run{'s' if runs > 1 else ''} per page; performance range in brackets")
    header = f"{'page':32} {'performance':>17} {'accessibility':>13} {'best practices':>14}"
    print(header)
    print("-" * len(header))
    for result, performance in measured:
        s = result.scores
        spread = f"({min(performance)}–{max(performance)})" if runs > 1 else ""
        print(
            f"{result.name:32} {s['performance']:>7} {spread:>9} {s['accessibility']:>13} "
            f"{s['best-practices']:>14}   {'PASS' if result.passed else 'FAIL'}"
        )
    targets = ", ".join(f"{c} {'=' if t == 100 else '≥'} {t}" for c, t in TARGETS.items())
    print(f"targets: {targets}; reports in {REPORTS.relative_to(ROOT)}/")
    for result, _performance in measured:
        for line in result.failing_audits:
            print(f"  {result.name}: {line}")
    return 0 if all(result.passed for result, _performance in measured) else 1


if __name__ == "__main__":
    sys.exit(main())
