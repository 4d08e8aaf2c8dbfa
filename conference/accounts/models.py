import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, String
from sqlalchemy.orm import Mapped, mapped_column

from conference.core.models import IdMixin, TimestampMixin, UTCDateTime
from conference.extensions import db


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


class User(UserMixin, IdMixin, TimestampMixin, db.Model):
    """Someone who works in the system: organizer, group lead, security, volunteer, viewer."""

    __tablename__ = "users"

    email: Mapped[str] = mapped_column(String(254), unique=True, nullable=False)
    display_name: Mapped[str] = mapped_column(String(120), nullable=False, default="")
    password_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    role: Mapped[str] = mapped_column(String(32), nullable=False, default="viewer")
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # What the session and the remember-me cookie carry instead of the id: a new one at sign-out
    # and at a password change makes every cookie issued before it worthless.
    session_token: Mapped[str] = mapped_column(
        String(64), unique=True, nullable=False, default=new_session_token
    )

    @property
    def is_active(self) -> bool:  # flask-login refuses inactive users
        return self.active

    def get_id(self) -> str:
        return self.session_token

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"
