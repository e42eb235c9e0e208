"""Which rows belong to one child, in every table, found through the tables' foreign keys.

The walk starts at the child's row and follows every foreign key that points at a row already
found (a conversation's answers, a guardian's invitations, …) and every column named
child_id (a table may hold the id without a key). It reads SQLModel.metadata, so a table
added later is covered without a change here. The audit log is not among them: it is the
record of what was done with the data, and erasure treats it apart (erasure.py).
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Column, ColumnElement, Table, delete, or_, select
from sqlmodel import Session, SQLModel

CHILD_TABLE = "child"
AUDIT_TABLE = "auditentry"
# How the rows are named for people (a table added later shows its own name).
TABLE_NAMES = {
    "child": _l("registrering"),
    "guardian": _l("vårdnadshavare"),
    "invitation": _l("inbjudningar"),
    "consent": _l("samtycken"),
    "conversation": _l("samtal"),
    "answer": _l("svar (med historik)"),
    "drawing": _l("teckningar"),
    "conversationevent": _l("händelser"),
    "safetyconcern": _l("oro-markeringar"),
    "summarydraft": _l("utkast"),
    "summaryversion": _l("signerade sammanställningar"),
    "siblinglink": _l("syskonlänkar"),
}


def _key(table: Table) -> Column[Any] | None:
    keys = list(table.primary_key.columns)
    return keys[0] if len(keys) == 1 else None


def owned_rows(session: Session, child_id: int) -> dict[str, set[Any]]:
    """Table name → primary keys of the rows that are this child's data (the child's own row
    included), for every table that has any."""
    found: dict[str, set[Any]] = {CHILD_TABLE: {child_id}}
    grew = True
    while grew:
        grew = False
        for table in SQLModel.metadata.sorted_tables:
            key = _key(table)
            if table.name in (CHILD_TABLE, AUDIT_TABLE) or key is None:
                continue
            conditions: list[ColumnElement[bool]] = [
                key_.parent.in_(found[key_.column.table.name])
                for key_ in table.foreign_keys
                if key_.column.table.name in found
            ]
            if "child_id" in table.c:
                conditions.append(table.c.child_id == child_id)
            if not conditions:
                continue
            ids = set(session.execute(select(key).where(or_(*conditions))).scalars())
            if not ids <= found.get(table.name, set()):
                found[table.name] = found.get(table.name, set()) | ids
                grew = True
    return found


def delete_rows(session: Session, rows: dict[str, set[Any]]) -> None:
    """Delete these rows, rows that point at others first (the caller commits)."""
    for table in reversed(SQLModel.metadata.sorted_tables):
        key = _key(table)
        ids = rows.get(table.name)
        if key is not None and ids:
            session.execute(delete(table).where(key.in_(ids)))
