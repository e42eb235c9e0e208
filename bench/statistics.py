"""Benchmark scenario: the statistics page at 100 and at 10,000 children, side by side.

Seeds a municipality of fictional children (bulk inserts): units of about a hundred children,
each child with a first conversation, one or two guardians' questionnaires, a follow-up for
most (five conversations a child on average, all in the current year and before today),
ratings in every area, wishes, safety concerns and signed summaries. Then the statistics
role opens the page and its CSV on both sizes in turn (bench/scenarios.py's staff_worker) and the
larger's p95 is set against the smaller's: target ≤ 2×. Also measured, without a target: the
counting itself (what the first view of a day costs), run in a separate process.

    DATABASE_URL=sqlite:///instance/statistik.db .venv/bin/python bench/statistics.py 10000
"""

from __future__ import annotations

import contextlib
import os
import random
import secrets
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, text  # noqa: E402
from sqlmodel import Session  # noqa: E402

from bench.http_client import Browser, free_port  # noqa: E402
from bench.report import Outcome, Row, Sample, count, progress  # noqa: E402
from bench.scenarios import Page, Plan, in_other_process, staff_worker  # noqa: E402
from bench.servers import (  # noqa: E402
    EMAIL,
    PASSWORD,
    drop_schemas,
    environment,
    postgres_url,
    serve,
)
from samtal import migrations  # noqa: E402
from samtal.db import make_engine  # noqa: E402
from samtal.models import (  # noqa: E402
    Answer,
    Child,
    Conversation,
    Guardian,
    SafetyConcern,
    Staff,
    SummaryDraft,
    SummaryVersion,
    Unit,
    fold_name,
)

AREAS = (
    "omsorg",
    "trygghet",
    "ma_bra",
    "utvecklas",
    "fritid",
    "tillhorighet",
    "ansvarstagande",
    "respekteras",
)
FLOWS = {(4, 6): "barn-4-6", (7, 9): "barn-7-9", (10, 12): "barn-10-12", (13, 17): "barn-13-17"}
FACES = {"barn-4-6": 3, "barn-7-9": 3, "barn-10-12": 5, "barn-13-17": 5}
WISHES = ("mer_mat", "sova_mer", "tid_vuxen")
DECISIONS = ("inget_vidare", "stod_egen_verksamhet", "barnteam", "sip", None)
CHILDREN_PER_UNIT = 100
STATISTICS_ROW = '<td class="stat-shown">{size}</td>'  # "Alla" with a conversation: every child


def _rating(chance: random.Random, faces: int) -> dict:
    roll = chance.random()
    if roll < 0.05:
        return {"status": "vet_inte", "value": None}
    if roll < 0.08:
        return {"status": "vill_inte_svara", "value": None}
    return {"status": "answered", "value": str(chance.randint(1, faces))}


def seed(database_url: str, children: int) -> None:
    """A municipality of `children` fictional children with five conversations each on average,
    and the statistik account (bench/servers.py's EMAIL and PASSWORD) to sign in with."""
    from samtal.staff.passwords import hash_password

    chance = random.Random(children)
    engine = make_engine(database_url)
    migrations.migrate(engine)
    cutoff = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    year_start = datetime((cutoff - timedelta(days=1)).year, 1, 1, tzinfo=UTC)
    hours = max(1, int((cutoff - year_start).total_seconds() // 3600) - 48)
    with Session(engine) as session:

        def bulk(model, rows: list[dict]) -> list[int]:
            table = model.__table__
            ids: list[int] = []
            for start in range(0, len(rows), 5000):
                statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
                ids += session.execute(statement, rows[start : start + 5000]).scalars().all()
            return ids

        session.add(
            Staff(
                email=EMAIL,
                name="Bänk Statistik",
                role="statistik",
                password_hash=hash_password(PASSWORD),
            )
        )
        signer = Staff(
            email="signerar@kommun.example", name="S", role="barnkontakt", password_hash="-"
        )
        session.add(signer)
        session.flush()
        units = bulk(
            Unit,
            [
                {"name": f"Enhet {n}", "kind": "förskola" if n % 3 == 0 else "skola"}
                for n in range(max(2, children // CHILDREN_PER_UNIT))
            ],
        )
        plans = []
        for _ in range(children):
            (first_age, last_age), flow_id = chance.choice(list(FLOWS.items()))
            at = year_start + timedelta(hours=chance.randrange(hours))
            plans.append((flow_id, chance.randint(first_age, last_age), at))
        child_ids = bulk(
            Child,
            [
                {
                    "name": f"Statistikbarn {n}",
                    "search_name": fold_name(f"Statistikbarn {n}"),
                    "birth_date": date(at.year - age, 1 + n % 12, 1 + n % 28),
                    "unit_id": units[n % len(units)] if n % 50 else None,
                    "created_at": at - timedelta(days=chance.randint(0, 60)),
                }
                for n, (_flow, age, at) in enumerate(plans)
            ],
        )
        guardians = bulk(
            Guardian,
            [
                {"child_id": child_id, "name": f"Vårdnadshavare {g} till {child_id}"}
                for child_id in child_ids
                for g in range(1 + child_id % 2)
            ],
        )
        guardian_of: dict[int, list[int]] = {}
        for guardian_id, child_id in zip(
            guardians, [c for c in child_ids for _ in range(1 + c % 2)], strict=True
        ):
            guardian_of.setdefault(child_id, []).append(guardian_id)

        talks: list[dict] = []
        kinds: list[tuple[str, int]] = []  # the flow to rate with, the faces of its scale

        def talk(child_id: int, flow_id: str, faces: int, age: int, at: datetime, guardian=None):
            talks.append(
                {
                    "child_id": child_id,
                    "guardian_id": guardian,
                    "flow_id": flow_id,
                    "flow_version": 1,
                    "framework_id": "behovskompass",
                    "age": age,
                    "status": "completed",
                    "link_nonce": secrets.token_hex(8),
                    "created_at": at,
                    "updated_at": at,
                    "finished_at": at,
                }
            )
            kinds.append((flow_id, faces))

        for child_id, (flow_id, age, at) in zip(child_ids, plans, strict=True):
            talk(child_id, flow_id, FACES[flow_id], age, at)
            for guardian in guardian_of[child_id]:
                talk(child_id, "vardnadshavare", 5, age, at, guardian)
            if child_id % 4:  # three children in four have had a follow-up
                later = min(at + timedelta(days=30), cutoff - timedelta(hours=1))
                followup = flow_id.replace("barn-", "uppfoljning-")
                talk(child_id, followup, FACES[flow_id], age, later)
                if child_id % 2:
                    guardian = guardian_of[child_id][0]
                    talk(child_id, "uppfoljning-vardnadshavare", 5, age, later, guardian)
        talk_ids = bulk(Conversation, talks)
        answers = []
        for talk_id, row, (flow_id, faces) in zip(talk_ids, talks, kinds, strict=True):
            for area in AREAS:
                given = _rating(chance, faces)
                answers.append(
                    {
                        "conversation_id": talk_id,
                        "step_id": f"{area}.hur",
                        "part": "answer",
                        **given,
                        "language": "sv",
                        "answered_by": "child",
                        "created_at": row["created_at"],
                    }
                )
                if flow_id.startswith("barn-") and given["value"] == "1":
                    answers.append(
                        {
                            "conversation_id": talk_id,
                            "step_id": f"{area}.battre",
                            "part": "answer",
                            "status": "answered",
                            "value": chance.sample(WISHES, 2),
                            "language": "sv",
                            "answered_by": "child",
                            "created_at": row["created_at"],
                        }
                    )
        bulk(Answer, answers)
        firsts = [
            (i, row) for i, row in zip(talk_ids, talks, strict=True) if row["flow_id"] in FACES
        ]
        bulk(
            SafetyConcern,
            [
                {"conversation_id": talk_id, "created_at": row["created_at"]}
                for talk_id, row in firsts
                if row["child_id"] % 20 == 0
            ],
        )
        signed = [row for _id, row in firsts if row["child_id"] % 5 < 3]
        bulk(
            SummaryDraft,
            [{"child_id": row["child_id"], "notes": {}, "updated_by": signer.id} for row in signed],
        )
        bulk(
            SummaryVersion,
            [
                {
                    "child_id": row["child_id"],
                    "number": 1,
                    "content": {"decision": {"code": chance.choice(DECISIONS), "text": ""}},
                    "content_hash": secrets.token_hex(32),
                    "signed_by": signer.id,
                    "signed_at": row["created_at"] + timedelta(hours=1),
                }
                for row in signed
            ],
        )
        session.commit()
    with engine.connect() as connection:
        connection.execute(text("ANALYZE"))
        connection.commit()
    engine.dispose()


def count_once(database_url: str) -> float:
    """Milliseconds the counting itself takes (the first view of a day), in a new process."""
    code = """
import sys, time
from datetime import UTC, datetime
from samtal import create_app, library
from samtal.db import get_session
from samtal.statistics import figures, queries
app = create_app()
with app.app_context():
    until = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    year = queries.years(get_session(), until)[0]
    started = time.perf_counter()
    figures.compute(get_session(), library.flows(), year, until)
    print((time.perf_counter() - started) * 1000)
"""
    env = environment(database_url, 0)
    output = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout
    return float(output.strip().splitlines()[-1])


def _urls(main_url: str, sizes: tuple[int, int]) -> list[str]:
    """A fresh database per size beside the main one: SQLite files, or PostgreSQL schemas."""
    if main_url.startswith("sqlite:///"):
        folder = Path(main_url.removeprefix("sqlite:///")).parent
        return [f"sqlite:///{folder / f'statistics-{size}.db'}" for size in sizes]
    return [postgres_url() or "" for _ in sizes]


def run(label: str, main_url: str, plan: Plan, outcome: Outcome) -> None:
    """Seed both sizes, time the counting, then the page and the CSV side by side."""
    sizes = (100, 1_000) if plan.quick else (100, 10_000)
    urls = _urls(main_url, sizes)
    try:
        names = " and ".join(count(size) for size in sizes)
        progress(f"{label}: seeding statistics of {names} children")
        for url, size in zip(urls, sizes, strict=True):
            seed(url, size)
        floor = outcome.rows[0].sample
        for url, size in zip(urls, sizes, strict=True):
            samples = [count_once(url) / 1000 for _ in range(1 if plan.quick else 3)]
            what = f"statistics {count(size)}: counting (first view of a day)"
            outcome.rows.append(Row(label, what, "1 process", Sample(what, samples), floor))
        pages: list[Page] = [
            ("statistics page", "/arbete/statistik", (STATISTICS_ROW,)),
            ("statistics CSV", "/arbete/statistik.csv", ()),
        ]
        progress(f"{label}: statistics of {names} side by side, {plan.caseload_rounds} rounds")
        with contextlib.ExitStack() as servers:
            ports = []
            for url in urls:
                port = free_port()
                servers.enter_context(serve(environment(url, port), port))
                ports.append(port)
                # The day's first view counts (measured above); it is kept for every process.
                warm = Browser(port)
                warm.sign_in(EMAIL, PASSWORD)
                warm.close()
            (found,) = in_other_process(
                staff_worker,
                (
                    [(p, str(s)) for p, s in zip(ports, sizes, strict=True)],
                    pages,
                    plan.caseload_rounds,
                ),
            )
        for size, measured in zip(sizes, found, strict=True):
            for name, (latencies, errors, _shown) in measured.items():
                sample = Sample(name, latencies, errors)
                row = Row(label, f"statistics {count(size)}: {name}", "1 statistik", sample, floor)
                # The CSV holds every unit's rows: it grows with the units, so no target.
                if size == sizes[1] and name == "statistics page":
                    ratio = sample.p95 / Sample(name, found[0][name][0]).p95
                    row.target = f"{ratio:.2f}× of {count(sizes[0])}; ≤ 2×"
                    row.passed = ratio <= 2
                outcome.rows.append(row)
    finally:
        if not main_url.startswith("sqlite"):
            drop_schemas(urls)


if __name__ == "__main__":
    started = time.perf_counter()
    default = f"sqlite:///{ROOT / 'instance' / 'statistik.db'}"
    seed(os.environ.get("DATABASE_URL", default), int(sys.argv[1]) if len(sys.argv) > 1 else 100)
    print(f"seeded in {time.perf_counter() - started:.1f} s")
