"""Keep the translation catalogs in i18n/ in step with the code, templates and flows.

Run as `.venv/bin/python -m samtal.translations update|compile|add LANG`: it needs no app,
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


@translate_group.command("add")
@click.argument("language")
def add_command(language: str) -> None:
    """Start a catalog for a new language."""
    _pybabel("init", "-i", str(TEMPLATE), "-d", str(I18N), "-l", language)


if __name__ == "__main__":
    translate_group()
