from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from conference.core.i18n import current_locale, localized, to_traditional_phrases
from conference.core.models import IdMixin, TimestampMixin, UTCDateTime, utcnow
from conference.editions.models import Edition
from conference.extensions import db
from conference.people.models import Person
from conference.programme.models import Session

REGISTRATION_STATUSES = ("pending", "approved", "rejected", "cancelled")
OPTIONAL_FIELDS = ("organisation", "title", "email", "phone", "photo")
CONSENT_KINDS = ("privacy_notice", "identity_document", "photo", "guardian")
BOOKING_STATUSES = ("confirmed", "waitlisted", "cancelled")


class RegistrationCategory(IdMixin, TimestampMixin, db.Model):
    """嘉宾, 特邀观众, 媒体, 工作人员: who may register, how, and what they must give."""

    __tablename__ = "registration_categories"
    __table_args__ = (UniqueConstraint("edition_id", "code"),)

    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id", ondelete="CASCADE"), nullable=False)
    code: Mapped[str] = mapped_column(String(16), nullable=False)  # guest, audience, media, staff
    name_zh: Mapped[str] = mapped_column(String(100), nullable=False)
    name_zh_hant: Mapped[str | None] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    # Open: anyone may register. Otherwise an invitation code is needed.
    open: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    approval_required: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    required_fields: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    session_ids: Mapped[list] = mapped_column(JSON, nullable=False, default=list)  # may choose these
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # The registration window, UTC. No opening time: closed (a cloned edition starts so). No
    # closing time: open from the opening on.
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    edition: Mapped[Edition] = relationship()

    @property
    def name(self) -> str:
        return localized(self.name_zh, self.name_en, self.name_zh_hant)

    def open_at(self, moment: datetime) -> bool:
        return self.opens_at is not None and self.opens_at <= moment and (self.closes_at is None or moment < self.closes_at)


class PrivacyNotice(IdMixin, db.Model):
    """The notice shown before the form (PIPL art. 17); every consent names its version."""

    __tablename__ = "privacy_notices"
    __table_args__ = (UniqueConstraint("edition_id", "version"),)

    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id", ondelete="CASCADE"), nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    text_zh: Mapped[str] = mapped_column(Text, nullable=False)
    text_zh_hant: Mapped[str | None] = mapped_column(Text)
    text_en: Mapped[str] = mapped_column(Text, nullable=False, default="")
    retention_days: Mapped[int] = mapped_column(Integer, nullable=False, default=180)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    # Carried over from last year's edition by cloning: an organizer reviews it before
    # registration opens.
    needs_review: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)

    edition: Mapped[Edition] = relationship()

    @property
    def text(self) -> str:
        """In Traditional, an organizer's own text, else the Simplified one in Taiwan's words,
        with the edition's host and organizer names kept as written (characters only)."""
        if current_locale() == "zh_Hant_TW" and not self.text_zh_hant:
            names = [org.name_zh for org in self.edition.organisations]
            return to_traditional_phrases(self.text_zh, names) or self.text_en
        return localized(self.text_zh, self.text_en, self.text_zh_hant)


class InvitationCode(IdMixin, db.Model):
    """A code that opens an invitation-only category. Only a keyed hash is stored: the code
    itself is shown once, when the batch is made."""

    __tablename__ = "invitation_codes"

    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id", ondelete="CASCADE"), nullable=False)
    category_id: Mapped[int] = mapped_column(
        ForeignKey("registration_categories.id", ondelete="CASCADE"), nullable=False, index=True
    )
    code_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    hint: Mapped[str] = mapped_column(String(8), nullable=False)  # last characters, for support
    organisation: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    max_uses: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    uses: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    batch: Mapped[str] = mapped_column(String(32), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)

    category: Mapped[RegistrationCategory] = relationship()


class Registration(IdMixin, TimestampMixin, db.Model):
    """One person's registration for one edition, with their identity document sealed."""

    __tablename__ = "registrations"
    __table_args__ = (
        # One identity document, one registration per edition that is not cancelled: the race
        # is settled here. A cancelled registration stays as a record, and its holder may
        # register again (services._document_taken reads the same rule).
        Index(
            "uq_registrations_edition_document_active", "edition_id", "document_index", unique=True,
            sqlite_where=text("status <> 'cancelled'"), postgresql_where=text("status <> 'cancelled'"),
        ),
        Index("ix_registrations_edition_status", "edition_id", "status"),
        Index("ix_registrations_edition_category", "edition_id", "category_id"),
    )

    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id", ondelete="CASCADE"), nullable=False)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), nullable=False, unique=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("registration_categories.id", ondelete="RESTRICT"), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="pending")
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    # The private-link token, sealed like an identity number, so that mails can carry the link
    # again ("send me my link again", the approval mail); None for registrations made before it
    # was kept: their hash cannot give the token back, so their mails carry no link.
    token_sealed: Mapped[str | None] = mapped_column(String(255))
    id_type: Mapped[str] = mapped_column(String(24), nullable=False)
    document_sealed: Mapped[str | None] = mapped_column(String(255))
    document_index: Mapped[str | None] = mapped_column(String(64))
    document_masked: Mapped[str] = mapped_column(String(32), nullable=False, default="")
    nationality: Mapped[str | None] = mapped_column(String(3))
    under_14: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    guardian_name: Mapped[str | None] = mapped_column(String(100))
    invitation_code_id: Mapped[int | None] = mapped_column(ForeignKey("invitation_codes.id", ondelete="SET NULL"))
    locale: Mapped[str] = mapped_column(String(16), nullable=False, default="zh_Hans_CN")
    source: Mapped[str] = mapped_column(String(16), nullable=False, default="online")  # online, api, import
    decided_by: Mapped[str | None] = mapped_column(String(254))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_reason: Mapped[str] = mapped_column(Text, nullable=False, default="")
    deletion_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    edition: Mapped[Edition] = relationship()
    person: Mapped[Person] = relationship()
    category: Mapped[RegistrationCategory] = relationship()
    consents: Mapped[list["Consent"]] = relationship(back_populates="registration", cascade="all, delete-orphan")
    bookings: Mapped[list["SeatBooking"]] = relationship(
        back_populates="registration", cascade="all, delete-orphan", order_by="SeatBooking.id"
    )


class Consent(IdMixin, db.Model):
    __tablename__ = "consents"

    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    kind: Mapped[str] = mapped_column(String(24), nullable=False)
    notice_version: Mapped[int] = mapped_column(Integer, nullable=False)
    given_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    registration: Mapped[Registration] = relationship(back_populates="consents")


class SessionQuota(IdMixin, db.Model):
    """Seats of a session open to registration, and how many are taken. Taking a seat is one
    conditional UPDATE (`taken < seats`), which both databases apply atomically."""

    __tablename__ = "session_quotas"
    __table_args__ = (CheckConstraint("taken >= 0 AND taken <= seats", name="taken_within_seats"),)

    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False, unique=True)
    seats: Mapped[int] = mapped_column(Integer, nullable=False)
    taken: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

    session: Mapped[Session] = relationship()


class SeatBooking(IdMixin, db.Model):
    """A registration's place in a session: a seat, or a place on the waiting list."""

    __tablename__ = "seat_bookings"
    __table_args__ = (
        UniqueConstraint("session_id", "registration_id"),
        Index("ix_seat_bookings_session_status", "session_id", "status", "id"),
    )

    # Deleting a session settles its bookings first (registration.services.settle_session).
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="RESTRICT"), nullable=False)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    promoted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    registration: Mapped[Registration] = relationship(back_populates="bookings")
    session: Mapped[Session] = relationship()


class DataRequest(IdMixin, db.Model):
    """An attendee's request to see or delete their data (PIPL art. 44–47): the organizers' queue."""

    __tablename__ = "data_requests"

    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    kind: Mapped[str] = mapped_column(String(16), nullable=False)  # access, deletion
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    handled_by: Mapped[str | None] = mapped_column(String(254))

    registration: Mapped[Registration] = relationship()
