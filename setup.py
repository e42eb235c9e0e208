"""The wheel carries what the app serves: templates, static files, compiled translations and
the export schema go inside the samtal package (samtal.shipped() finds them there)."""

import shutil
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from setuptools import setup
from setuptools.command.build_py import build_py

SHIPPED = ("templates", "static", "i18n", "schema")


class BuildWithServedFiles(build_py):
    """build_py, then the served directories copied in and every catalog compiled."""

    def run(self):
        """Copy and compile into the build (an editable install reads the checkout)."""
        super().run()
        if self.editable_mode:
            return
        if not Path("static/vendor/htmx.min.js").exists():
            raise SystemExit("static/vendor/htmx.min.js is missing: run scripts/setup.sh first")
        target = Path(self.build_lib) / "samtal"
        for name in SHIPPED:
            shutil.copytree(
                name, target / name, dirs_exist_ok=True, ignore=shutil.ignore_patterns("*.mo")
            )
        for catalog in (target / "i18n").glob("*/LC_MESSAGES/*.po"):
            with catalog.open("rb") as source:
                messages = read_po(source)
            with catalog.with_suffix(".mo").open("wb") as compiled:
                write_mo(compiled, messages)


setup(cmdclass={"build_py": BuildWithServedFiles})
