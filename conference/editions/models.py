from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from conference.core.i18n import localized
from conference.core.models import IdMixin, TimestampMixin
from conference.extensions import db


class Edition(IdMixin, TimestampMixin, db.Model):
    """One year's conference. Everything else (people, sessions, badges) hangs off an edition."""

    __tablename__ = "editions"

    year: Mapped[int] = mapped_column(Integer, unique=True, nullable=False)
    city_zh: Mapped[str] = mapped_column(String(64), nullable=False)
    city_zh_hant: Mapped[str | None] = mapped_column(String(64))
    city_en: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    theme_zh: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    theme_zh_hant: Mapped[str | None] = mapped_column(String(200))
    theme_en: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    starts_on: Mapped[date] = mapped_column(Date, nullable=False)
    ends_on: Mapped[date] = mapped_column(Date, nullable=False)
    timezone: Mapped[str] = mapped_column(String(64), nullable=False, default="Asia/Shanghai")
    cloned_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("editions.id", ondelete="SET NULL")
    )

    cloned_from: Mapped["Edition | None"] = relationship(remote_side="Edition.id")
    organisations: Mapped[list["EditionOrganisation"]] = relationship(
        back_populates="edition",
        cascade="all, delete-orphan",
        order_by="(EditionOrganisation.role, EditionOrganisation.position)",
    )

    @property
    def title(self) -> str:
        return _("%(year)d China Internet Civilization Conference", year=self.year)

    @property
    def city(self) -> str:
        return localized(self.city_zh, self.city_en, self.city_zh_hant)

    @property
    def theme(self) -> str:
        return localized(self.theme_zh, self.theme_en, self.theme_zh_hant)

    @property
    def days(self) -> list[date]:
        return [
            self.starts_on + timedelta(days=n)
            for n in range((self.ends_on - self.starts_on).days + 1)
        ]

    def organisations_in(self, role: str) -> list["EditionOrganisation"]:
        return [org for org in self.organisations if org.role == role]

    @property
    def hosts(self) -> list["EditionOrganisation"]:
        return self.organisations_in("host")

    @property
    def organizers(self) -> list["EditionOrganisation"]:
        return self.organisations_in("organizer")

    def __repr__(self) -> str:
        return f"<Edition {self.year} {self.city_zh}>"


class EditionOrganisation(IdMixin, db.Model):
    """A host (主办) or organizer (承办) of an edition, in the order the organizers list them."""

    __tablename__ = "edition_organisations"
    __table_args__ = (UniqueConstraint("edition_id", "role", "position"),)

    ROLES = ("host", "organizer")

    edition_id: Mapped[int] = mapped_column(
        ForeignKey("editions.id", ondelete="CASCADE"), nullable=False, index=True
    )
    role: Mapped[str] = mapped_column(String(16), nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    name_zh: Mapped[str] = mapped_column(String(200), nullable=False)
    name_zh_hant: Mapped[str | None] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(300), nullable=False, default="")

    edition: Mapped[Edition] = relationship(back_populates="organisations")

    @property
    def name(self) -> str:
        return localized(self.name_zh, self.name_en, self.name_zh_hant)
