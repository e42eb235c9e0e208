"""Pages that belong to no one conversation: start page, pictures, credits, error pages."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    g,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from markupsafe import Markup
from werkzeug.exceptions import HTTPException

from samtal import library, recordings
from samtal.db import get_session
from samtal.flows import AUDIO_SUFFIXES, Step
from samtal.i18n import current_locale
from samtal.illustrations import OPENMOJI_LICENSE_URL, OPENMOJI_VERSION
from samtal.models import Recording
from samtal.staff import password_links

bp = Blueprint("web", __name__)


@cache
def _file_version(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:10]


def static_url(filename: str) -> str:
    """A static file's URL with its content hash, so it can be cached for a year."""
    version = _file_version(str(Path(current_app.static_folder or "") / filename))
    return url_for("static", filename=filename, v=version)


def picture_url(picture_id: str) -> str:
    """A picture's URL with its content hash."""
    picture = library.pictures()[picture_id]
    return url_for("web.picture", picture_id=picture_id, v=picture.version)


def inline_picture(picture_id: str, size: int = 64) -> Markup:
    """A decorative picture drawn inline: a step's own answer pictures come with the step,
    compressed together with it, instead of one request each."""
    svg = library.pictures()[picture_id].svg.decode("utf-8")
    attributes = (
        f'aria-hidden="true" focusable="false" width="{size}" height="{size}" class="picture"'
    )
    # The picture library's own SVG files (checked at start), no user input.
    return Markup(svg.replace("<svg ", f"<svg {attributes} ", 1))  # noqa: S704


def picture_alt(picture_id: str) -> str:
    """The picture's alt text in the page's language."""
    return _(library.pictures()[picture_id].alt)


@bp.get("/")
def index():
    """The front door: what Samtal is, sign-in (or, before the first admin, how they begin),
    where children and guardians go, the accessibility statement and the picture credits."""
    first_run = not password_links.active_admin_exists(session=get_session())
    return render_template("index.html", first_run=first_run)


@bp.get("/om-bilderna")
def about_pictures():
    """Credits for the pictures (OpenMoji, CC BY-SA 4.0) and those drawn for Samtal."""
    pictures = sorted(library.pictures().values(), key=lambda p: p.id)
    return render_template(
        "about_pictures.html",
        pictures=pictures,
        license_url=OPENMOJI_LICENSE_URL,
        openmoji_version=OPENMOJI_VERSION,
    )


@bp.get("/tillganglighet")
def accessibility():
    """The accessibility statement (tillgänglighetsredogörelse), after Digg's model. The
    organisation's name and a contact for reporting shortcomings come from the configuration
    (ORGANISATION, ACCESSIBILITY_CONTACT) when set."""
    return render_template(
        "accessibility.html",
        organisation=current_app.config.get("ORGANISATION"),
        contact=current_app.config.get("ACCESSIBILITY_CONTACT"),
    )


@bp.get("/bild/<picture_id>.svg")
def picture(picture_id: str):
    """One picture as SVG."""
    found = library.pictures().get(picture_id)
    if found is None:
        abort(404)
    return Response(found.svg, mimetype="image/svg+xml")


def voice_url(text: str, step: Step | None = None) -> str | None:
    """A recorded read-aloud of a text in the page's language: one recorded on the recording
    page first, else the step's audio file shipped beside the flow; None when neither exists."""
    language = current_locale()
    found = recordings.recorded(get_session(), language).get(recordings.text_key(text))
    if found is not None:
        return url_for("web.recording", recording_id=found[0], digest=found[1][:16])
    if step is None or step.text != text or language not in step.audio or "flow" not in g:
        return None
    return url_for(
        "web.recorded_audio",
        flow_id=g.flow.id,
        step_id=step.id,
        language=language,
        version=g.flow.version,
    )


@bp.get("/ljud/inspelning/<int:recording_id>/<digest>")
def recording(recording_id: int, digest: str):
    """A recording made on the recording page; a new take has a new digest: cached for good."""
    found = get_session().get(Recording, recording_id)
    if found is None or not found.digest.startswith(digest) or len(digest) < 16:
        abort(404)
    response = Response(found.data, mimetype=found.mimetype)
    response.cache_control.public = True
    response.cache_control.max_age = 365 * 24 * 3600
    return response


@bp.get("/ljud/<flow_id>/<step_id>/<language>")
def recorded_audio(flow_id: str, step_id: str, language: str):
    """A recorded read-aloud of one step in one language (of the flow's version asked for)."""
    version = request.args.get("version", type=int)
    step = library.flow_or_404(flow_id, version).step(step_id)
    if step is None or language not in step.audio:
        abort(404)
    file = step.audio[language]
    return send_file(file, mimetype=AUDIO_SUFFIXES[file.suffix], max_age=3600)


def _error_page(error: HTTPException):
    return render_template("error.html", error=error), error.code or 500


def init_app(app: Flask) -> None:
    """Register the pages, the template helpers and the Swedish error pages."""
    app.register_blueprint(bp)
    app.jinja_env.globals.update(
        static_url=static_url,
        picture_url=picture_url,
        picture_alt=picture_alt,
        voice_url=voice_url,
        inline_picture=inline_picture,
    )
    app.register_error_handler(HTTPException, _error_page)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        app.logger.exception("unexpected error")
        return render_template("error.html", error=None), 500
