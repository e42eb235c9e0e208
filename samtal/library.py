"""The flows and pictures the app runs, loaded and checked once when the app starts."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, abort, current_app

from samtal.flows import FLOWS_DIR, Flow, FlowLibrary, load_library
from samtal.illustrations import Picture, load_pictures


def init_app(app: Flask) -> None:
    """Load every picture and flow; a broken file stops the start with a clear message."""
    pictures = load_pictures()
    template = Path(app.config["BABEL_TRANSLATION_DIRECTORIES"]) / "messages.pot"
    flow_dirs = [FLOWS_DIR, *map(Path, app.config["EXTRA_FLOW_DIRS"])]
    app.extensions["samtal.pictures"] = pictures
    app.extensions["samtal.flows"] = load_library(
        flow_dirs,
        known_pictures=set(pictures),
        translation_template=template if app.config["CHECK_TRANSLATION_TEMPLATE"] else None,
    )


def flows() -> FlowLibrary:
    """Every flow the app runs."""
    return current_app.extensions["samtal.flows"]


def flow_or_404(flow_id: str) -> Flow:
    """The flow with this id; a 404 if it is gone."""
    flow = flows().get(flow_id)
    if flow is None:
        abort(404)
    return flow


def pictures() -> dict[str, Picture]:
    """Every picture, by id."""
    return current_app.extensions["samtal.pictures"]
