"""Backup and restore: a consistent copy of the database, made while the app runs, together
with the instance's secret key (without it, every link handed out before stops working).

SQLite is copied with its online backup API (a consistent snapshot; writers wait only for
the page being copied); PostgreSQL with pg_dump (one snapshot) and pg_restore. A backup is a
directory: the database file or dump, `secret_key`, and `manifest.json` with each file's
sha256, checked before a restore touches anything. It holds everything about every child:
keep it as securely as the database, and let it age out with the retention period (a child
erased in Samtal is still in older backups until they are removed).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine, make_url

from samtal.models import utcnow

MANIFEST = "manifest.json"
KEY_FILE = "secret_key"
SQLITE_FILE = "samtal.db"
POSTGRES_FILE = "samtal.pgdump"
FORMAT = "samtal-backup-1"


class BackupFailed(RuntimeError):
    """A backup or restore that could not be done; the message says why, in Swedish."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _private_file(path: Path, text: str) -> None:
    path.touch(mode=0o600, exist_ok=True)
    path.chmod(0o600)
    path.write_text(text)


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupFailed("En SQLite-databas i minnet kan inte säkerhetskopieras.")
    return Path(database)


def _postgres(url: str) -> tuple[str, dict[str, str], str | None]:
    """A libpq address (password in the environment, not on the command line), the
    environment for pg_dump/pg_restore, and the schema named in the URL's search_path."""
    parsed = make_url(url)
    environment = dict(os.environ)
    if parsed.password:
        environment["PGPASSWORD"] = str(parsed.password)
    address = parsed.set(drivername="postgresql", password=None).render_as_string(
        hide_password=False
    )
    schema = None
    options = parsed.query.get("options", ())
    for option in [options] if isinstance(options, str) else options:
        if "search_path=" in option:
            schema = option.split("search_path=", 1)[1].split()[0].split(",")[0]
    return address, environment, schema


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupFailed(
            f"{name} saknas. Installera PostgreSQL:s klientprogram (Debian: postgresql-client, "
            "samma huvudversion som servern eller nyare)."
        )
    return found


def _run(command: list[str], environment: dict[str, str]) -> None:
    # pg_dump/pg_restore found on PATH by _tool(), with the database's own URL: no shell.
    result = subprocess.run(command, env=environment, capture_output=True, text=True)  # noqa: S603
    if result.returncode != 0:
        raise BackupFailed(f"{Path(command[0]).name} misslyckades: {result.stderr.strip()}")


def backup(*, engine: Engine, secret_key: str, destination: Path) -> dict[str, Any]:
    """Write a backup into destination (a new or empty directory); returns the manifest."""
    if destination.exists() and any(destination.iterdir()):
        raise BackupFailed(f"{destination} finns redan och är inte tom.")
    destination.mkdir(mode=0o700, parents=True, exist_ok=True)
    url = engine.url.render_as_string(hide_password=False)
    if engine.dialect.name == "sqlite":
        target = destination / SQLITE_FILE
        source = sqlite3.connect(_sqlite_path(url))
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
        finally:
            copy.close()
            source.close()
        kind = "sqlite"
    elif engine.dialect.name == "postgresql":
        address, environment, schema = _postgres(url)
        target = destination / POSTGRES_FILE
        command = [_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={target}"]
        if schema:
            command.append(f"--schema={schema}")
        _run([*command, address], environment)
        kind = "postgresql"
    else:
        raise BackupFailed(f"Databasen {engine.dialect.name} stöds inte.")
    target.chmod(0o600)
    _private_file(destination / KEY_FILE, secret_key)
    manifest = {
        "format": FORMAT,
        "database": kind,
        "made_at": utcnow().replace(microsecond=0).isoformat(),
        "files": {path.name: _sha256(path) for path in (target, destination / KEY_FILE)},
    }
    _private_file(destination / MANIFEST, json.dumps(manifest, indent=2) + "\n")
    return manifest


def read_manifest(source: Path) -> dict[str, Any]:
    """The backup's manifest, after checking every file against it."""
    try:
        manifest = json.loads((source / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError) as error:
        raise BackupFailed(f"{source} är ingen säkerhetskopia från Samtal ({error}).") from error
    if manifest.get("format") != FORMAT:
        raise BackupFailed(f"{source}: okänt format {manifest.get('format')!r}.")
    for name, digest in manifest.get("files", {}).items():
        path = source / name
        if not path.is_file() or _sha256(path) != digest:
            raise BackupFailed(f"{path} saknas eller är ändrad sedan kopian gjordes.")
    return manifest


def restore(*, engine: Engine, source: Path, key_file: Path) -> str:
    """Replace the database's contents with the backup's and write its secret key into
    key_file; returns the key. The app's processes should be stopped while it runs."""
    manifest = read_manifest(source)
    url = engine.url.render_as_string(hide_password=False)
    engine.dispose()
    if manifest["database"] != engine.dialect.name:
        raise BackupFailed(
            f"Kopian är från {manifest['database']}, databasen nu är {engine.dialect.name}."
        )
    if engine.dialect.name == "sqlite":
        copy = sqlite3.connect(source / SQLITE_FILE)
        target = sqlite3.connect(_sqlite_path(url))
        try:
            copy.backup(target)
        finally:
            target.close()
            copy.close()
    else:
        address, environment, _schema = _postgres(url)
        _run(
            [
                _tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                f"--dbname={address}",
                str(source / POSTGRES_FILE),
            ],
            environment,
        )
    key = (source / KEY_FILE).read_text().strip()
    key_file.parent.mkdir(parents=True, exist_ok=True)
    _private_file(key_file, key)
    return key
