"""Serving in production: behind a proxy (ProxyFix, HSTS), JSON logs, an access log that names
routes (never paths: they carry the tokens), and /healthz for the load balancer."""

from __future__ import annotations

import json
import logging
import sys
import time
import traceback
from typing import Any

from flask import Blueprint, Flask, current_app, request
from flask.wrappers import Response
from sqlalchemy import text
from werkzeug.middleware.proxy_fix import ProxyFix

from samtal import migrations

bp = Blueprint("serving", __name__)
ROUTE_KEY = "samtal.route"
NO_STORE = {"Cache-Control": "no-store"}


class JsonFormatter(logging.Formatter):
    """One JSON object a line. An exception is logged by type and frames only: its message can
    hold an SQL statement's parameters, that is, personal data."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(getattr(record, "fields", {}))
        if record.exc_info and record.exc_info[0] is not None:
            kind, _value, trace = record.exc_info
            entry["exception"] = kind.__name__
            entry["frames"] = [
                f"{frame.filename}:{frame.lineno} {frame.name}"
                for frame in traceback.extract_tb(trace)
            ]
        return json.dumps(entry, ensure_ascii=False)


class StdoutHandler(logging.StreamHandler):
    """Writes to sys.stdout as it is at each entry (servers and test runners replace it)."""

    @property  # type: ignore[override]
    def stream(self):
        """Standard output, now."""
        return sys.stdout

    @stream.setter
    def stream(self, _value) -> None:
        pass


def json_handler() -> logging.Handler:
    """JSON lines on stdout, where systemd's journal or the container runtime reads them."""
    handler = StdoutHandler()
    handler.setFormatter(JsonFormatter())
    return handler


def access_entry(environ: dict[str, Any], status: str | int, seconds: float, size: int | None):
    """The access log's fields for one request: the route (its rule, e.g. /samtal/<token>/),
    never the path or query (tokens, searched names); no address, no user agent, no referrer."""
    return {
        "method": environ.get("REQUEST_METHOD"),
        "route": environ.get(ROUTE_KEY) or "(no route)",
        "status": int(str(status).split()[0]),
        "ms": round(seconds * 1000, 1),
        "bytes": size,
    }


def init_app(app: Flask) -> None:
    """ProxyFix for SAMTAL_PROXY_FIX trusted hops, HSTS over https, JSON logs, /healthz."""
    hops = int(app.config["PROXY_FIX"] or 0)
    if hops:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops
        )
    if app.config["LOG_FORMAT"] == "json" and not any(
        isinstance(handler.formatter, JsonFormatter) for handler in app.logger.handlers
    ):
        app.logger.handlers.clear()
        app.logger.addHandler(json_handler())
        app.logger.setLevel(logging.INFO)
    app.register_blueprint(bp)

    @app.before_request
    def _note_route() -> None:
        # Read by the access log (samtal.web.gunicorn.AccessLogger), which sees only the environ.
        if request.url_rule is not None:
            request.environ[ROUTE_KEY] = request.url_rule.rule

    @app.after_request
    def _strict_transport(response: Response) -> Response:
        if request.is_secure and app.config["HSTS_SECONDS"]:
            response.headers.setdefault(
                "Strict-Transport-Security", f"max-age={app.config['HSTS_SECONDS']}"
            )
        return response


@bp.get("/healthz")
def healthz():
    """200 when the database answers and its schema is this version's; 503 otherwise."""
    engine = current_app.extensions["samtal.engine"]
    started = time.perf_counter()
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        problem = migrations.schema_problem(engine)
    except Exception as error:  # any failure to reach the database is the answer here
        current_app.logger.warning("healthz: database unreachable (%s)", type(error).__name__)
        return {"status": "unavailable", "database": "unreachable"}, 503, NO_STORE
    body = {
        "status": "ok" if problem is None else "unavailable",
        "database": "reachable",
        "schema": "current" if problem is None else "behind",
        "ms": round((time.perf_counter() - started) * 1000, 1),
    }
    return body, 200 if problem is None else 503, NO_STORE
