"""Invitations to an account: a signed link that lets its holder choose their own password.

The token carries the user's id and a fingerprint of their current password hash, signed with
the app's secret and a timestamp. It expires after VALID_HOURS, and it works once: choosing a
password changes the hash, so the fingerprint no longer matches and the link is dead. Nothing is
stored: the link is the whole invitation.
"""

import hashlib

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

from conference.accounts import services
from conference.accounts.models import User
from conference.core import audit, clock
from conference.core.links import public_url
from conference.extensions import db

VALID_HOURS = 72
SALT = "account-welcome"


class InvitationError(services.AccountError):
    pass


class _ClockSigner(TimestampSigner):
    """Signs and checks the age on the conference's one clock, which tests can set."""

    def get_timestamp(self) -> int:
        return int(clock.now().timestamp())


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT, signer=_ClockSigner)


def _fingerprint(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:32]


def make_token(user: User) -> str:
    """A link's token for `user`, valid VALID_HOURS and until their password changes."""
    return _serializer().dumps({"user": user.id, "hash": _fingerprint(user)})


def welcome_url(token: str) -> str:
    return public_url("accounts.welcome", token=token)


def user_for(token: str) -> User:
    """The account an invitation opens, or an InvitationError saying why it does not."""
    try:
        data = _serializer().loads(token or "", max_age=VALID_HOURS * 3600)
    except SignatureExpired as error:
        raise InvitationError(_l("This invitation has expired. Ask the organizers to send a new one.")) from error
    except (BadSignature, ValueError, TypeError) as error:
        raise InvitationError(_l("This invitation link is not valid.")) from error
    user = db.session.get(User, data.get("user")) if isinstance(data, dict) and isinstance(data.get("user"), int) else None
    if user is None or not user.active or data.get("hash") != _fingerprint(user):
        raise InvitationError(_l("This invitation has been used already. Sign in with the password you chose."))
    return user


def accept(token: str, password: str) -> User:
    """The invited person chooses their password (the strength rules of every account); the
    link dies with the old hash."""
    user = user_for(token)
    services.set_password(user, password, actor=user)
    audit.record("user.invitation_accepted", user, actor=user)
    return user
