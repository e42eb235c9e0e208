"""Keep the translation catalogs in i18n/ in step with the code, templates and flows.

Run as `.venv/bin/python -m samtal.tools.translations update|compile|add LANG`: it needs no app,
so a new flow text can be extracted before the app (which checks the template) starts.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click

from samtal.config import ROOT

I18N = ROOT / "i18n"
TEMPLATE = I18N / "messages.pot"
STAFF_TEMPLATE = I18N / "staff.pot"
# The staff pages' catalogs (English for a GIRFEC installation), kept apart from the families'.
STAFF_CATALOGS = I18N / "staff"


@click.group("translations")
def translate_group() -> None:
    """Keep the translation catalogs in i18n/ in step with the code and the flows."""


def _pybabel(*args: str) -> None:
    executable = Path(sys.executable).with_name("pybabel")
    subprocess.run([str(executable), *args], check=True, cwd=ROOT)  # noqa: S603 (our pybabel)


@translate_group.command("update")
def update_command() -> None:
    """Extract every text into messages.pot (families) and staff.pot; update every catalog."""
    extract("babel.cfg", TEMPLATE)
    extract("babel-staff.cfg", STAFF_TEMPLATE)
    if any(I18N.glob("*/LC_MESSAGES/messages.po")):
        _pybabel("update", "-i", str(TEMPLATE), "-d", str(I18N), "--no-fuzzy-matching")
    if any(STAFF_CATALOGS.glob("*/LC_MESSAGES/messages.po")):
        _pybabel(
            "update", "-i", str(STAFF_TEMPLATE), "-d", str(STAFF_CATALOGS), "--no-fuzzy-matching"
        )


def extract(config: str, output: Path) -> None:
    """Run pybabel extract with one mapping file into one template."""
    _pybabel(
        "extract",
        "-F",
        config,
        "-k",
        "_l",
        "-k",
        "both",
        "--no-location",
        "--sort-by-file",
        "--omit-header",
        "-o",
        str(output),
        ".",
    )


@translate_group.command("compile")
def compile_command() -> None:
    """Compile every catalog so the app can use it."""
    _pybabel("compile", "-d", str(I18N))
    if STAFF_CATALOGS.is_dir():
        _pybabel("compile", "-d", str(STAFF_CATALOGS))


@translate_group.command("add")
@click.argument("language")
def add_command(language: str) -> None:
    """Start a catalog for a new language."""
    _pybabel("init", "-i", str(TEMPLATE), "-d", str(I18N), "-l", language)


@translate_group.command("wheel")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
def wheel_command(directory: Path) -> None:
    """A wheel of your own (a folder with frameworks/ and flow files): its texts into
    DIRECTORY/i18n/messages.pot and a catalog per language, texts the app already translates
    filled in; translate the rest in DIRECTORY/i18n/<lang>/LC_MESSAGES/messages.po, run again."""
    for language, done, left in update_wheel(directory):
        click.echo(f"{language}: {done} översatta, {left} kvar att översätta")


def update_wheel(directory: Path) -> list[tuple[str, int, int]]:
    """Extract, update, fill from the app's catalogs and compile a wheel's own catalogs."""
    from babel.messages.pofile import read_po, write_po

    from samtal.config import DEFAULTS

    catalogs = directory / "i18n"
    catalogs.mkdir(exist_ok=True)
    template = catalogs / "messages.pot"
    mapping = catalogs / "babel.cfg"
    mapping.write_text("[samtal_toml: **.toml]\n", encoding="utf-8")
    _pybabel(
        "extract",
        "-F",
        str(mapping),
        "--no-location",
        "--omit-header",
        "-o",
        str(template),
        str(directory),
    )
    counts = []
    for language in [code for code in DEFAULTS["LANGUAGES"] if code != "sv"]:
        po = catalogs / language / "LC_MESSAGES" / "messages.po"
        verb = "update" if po.exists() else "init"
        _pybabel(verb, "-i", str(template), "-d", str(catalogs), "-l", language)
        with po.open("rb") as handle:
            catalog = read_po(handle, locale=language)
        main = I18N / language / "LC_MESSAGES" / "messages.po"
        known = {}
        if main.exists():
            with main.open("rb") as handle:
                known = {m.id: m.string for m in read_po(handle) if m.id and m.string}
        for message in catalog:
            if message.id and not message.string and message.id in known:
                message.string = known[message.id]
        with po.open("wb") as handle:
            write_po(handle, catalog, width=76)
        done = sum(1 for m in catalog if m.id and m.string)
        counts.append((language, done, sum(1 for m in catalog if m.id) - done))
    _pybabel("compile", "-d", str(catalogs))
    return counts


if __name__ == "__main__":
    translate_group()
