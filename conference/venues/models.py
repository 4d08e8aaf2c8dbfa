from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from conference.core.i18n import localized
from conference.core.models import IdMixin, TimestampMixin, UTCDateTime
from conference.editions.models import Edition
from conference.extensions import db

HALL_LAYOUTS = ("theatre", "classroom", "round_tables", "banquet", "boardroom", "u_shape", "standing")
CHECKLIST_AREAS = ("inside", "outside")


class Venue(IdMixin, TimestampMixin, db.Model):
    """A building: 厦门海峡大剧院, 厦门国际会议中心."""

    __tablename__ = "venues"

    edition_id: Mapped[int] = mapped_column(
        ForeignKey("editions.id", ondelete="CASCADE"), nullable=False, index=True
    )
    name_zh: Mapped[str] = mapped_column(String(200), nullable=False)
    name_zh_hant: Mapped[str | None] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    address_zh: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    address_en: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    plan_file: Mapped[str | None] = mapped_column(String(64))  # the floor plan, under instance/floor-plans

    edition: Mapped[Edition] = relationship()
    halls: Mapped[list["Hall"]] = relationship(
        back_populates="venue", cascade="all, delete-orphan", order_by="Hall.position"
    )
    checkpoints: Mapped[list["Checkpoint"]] = relationship(
        back_populates="venue", cascade="all, delete-orphan", order_by="Checkpoint.position"
    )

    @property
    def name(self) -> str:
        return localized(self.name_zh, self.name_en, self.name_zh_hant)

    @property
    def address(self) -> str:
        return localized(self.address_zh, self.address_en)


class Hall(IdMixin, TimestampMixin, db.Model):
    """A room where sessions happen, with what an organizer needs to know to fill it."""

    __tablename__ = "halls"

    venue_id: Mapped[int] = mapped_column(
        ForeignKey("venues.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    name_zh: Mapped[str] = mapped_column(String(200), nullable=False)
    name_zh_hant: Mapped[str | None] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    capacity: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    floor: Mapped[str] = mapped_column(String(16), nullable=False, default="")
    layout: Mapped[str] = mapped_column(String(16), nullable=False, default="theatre")
    interpretation_booth: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    step_free: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    plan_file: Mapped[str | None] = mapped_column(String(64))

    venue: Mapped[Venue] = relationship(back_populates="halls")
    checklist: Mapped[list["HallChecklistItem"]] = relationship(
        back_populates="hall", cascade="all, delete-orphan"
    )

    @property
    def name(self) -> str:
        return localized(self.name_zh, self.name_en, self.name_zh_hant)


class Checkpoint(IdMixin, TimestampMixin, db.Model):
    """An entrance where badges are checked: the door of a venue or of one hall.
    Check-in adds its rules."""

    __tablename__ = "checkpoints"

    venue_id: Mapped[int] = mapped_column(
        ForeignKey("venues.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    hall_id: Mapped[int | None] = mapped_column(ForeignKey("halls.id", ondelete="RESTRICT"), index=True)
    name_zh: Mapped[str] = mapped_column(String(200), nullable=False)
    name_zh_hant: Mapped[str | None] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    # Short and unique in the edition, for signs, radios and the command line: GT-MAIN.
    code: Mapped[str] = mapped_column(String(24), nullable=False, index=True)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

    venue: Mapped[Venue] = relationship(back_populates="checkpoints")
    hall: Mapped[Hall | None] = relationship()

    @property
    def name(self) -> str:
        return localized(self.name_zh, self.name_en, self.name_zh_hant)


class ChecklistTemplateItem(IdMixin, db.Model):
    """One line of the edition's standard hall configuration: every hall gets it."""

    __tablename__ = "checklist_template_items"

    edition_id: Mapped[int] = mapped_column(
        ForeignKey("editions.id", ondelete="CASCADE"), nullable=False, index=True
    )
    area: Mapped[str] = mapped_column(String(16), nullable=False, default="inside")
    label_zh: Mapped[str] = mapped_column(String(200), nullable=False)
    label_zh_hant: Mapped[str | None] = mapped_column(String(200))
    label_en: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

    @property
    def label(self) -> str:
        return localized(self.label_zh, self.label_en, self.label_zh_hant)


class HallChecklistItem(IdMixin, db.Model):
    """A hall's tick against one template line, with who ticked it, when, and a note."""

    __tablename__ = "hall_checklist_items"
    __table_args__ = (UniqueConstraint("hall_id", "template_item_id"),)

    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id", ondelete="CASCADE"), nullable=False)
    template_item_id: Mapped[int] = mapped_column(
        ForeignKey("checklist_template_items.id", ondelete="CASCADE"), nullable=False, index=True
    )
    done: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    checked_by: Mapped[str] = mapped_column(String(254), nullable=False, default="")
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    hall: Mapped[Hall] = relationship(back_populates="checklist")
    template_item: Mapped[ChecklistTemplateItem] = relationship()
