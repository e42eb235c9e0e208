"""Backup and restore: a consistent copy made while the app runs, with the secret key, so a
link handed out before the backup opens the same conversation after a restore."""

from __future__ import annotations

import re
from pathlib import Path

import psycopg
import pytest
from flask import Flask
from sqlmodel import select

from samtal.db import get_session
from samtal.models import AuditEntry, Child
from samtal.records import backup
from tests.builders import (
    PLAIN_POSTGRES_URL,
    drop_postgres_schema,
    make_app,
    start_conversation_in,
)

FORM_TOKEN = re.compile(r'name="form_token" value="([^"]+)"')


def lose_everything(app: Flask, database_url: str, key_file: Path) -> None:
    """What a backup is for: the database and the instance's key are gone."""
    app.extensions["samtal.engine"].dispose()
    key_file.unlink()
    if database_url.startswith("sqlite"):
        database = Path(database_url.removeprefix("sqlite:///"))
        for path in (database, Path(f"{database}-wal"), Path(f"{database}-shm")):
            path.unlink(missing_ok=True)
        return
    schema = database_url.split("search_path%3D")[1]
    drop_postgres_schema(schema)
    with psycopg.connect(PLAIN_POSTGRES_URL, autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{schema}"')


def test_a_restored_backup_opens_a_link_made_before_it(any_database_url, tmp_path, monkeypatch):
    monkeypatch.delenv("SAMTAL_SECRET_KEY", raising=False)
    key_file = tmp_path / "instans" / "secret_key"
    config = {"SECRET_KEY": "", "SECRET_KEY_FILE": str(key_file)}
    first = make_app(any_database_url, **config)
    key = key_file.read_text()
    _conversation, path = start_conversation_in(first, "test-fast")
    client = first.test_client()
    html = client.get(path).get_data(as_text=True)
    token = FORM_TOKEN.search(html)
    assert token is not None
    assert (
        client.post(f"{path}svar", data={"form_token": token[1], "value": "ja"}).status_code == 303
    )
    assert "Hur är maten?" in client.get(path).get_data(as_text=True)

    backup_dir = tmp_path / "kopia"
    with first.app_context():
        # A write still in flight while the copy is made: the copy neither waits for it nor
        # holds half of it. (The command would also write its audit entry, which waits for
        # the writer; so the copy itself is made here, and the command in the test below.)
        busy = get_session()
        busy.add(Child(name="Halvskriven"))
        busy.flush()
        backup.backup(
            engine=first.extensions["samtal.engine"],
            secret_key=first.config["SECRET_KEY"],
            destination=backup_dir,
        )
        busy.rollback()
    assert (backup_dir / "secret_key").stat().st_mode & 0o077 == 0
    lose_everything(first, any_database_url, key_file)

    second = make_app(any_database_url, **config)  # empty database, a new key
    assert key_file.read_text() != key
    assert "Hur är maten?" not in second.test_client().get(path).get_data(as_text=True)
    restored = second.test_cli_runner().invoke(args=["samtal", "restore", str(backup_dir), "--yes"])
    assert restored.exit_code == 0, restored.output
    assert "Starta om appen" in restored.output
    assert key_file.read_text() == key
    second.extensions["samtal.engine"].dispose()

    third = make_app(any_database_url, **config)  # the app started again
    try:
        page = third.test_client().get(path)
        assert page.status_code == 200
        assert "Hur är maten?" in page.get_data(as_text=True)
        with third.app_context():
            names = get_session().exec(select(Child.name)).all()
            actions = get_session().exec(select(AuditEntry.action)).all()
        assert names == ["Testbarn"]
        assert actions.count("backup_restored") == 1
    finally:
        third.extensions["samtal.engine"].dispose()


def test_a_changed_or_foreign_backup_is_refused_and_a_used_folder_is_not_overwritten(app, tmp_path):
    runner = app.test_cli_runner()
    target = tmp_path / "kopia"
    made = runner.invoke(args=["samtal", "backup", str(target)])
    assert made.exit_code == 0 and "secret_key" in made.output
    with app.app_context():
        logged = get_session().exec(select(AuditEntry).where(AuditEntry.action == "backup_made"))
        assert [entry.detail[:7] for entry in logged] == ["sqlite "]
    again = runner.invoke(args=["samtal", "backup", str(target)])
    assert again.exit_code == 1 and "inte tom" in again.output
    (target / "secret_key").write_text("en annan nyckel")
    changed = runner.invoke(args=["samtal", "restore", str(target), "--yes"])
    assert changed.exit_code == 1 and "ändrad sedan kopian gjordes" in changed.output
    empty = tmp_path / "tom"
    empty.mkdir()
    foreign = runner.invoke(args=["samtal", "restore", str(empty), "--yes"])
    assert foreign.exit_code == 1 and "ingen säkerhetskopia från Samtal" in foreign.output


@pytest.mark.parametrize("answer", ["n\n", ""])
def test_restore_asks_first(app, tmp_path, answer):
    runner = app.test_cli_runner()
    target = tmp_path / "kopia"
    assert runner.invoke(args=["samtal", "backup", str(target)]).exit_code == 0
    declined = runner.invoke(args=["samtal", "restore", str(target)], input=answer)
    assert declined.exit_code == 1 and "Allt i databasen ersätts" in declined.output
