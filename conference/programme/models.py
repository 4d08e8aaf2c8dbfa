import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from conference.core.i18n import localized
from conference.core.models import IdMixin, TimestampMixin, UTCDateTime
from conference.editions.models import Edition
from conference.extensions import db
from conference.people.models import Person
from conference.venues.models import Hall

SESSION_KINDS = ("opening", "main_forum", "summit_forum", "sub_forum", "gala", "side_event")
SESSION_STATUSES = ("draft", "published")
SESSION_ACCESS = ("open", "invitation")
ITEM_KINDS = ("speech", "keynote", "release", "dialogue", "ceremony", "break")
SPEAKER_ROLES = ("speaker", "moderator", "panelist", "host")


def _new_uid() -> str:
    return str(uuid.uuid4())


class Session(IdMixin, TimestampMixin, db.Model):
    """A forum, ceremony or event in one hall at one time. Times may be empty while planning
    (and are, in a session cloned from last year)."""

    __tablename__ = "sessions"
    __table_args__ = (
        Index("ix_sessions_edition_status_start", "edition_id", "status", "starts_at"),
        Index("ix_sessions_hall_start", "hall_id", "starts_at"),
    )

    edition_id: Mapped[int] = mapped_column(
        ForeignKey("editions.id", ondelete="CASCADE"), nullable=False
    )
    uid: Mapped[str] = mapped_column(String(36), nullable=False, unique=True, default=_new_uid)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    number: Mapped[int | None] = mapped_column(Integer)  # 分论坛 number, 1–12
    title_zh: Mapped[str] = mapped_column(String(300), nullable=False)
    title_zh_hant: Mapped[str | None] = mapped_column(String(300))
    title_en: Mapped[str] = mapped_column(String(400), nullable=False, default="")
    theme_zh: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    theme_zh_hant: Mapped[str | None] = mapped_column(String(300))
    theme_en: Mapped[str] = mapped_column(String(400), nullable=False, default="")
    description_zh: Mapped[str] = mapped_column(Text, nullable=False, default="")
    description_en: Mapped[str] = mapped_column(Text, nullable=False, default="")
    hall_id: Mapped[int | None] = mapped_column(ForeignKey("halls.id", ondelete="RESTRICT"))
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    expected_audience: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    host_organisation_zh: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    host_organisation_en: Mapped[str] = mapped_column(String(400), nullable=False, default="")
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="draft")
    access: Mapped[str] = mapped_column(String(16), nullable=False, default="open")
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

    edition: Mapped[Edition] = relationship()
    hall: Mapped[Hall | None] = relationship()
    items: Mapped[list["AgendaItem"]] = relationship(
        back_populates="session",
        cascade="all, delete-orphan",
        order_by="(AgendaItem.position, AgendaItem.id)",
    )

    @property
    def title(self) -> str:
        return localized(self.title_zh, self.title_en, self.title_zh_hant)

    @property
    def theme(self) -> str:
        return localized(self.theme_zh, self.theme_en, self.theme_zh_hant)

    @property
    def description(self) -> str:
        return localized(self.description_zh, self.description_en)

    @property
    def host_organisation(self) -> str:
        return localized(self.host_organisation_zh, self.host_organisation_en)

    @property
    def is_public(self) -> bool:
        return self.status == "published"

    @property
    def scheduled(self) -> bool:
        return self.starts_at is not None and self.ends_at is not None


class AgendaItem(IdMixin, TimestampMixin, db.Model):
    """One moment of a session: a speech, a release (发布), a dialogue, a break."""

    __tablename__ = "agenda_items"

    session_id: Mapped[int] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False, index=True
    )
    uid: Mapped[str] = mapped_column(String(36), nullable=False, unique=True, default=_new_uid)
    kind: Mapped[str] = mapped_column(String(16), nullable=False, default="speech")
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    title_zh: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    title_zh_hant: Mapped[str | None] = mapped_column(String(300))
    title_en: Mapped[str] = mapped_column(String(400), nullable=False, default="")
    # For a release: the report, list or convention that is released on stage.
    release_zh: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    release_zh_hant: Mapped[str | None] = mapped_column(String(300))
    release_en: Mapped[str] = mapped_column(String(400), nullable=False, default="")
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    session: Mapped[Session] = relationship(back_populates="items")
    speakers: Mapped[list["AgendaSpeaker"]] = relationship(
        back_populates="item",
        cascade="all, delete-orphan",
        order_by="(AgendaSpeaker.position, AgendaSpeaker.id)",
    )

    @property
    def title(self) -> str:
        return localized(self.title_zh, self.title_en, self.title_zh_hant)

    @property
    def release(self) -> str:
        return localized(self.release_zh, self.release_en, self.release_zh_hant)


class AgendaSpeaker(IdMixin, db.Model):
    """A person on stage for an item, in the organizer's order (not the alphabet's)."""

    __tablename__ = "agenda_speakers"
    __table_args__ = (UniqueConstraint("item_id", "person_id"),)

    item_id: Mapped[int] = mapped_column(
        ForeignKey("agenda_items.id", ondelete="CASCADE"), nullable=False
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), nullable=False, index=True
    )
    role: Mapped[str] = mapped_column(String(16), nullable=False, default="speaker")
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

    item: Mapped[AgendaItem] = relationship(back_populates="speakers")
    person: Mapped[Person] = relationship()


class ProgrammeSettings(IdMixin, db.Model):
    """The edition's scheduling margins, used by the conflict rules."""

    __tablename__ = "programme_settings"

    edition_id: Mapped[int] = mapped_column(
        ForeignKey("editions.id", ondelete="CASCADE"), nullable=False, unique=True
    )
    # Time a hall needs between two sessions to clear and set up (backdrop, name cards).
    hall_buffer_minutes: Mapped[int] = mapped_column(Integer, nullable=False, default=30)
    # Time a speaker needs to move between two venues (theatre ↔ conference centre).
    venue_travel_minutes: Mapped[int] = mapped_column(Integer, nullable=False, default=30)
