"""The data steps of the migrations that added columns to child (0002 and 0003 in
samtal/migrations/versions/): each adds its column and fills it in for the children there."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection

from samtal.models import fold_name
from samtal.stages import refresh_stages


def add_search_names(connection: Connection) -> None:
    """child.search_name: the folded name the caseload search reads."""
    connection.execute(
        text("ALTER TABLE child ADD COLUMN search_name VARCHAR(160) NOT NULL DEFAULT ''")
    )
    names = connection.execute(text("SELECT id, name FROM child")).all()
    if names:
        connection.execute(
            text("UPDATE child SET search_name = :folded WHERE id = :id"),
            [{"id": id_, "folded": fold_name(name)} for id_, name in names],
        )


def add_stages(connection: Connection) -> None:
    """child.stage: where each child stands, for the caseload's status filter."""
    connection.execute(
        text("ALTER TABLE child ADD COLUMN stage VARCHAR(20) NOT NULL DEFAULT 'none'")
    )
    ids = connection.execute(text("SELECT id FROM child")).scalars().all()
    refresh_stages(connection, ids)
