"""Command-line commands: start a conversation, invite a guardian, prepare the database."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from samtal import library, migrations, settings
from samtal.ages import age_of
from samtal.conversation import invitations, lifecycle, links
from samtal.db import get_session
from samtal.models import Child, Guardian
from samtal.staff import password_links


def first_run_url() -> str | None:
    """A new one-time link to create the first admin, or None when an active admin exists."""
    with current_app.test_request_context():
        token = password_links.issue_setup_token(session=get_session())
        if token is None:
            return None
        return links.external_url("auth.setup", token=token)


def require_language(language: str) -> None:
    """Stop with a clear message for a language the app does not have."""
    if language not in current_app.config["LANGUAGES"]:
        raise click.UsageError(
            f"Språket {language!r} finns inte. "
            f"Välj bland: {', '.join(current_app.config['LANGUAGES'])}."
        )


@click.group("samtal")
@click.pass_context
@with_appcontext
def samtal_group(context: click.Context) -> None:
    """Samtal: start conversations and prepare the app."""
    problem = current_app.extensions["samtal.schema_problem"]
    # What repairs or copies a database works on any schema; everything else needs it current.
    if problem and context.invoked_subcommand not in ("migrate", "revision", "backup", "restore"):
        raise click.ClickException(problem)


@samtal_group.command("migrate")
def migrate_command() -> None:
    """Bring the database's tables to this version (a deploy step: once, before the servers)."""
    done = migrations.migrate(current_app.extensions["samtal.engine"])
    click.echo(
        {
            "created": "Databasens tabeller är skapade.",
            "upgraded": "Databasens tabeller är uppdaterade.",
            "current": "Databasens tabeller är redan aktuella.",
        }[done]
    )


@samtal_group.command("revision")
@click.option("-m", "--message", required=True, help="Vad ändringen gör, kort.")
def revision_command(message: str) -> None:
    """Write a new migration from the models' difference to the newest one's tables."""
    click.echo("Ny migrering (läs och justera den): " + migrations.new_revision(message))


@samtal_group.command("init")
def init_command() -> None:
    """Print the first-run link while there is no admin, and say how to start a conversation."""
    click.echo("Samtal är redo. Databas: " + current_app.config["DATABASE_URL"].split("@")[-1])
    setup_url = first_run_url()
    if setup_url:
        click.echo(
            "\nDet finns ingen administratör ännu, och inget förvalt lösenord. Öppna den här\n"
            f"länken i en webbläsare för att skapa den första (den fungerar en gång och i\n"
            f"{password_links.setup_hours()} timmar; kör kommandot igen för en ny länk):\n"
            f"  {setup_url}\n"
        )
    click.echo(
        "Starta ett samtal i en annan terminal:\n"
        '  .venv/bin/flask --app app samtal start --age 8 --name "Testbarn"\n'
        "och öppna adressen den skriver på en surfplatta (eller i webbläsaren)."
    )


@samtal_group.command("start")
@click.option("--age", type=click.IntRange(4, 17), default=None, help="Barnets ålder, 4–17.")
@click.option("--name", default=None, help="Barnets namn eller pseudonym (nytt barn).")
@click.option(
    "--child", "child_id", type=int, default=None, help="Ett barn som redan finns (nummer, id)."
)
@click.option("--followup", is_flag=True, help="Ett uppföljningssamtal (kräver --child).")
@click.option(
    "--flow", "flow_id", default=None, help="Annan åldersgrupp än åldern ger, t.ex. barn-4-6."
)
@click.option("--lang", "language", default=None, help="Samtalets språk, t.ex. sv.")
def start_command(
    age: int | None,
    name: str | None,
    child_id: int | None,
    followup: bool,
    flow_id: str | None,
    language: str | None,
) -> None:
    """Start a conversation (new child, or --child N; --followup: a follow-up); print the URL."""
    session = get_session()
    child = None
    if child_id is not None:
        child = session.get(Child, child_id)
        if child is None:
            raise click.UsageError(f"Det finns inget barn med nummer {child_id}.")
    elif followup:
        raise click.UsageError("Ett uppföljningssamtal behöver --child (barnets nummer).")
    elif age is None or not name:
        raise click.UsageError("Ange --age och --name för ett nytt barn, eller --child N.")
    flow = library.flows().get(flow_id) if flow_id else None
    if flow_id and flow is None:
        raise click.UsageError(f"Hittar inget flöde som heter {flow_id}.")
    if language is not None:
        require_language(language)
    with current_app.test_request_context():
        if followup and child is not None:
            try:
                conversation = lifecycle.start_followup(
                    session=session,
                    flows=settings.installed_flows(),
                    child=child,
                    flow=flow,
                    age=age,
                    language=language,
                )
            except lifecycle.FollowupRefused as refused:
                raise click.UsageError(str(refused)) from refused
            flow = library.flows().of(conversation)
            if lifecycle.previous_conversation(session, conversation) is None:
                click.echo(
                    "Obs: barnet har inget avslutat samtal före detta. "
                    "Frågorna visas utan ”Förra gången”."
                )
        else:
            known_age = age if age is not None else age_of(child) if child else None
            if known_age is None:
                raise click.UsageError("Barnets ålder är okänd: ange --age.")
            flow = flow or settings.installed_flows().for_age(known_age)
            if flow is None:
                raise click.UsageError(f"Hittar inget flöde för {known_age} år.")
            conversation = lifecycle.start_conversation(
                session=session,
                flow=flow,
                name=name or (child.name if child else ""),
                age=known_age,
                language=language or (child.language if child else "sv"),
                child=child,
            )
        token = links.tablet_token(conversation.id or 0, conversation.link_nonce)
        url = links.external_url("tablet.step", token=token)
    assert flow is not None
    shown_name = child.name if child else name
    click.echo(
        f"Samtal {conversation.id} för {shown_name} ({flow.id}, version {flow.version}); "
        f"barnets nummer: {conversation.child_id}."
    )
    click.echo(f"Öppna på surfplattan (gäller i {current_app.config['TABLET_LINK_DAYS']} dagar):")
    click.echo(url)


@samtal_group.command("invite")
@click.option("--child", "child_id", type=int, required=True, help="Barnets nummer (id).")
@click.option("--lang", "language", default=None, help="Vårdnadshavarens språk, t.ex. ar.")
@click.option("--name", "guardian_name", default="Vårdnadshavare", help="Vårdnadshavarens namn.")
@click.option("--code/--no-code", "with_code", default=False, help="Kräv en kod med sex siffror.")
@click.option(
    "--followup",
    is_flag=True,
    help="Uppföljningsfrågor till en vårdnadshavare som redan finns (--guardian).",
)
@click.option(
    "--guardian", "guardian_id", type=int, default=None, help="Vårdnadshavarens nummer (id)."
)
def invite_command(
    child_id: int,
    language: str | None,
    guardian_name: str,
    with_code: bool,
    followup: bool,
    guardian_id: int | None,
) -> None:
    """Invite a guardian of a child to answer in their language, and print the link."""
    session = get_session()
    child = session.get(Child, child_id)
    if child is None:
        raise click.UsageError(f"Det finns inget barn med nummer {child_id}.")
    guardian = None
    if guardian_id is not None:
        guardian = session.get(Guardian, guardian_id)
        if guardian is None or guardian.child_id != child.id:
            raise click.UsageError(f"Barnet har ingen vårdnadshavare med nummer {guardian_id}.")
    elif followup:
        raise click.UsageError(
            "Uppföljningsfrågorna går till en vårdnadshavare som redan finns: ange --guardian."
        )
    language = language or (guardian.language if guardian else "sv")
    require_language(language)
    flows = settings.installed_flows().for_audience(
        "guardian", purpose="followup" if followup else "first"
    )
    if not flows:
        raise click.UsageError("Det finns inget flöde för vårdnadshavare.")
    with current_app.test_request_context():
        issued = invitations.issue(
            session=session,
            child=child,
            flow=flows[0],
            guardian_name=guardian_name,
            language=language,
            with_code=with_code,
            guardian=guardian,
        )
        url = links.external_url("guardian.step", token=issued.token)
    name = guardian.name if guardian else guardian_name
    what = "uppföljningsfrågorna" if followup else "frågorna"
    click.echo(f"Inbjudan för {name} ({language}) till {what} om {child.name}.")
    click.echo(f"Länken gäller i {current_app.config['INVITATION_DAYS']} dagar:")
    click.echo(url)
    if issued.code:
        click.echo(f"Kod att säga eller skicka separat: {issued.code}")


def init_app(app: Flask) -> None:
    """Register the command groups."""
    from samtal.records import commands as records_commands

    records_commands.register(samtal_group)
    app.cli.add_command(samtal_group)
