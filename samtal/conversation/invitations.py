"""Guardian invitations: a signed, expiring link bound to one guardian's questionnaire."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, timedelta

from flask import current_app
from itsdangerous import (
    BadSignature,
    SignatureExpired,
    TimestampSigner,
    URLSafeTimedSerializer,
)
from sqlmodel import Session

from samtal import limits
from samtal.ages import age_of
from samtal.conversation import lifecycle, links
from samtal.flows import Flow
from samtal.models import Child, Conversation, Guardian, Invitation, utcnow

SALT = "samtal.guardian-invitation"
MAX_CODE_ATTEMPTS = 5


class InvitationRefused(Exception):
    """An invitation that cannot be used: invalid, expired, locked; language for the kind page."""

    def __init__(self, reason: str, language: str = "sv"):
        super().__init__(reason)
        self.reason, self.language = reason, language


@dataclass(frozen=True)
class Issued:
    """A new invitation with its token and, if asked for, the short code to say aloud."""

    invitation: Invitation
    conversation: Conversation
    token: str
    code: str | None


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(links.signing_keys(), salt=SALT)


def _code_hash(code: str, key: str | None = None) -> str:
    secret = (key or current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, code.strip().encode(), hashlib.sha256).hexdigest()


def issue(
    *,
    session: Session,
    child: Child,
    flow: Flow,
    guardian_name: str = "",
    language: str,
    contact: str | None = None,
    with_code: bool = False,
    guardian: Guardian | None = None,
) -> Issued:
    """Register the guardian (unless one on record is given) and create their questionnaire
    and invitation."""
    if guardian is None:
        guardian = Guardian(
            child_id=child.id or 0,
            name=guardian_name.strip()[:80],
            language=language,
            contact=contact,
        )
        session.add(guardian)
        session.flush()
    conversation = lifecycle.start_conversation(
        session=session,
        flow=flow,
        name=child.name,
        age=age_of(child) or 0,
        language=language,
        child=child,
        guardian_id=guardian.id,
    )
    code = f"{secrets.randbelow(10**6):06d}" if with_code else None
    days = current_app.config["INVITATION_DAYS"]
    invitation = Invitation(
        guardian_id=guardian.id or 0,
        conversation_id=conversation.id or 0,
        nonce=secrets.token_hex(8),
        code_hash=_code_hash(code) if code else None,
        expires_at=utcnow() + timedelta(days=days),
    )
    session.add(invitation)
    session.commit()
    token = link_token(invitation, language)
    return Issued(invitation=invitation, conversation=conversation, token=token, code=code)


def link_token(invitation: Invitation, language: str) -> str:
    """The token of an invitation's link, signed as of its creation: showing the link again
    never gives it more time than the invitation has."""
    created = invitation.created_at
    stamp = int((created if created.tzinfo else created.replace(tzinfo=UTC)).timestamp())

    class AsCreated(TimestampSigner):
        def get_timestamp(self) -> int:
            return stamp

    serializer = URLSafeTimedSerializer(links.signing_keys(), salt=SALT, signer=AsCreated)
    return str(serializer.dumps({"i": invitation.id, "n": invitation.nonce, "l": language}))


def open_invitation(session: Session, token: str) -> tuple[Invitation, Conversation]:
    """The invitation and questionnaire a token grants; raises InvitationRefused."""
    max_age = int(current_app.config["INVITATION_DAYS"] * 86400)
    serializer = _serializer()
    try:
        data = serializer.loads(token, max_age=max_age)
    except SignatureExpired as error:
        raise InvitationRefused("expired", _language_hint(serializer, token)) from error
    except BadSignature as error:
        raise InvitationRefused("invalid", _language_hint(serializer, token)) from error
    invitation = session.get(Invitation, data.get("i")) if isinstance(data, dict) else None
    if invitation is None or invitation.nonce != data.get("n"):
        raise InvitationRefused(
            "invalid", str(data.get("l", "sv")) if isinstance(data, dict) else "sv"
        )
    conversation = session.get(Conversation, invitation.conversation_id)
    if conversation is None:
        raise InvitationRefused("invalid")
    if invitation.failed_codes >= MAX_CODE_ATTEMPTS:
        raise InvitationRefused("locked", conversation.language)
    return invitation, conversation


def _language_hint(serializer: URLSafeTimedSerializer, token: str) -> str:
    """The language written in a refused token, to say 'no' kindly in it; nothing else is read."""
    try:
        _valid, data = serializer.loads_unsafe(token)
    except Exception:  # noqa: BLE001 - a mangled token has no hint, and that is fine
        return "sv"
    language = data.get("l") if isinstance(data, dict) else None
    return language if isinstance(language, str) and len(language) <= 12 else "sv"


def check_code(session: Session, invitation: Invitation, code: str) -> str:
    """ "right", "wrong" (try again) or "locked": every try is counted first, and the try that
    reaches MAX_CODE_ATTEMPTS locks the invitation if wrong (tries past the limit are not
    checked at all). Decided by this request's own count, so forty at once are told the
    same as forty one after another."""
    if invitation.code_hash is None:
        return "right"
    attempt = limits.claim_code(session, invitation.id or 0, MAX_CODE_ATTEMPTS)
    if attempt is None:
        return "locked"
    if any(
        hmac.compare_digest(invitation.code_hash, _code_hash(code or "", key))
        for key in links.signing_keys()
    ):
        limits.code_right(session, invitation.id or 0)
        return "right"
    return "locked" if attempt >= MAX_CODE_ATTEMPTS else "wrong"
    if any(
        hmac.compare_digest(invitation.code_hash, _code_hash(code or "", key))
        for key in links.signing_keys()
    ):
        limits.code_right(session, invitation.id or 0)
        return True
    session.refresh(invitation)
    return False
