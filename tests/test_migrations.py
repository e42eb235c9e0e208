"""Migrations: the revisions agree with the models, a database made before migrations upgrades
cleanly, and nothing serves a database whose schema is behind."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlmodel import SQLModel

from samtal import create_app, migrations
from samtal.db import make_engine
from tests.builders import make_app

ROOT = Path(__file__).resolve().parent.parent
FLASK = str(Path(sys.executable).with_name("flask"))


def differences(connection) -> list:
    """What autogenerate would write: the models against the database's tables."""
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return compare_metadata(context, SQLModel.metadata)


def test_the_revisions_build_exactly_the_models_tables(any_database_url):
    """Running every revision on an empty database gives the tables the models define. When
    this fails, a model changed without a revision: write one with
    `flask --app app samtal revision -m "…"` (README, "Drift")."""
    engine = make_engine(any_database_url)
    try:
        with engine.begin() as connection:
            command.upgrade(migrations.config(connection), "head")
            assert differences(connection) == []
            assert migrations.current(connection) == migrations.heads()
    finally:
        engine.dispose()


def test_a_database_made_by_the_previous_version_upgrades_cleanly(any_database_url):
    """The previous version made its tables at start (create_all, no revision stamped): the
    migration adopts them, keeps every row, and the app starts on the result."""
    engine = make_engine(any_database_url)
    SQLModel.metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO child (name, search_name, stage, language, created_at) "
                "VALUES ('Åsa Öberg', 'åsa öberg', 'none', 'sv', CURRENT_TIMESTAMP)"
            )
        )
    assert migrations.migrate(engine) == "upgraded"
    with engine.connect() as connection:
        assert differences(connection) == []
        assert connection.execute(text("SELECT name FROM child")).scalars().all() == ["Åsa Öberg"]
    engine.dispose()
    app = make_app(any_database_url)
    app.extensions["samtal.engine"].dispose()


def test_a_database_at_an_older_revision_is_refused_until_migrated(tmp_path):
    """The app names the command instead of serving an old schema; after it, it starts, and
    the rows already there have the new columns filled in."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(url)
    with engine.begin() as connection:
        command.upgrade(migrations.config(connection), "0002_child_search_name")
        connection.execute(
            text(
                "INSERT INTO staff (email, name, role, password_hash, active, session_epoch,"
                " failed_logins, created_at) VALUES ('a@kommun.example', 'A', 'admin', 'x',"
                " true, 0, 0, CURRENT_TIMESTAMP)"
            )
        )
    engine.dispose()
    with pytest.raises(migrations.SchemaBehind, match="flask --app app samtal migrate"):
        create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": url})
    app = make_app(url)
    engine = app.extensions["samtal.engine"]
    columns = inspect(engine).get_columns("child")
    assert "stage" in {column["name"] for column in columns}
    with engine.connect() as connection:
        assert connection.execute(text("SELECT totp_failures FROM staff")).scalar() == 0
    engine.dispose()


def test_the_commands_refuse_an_empty_database_until_migrate_has_run(tmp_path):
    """`samtal init` on an empty database says which command to run; `samtal migrate` makes
    the tables (once: again, nothing to do); then `init` prints the first-run link."""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.db'}",
        "SAMTAL_SECRET_KEY": "cli-test",
    }

    def samtal(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [FLASK, "--app", "app", "samtal", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )

    refused = samtal("init")
    assert refused.returncode != 0
    assert "flask --app app samtal migrate" in refused.stderr
    assert samtal("migrate").stdout.strip() == "Databasens tabeller är skapade."
    assert samtal("migrate").stdout.strip() == "Databasens tabeller är redan aktuella."
    assert "/forsta-start/" in samtal("init").stdout


def test_a_new_table_gets_its_revision_from_one_command(tmp_path):
    """`samtal revision -m …` writes the create_table a model added since the last revision
    (here into a copy of the migrations, so the real ones stay as they are)."""
    import shutil

    from sqlalchemy import Column, Integer, Table

    location = tmp_path / "migrations"
    shutil.copytree(migrations.HERE, location, ignore=shutil.ignore_patterns("__pycache__"))
    added = Table("provbord", SQLModel.metadata, Column("id", Integer, primary_key=True))
    try:
        written = Path(migrations.new_revision("provbord", location))
    finally:
        SQLModel.metadata.remove(added)
        migrations.scripts.cache_clear()
    assert written.parent == location / "versions"
    revision = written.read_text()
    assert "op.create_table(" in revision and "'provbord'" in revision
    (newest,) = migrations.heads()
    assert f"down_revision = {newest!r}" in revision


def test_a_database_from_a_newer_version_is_refused(tmp_path):
    """A revision this version does not know: install the newer one, not migrate."""
    url = f"sqlite:///{tmp_path / 'newer.db'}"
    make_app(url).extensions["samtal.engine"].dispose()
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'ffff_framtid'"))
    engine.dispose()
    with pytest.raises(migrations.SchemaBehind, match="nyare versionen"):
        create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": url})


def test_two_current_revisions_of_one_answer_become_one_before_the_unique_index(tmp_path):
    """A database from before ux_answer_current may hold two current revisions of an answer
    (two screens at once): the newer stays current, the older becomes history."""
    url = f"sqlite:///{tmp_path / 'twice.db'}"
    engine = make_engine(url)
    with engine.begin() as connection:
        command.upgrade(migrations.config(connection), "0004_staff_two_factor")
        connection.execute(
            text(
                "INSERT INTO child (id, name, search_name, stage, language, created_at)"
                " VALUES (1, 'Barn', 'barn', 'none', 'sv', CURRENT_TIMESTAMP)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO conversation (id, child_id, flow_id, flow_version, framework_id,"
                " age, language, status, link_nonce, created_at, updated_at) VALUES (1, 1,"
                " 'barn-7-9', 1, 'behovskompass', 8, 'sv', 'active', 'n', CURRENT_TIMESTAMP,"
                " CURRENT_TIMESTAMP)"
            )
        )
        for answer_id, value in ((1, '"1"'), (2, '"3"')):
            connection.execute(
                text(
                    "INSERT INTO answer (id, conversation_id, step_id, part, status, value,"
                    " language, answered_by, created_at) VALUES (:id, 1, 'trygghet.hur',"
                    " 'answer', 'answered', :value, 'sv', 'child', CURRENT_TIMESTAMP)"
                ),
                {"id": answer_id, "value": value},
            )
    assert migrations.migrate(engine) == "upgraded"
    with engine.connect() as connection:
        current = connection.execute(
            text("SELECT id FROM answer WHERE replaced_at IS NULL")
        ).scalars()
        assert list(current) == [2]
        assert connection.execute(text("SELECT count(*) FROM answer")).scalar() == 2
    engine.dispose()
