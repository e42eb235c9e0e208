"""Changes to existing tables since the first release, applied when the app starts.

create_all makes only missing tables; a database made by an earlier version gets the
columns added since, filled in, and their indexes. Each step checks first, so starting
again changes nothing.
"""

from __future__ import annotations

from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine

from samtal.models import Child, fold_name
from samtal.stages import refresh_stages


def apply(engine: Engine) -> None:
    """Bring an existing database up to the current tables."""
    columns = {column["name"] for column in inspect(engine).get_columns("child")}
    if "search_name" not in columns:
        _add_search_names(engine)
    if "stage" not in columns:
        _add_stages(engine)
    for index in Child.__table__.indexes:  # type: ignore[attr-defined]
        index.create(engine, checkfirst=True)


def _add_search_names(engine: Engine) -> None:
    """child.search_name: the folded name the caseload search reads."""
    with engine.begin() as connection:
        connection.execute(
            text("ALTER TABLE child ADD COLUMN search_name VARCHAR(160) NOT NULL DEFAULT ''")
        )
        names = connection.execute(text("SELECT id, name FROM child")).all()
        if names:
            connection.execute(
                text("UPDATE child SET search_name = :folded WHERE id = :id"),
                [{"id": id_, "folded": fold_name(name)} for id_, name in names],
            )


def _add_stages(engine: Engine) -> None:
    """child.stage: where each child stands, for the caseload's status filter."""
    with engine.begin() as connection:
        connection.execute(
            text("ALTER TABLE child ADD COLUMN stage VARCHAR(20) NOT NULL DEFAULT 'none'")
        )
        ids = connection.execute(text("SELECT id FROM child")).scalars().all()
        refresh_stages(connection, ids)
