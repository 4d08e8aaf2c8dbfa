"""Accounts: creating users, checking passwords (argon2), changing roles, ending sessions."""

import gzip
import string
from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from conference.accounts.models import User, new_session_token
from conference.core import audit
from conference.core.errors import Refusal
from conference.core.models import utcnow
from conference.core.permissions import ROLES
from conference.extensions import db

MIN_PASSWORD_LENGTH = 12
# Django's list of common passwords (19,640 of them, lowercased, the most common first; compiled
# by Royce Williams): see common-passwords.LICENSE.txt beside it.
COMMON_PASSWORDS_FILE = Path(__file__).with_name("common-passwords.txt.gz")
# Runs people type: digits, the alphabet, keyboard rows and columns, forwards or backwards.
_RUNS = (
    "0123456789",
    "abcdefghijklmnopqrstuvwxyz",
    "qwertyuiopasdfghjklzxcvbnm",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
)
_PADDING = string.digits + string.punctuation + string.whitespace

_HASHERS = {
    "standard": PasswordHasher(),
    # argon2-cffi's own profile for tests: the suite signs in hundreds of times.
    "cheapest": PasswordHasher.from_parameters(profiles.CHEAPEST),
}
# Verified against when the email is unknown, so a wrong email costs as long as a wrong password.
_DUMMY_HASHES = {name: hasher.hash("not-a-real-password") for name, hasher in _HASHERS.items()}


def _hasher() -> PasswordHasher:
    return _HASHERS[current_app.config["ARGON2_PROFILE"]]


def password_hash(password: str) -> str:
    """The stored form of a password (argon2 with the configured profile)."""
    return _hasher().hash(password)


def _dummy_hash() -> str:
    return _DUMMY_HASHES[current_app.config["ARGON2_PROFILE"]]


class AccountError(Refusal):
    pass


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def find_by_email(email: str) -> User | None:
    return db.session.execute(
        select(User).where(User.email == normalise_email(email))
    ).scalar_one_or_none()


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    with gzip.open(COMMON_PASSWORDS_FILE, "rt", encoding="utf-8") as handle:
        return frozenset(filter(None, (line.strip() for line in handle)))


def _is_repetition(text: str) -> bool:
    """One character or a short group repeated: aaaaaaaaaaaa, abcabcabcabc."""
    return len(text) > 1 and (text + text).find(text, 1) < len(text)


def _is_run(text: str) -> bool:
    for run in _RUNS:
        cycle = run * (len(text) // len(run) + 2)
        if text in cycle or text in cycle[::-1]:
            return True
    return False


def check_password_strength(password: str, email: str = "") -> None:
    """At least MIN_PASSWORD_LENGTH characters; not a common password, nor a common word with
    digits or symbols around it (password1234); not a repetition, not a run (123456789012,
    qwertyuiopas); not containing the account's email or the name before its @."""
    password = password or ""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            _l("The password needs at least %(n)d characters.", n=MIN_PASSWORD_LENGTH),
            "password",
        )
    lowered = password.lower()
    core = lowered.strip(_PADDING)
    if lowered in common_passwords() or (len(core) >= 4 and core in common_passwords()):
        raise AccountError(
            _l("This password, or the word in it, is among the most common passwords. Choose another."),
            "password",
        )
    bare = lowered.strip(string.punctuation + string.whitespace)
    if _is_repetition(bare):
        raise AccountError(
            _l("The password cannot be one character or a short group repeated."), "password"
        )
    if _is_run(bare):
        raise AccountError(
            _l("The password cannot be a run of keys or characters such as 123456 or qwerty."), "password"
        )
    email = normalise_email(email)
    name = email.partition("@")[0]
    if email and (email in lowered or (len(name) >= 4 and name in lowered)):
        raise AccountError(_l("The password cannot contain your email address or the part before its @."), "password")


def create_user(email: str, password: str, role: str, display_name: str = "", actor=None) -> User:
    email = normalise_email(email)
    if role not in ROLES:
        raise AccountError(_l("Unknown role."), "role")
    if not email or "@" not in email:
        raise AccountError(_l("Enter a valid email address."), "email")
    if find_by_email(email):
        raise AccountError(_l("An account with this email already exists."), "email")
    check_password_strength(password, email)
    user = User(
        email=email,
        display_name=display_name.strip(),
        role=role,
        password_hash=password_hash(password),
    )
    db.session.add(user)
    audit.record("user.create", user, detail={"role": role}, actor=actor)
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None. Records the attempt, which the
    caller commits whether or not it succeeded."""
    user = find_by_email(email)
    try:
        _hasher().verify(user.password_hash if user else _dummy_hash(), password or "")
    except (VerificationError, InvalidHashError):
        audit.record("user.login_failed", user, detail={"email": normalise_email(email)[:254]})
        return None
    if user is None or not user.active:
        return None
    if _hasher().check_needs_rehash(user.password_hash):
        user.password_hash = _hasher().hash(password)
    user.last_login_at = utcnow()
    audit.record("user.login", user, actor=user)
    return user


def set_password(user: User, password: str, actor=None) -> None:
    """A new password also ends every session of the user: a cookie copied before the change
    opens nothing after it."""
    check_password_strength(password, user.email)
    user.password_hash = _hasher().hash(password)
    user.session_token = new_session_token()
    audit.record("user.password_change", user, actor=actor)


def find_by_session_token(token: str) -> User | None:
    """The user a session or remember-me cookie names, while that sign-in has not ended."""
    if not token or len(token) > 64:
        return None
    return db.session.execute(select(User).where(User.session_token == token)).scalar_one_or_none()


def sign_out(user: User) -> None:
    """Every session and remember-me cookie of this user stops working, on every device."""
    user.session_token = new_session_token()
    audit.record("user.logout", user, actor=user)


def set_role(user: User, role: str, actor=None) -> None:
    if role not in ROLES:
        raise AccountError(_l("Unknown role."), "role")
    previous, user.role = user.role, role
    audit.record("user.role_change", user, detail={"from": previous, "to": role}, actor=actor)


def count_users() -> int:
    return db.session.execute(select(func.count(User.id))).scalar_one()
