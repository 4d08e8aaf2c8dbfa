from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from conference.core.models import IdMixin, TimestampMixin
from conference.extensions import db

LANGUAGES = ("zh_Hans", "zh_Hant", "en")  # as the CLI and the API name them
SIZES = ("a5", "a4")
TEXT_KEYS = ("welcome", "contacts", "notes")


class HandbookSettings(IdMixin, TimestampMixin, db.Model):
    """The edition's handbook: its chapters in the organizers' order, and whether it is published."""

    __tablename__ = "handbook_settings"

    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id", ondelete="CASCADE"), nullable=False, unique=True)
    chapters: Mapped[list] = mapped_column(JSON, nullable=False, default=list)  # chapter keys, in order
    published: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    cover_file: Mapped[str | None] = mapped_column(String(64))  # the cover's image, under instance/handbook-covers


class HandbookText(IdMixin, TimestampMixin, db.Model):
    """One of the handbook's own texts (the welcome, the contacts' note, the practical notes) in
    one language, in Markdown as the organizers wrote it."""

    __tablename__ = "handbook_texts"
    __table_args__ = (UniqueConstraint("edition_id", "key", "language"),)

    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id", ondelete="CASCADE"), nullable=False)
    key: Mapped[str] = mapped_column(String(16), nullable=False)  # TEXT_KEYS
    language: Mapped[str] = mapped_column(String(8), nullable=False)  # LANGUAGES
    body: Mapped[str] = mapped_column(Text, nullable=False, default="")


class HandbookBuild(IdMixin, TimestampMixin, db.Model):
    """A finished handbook PDF, kept under the hash of everything it was made from: asked for
    again with nothing changed, it is served as it is."""

    __tablename__ = "handbook_builds"

    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id", ondelete="CASCADE"), nullable=False, index=True)
    inputs: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    language: Mapped[str] = mapped_column(String(8), nullable=False)
    size: Mapped[str] = mapped_column(String(4), nullable=False)
    bleed: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    file_path: Mapped[str] = mapped_column(String(200), nullable=False)  # under the instance folder
    pages: Mapped[int] = mapped_column(Integer, nullable=False)
    seconds: Mapped[float] = mapped_column(Float, nullable=False, default=0)
    log: Mapped[list] = mapped_column(JSON, nullable=False, default=list)  # what the build left out, and why
