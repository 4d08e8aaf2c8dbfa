from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from conference.core.i18n import full_name
from conference.core.models import IdMixin, TimestampMixin
from conference.editions.models import Edition
from conference.extensions import db

CATEGORIES = ("guest", "audience", "media", "staff", "volunteer")


class Person(IdMixin, TimestampMixin, db.Model):
    """A human taking part in one edition. Names are kept exactly as on the identity document,
    never converted between Simplified and Traditional."""

    __tablename__ = "people"
    __table_args__ = (Index("ix_people_edition_category", "edition_id", "category"),)

    edition_id: Mapped[int] = mapped_column(
        ForeignKey("editions.id", ondelete="CASCADE"), nullable=False
    )
    family_name: Mapped[str] = mapped_column(String(100), nullable=False)
    given_name: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    organisation: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    title: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    category: Mapped[str] = mapped_column(String(16), nullable=False)
    email: Mapped[str | None] = mapped_column(String(254))
    phone_sealed: Mapped[str | None] = mapped_column(String(255))

    edition: Mapped[Edition] = relationship()

    @property
    def name(self) -> str:
        return full_name(self.family_name, self.given_name)
