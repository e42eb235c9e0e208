"""The flows and pictures the app runs, loaded and checked once when the app starts."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, abort, current_app

from samtal.flows import FLOWS_DIR, Flow, FlowLibrary, load_library
from samtal.flows.loader import own_catalogs
from samtal.illustrations import Picture, load_pictures


def init_app(app: Flask) -> None:
    """Load every picture and flow; a broken file stops the start with a clear message."""
    pictures = load_pictures()
    template = Path(app.config["BABEL_TRANSLATION_DIRECTORIES"]) / "messages.pot"
    # A municipality's own wheels: the instance folder's flows/, then any configured folder.
    own = Path(app.instance_path) / "flows"
    flow_dirs = [
        FLOWS_DIR,
        *([own] if own.is_dir() else []),
        *map(Path, app.config["EXTRA_FLOW_DIRS"]),
    ]
    app.extensions["samtal.pictures"] = pictures
    loaded = load_library(
        flow_dirs,
        known_pictures=set(pictures),
        translation_template=template if app.config["CHECK_TRANSLATION_TEMPLATE"] else None,
    )
    app.extensions["samtal.flows"] = loaded
    # Their own catalogs are merged after the app's (Flask-Babel reads every directory listed).
    directories = app.extensions["babel"].translation_directories
    for folder in sorted({str(c) for f in loaded.every_version() if (c := own_catalogs(f))}):
        if folder not in directories:
            directories.append(folder)


def flows() -> FlowLibrary:
    """Every flow the app runs."""
    return current_app.extensions["samtal.flows"]


def flow_or_404(flow_id: str, version: int | None = None) -> Flow:
    """The flow with this id (in this version while it is kept, see FlowLibrary.get); a 404
    if no version of it is there."""
    flow = flows().get(flow_id, version)
    if flow is None:
        abort(404)
    return flow


def pictures() -> dict[str, Picture]:
    """Every picture, by id."""
    return current_app.extensions["samtal.pictures"]
