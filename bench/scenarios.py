"""What the benchmark does: tablets, static files and staff pages under load, in other processes."""

from __future__ import annotations

import contextlib
import http.client
import multiprocessing
import re
import subprocess
import time
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from bench.http_client import STATIC, Browser, answer_form, answer_to_the_end, free_port, request
from bench.report import Outcome, Row, Sample, count, progress
from bench.servers import (
    CHILD_WORDS,
    EMAIL,
    GUARDIAN_WORDS,
    PASSWORD,
    environment,
    memory,
    seed_caseload,
    seed_main,
    seeded,
    serve,
    start_seeding,
)

# One page a staff member opens: its name, path, and what its body must hold (else an error).
Page = tuple[str, str, tuple[str, ...]]


SEARCH = "åsa"  # bench/seed.py names one child in twenty Åsa


# and puts one child in ten at each of these: follow-up due (decided by the date) and signed
# (read from the child's stored stage)
STATUS_FILTERS = ("followup_due", "signed")


CASELOAD_ROW = '<th scope="row">'  # one per child listed


CASELOAD_TOTAL = re.compile(r"(?:Du har )?(\d+) barn(?: hittades)?\.")


def tablet_worker(
    args: tuple[int, list[str], str, float],
) -> tuple[list[float], list[float], int, bool]:
    """One simulated tablet: answer steps for `seconds`, and fetch the static file between them.

    When a conversation ends the tablet goes on with its next one, so the load holds for the
    whole time; the last value says whether it ran out of conversations before the end."""
    port, paths, static_path, seconds = args
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    steps: list[float] = []
    statics: list[float] = []
    errors = 0
    waiting = list(paths)
    path = waiting.pop(0)
    status, page = request(connection, "GET", path)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        started = time.perf_counter()
        status, _ = request(connection, "GET", static_path)
        statics.append(time.perf_counter() - started)
        errors += status != 200
        form = answer_form(page, CHILD_WORDS)
        if form is None:  # the conversation ended: the next child's, page and all (not timed)
            if not waiting:
                connection.close()
                return steps, statics, errors, True
            path = waiting.pop(0)
            status, page = request(connection, "GET", path)
            errors += status != 200
            continue
        started = time.perf_counter()
        status, _ = request(
            connection,
            "POST",
            path + "svar",
            urlencode(form),
            {"Content-Type": "application/x-www-form-urlencoded", "HX-Request": "true"},
        )
        errors += status != 303
        status, page = request(connection, "GET", path, headers={"HX-Request": "true"})
        steps.append(time.perf_counter() - started)
        errors += status != 200
    connection.close()
    return steps, statics, errors, False


def static_worker(args: tuple[int, str, int]) -> tuple[list[float], int]:
    """One client fetching the static file `count` times, one after another: the floor."""
    port, static_path, count = args
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    latencies, errors = [], 0
    request(connection, "GET", static_path)  # warm-up, not counted
    for _ in range(count):
        started = time.perf_counter()
        status, _ = request(connection, "GET", static_path)
        latencies.append(time.perf_counter() - started)
        errors += status != 200
    connection.close()
    return latencies, errors


def staff_worker(
    args: tuple[list[tuple[int, str]], list[Page], int],
) -> list[dict[str, tuple[list[float], int, str]]]:
    """A barnkontakt signs in on each server and opens these pages `rounds` times, taking turns
    between the pages and, for each page, between the servers: two sizes measured side by side
    meet the same moments of the machine (after one warm-up round that is not counted). Per
    server and page: latencies, errors, and for a caseload page how many children it lists of
    how many found. servers: (port, size), the size filling in {size} in what a page must hold."""
    servers, pages, rounds = args
    browsers = [Browser(port) for port, _ in servers]
    for browser in browsers:
        browser.sign_in(EMAIL, PASSWORD)
    found: list[dict[str, tuple[list, int, str]]] = [
        {name: ([], 0, "") for name, _, _ in pages} for _ in browsers
    ]
    for round_number in range(rounds + 1):
        for name, path, expected in pages:
            for browser, (_, size), results in zip(browsers, servers, found, strict=True):
                started = time.perf_counter()
                status, kind, body, _ = browser.fetch("GET", path)
                took = time.perf_counter() - started
                latencies, errors, shown = results[name]
                ok = status == 200
                if ok and kind.startswith("application/pdf"):
                    ok = body.startswith(b"%PDF")
                elif ok:
                    text = body.decode("utf-8", "replace")
                    ok = all(piece.format(size=size) in text for piece in expected)
                    total = CASELOAD_TOTAL.search(text)
                    if total:
                        shown = f"{text.count(CASELOAD_ROW)} of {total.group(1)} listed"
                if ok and round_number > 0:  # round 0 is the warm-up
                    latencies.append(took)
                results[name] = (latencies, errors + (not ok), shown)
    for browser in browsers:
        browser.close()
    return found


def in_other_process(function, *jobs):
    """Run the jobs in separate processes (one each), so the load never shares the server's."""
    with multiprocessing.Pool(len(jobs)) as pool:
        return pool.map(function, jobs)


@dataclass
class Plan:
    """How much to measure: the full run, or the quick one for CI."""

    quick: bool
    levels: list[int]
    seconds: float  # per tablet level
    statics: int  # static file requests for the floor
    summary_rounds: int
    caseloads: tuple[int, int]
    caseload_rounds: int
    spare: int  # conversations per level beyond one per tablet, for tablets that finish one


FULL = Plan(False, [1, 10, 50], 10.0, 300, 30, (100, 10_000), 30, 80)


QUICK = Plan(True, [1, 5], 1.0, 30, 1, (100, 1_000), 2, 10)


def run_main(
    label: str,
    database_url: str,
    plan: Plan,
    outcome: Outcome,
    meanwhile: list[subprocess.Popen],
) -> None:
    """The static file, answer steps at each load, the summary page and its PDF.

    meanwhile: the caseloads being seeded; they are done before anything is timed."""
    port = free_port()
    env = environment(database_url, port)
    conversations = [level + plan.spare for level in plan.levels]
    progress(f"{label}: seeding the barnkontakt, {sum(conversations)} conversations, a summary")
    seed_caseload(env, 0)  # the barnkontakt's account, and the tables
    made = seed_main(env, sum(conversations))
    for seeding in meanwhile:
        seeded(seeding)
    with serve(env, port) as server:
        child_steps = answer_to_the_end(port, made["child"], CHILD_WORDS)
        guardian_steps = answer_to_the_end(port, made["guardian"], GUARDIAN_WORDS)
        progress(f"{label}: the child answered {child_steps} steps, the guardian {guardian_steps}")
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        _, page = request(connection, "GET", made["tablets"][0])
        connection.close()
        static_path = STATIC.search(page).group(1)  # type: ignore[union-attr]

        ((latencies, errors),) = in_other_process(static_worker, (port, static_path, plan.statics))
        floor = Sample("static file", latencies, errors)
        outcome.rows.append(Row(label, "static file, alone (the floor)", "1 client", floor, floor))

        used = 0
        for level, many in zip(plan.levels, conversations, strict=True):
            progress(f"{label}: {level} tablets for {plan.seconds:g} s")
            batch = made["tablets"][used : used + many]
            used += many
            results = in_other_process(
                tablet_worker,
                *[(port, batch[n::level], static_path, plan.seconds) for n in range(level)],
            )
            beside = Sample("static file", [x for r in results for x in r[1]])
            step = Sample("answer step", [x for r in results for x in r[0]])
            step.errors = sum(r[2] for r in results)
            tablets = f"{level} tablet{'s' if level > 1 else ''}"
            if any(r[3] for r in results):
                outcome.notes.append(
                    f"{label}: at {tablets}, {sum(r[3] for r in results)} ran out of "
                    "conversations before the time was up (raise Plan.spare)"
                )
            outcome.rows.append(
                Row(label, "static file, beside the tablets", tablets, beside, beside)
            )
            row = Row(label, "answer step (POST + next question)", tablets, step, beside)
            if level >= 50:
                row.passed = step.p95 <= 3 * beside.p95
                row.target = f"{step.p95 / beside.p95:.2f}× static; ≤ 3×"
            outcome.rows.append(row)

        progress(f"{label}: the summary page and its PDF, {plan.summary_rounds} times each")
        summary = f"/arbete/barn/{made['child_id']}/sammanstallning"
        pages: list[Page] = [
            ("summary page (sammanställning)", summary, (CHILD_WORDS, GUARDIAN_WORDS)),
            ("summary as PDF", summary + "/pdf", ()),
        ]
        ((found,),) = in_other_process(staff_worker, ([(port, "")], pages, plan.summary_rounds))
        for name, (latencies, errors, _shown) in found.items():
            sample = Sample(name, latencies, errors)
            row = Row(label, name, "1 barnkontakt", sample, floor, "p95 ≤ 1 s", sample.p95 <= 1)
            outcome.rows.append(row)
        outcome.memory.append(memory("main server", server))


def run_caseloads(label: str, urls: list[str], plan: Plan, outcome: Outcome) -> None:
    """The caseload's first page, a search and two status filters at each size, each size in
    its own database (seeded already) and server, both up at once and measured side by side;
    the larger against the smaller."""
    floor = outcome.rows[0].sample
    pages: list[Page] = [
        ("first page", "/arbete/barn", ("Du har {size} barn.",)),
        (f"search “{SEARCH}”", "/arbete/barn?sok=" + quote(SEARCH), ("hittades", "Åsa")),
    ] + [
        (f"status filter “{status}”", f"/arbete/barn?status={status}", ("hittades",))
        for status in STATUS_FILTERS
    ]
    sizes = " and ".join(count(size) for size in plan.caseloads)
    progress(f"{label}: caseloads of {sizes} side by side, {plan.caseload_rounds} rounds")
    with contextlib.ExitStack() as servers:
        ports = []
        for database_url in urls:
            port = free_port()
            ports.append(
                (port, servers.enter_context(serve(environment(database_url, port), port)))
            )
        (found,) = in_other_process(
            staff_worker,
            (
                [(port, str(size)) for (port, _), size in zip(ports, plan.caseloads, strict=True)],
                pages,
                plan.caseload_rounds,
            ),
        )
        for (_, server), size in zip(ports, plan.caseloads, strict=True):
            outcome.memory.append(memory(f"caseload {count(size)}", server))
    measured = dict(zip(plan.caseloads, found, strict=True))
    small, large = plan.caseloads
    for size in plan.caseloads:
        for name, (latencies, errors, shown) in measured[size].items():
            sample = Sample(name, latencies, errors)
            what = f"caseload {count(size)}: {name} ({shown})"
            row = Row(label, what, "1 barnkontakt", sample, floor)
            if size == large:
                ratio = sample.p95 / Sample(name, measured[small][name][0]).p95
                row.target = f"{ratio:.2f}× of {count(small)}; ≤ 2×"
                row.passed = ratio <= 2
            outcome.rows.append(row)


def run_database(label: str, urls: list[str], plan: Plan) -> Outcome:
    """Everything on one kind of database; urls: the main one, then one per caseload size."""
    outcome = Outcome()
    sizes = " and ".join(count(size) for size in plan.caseloads)
    progress(f"{label}: seeding caseloads of {sizes} children (bench/seed.py)")
    seedings = [
        start_seeding(environment(url, 0), size)
        for size, url in zip(plan.caseloads, urls[1:], strict=True)
    ]
    run_main(label, urls[0], plan, outcome, seedings)
    run_caseloads(label, urls[1:], plan, outcome)
    return outcome
