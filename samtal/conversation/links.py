"""Signed links and form keys (itsdangerous): each grants one conversation and nothing else."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from flask import current_app, url_for
from itsdangerous import BadSignature, SignatureExpired, URLSafeSerializer, URLSafeTimedSerializer

TABLET_SALT = "samtal.tablet-link"
STEP_FORM_SALT = "samtal.step-form"


class LinkRefused(Exception):
    """A link that is tampered with or expired; reason is 'invalid' or 'expired'."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class StepForm:
    """What a step's form carries back: which conversation and step, and a one-time key."""

    conversation_id: int
    step_id: str
    key: str


def signing_keys() -> list[str]:
    """The keys a link is checked against, oldest first: SECRET_KEY_FALLBACKS (keys being
    retired, so links given out before a rotation keep working), then SECRET_KEY, which signs."""
    return [
        *(current_app.config.get("SECRET_KEY_FALLBACKS") or []),
        current_app.config["SECRET_KEY"],
    ]


def _timed(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(signing_keys(), salt=salt)


def tablet_token(conversation_id: int, nonce: str) -> str:
    """A token for the tablet URL of one conversation."""
    return _timed(TABLET_SALT).dumps({"c": conversation_id, "n": nonce})


def read_tablet_token(token: str) -> tuple[int, str]:
    """The conversation id and nonce in a tablet token; raises LinkRefused."""
    max_age = int(current_app.config["TABLET_LINK_DAYS"] * 86400)
    try:
        data = _timed(TABLET_SALT).loads(token, max_age=max_age)
    except SignatureExpired as error:
        raise LinkRefused("expired") from error
    except BadSignature as error:
        raise LinkRefused("invalid") from error
    if not isinstance(data, dict) or not isinstance(data.get("c"), int):
        raise LinkRefused("invalid")
    return data["c"], str(data.get("n"))


def step_form_token(conversation_id: int, step_id: str) -> str:
    """A signed key for one rendering of a step's form (CSRF and double-tap guard in one)."""
    serializer = URLSafeSerializer(signing_keys(), salt=STEP_FORM_SALT)
    return str(serializer.dumps([conversation_id, step_id, secrets.token_urlsafe(12)]))


def read_step_form_token(token: str | None) -> StepForm | None:
    """The step form a token was made for, or None when it is missing or tampered with."""
    if not token:
        return None
    serializer = URLSafeSerializer(signing_keys(), salt=STEP_FORM_SALT)
    try:
        conversation_id, step_id, key = serializer.loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    return StepForm(conversation_id=int(conversation_id), step_id=str(step_id), key=str(key))


def external_url(endpoint: str, **values: Any) -> str:
    """A link to send, print or show as a QR code: the configured BASE_URL, not this request's."""
    return current_app.config["BASE_URL"].rstrip("/") + url_for(endpoint, **values)


def tablet_path(conversation_id: int, nonce: str) -> str:
    """The path of a conversation's child screen, with a fresh signed token."""
    return url_for("tablet.step", token=tablet_token(conversation_id, nonce))
