from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from conference.core.i18n import current_locale, full_name, has_han, localized, pinyin_name
from conference.core.models import IdMixin, TimestampMixin, UTCDateTime
from conference.editions.models import Edition
from conference.extensions import db

CATEGORIES = ("guest", "audience", "media", "staff", "volunteer")


class Person(IdMixin, TimestampMixin, db.Model):
    """A human taking part in one edition, shared by the programme, registration, hotels,
    volunteers and badges. Names are kept exactly as written on the identity document, never
    converted between Simplified and Traditional."""

    __tablename__ = "people"
    __table_args__ = (Index("ix_people_edition_category", "edition_id", "category"),)

    edition_id: Mapped[int] = mapped_column(
        ForeignKey("editions.id", ondelete="CASCADE"), nullable=False
    )
    family_name: Mapped[str] = mapped_column(String(100), nullable=False)
    given_name: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    # How the name is written in Latin letters when the holder says so (Tai Man Chan);
    # otherwise pinyin is derived for Han names.
    name_latin: Mapped[str | None] = mapped_column(String(200))
    organisation: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    organisation_en: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    title: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    title_en: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    bio_zh: Mapped[str] = mapped_column(Text, nullable=False, default="")
    bio_en: Mapped[str] = mapped_column(Text, nullable=False, default="")
    category: Mapped[str] = mapped_column(String(16), nullable=False)
    email: Mapped[str | None] = mapped_column(String(254))
    phone_sealed: Mapped[str | None] = mapped_column(String(255))
    phone_masked: Mapped[str] = mapped_column(String(32), nullable=False, default="")
    # For search and sorting: 张伟 -> "zhangwei" and "zw"; Latin names lower-cased.
    name_pinyin: Mapped[str] = mapped_column(String(300), nullable=False, default="", index=True)
    name_initials: Mapped[str] = mapped_column(String(50), nullable=False, default="")
    photo_file: Mapped[str | None] = mapped_column(String(64))
    photo_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # PIPL art. 25: a speaker page is public only with the speaker's own agreement.
    public_profile: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)

    edition: Mapped[Edition] = relationship()

    @classmethod
    def shown_at_the_gate(cls) -> tuple:
        """What a scan shows of a badge's holder, read in check-in's one statement per scan."""
        return (cls.family_name, cls.given_name, cls.name_latin, cls.category, cls.organisation, cls.organisation_en,
                cls.photo_file)

    @property
    def name(self) -> str:
        """The name as written: 张伟, Anna Smith."""
        return full_name(self.family_name, self.given_name)

    @property
    def latin_name(self) -> str:
        if self.name_latin:
            return self.name_latin
        if has_han(self.family_name) or has_han(self.given_name):
            return pinyin_name(self.family_name, self.given_name)
        return self.name

    @property
    def display_name(self) -> str:
        """The name for the reader: Chinese readers see it as written, English readers see
        Latin letters (with the Han name beside it on pages that have room)."""
        return self.latin_name if current_locale() == "en" else self.name

    @property
    def organisation_text(self) -> str:
        return localized(self.organisation, self.organisation_en)

    @property
    def title_text(self) -> str:
        return localized(self.title, self.title_en)

    @property
    def bio(self) -> str:
        return localized(self.bio_zh, self.bio_en)
