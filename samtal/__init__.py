"""Samtal: barnsamtal for Backa barnet, from the child's and the guardians' own words."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask

from samtal.config import shipped


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app: config, database, languages, flows and pictures (checked), pages."""
    from samtal import cli, config, db, i18n, inputs, library, server_sessions, settings
    from samtal.family import adult_panel, guardian, tablet
    from samtal.staff import (
        access,
        admin,
        auth,
        sso,
        statistics,
        summary,
        translation,
        two_factor,
        workspace,
    )
    from samtal.web import pages, security, serving

    app = Flask(
        __name__,
        # Where config.py, the secret key file and the default SQLite database live; an
        # installed package's default (under sys.prefix) is rarely writable by the service.
        instance_path=os.environ.get("SAMTAL_INSTANCE_PATH") or None,
        instance_relative_config=True,
        template_folder=str(shipped("templates")),
        static_folder=str(shipped("static")),
    )
    config.load(app, test_config)
    inputs.init_app(app)
    db.init_app(app)
    server_sessions.init_app(app)
    i18n.init_app(app)
    library.init_app(app)
    security.init_app(app)
    serving.init_app(app)
    pages.init_app(app)
    for blueprint in (tablet.bp, adult_panel.bp, guardian.bp):
        app.register_blueprint(blueprint)
    for blueprint in (
        auth.bp,
        workspace.bp,
        summary.bp,
        admin.bp,
        two_factor.bp,
        sso.bp,
        translation.bp,
    ):
        app.register_blueprint(blueprint)
    app.register_blueprint(statistics.bp)
    app.jinja_env.globals["current_staff"] = access.current_staff
    app.jinja_env.globals["area_label"] = settings.area_label
    app.jinja_env.globals["area_label_both"] = settings.area_label_both
    app.jinja_env.globals["offered_languages"] = settings.languages_offered
    app.jinja_env.globals["role_name"] = settings.role_name
    app.extensions["samtal.role_name"] = settings.role_name
    cli.init_app(app)
    return app
