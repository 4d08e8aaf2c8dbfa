"""Hotels, their rooms per night, the people staying in them, and how people reach them.

A stay is asked for (requested), placed (assigned: its room-nights are taken from the room
type's blocks), confirmed by the hotel, or cancelled; when every hotel of its kind is full it
waits (waitlisted). Two people sharing a twin room are two stays: the first holds the room's
nights, the second points at it (`shares_with_id`) and takes none, so the room counts once.
"""

from datetime import date, datetime, time

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from conference.core.i18n import localized
from conference.core.models import IdMixin, TimestampMixin, UTCDateTime, utcnow
from conference.editions.models import Edition
from conference.extensions import db
from conference.people.models import Person
from conference.venues.models import Venue

HOTEL_KINDS = ("guest", "audience", "staff")
ROOM_KINDS = ("king", "twin", "suite")
STAY_STATUSES = ("requested", "waitlisted", "assigned", "confirmed", "cancelled")
HOLDING = ("assigned", "confirmed")  # a stay in these holds its room-nights
PAYERS = ("conference", "self")
DIRECTIONS = ("arrival", "departure")
TRAVEL_MODES = ("air", "rail", "road")
PLACE_KINDS = ("airport", "station", "other")
SHUTTLE_LEGS = ("to_venue", "to_hotel", "between_venues")


class Hotel(IdMixin, TimestampMixin, db.Model):
    """A hotel the conference contracts rooms in, for one kind of guest."""

    __tablename__ = "hotels"
    __table_args__ = (UniqueConstraint("edition_id", "code"),)

    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id", ondelete="CASCADE"), nullable=False)
    # Short and unique in the edition, for radios, lists and the command line: H-HAIYUE.
    code: Mapped[str] = mapped_column(String(24), nullable=False)
    name_zh: Mapped[str] = mapped_column(String(200), nullable=False)
    name_zh_hant: Mapped[str | None] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    address_zh: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    address_en: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    phone: Mapped[str] = mapped_column(String(40), nullable=False, default="")  # the front desk's
    stars: Mapped[int] = mapped_column(Integer, nullable=False, default=0)  # 0: not rated
    kind: Mapped[str] = mapped_column(String(16), nullable=False, default="guest")
    check_in_time: Mapped[time] = mapped_column(Time, nullable=False, default=time(14, 0))
    check_out_time: Mapped[time] = mapped_column(Time, nullable=False, default=time(12, 0))
    map_file: Mapped[str | None] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

    edition: Mapped[Edition] = relationship()
    room_types: Mapped[list["RoomType"]] = relationship(
        back_populates="hotel", cascade="all, delete-orphan", order_by="(RoomType.position, RoomType.id)"
    )
    travel_times: Mapped[list["TravelTime"]] = relationship(back_populates="hotel", cascade="all, delete-orphan")

    @property
    def name(self) -> str:
        return localized(self.name_zh, self.name_en, self.name_zh_hant)

    @property
    def address(self) -> str:
        return localized(self.address_zh, self.address_en)

    def minutes_to(self, venue_id: int) -> int | None:
        return next((t.minutes for t in self.travel_times if t.venue_id == venue_id), None)


class TravelTime(IdMixin, db.Model):
    """How long the shuttle takes from a hotel to a venue, in minutes (either way)."""

    __tablename__ = "hotel_travel_times"
    __table_args__ = (UniqueConstraint("hotel_id", "venue_id"),)

    hotel_id: Mapped[int] = mapped_column(ForeignKey("hotels.id", ondelete="CASCADE"), nullable=False)
    # A venue deleted takes its travel times with it (hotels.services settles them).
    venue_id: Mapped[int] = mapped_column(ForeignKey("venues.id", ondelete="CASCADE"), nullable=False, index=True)
    minutes: Mapped[int] = mapped_column(Integer, nullable=False)

    hotel: Mapped[Hotel] = relationship(back_populates="travel_times")
    venue: Mapped[Venue] = relationship()


class Lodging(IdMixin, db.Model):
    """An edition's setting: which kind of hotel people of a category stay in, and whether
    they may ask for a room themselves (from their private page)."""

    __tablename__ = "hotel_lodgings"
    __table_args__ = (UniqueConstraint("edition_id", "category"),)

    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id", ondelete="CASCADE"), nullable=False)
    category: Mapped[str] = mapped_column(String(16), nullable=False)  # people.models.CATEGORIES
    kind: Mapped[str] = mapped_column(String(16), nullable=False)  # HOTEL_KINDS
    offered: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)


class RoomType(IdMixin, db.Model):
    """大床 king, 双床 twin, 套房 suite, as a hotel sells them."""

    __tablename__ = "room_types"

    hotel_id: Mapped[int] = mapped_column(ForeignKey("hotels.id", ondelete="CASCADE"), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)  # ROOM_KINDS
    name_zh: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    name_zh_hant: Mapped[str | None] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    beds: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    accessible: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    smoking: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

    hotel: Mapped[Hotel] = relationship(back_populates="room_types")
    blocks: Mapped[list["RoomBlock"]] = relationship(
        back_populates="room_type", cascade="all, delete-orphan", order_by="RoomBlock.night"
    )

    @property
    def sleeps(self) -> int:
        """How many people the room takes: a twin two, a king or a suite one (or a couple)."""
        return 2 if self.kind == "twin" else 1

    @property
    def own_name(self) -> str:
        return localized(self.name_zh, self.name_en, self.name_zh_hant)


class RoomBlock(IdMixin, db.Model):
    """The rooms of one type contracted for one night, and how many are taken. A night is
    taken with one conditional UPDATE (core/capacity): the last room goes to exactly one stay.
    Rooms not taken by `release_on` go back to the hotel."""

    __tablename__ = "room_blocks"
    __table_args__ = (
        UniqueConstraint("room_type_id", "night"),
        CheckConstraint("taken >= 0 AND taken <= rooms", name="taken_within_rooms"),
    )

    room_type_id: Mapped[int] = mapped_column(ForeignKey("room_types.id", ondelete="CASCADE"), nullable=False)
    night: Mapped[date] = mapped_column(Date, nullable=False)
    rooms: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    taken: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    price: Mapped[int] = mapped_column(Integer, nullable=False, default=0)  # yuan a night
    release_on: Mapped[date | None] = mapped_column(Date)

    room_type: Mapped[RoomType] = relationship(back_populates="blocks")


class Stay(IdMixin, TimestampMixin, db.Model):
    """A person in a hotel from `check_in` (the first night) to `check_out` (the morning they
    leave): nights are [check_in, check_out)."""

    __tablename__ = "stays"
    __table_args__ = (
        CheckConstraint("check_out > check_in", name="at_least_one_night"),
        Index("ix_stays_edition_status", "edition_id", "status"),
        Index("ix_stays_hotel_status", "hotel_id", "status"),
        Index("ix_stays_person", "person_id"),
    )

    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id", ondelete="CASCADE"), nullable=False)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), nullable=False)
    # Empty while only asked for; a hotel or room type with stays is never deleted.
    hotel_id: Mapped[int | None] = mapped_column(ForeignKey("hotels.id", ondelete="RESTRICT"))
    room_type_id: Mapped[int | None] = mapped_column(ForeignKey("room_types.id", ondelete="RESTRICT"))
    room_kind: Mapped[str] = mapped_column(String(16), nullable=False, default="king")  # what was asked for
    check_in: Mapped[date] = mapped_column(Date, nullable=False)
    check_out: Mapped[date] = mapped_column(Date, nullable=False)
    shares_with_id: Mapped[int | None] = mapped_column(ForeignKey("stays.id", ondelete="SET NULL"), index=True)
    # Wishes, by the other person's roommate code: share with, and not with.
    roommate_wish_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    not_with_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    payer: Mapped[str] = mapped_column(String(16), nullable=False, default="conference")
    accessible: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    non_smoking: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    late_arrival: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="requested")
    hotel_reference: Mapped[str] = mapped_column(String(40), nullable=False, default="")  # the hotel's confirmation no.
    assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    person: Mapped[Person] = relationship(foreign_keys=[person_id])
    hotel: Mapped[Hotel | None] = relationship()
    room_type: Mapped[RoomType | None] = relationship()
    shares_with: Mapped["Stay | None"] = relationship(remote_side="Stay.id", foreign_keys=[shares_with_id])
    roommate_wish: Mapped[Person | None] = relationship(foreign_keys=[roommate_wish_id])
    not_with: Mapped[Person | None] = relationship(foreign_keys=[not_with_id])

    @property
    def holds_rooms(self) -> bool:
        """Whether this stay holds room-nights of its own (a sharer holds none)."""
        return self.status in HOLDING and self.shares_with_id is None and self.room_type_id is not None

    @property
    def nights(self) -> int:
        return (self.check_out - self.check_in).days


class Traveller(IdMixin, db.Model):
    """What hotels and travel keep about a person besides their stays: the code they share
    with a roommate (never the private link, which opens their personal data) and their
    separate consents (PIPL art. 23, 28–29): to travel details being kept for housing and
    pickups, and to the identity document being sent to the hotel for pre-registration."""

    __tablename__ = "travellers"

    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), nullable=False, unique=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id", ondelete="CASCADE"), nullable=False)
    roommate_code: Mapped[str] = mapped_column(String(16), nullable=False, unique=True)
    travel_consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    document_consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    person: Mapped[Person] = relationship()


class TravelPlace(IdMixin, db.Model):
    """Where people arrive and leave: 高崎国际机场 (XMN), 厦门北站, 厦门站."""

    __tablename__ = "travel_places"
    __table_args__ = (UniqueConstraint("edition_id", "code"),)

    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id", ondelete="CASCADE"), nullable=False)
    code: Mapped[str] = mapped_column(String(24), nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False, default="airport")
    name_zh: Mapped[str] = mapped_column(String(200), nullable=False)
    name_zh_hant: Mapped[str | None] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

    @property
    def name(self) -> str:
        return localized(self.name_zh, self.name_en, self.name_zh_hant)


class PickupGroup(IdMixin, TimestampMixin, db.Model):
    """接送站: one vehicle meeting the people arriving at one place in one time window (or
    taking those leaving from it)."""

    __tablename__ = "pickup_groups"

    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id", ondelete="CASCADE"), nullable=False, index=True)
    place_id: Mapped[int] = mapped_column(ForeignKey("travel_places.id", ondelete="RESTRICT"), nullable=False)
    direction: Mapped[str] = mapped_column(String(16), nullable=False, default="arrival")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    vehicle: Mapped[str] = mapped_column(String(100), nullable=False, default="")  # 考斯特 闽D·12345
    capacity: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    driver: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    driver_phone: Mapped[str] = mapped_column(String(40), nullable=False, default="")  # the fleet's duty phone
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")

    place: Mapped[TravelPlace] = relationship()


class Journey(IdMixin, db.Model):
    """A person's arrival or departure: when, how (flight or train number), where, and the
    pickup group meeting them."""

    __tablename__ = "journeys"
    __table_args__ = (UniqueConstraint("person_id", "direction"), Index("ix_journeys_edition_direction", "edition_id", "direction", "at"))

    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id", ondelete="CASCADE"), nullable=False)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), nullable=False)
    direction: Mapped[str] = mapped_column(String(16), nullable=False)  # DIRECTIONS
    at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    mode: Mapped[str] = mapped_column(String(16), nullable=False, default="air")
    # The flight or train number (MF8102, G1651), sealed: an itinerary is sensitive (PIPL art. 28).
    number_sealed: Mapped[str | None] = mapped_column(String(255))
    place_id: Mapped[int | None] = mapped_column(ForeignKey("travel_places.id", ondelete="RESTRICT"))
    needs_pickup: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    pickup_group_id: Mapped[int | None] = mapped_column(ForeignKey("pickup_groups.id", ondelete="SET NULL"), index=True)

    person: Mapped[Person] = relationship()
    place: Mapped[TravelPlace | None] = relationship()
    pickup_group: Mapped[PickupGroup | None] = relationship()


class ShuttleRun(IdMixin, db.Model):
    """One departure of the shuttle: from a hotel to a venue, back, or between two venues.
    Generated from the programme (before the first session, after the last), then edited."""

    __tablename__ = "shuttle_runs"
    __table_args__ = (Index("ix_shuttle_runs_edition_departs", "edition_id", "departs_at"),)

    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id", ondelete="CASCADE"), nullable=False)
    leg: Mapped[str] = mapped_column(String(16), nullable=False)  # SHUTTLE_LEGS
    hotel_id: Mapped[int | None] = mapped_column(ForeignKey("hotels.id", ondelete="CASCADE"), index=True)
    venue_id: Mapped[int] = mapped_column(ForeignKey("venues.id", ondelete="CASCADE"), nullable=False)
    other_venue_id: Mapped[int | None] = mapped_column(ForeignKey("venues.id", ondelete="CASCADE"))
    departs_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    arrives_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    generated: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    note: Mapped[str] = mapped_column(String(200), nullable=False, default="")

    hotel: Mapped[Hotel | None] = relationship()
    venue: Mapped[Venue] = relationship(foreign_keys=[venue_id])
    other_venue: Mapped[Venue | None] = relationship(foreign_keys=[other_venue_id])


class RoomingListSent(IdMixin, db.Model):
    """A rooming list as it was sent to a hotel: each stay's line, so that the next list can
    say what is new, moved or cancelled since."""

    __tablename__ = "rooming_lists_sent"

    hotel_id: Mapped[int] = mapped_column(ForeignKey("hotels.id", ondelete="CASCADE"), nullable=False, index=True)
    night: Mapped[date | None] = mapped_column(Date)  # None: the whole stay
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    sent_by: Mapped[str] = mapped_column(String(254), nullable=False, default="")
    lines: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)  # stay id -> its line, as sent

    hotel: Mapped[Hotel] = relationship()
