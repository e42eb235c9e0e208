"""Configuration: every setting's default, once, and how an installation overrides them."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask

PACKAGE = Path(__file__).resolve().parent
ROOT = PACKAGE.parent


def shipped(name: str) -> Path:
    """A directory of files the app serves (templates, static, i18n, schema): inside the package
    when installed from a wheel (setup.py puts them there), beside it in a checkout."""
    inside = PACKAGE / name
    return inside if inside.is_dir() else ROOT / name


# Each single sign-on method and the settings it cannot work without.
SSO_NEEDS: dict[str, tuple[str, ...]] = {
    "none": (),
    "saml": ("SAML_IDP_METADATA",),
    "oidc": ("OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET"),
}
DEFAULTS: dict[str, Any] = {
    "TABLET_LINK_DAYS": 7,
    "INVITATION_DAYS": 14,
    "ADULT_PANEL_MINUTES": 10,
    # How long after a child's "Nej" at the start the adult may undo it (the same visit).
    "UNDO_DECLINE_MINUTES": 30,
    "IDLE_MINUTES": 20,
    # Every session ends this long after it began, however busy (idle or not).
    "SESSION_HOURS": 10,
    "LOGIN_ATTEMPTS": 5,
    "LOGIN_ADDRESS_ATTEMPTS": 20,
    # How long an account (and an address) waits after too many wrong passwords.
    "LOCK_MINUTES": 15,
    "SETUP_LINK_HOURS": 24,
    "PASSWORD_LINK_DAYS": 7,
    # Wrong two-factor codes per account before it waits (LOCK_MINUTES).
    "TOTP_ATTEMPTS": 5,
    # Staff single sign-on: "none", "saml" or "oidc", with that method's settings below.
    "SSO": "none",
    "SAML_IDP_METADATA": None,
    "SAML_EMAIL_ATTRIBUTE": "mail",
    "OIDC_ISSUER": None,
    "OIDC_CLIENT_ID": None,
    "OIDC_CLIENT_SECRET": None,
    # Named on the accessibility statement when set.
    "ORGANISATION": None,
    "ACCESSIBILITY_CONTACT": None,
    # From this age the child's own consent is needed too before anything is shared.
    "CHILD_CONSENT_AGE": 15,
    "BASE_URL": "http://127.0.0.1:5000",
    # Threads per worker (gunicorn.conf.py passes gunicorn's own): the pool's default.
    "THREADS": 8,
    # Connections per worker; by default one per thread (pool) and a few more (overflow).
    "DATABASE_POOL_SIZE": None,
    "DATABASE_MAX_OVERFLOW": None,
    # Proxies in front that set X-Forwarded-For/-Proto/-Host/-Port (0: none, trust nothing).
    "PROXY_FIX": 0,
    "HSTS_SECONDS": 365 * 24 * 3600,
    # "json": one JSON object a line on stdout; anything else leaves Flask's own logging.
    "LOG_FORMAT": "json",
    # Keys being retired: links and sessions signed with them still work (README, "Drift").
    "SECRET_KEY_FALLBACKS": [],
    # Guardian invitations by e-mail: the SMTP server that sends them (MAIL_SECURITY is
    # starttls, ssl or none; MAIL_USERNAME empty means no sign-in).
    "MAIL_SERVER": "localhost",
    "MAIL_PORT": 25,
    "MAIL_SECURITY": "starttls",
    "MAIL_USERNAME": None,
    "MAIL_PASSWORD": None,
    "MAIL_FROM": "Samtal <samtal@localhost>",
    "MAIL_TIMEOUT": 10,
    # The reporting duty the adult is reminded of; check it against current law locally.
    "REPORTING_DUTY_REFERENCE": "socialtjänstlagen, SFS 2025:400",
    "EXTRA_FLOW_DIRS": [],
    # The framework new conversations run under until an admin chooses one (admin pages).
    "FRAMEWORK": "behovskompass",
    # The staff pages' language: "sv" (the source) or "en" (i18n/staff/en, e.g. for GIRFEC).
    "STAFF_LANGUAGE": "sv",
    # Off only in tests whose flows have texts the translation template does not know.
    "CHECK_TRANSLATION_TEMPLATE": True,
    "LANGUAGES": ["sv", "en", "ar", "fa", "so", "ti", "uk", "fi"],
    "BABEL_DEFAULT_LOCALE": "sv",
    "BABEL_DEFAULT_TIMEZONE": "Europe/Stockholm",
    "BABEL_TRANSLATION_DIRECTORIES": str(shipped("i18n")),
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_NAME": "samtal",
    # The longest legal form is the summary's: 22 texts of at most 4,000 characters, which a
    # browser sends percent-encoded at up to 12 bytes a character (about 1 MB).
    "MAX_CONTENT_LENGTH": 1280 * 1024,
    # One form field held in memory: a child's drawing (a PNG of at most 500 kB, base64).
    "MAX_FORM_MEMORY_SIZE": 768 * 1024,
    "COMPRESS_MIN_SIZE": 128,
    # Brotli first, also for static files (sent streamed): on these small files it saves
    # about a tenth over Flask-Compress's default, zstd.
    "COMPRESS_ALGORITHM": ["br", "gzip", "deflate"],
    "COMPRESS_ALGORITHM_STREAMING": ["br", "deflate"],
    "COMPRESS_MIMETYPES": [
        "text/html",
        "text/css",
        "text/javascript",
        "application/javascript",
        "image/svg+xml",
    ],
}


def _secret_key(key_file: Path) -> str:
    """The instance's secret key: SAMTAL_SECRET_KEY, or one made once and kept in key_file."""
    if os.environ.get("SAMTAL_SECRET_KEY"):
        return os.environ["SAMTAL_SECRET_KEY"]
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.touch(mode=0o600)
        key_file.write_text(secrets.token_hex(32))
    return key_file.read_text().strip()


def load(app: Flask, test_config: dict[str, Any] | None = None) -> None:
    """Defaults, then instance/config.py and SAMTAL_* variables (or the tests' own config)."""
    instance_path = Path(app.instance_path)
    instance_path.mkdir(parents=True, exist_ok=True)
    instance_path.chmod(0o700)  # every child's data and the secret key live here
    app.config.from_mapping(DEFAULTS)
    app.config["DATABASE_URL"] = os.environ.get(
        "DATABASE_URL", f"sqlite:///{instance_path / 'samtal.db'}"
    )
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("SAMTAL")
    else:
        app.config.from_mapping(test_config)
    # Where a made key is kept (and where a restore puts the backup's key).
    app.config.setdefault("SECRET_KEY_FILE", str(instance_path / "secret_key"))
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key(Path(app.config["SECRET_KEY_FILE"]))
    if str(app.config["BASE_URL"]).startswith("https://"):
        # Flask's own default (False) is always there, so a setdefault would change nothing.
        app.config["SESSION_COOKIE_SECURE"] = True
    check(app.config)


# Swedish is the staff pages' source; each other language has a catalog in i18n/staff/.
STAFF_LANGUAGES = ("sv", "en")


def check(config: dict[str, Any]) -> None:
    """Refuse to start on a setting of the wrong type, naming it (e.g. "20" for a number), or on
    a single sign-on method without its settings."""
    for key, default in DEFAULTS.items():
        value = config.get(key)
        if default is None or value is None:
            continue
        expected: tuple[type, ...] = (int, float) if type(default) is int else (type(default),)
        if isinstance(value, bool) is not isinstance(default, bool) or not isinstance(
            value, expected
        ):
            raise ValueError(
                f"Inställningen {key} ska vara {type(default).__name__}, inte {value!r}"
            )
    if config["STAFF_LANGUAGE"] not in STAFF_LANGUAGES:
        raise ValueError(
            f"SAMTAL_STAFF_LANGUAGE ska vara {' eller '.join(STAFF_LANGUAGES)}, "
            f"inte {config['STAFF_LANGUAGE']!r}"
        )
    needs = SSO_NEEDS.get(config["SSO"])
    if needs is None:
        raise ValueError(f"SAMTAL_SSO ska vara none, saml eller oidc, inte {config['SSO']!r}")
    missing = ", ".join(f"SAMTAL_{key}" for key in needs if not config.get(key))
    if missing:
        raise ValueError(f"SAMTAL_SSO={config['SSO']} behöver {missing}")
