"""Seed a caseload of fictional children for one barnkontakt, fast (bulk inserts).

    DATABASE_URL=sqlite:///instance/bench.db .venv/bin/python bench/seed.py --children 10000
    .venv/bin/python bench/seed.py --children 10000 --measure     # and time the caseload query

Every name is made up. The children are spread over every place in the process (no
conversation yet, child started or done, guardians invited or answered, summary draft,
signed, follow-up due), so the caseload's status query does real work. Prints the staff
account's e-mail address (password: --password) for signing in over HTTP.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, text  # noqa: E402
from sqlmodel import Session, select  # noqa: E402

from samtal import migrations  # noqa: E402
from samtal.db import make_engine  # noqa: E402
from samtal.models import (  # noqa: E402
    Child,
    Conversation,
    Guardian,
    Invitation,
    Staff,
    SummaryDraft,
    SummaryVersion,
    fold_name,
)
from samtal.stages import refresh_stages  # noqa: E402

FIRST = [
    "Alva",
    "Elsa",
    "Noah",
    "Liam",
    "Maja",
    "Omar",
    "Sara",
    "Hugo",
    "Nour",
    "Ella",
    "Åsa",
    "Örjan",
    "Leo",
    "Amir",
    "Vera",
    "Ali",
    "Iris",
    "Otto",
    "Mira",
    "Adam",
]
LAST = ["Berg", "Lind", "Ek", "Holm", "Nyström", "Ali", "Hassan", "Sjö", "Åberg", "Öst"]
BATCH = 2000
# Ten kinds of child, one after another: each place in the process is on the caseload.
KINDS = [
    "none",
    "none",
    "child_started",
    "child_done",
    "guardians_invited",
    "guardians_answered",
    "summary_draft",
    "signed",
    "followup_due",
    "declined_invited",
]


def _batches(rows: list[dict], size: int = BATCH):
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _insert(session: Session, model, rows: list[dict]) -> list[int]:
    """Insert rows in batches and return their new ids, in order."""
    table = model.__table__
    ids: list[int] = []
    for batch in _batches(rows):
        result = session.execute(
            insert(table).returning(table.c.id, sort_by_parameter_order=True), batch
        )
        ids.extend(result.scalars().all())
    return ids


def _staff(session: Session, email: str, password: str, name: str) -> int:
    from samtal.staff.passwords import hash_password

    found = session.exec(select(Staff).where(Staff.email == email)).first()
    if found is not None:
        return found.id or 0
    staff = Staff(email=email, name=name, role="barnkontakt", password_hash=hash_password(password))
    session.add(staff)
    session.commit()
    return staff.id or 0


def _conversation(child_id: int, status: str, now: datetime, guardian_id: int | None = None):
    return {
        "child_id": child_id,
        "guardian_id": guardian_id,
        "flow_id": "vardnadshavare" if guardian_id else "barn-7-9",
        "flow_version": 1,
        "framework_id": "behovskompassen",
        "age": 8,
        "language": "sv",
        "status": status,
        "link_nonce": secrets.token_hex(8),
        "created_at": now,
        "updated_at": now,
        "finished_at": now if status in ("completed", "declined") else None,
    }


def seed(database_url: str, children: int, email: str, password: str, others: int = 0) -> int:
    """Seed `children` fictional children for the barnkontakt `email` (and `others` for another
    one); returns the barnkontakt's staff id."""
    engine = make_engine(database_url)
    migrations.migrate(engine)
    now = datetime.now(UTC)
    today = now.date()
    with Session(engine) as session:
        staff_id = _staff(session, email, password, "Bänk Barnkontakt")
        other_id = _staff(session, "annan." + email, password, "Annan Barnkontakt") if others else 0
        owners = [staff_id] * children + [other_id] * others
        names = [
            f"{FIRST[n % len(FIRST)]} {LAST[(n // len(FIRST)) % len(LAST)]} {n}"
            for n in range(len(owners))
        ]
        child_rows = [
            {
                "name": names[n],
                # Bulk inserts skip the ORM, which otherwise keeps search_name in step.
                "search_name": fold_name(names[n]),
                "birth_date": date(today.year - 4 - n % 14, 1 + n % 12, 1 + n % 28),
                "birth_year": today.year - 4 - n % 14,
                "language": "sv",
                "barnkontakt_id": owner,
                "followup_due": today - timedelta(days=3)
                if KINDS[n % 10] == "followup_due"
                else (today + timedelta(days=60) if n % 7 == 0 else None),
                "created_at": now,
            }
            for n, owner in enumerate(owners)
        ]
        child_ids = _insert(session, Child, child_rows)
        guardian_rows: list[dict[str, Any]] = []
        for n, child_id in enumerate(child_ids):
            for g in range(1 + n % 2):
                guardian_rows.append(
                    {
                        "child_id": child_id,
                        "name": f"Vårdnadshavare {g + 1} till {n}",
                        "language": ["sv", "ar", "so", "fa"][n % 4],
                        "created_at": now,
                    }
                )
        guardian_ids = _insert(session, Guardian, guardian_rows)
        guardians_of: dict[int, list[int]] = {}
        for row, guardian_id in zip(guardian_rows, guardian_ids, strict=True):
            guardians_of.setdefault(row["child_id"], []).append(guardian_id)
        conversations, drafts, versions = [], [], []
        for n, child_id in enumerate(child_ids):
            kind = KINDS[n % 10]
            mine = guardians_of[child_id]
            if kind == "child_started":
                conversations.append(_conversation(child_id, "active", now))
            elif kind != "none":
                status = "declined" if kind == "declined_invited" else "completed"
                conversations.append(_conversation(child_id, status, now))
            if kind in ("guardians_invited", "declined_invited"):
                conversations.append(_conversation(child_id, "active", now, mine[0]))
            elif kind in ("guardians_answered", "summary_draft", "signed", "followup_due"):
                conversations += [_conversation(child_id, "completed", now, g) for g in mine]
            if kind in ("summary_draft", "signed", "followup_due"):
                drafts.append(
                    {"child_id": child_id, "notes": {}, "updated_at": now, "updated_by": staff_id}
                )
            if kind in ("signed", "followup_due"):
                versions.append(
                    {
                        "child_id": child_id,
                        "number": 1,
                        "content": {},
                        "content_hash": secrets.token_hex(32),
                        "signed_by": staff_id,
                        "signed_at": now + timedelta(seconds=1),
                    }
                )
        conversation_ids = _insert(session, Conversation, conversations)
        invitations = [
            {
                "guardian_id": row["guardian_id"],
                "conversation_id": conversation_id,
                "nonce": secrets.token_hex(8),
                "created_at": now,
                "expires_at": now + timedelta(days=14),
            }
            for row, conversation_id in zip(conversations, conversation_ids, strict=True)
            if row["guardian_id"]
        ]
        _insert(session, Invitation, invitations)
        _insert(session, SummaryDraft, drafts)
        _insert(session, SummaryVersion, versions)
        # Bulk inserts skip the ORM, which otherwise keeps each child's stage.
        refresh_stages(session.connection(), child_ids)
        session.commit()
    with engine.connect() as connection:
        # Fresh statistics, as after a day of normal use: planners choose by them.
        connection.execute(text("ANALYZE"))
        connection.commit()
    engine.dispose()
    return staff_id


def measure(database_url: str, email: str, rounds: int = 5) -> dict[str, float]:
    """Median milliseconds of the caseload query: first page, a search, a filter, last page."""
    from samtal.staff.caseload import caseload

    engine = make_engine(database_url)
    timings: dict[str, float] = {}
    with Session(engine) as session:
        staff = session.exec(select(Staff).where(Staff.email == email)).one()
        cases: dict[str, dict[str, Any]] = {
            "first page": {},
            "search 'åsa'": {"search": "åsa"},
            "filter follow-up due": {"status": "followup_due"},
            "filter signed (every child's status)": {"status": "signed"},
            "last page": {"page": 10**6},
        }
        for label, kwargs in cases.items():
            samples = []
            for _ in range(rounds):
                started = time.perf_counter()
                caseload(session=session, staff=staff, **kwargs)
                samples.append((time.perf_counter() - started) * 1000)
            timings[label] = sorted(samples)[len(samples) // 2]
    engine.dispose()
    return timings


def main() -> None:
    """Seed from the command line; optionally time the caseload query."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=100)
    parser.add_argument("--others", type=int, default=0, help="children of another barnkontakt")
    parser.add_argument("--email", default="bank@kommun.example")
    parser.add_argument("--password", default="bänkens långa lösenord")
    parser.add_argument("--measure", action="store_true", help="time the caseload query")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", f"sqlite:///{ROOT / 'instance' / 'bench.db'}")
    started = time.perf_counter()
    seed(url, args.children, args.email, args.password, args.others)
    print(f"{args.children} barn för {args.email} på {time.perf_counter() - started:.1f} s")
    if args.measure:
        for label, ms in measure(url, args.email).items():
            print(f"  caseload, {label}: {ms:.1f} ms")


if __name__ == "__main__":
    main()
