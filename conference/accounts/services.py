"""Accounts: creating users, checking passwords (argon2), changing roles, ending sessions."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from conference.accounts.models import User, new_session_token
from conference.core import audit
from conference.core.errors import Refusal
from conference.core.models import utcnow
from conference.core.permissions import ROLES
from conference.extensions import db

MIN_PASSWORD_LENGTH = 10

_hasher = PasswordHasher()
# Verified against when the email is unknown, so a wrong email costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


class AccountError(Refusal):
    def __init__(self, field: str, message):
        super().__init__(message, field)


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def find_by_email(email: str) -> User | None:
    return db.session.execute(
        select(User).where(User.email == normalise_email(email))
    ).scalar_one_or_none()


def check_password_strength(password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise AccountError(
            "password",
            _l("The password needs at least %(n)d characters.", n=MIN_PASSWORD_LENGTH),
        )


def create_user(email: str, password: str, role: str, display_name: str = "", actor=None) -> User:
    email = normalise_email(email)
    if role not in ROLES:
        raise AccountError("role", _l("Unknown role."))
    if not email or "@" not in email:
        raise AccountError("email", _l("Enter a valid email address."))
    if find_by_email(email):
        raise AccountError("email", _l("An account with this email already exists."))
    check_password_strength(password)
    user = User(
        email=email,
        display_name=display_name.strip(),
        role=role,
        password_hash=_hasher.hash(password),
    )
    db.session.add(user)
    audit.record("user.create", user, detail={"role": role}, actor=actor)
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None. Records the attempt."""
    user = find_by_email(email)
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password or "")
    except (VerificationError, InvalidHashError):
        audit.record("user.login_failed", user, detail={"email": normalise_email(email)[:254]})
        db.session.commit()
        return None
    if user is None or not user.active:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.last_login_at = utcnow()
    audit.record("user.login", user, actor=user)
    db.session.commit()
    return user


def set_password(user: User, password: str, actor=None) -> None:
    """A new password also ends every session of the user: a cookie copied before the change
    opens nothing after it."""
    check_password_strength(password)
    user.password_hash = _hasher.hash(password)
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
        raise AccountError("role", _l("Unknown role."))
    previous, user.role = user.role, role
    audit.record("user.role_change", user, detail={"from": previous, "to": role}, actor=actor)


def count_users() -> int:
    return db.session.execute(select(func.count(User.id))).scalar_one()
