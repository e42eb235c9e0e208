"""The register extract (GDPR art. 15): everything Samtal holds about one child, as one JSON
document (schema/register-extract-v1.schema.json) and as PDF.

It is the controller's working copy for answering a request: secrecy towards guardians
(OSL 12 kap.) and third parties is reviewed before anything is handed out. Secrets that only
make links work (nonces, code hashes, form keys) are left out; they say nothing about anyone.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import Table
from sqlalchemy import select as select_rows
from sqlmodel import Session, SQLModel, col, select

from samtal.models import AuditEntry, Child, Staff, Unit, utcnow
from samtal.records.owned import CHILD_TABLE, owned_rows
from samtal.records.retention import utc

SCHEMA_VERSION = "1.1"
SCHEMA_FILE = (
    Path(__file__).resolve().parent.parent.parent / "schema" / "register-extract-v1.schema.json"
)
# Tables nested in the document under their owner; any other table of the child's data is
# listed as it is under "other_records", so a table added later is never left out.
NESTED = {
    "guardian": ("guardians", None),
    "invitation": ("invitations", "guardian"),
    "consent": ("consents", None),
    "conversation": ("conversations", None),
    "answer": ("answers", "conversation"),
    "conversationevent": ("events", "conversation"),
    "safetyconcern": ("safety_concerns", "conversation"),
    "summarydraft": ("summary_drafts", None),
    "summaryversion": ("summary_versions", None),
}
# A sibling link names another child, whose data is that child's: the extract says that a
# sibling is linked, when and by whom, never which child.
SIBLING_TABLE = "siblinglink"
SIBLING_COLUMNS = ("id", "created_by", "created_at")


def _secret(column: str) -> bool:
    return column.endswith(("nonce", "_hash", "request_key")) and column != "content_hash"


def _value(value: Any) -> Any:
    if isinstance(value, datetime):
        return utc(value).replace(microsecond=0).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def _rows(session: Session, table: Table, ids: set[Any]) -> list[dict[str, Any]]:
    key = next(iter(table.primary_key.columns))
    found = session.execute(select_rows(table).where(key.in_(ids)).order_by(key)).mappings().all()
    return [
        {name: _value(value) for name, value in row.items() if not _secret(name)} for row in found
    ]


def build(*, session: Session, child: Child, made_by: str) -> dict[str, Any]:
    """The extract as a JSON-ready document."""
    assert child.id is not None
    tables = SQLModel.metadata.tables
    owned = owned_rows(session, child.id)
    rows = {name: _rows(session, tables[name], ids) for name, ids in owned.items()}
    registration = rows.pop(CHILD_TABLE)[0]
    unit = session.get(Unit, child.unit_id) if child.unit_id else None
    registration["unit"] = unit.name if unit else None
    document: dict[str, Any] = {
        "schema": "samtal-register-extract",
        "version": SCHEMA_VERSION,
        "made_at": _value(utcnow()),
        "made_by": made_by,
        "child": registration,
    }
    for name, (field, owner) in NESTED.items():
        if owner is None:
            document[field] = rows.pop(name, [])
    for name, (field, owner) in NESTED.items():
        if owner is not None:
            parents = document[NESTED[owner][0]]
            children = rows.pop(name, [])
            for parent in parents:
                parent[field] = [row for row in children if row.get(f"{owner}_id") == parent["id"]]
    entries = session.exec(
        select(AuditEntry).where(AuditEntry.child_id == child.id).order_by(col(AuditEntry.id))
    ).all()
    document["audit"] = [
        {"at": _value(e.at), "action": e.action, "staff_id": e.staff_id, "detail": e.detail}
        for e in entries
    ]
    document["sibling_links"] = [
        {key: row[key] for key in SIBLING_COLUMNS} for row in rows.pop(SIBLING_TABLE, [])
    ]
    document["other_records"] = rows
    document["staff"] = _staff_named(session, document)
    return document


def _staff_named(session: Session, document: dict[str, Any]) -> list[dict[str, Any]]:
    """Every staff member the document refers to by number (any foreign key to the staff
    table, and the audit's staff_id), with their name and role."""
    columns = {
        key.parent.name
        for table in SQLModel.metadata.tables.values()
        for key in table.foreign_keys
        if key.column.table.name == "staff"
    } | {"staff_id"}
    ids: set[int] = set()

    def collect(value: Any, key: str = "") -> None:
        if isinstance(value, dict):
            for inner_key, inner in value.items():
                collect(inner, inner_key)
        elif isinstance(value, list):
            for inner in value:
                collect(inner, key)
        elif isinstance(value, int) and key in columns:
            ids.add(value)

    collect(document)
    people = session.exec(select(Staff).where(col(Staff.id).in_(ids)).order_by(col(Staff.id)))
    return [{"id": person.id, "name": person.name, "role": person.role} for person in people]


def flat(value: Any, path: str = "") -> list[tuple[str, Any]]:
    """A nested value as (path, value) rows for reading on paper: "areas[1].child.words"."""
    if isinstance(value, dict):
        rows = [flat(inner, f"{path}.{key}" if path else str(key)) for key, inner in value.items()]
        return [row for part in rows for row in part] or [(path, None)]
    if isinstance(value, list):
        if all(not isinstance(inner, dict | list) for inner in value):
            return [(path, ", ".join(str(inner) for inner in value) or None)]
        return [row for i, inner in enumerate(value, 1) for row in flat(inner, f"{path}[{i}]")]
    return [(path, value)]


def to_json(document: dict[str, Any]) -> str:
    """The extract as pretty UTF-8 JSON."""
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


@cache
def schema() -> dict[str, Any]:
    """The JSON Schema the extract follows."""
    return json.loads(SCHEMA_FILE.read_text("utf-8"))
