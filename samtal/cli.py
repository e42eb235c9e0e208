"""Command-line commands: start a conversation, invite a guardian, prepare the database."""

from __future__ import annotations

import click
from flask import Flask, current_app, url_for

from samtal import answers as recording
from samtal import invitations, library, links
from samtal.db import get_session
from samtal.models import Child


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


@samtal_group.command("invite")
@click.option("--child", "child_id", type=int, required=True, help="Barnets nummer (id).")
@click.option("--lang", "language", default="sv", help="Vårdnadshavarens språk, t.ex. ar.")
@click.option("--name", "guardian_name", default="Vårdnadshavare", help="Vårdnadshavarens namn.")
@click.option("--code/--no-code", "with_code", default=False, help="Kräv en kod med sex siffror.")
def invite_command(child_id: int, language: str, guardian_name: str, with_code: bool) -> None:
    """Invite a guardian of a child to answer in their language, and print the link."""
    child = get_session().get(Child, child_id)
    if child is None:
        raise click.UsageError(f"Det finns inget barn med nummer {child_id}.")
    if language not in current_app.config["LANGUAGES"]:
        raise click.UsageError(
            f"Språket {language!r} finns inte. "
            f"Välj bland: {', '.join(current_app.config['LANGUAGES'])}."
        )
    flows = library.flows().for_audience("guardian")
    if not flows:
        raise click.UsageError("Det finns inget flöde för vårdnadshavare.")
    with current_app.test_request_context():
        issued = invitations.issue(
            session=get_session(),
            child=child,
            flow=flows[0],
            guardian_name=guardian_name,
            language=language,
            with_code=with_code,
        )
        url = current_app.config["BASE_URL"].rstrip("/") + url_for(
            "guardian.step", token=issued.token
        )
    click.echo(f"Inbjudan för {guardian_name} ({language}) till frågorna om {child.name}.")
    click.echo(f"Länken gäller i {current_app.config['INVITATION_DAYS']} dagar:")
    click.echo(url)
    if issued.code:
        click.echo(f"Kod att säga eller skicka separat: {issued.code}")


def init_app(app: Flask) -> None:
    """Register the command groups."""
    app.cli.add_command(samtal_group)
