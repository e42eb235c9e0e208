"""Command-line commands: start a conversation, prepare the database, keep translations in step."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
from flask import Flask, current_app, url_for

from samtal import answers as recording
from samtal import library, links
from samtal.db import get_session

ROOT = Path(__file__).resolve().parent.parent
I18N = ROOT / "i18n"


def tablet_url(conversation_id: int, nonce: str) -> str:
    """The full tablet URL of a conversation, for the configured BASE_URL."""
    token = links.tablet_token(conversation_id, nonce)
    return current_app.config["BASE_URL"].rstrip("/") + url_for("tablet.step", token=token)


@click.group("samtal")
def samtal_group() -> None:
    """Samtal: start conversations and prepare the app."""


@samtal_group.command("init")
def init_command() -> None:
    """Create the database tables (already done at start) and say how to begin."""
    click.echo("Samtal är redo. Databas: " + current_app.config["DATABASE_URL"].split("@")[-1])
    click.echo(
        "Starta ett samtal i en annan terminal:\n"
        '  .venv/bin/flask --app app samtal start --age 8 --name "Testbarn"\n'
        "och öppna adressen den skriver på en surfplatta (eller i webbläsaren)."
    )


@samtal_group.command("start")
@click.option("--age", type=click.IntRange(4, 17), required=True, help="Barnets ålder, 4–17.")
@click.option("--name", required=True, help="Barnets namn eller pseudonym.")
@click.option(
    "--flow", "flow_id", default=None, help="Annan åldersgrupp än åldern ger, t.ex. barn-4-6."
)
@click.option("--lang", "language", default="sv", help="Samtalets språk, t.ex. sv.")
def start_command(age: int, name: str, flow_id: str | None, language: str) -> None:
    """Create a child and a conversation, and print the tablet URL."""
    flow = library.flows().get(flow_id) if flow_id else library.flows().for_age(age)
    if flow is None:
        raise click.UsageError(f"Hittar inget flöde för {flow_id or f'{age} år'}.")
    if language not in current_app.config["LANGUAGES"]:
        raise click.UsageError(
            f"Språket {language!r} finns inte. "
            f"Välj bland: {', '.join(current_app.config['LANGUAGES'])}."
        )
    with current_app.test_request_context():
        conversation = recording.start_conversation(
            session=get_session(), flow=flow, name=name, age=age, language=language
        )
        url = tablet_url(conversation.id or 0, conversation.link_nonce)
    click.echo(f"Samtal {conversation.id} för {name} ({flow.id}, version {flow.version}).")
    click.echo(f"Öppna på surfplattan (gäller i {current_app.config['TABLET_LINK_DAYS']} dagar):")
    click.echo(url)


@click.group("translate")
def translate_group() -> None:
    """Keep the translation catalogs in i18n/ in step with the code and the flows."""


def _pybabel(*args: str) -> None:
    executable = Path(sys.executable).with_name("pybabel")
    subprocess.run([str(executable), *args], check=True, cwd=ROOT)


@translate_group.command("update")
def update_command() -> None:
    """Extract every text (code, templates, flows) into messages.pot and update every catalog."""
    _pybabel(
        "extract",
        "-F",
        "babel.cfg",
        "-k",
        "_l",
        "--no-location",
        "--sort-by-file",
        "--omit-header",
        "-o",
        str(I18N / "messages.pot"),
        ".",
    )
    if any(I18N.glob("*/LC_MESSAGES/messages.po")):
        _pybabel("update", "-i", str(I18N / "messages.pot"), "-d", str(I18N), "--no-fuzzy-matching")


@translate_group.command("compile")
def compile_command() -> None:
    """Compile every catalog so the app can use it."""
    _pybabel("compile", "-d", str(I18N))


@translate_group.command("add")
@click.argument("language")
def add_command(language: str) -> None:
    """Start a catalog for a new language."""
    _pybabel("init", "-i", str(I18N / "messages.pot"), "-d", str(I18N), "-l", language)


def init_app(app: Flask) -> None:
    """Register the command groups."""
    app.cli.add_command(samtal_group)
    app.cli.add_command(translate_group)
