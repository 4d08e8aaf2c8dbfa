from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from conference.core.i18n import localized
from conference.core.models import IdMixin, TimestampMixin, UTCDateTime, utcnow
from conference.editions.models import Edition
from conference.extensions import db
from conference.people.models import Person

BADGE_STATUSES = ("active", "revoked")


class AccessZone(IdMixin, db.Model):
    """Where a badge lets its holder in: theatre, conference centre, press centre, backstage…
    `bit` is the zone's place in the badge's signed bitmask (0–15)."""

    __tablename__ = "access_zones"
    __table_args__ = (UniqueConstraint("edition_id", "code"), UniqueConstraint("edition_id", "bit"))

    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id", ondelete="CASCADE"), nullable=False)
    code: Mapped[str] = mapped_column(String(2), nullable=False)  # the letter printed on the badge
    bit: Mapped[int] = mapped_column(Integer, nullable=False)
    name_zh: Mapped[str] = mapped_column(String(100), nullable=False)
    name_zh_hant: Mapped[str | None] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    default_categories: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    # A zone printed on badges is never deleted nor its letter or bit reused: it is retired.
    # Badges already printed keep it at the doors; no badge is given it from then on.
    retired: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=false())

    @property
    def name(self) -> str:
        return localized(self.name_zh, self.name_en, self.name_zh_hant)


class BadgeKey(IdMixin, db.Model):
    """The edition's Ed25519 key pair: the private half sealed, the public half for scanners."""

    __tablename__ = "badge_keys"

    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id", ondelete="CASCADE"), nullable=False, unique=True)
    public_key: Mapped[str] = mapped_column(String(64), nullable=False)  # base64url, 32 bytes
    private_key_sealed: Mapped[str] = mapped_column(String(255), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)


class Badge(IdMixin, TimestampMixin, db.Model):
    """One badge per person per edition; a reissue raises the version and the old QR is
    answered `superseded`."""

    __tablename__ = "badges"
    __table_args__ = (UniqueConstraint("edition_id", "serial"),)

    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id", ondelete="CASCADE"), nullable=False)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), nullable=False, unique=True)
    serial: Mapped[str] = mapped_column(String(16), nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="active")
    revoked_reason: Mapped[str] = mapped_column(Text, nullable=False, default="")
    extra_zones: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    printed_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_printed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_printed_by: Mapped[str | None] = mapped_column(String(254))
    printed_version: Mapped[int | None] = mapped_column(Integer)  # the version last printed
    # The code last printed on this badge (message and signature, as in the QR): a scan of
    # exactly these bytes needs no signature check. Any other code is checked in full.
    issued_code: Mapped[bytes | None] = mapped_column(LargeBinary(71))

    edition: Mapped[Edition] = relationship()
    person: Mapped[Person] = relationship()

    @classmethod
    def read_at_the_gate(cls) -> tuple:
        """What a scan reads of a badge, in check-in's one statement per scan."""
        return cls.id, cls.version, cls.status, cls.revoked_reason, cls.serial, cls.issued_code

    @property
    def version_printed(self) -> bool:
        """Whether this version of the badge has been printed: printing it again asks first."""
        return self.printed_version == self.version

