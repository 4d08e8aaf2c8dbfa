"""Working groups, volunteers, trainings, posts and shifts, and the service records they earn.

A volunteer starts as an application (applied → accepted, rejected or waitlisted, or withdrawn
by the applicant); an accepted one becomes a Person of category volunteer with a badge and an
account. Posts are the jobs (an usher in hall 3, a scanner at the east gate), shifts are a post's
times with a headcount; a volunteer's place on a shift (ShiftPlace) is taken from the shift's
`taken`/`needed` counter (core/capacity), so the last place goes to exactly one. Hours come from
checking in and out of a shift, corrected by a lead with a reason. A service record certificate
(志愿服务记录证明) is kept as issued, after the retention purge too: the regulations ask for it.
"""

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from conference.accounts.models import User
from conference.core.i18n import localized
from conference.core.models import IdMixin, TimestampMixin, UTCDateTime, utcnow
from conference.editions.models import Edition
from conference.extensions import db
from conference.people.models import Person
from conference.venues.models import Checkpoint, Hall

APPLICATION_STATUSES = ("applied", "waitlisted", "accepted", "rejected", "withdrawn")
POST_KINDS = ("checkpoint", "usher", "info_desk", "press_centre", "hotel_desk", "pickup", "medical", "other")
# What a volunteer can bring; a post or a shift may require some of them.
SKILLS = ("first_aid", "driving", "sign_language", "photography", "interpreting", "it_support", "medical")
LANGUAGE_LEVELS = ("basic", "fluent", "native")
SHIRT_SIZES = ("XS", "S", "M", "L", "XL", "XXL", "XXXL")
# Parts of a day a volunteer says they are free, in the edition's local time.
DAY_PARTS = {"morning": (7, 12), "afternoon": (12, 18), "evening": (18, 23)}
PLACE_STATUSES = ("signed_up", "cancelled")


class WorkingGroup(IdMixin, TimestampMixin, db.Model):
    """工作组: one of the conference's working groups (综合组, 接待组 … 志愿服务组), with a
    public desk phone for the handbook and the volunteers' pages (never a member's own)."""

    __tablename__ = "working_groups"
    __table_args__ = (UniqueConstraint("edition_id", "code"),)

    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id", ondelete="CASCADE"), nullable=False)
    code: Mapped[str] = mapped_column(String(24), nullable=False)
    name_zh: Mapped[str] = mapped_column(String(100), nullable=False)
    name_zh_hant: Mapped[str | None] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    desk_phone: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    # The group that screens applications and issues service records (志愿服务组).
    screens_volunteers: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

    edition: Mapped[Edition] = relationship()
    members: Mapped[list["GroupMember"]] = relationship(back_populates="group", cascade="all, delete-orphan")

    @property
    def name(self) -> str:
        return localized(self.name_zh, self.name_en, self.name_zh_hant)


class GroupMember(IdMixin, db.Model):
    """An account working in a group; a lead manages the group's posts, shifts and volunteers."""

    __tablename__ = "group_members"
    __table_args__ = (UniqueConstraint("group_id", "user_id"),)

    group_id: Mapped[int] = mapped_column(ForeignKey("working_groups.id", ondelete="CASCADE"), nullable=False)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    lead: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)

    group: Mapped[WorkingGroup] = relationship(back_populates="members")
    user: Mapped[User] = relationship()


class AccountPerson(IdMixin, db.Model):
    """Which Person an account holder is in an edition (a volunteer's account and badge)."""

    __tablename__ = "account_people"
    __table_args__ = (UniqueConstraint("user_id", "edition_id"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id", ondelete="CASCADE"), nullable=False)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), nullable=False, unique=True)

    user: Mapped[User] = relationship()
    person: Mapped[Person] = relationship()


class HallGroup(IdMixin, db.Model):
    """A hall looked after by a working group: its lead sees and ticks the hall's checklist."""

    __tablename__ = "hall_groups"
    __table_args__ = (UniqueConstraint("hall_id", "group_id"),)

    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id", ondelete="CASCADE"), nullable=False)
    group_id: Mapped[int] = mapped_column(ForeignKey("working_groups.id", ondelete="CASCADE"), nullable=False, index=True)

    hall: Mapped[Hall] = relationship()
    group: Mapped[WorkingGroup] = relationship()


class VolunteerSettings(IdMixin, db.Model):
    """An edition's volunteering: whether applications are open, its own privacy notice (the
    purposes are volunteer management and service records), and the limits shifts keep to."""

    __tablename__ = "volunteer_settings"

    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id", ondelete="CASCADE"), nullable=False, unique=True)
    applications_open: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    notice_version: Mapped[int] = mapped_column(Integer, nullable=False, default=0)  # 0: none published
    notice_zh: Mapped[str] = mapped_column(Text, nullable=False, default="")
    notice_zh_hant: Mapped[str] = mapped_column(Text, nullable=False, default="")
    notice_en: Mapped[str] = mapped_column(Text, nullable=False, default="")
    max_daily_minutes: Mapped[int] = mapped_column(Integer, nullable=False, default=8 * 60)
    rest_minutes: Mapped[int] = mapped_column(Integer, nullable=False, default=30)  # between two shifts
    no_show_minutes: Mapped[int] = mapped_column(Integer, nullable=False, default=15)

    @property
    def notice(self) -> str:
        return localized(self.notice_zh, self.notice_en, self.notice_zh_hant or None)


class Volunteer(IdMixin, TimestampMixin, db.Model):
    """An application to volunteer and, once accepted, the volunteer's record: what they can do,
    when they are free, and who to call. The identity document is sealed and checked as
    registration checks it; one application per document per edition that is not withdrawn."""

    __tablename__ = "volunteers"
    __table_args__ = (
        Index("uq_volunteers_edition_document_active", "edition_id", "document_index", unique=True,
              sqlite_where=text("status <> 'withdrawn'"), postgresql_where=text("status <> 'withdrawn'")),
        Index("ix_volunteers_edition_status", "edition_id", "status"),
    )

    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id", ondelete="CASCADE"), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="applied")
    family_name: Mapped[str] = mapped_column(String(100), nullable=False)
    given_name: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    name_latin: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254), nullable=False)
    phone_sealed: Mapped[str | None] = mapped_column(String(255))
    phone_masked: Mapped[str] = mapped_column(String(32), nullable=False, default="")
    id_type: Mapped[str] = mapped_column(String(24), nullable=False)
    document_sealed: Mapped[str | None] = mapped_column(String(255))
    document_index: Mapped[str | None] = mapped_column(String(64))
    document_masked: Mapped[str] = mapped_column(String(32), nullable=False, default="")
    nationality: Mapped[str | None] = mapped_column(String(3))
    under_18: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    guardian_name: Mapped[str | None] = mapped_column(String(100))
    guardian_phone_sealed: Mapped[str | None] = mapped_column(String(255))
    school_or_employer: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    # [{"code": "en", "level": "fluent"}]: the edition's working languages (zh, en, …).
    languages: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    skills: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    # [{"day": "2023-07-18", "part": "morning"}]: when they can work, in the edition's time.
    availability: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    shirt_size: Mapped[str] = mapped_column(String(8), nullable=False, default="")
    emergency_name: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    emergency_phone_sealed: Mapped[str | None] = mapped_column(String(255))
    # Never volunteered at this conference before: never alone on a shift.
    first_time: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    # Trusted teams may sign up for shifts before they have arrived.
    trusted: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    photo_file: Mapped[str | None] = mapped_column(String(64))
    locale: Mapped[str] = mapped_column(String(16), nullable=False, default="zh_Hans_CN")
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)  # the applicant's own link
    group_id: Mapped[int | None] = mapped_column(ForeignKey("working_groups.id", ondelete="SET NULL"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"), unique=True)
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")  # screeners' notes
    interview_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    interview_place: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    decision_reason: Mapped[str] = mapped_column(Text, nullable=False, default="")  # the applicant receives it
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by: Mapped[str | None] = mapped_column(String(254))

    edition: Mapped[Edition] = relationship()
    group: Mapped[WorkingGroup | None] = relationship()
    person: Mapped[Person | None] = relationship()
    consents: Mapped[list["VolunteerConsent"]] = relationship(back_populates="volunteer", cascade="all, delete-orphan")

    @property
    def name(self) -> str:
        from conference.core.i18n import full_name

        return full_name(self.family_name, self.given_name)

    def speaks(self, code: str) -> bool:
        return any(entry.get("code") == code for entry in self.languages or [])


class VolunteerConsent(IdMixin, db.Model):
    """A consent given with an application, to a version of the volunteers' privacy notice:
    the notice itself, the identity document, the photo, a guardian's."""

    __tablename__ = "volunteer_consents"

    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteers.id", ondelete="CASCADE"), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(24), nullable=False)
    notice_version: Mapped[int] = mapped_column(Integer, nullable=False)
    given_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    volunteer: Mapped[Volunteer] = relationship(back_populates="consents")


class Training(IdMixin, TimestampMixin, db.Model):
    """A training session; attendance is taken by scanning badges at its checkpoint."""

    __tablename__ = "trainings"
    __table_args__ = (UniqueConstraint("edition_id", "code"), CheckConstraint("taken <= capacity", name="seats"))

    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id", ondelete="CASCADE"), nullable=False)
    code: Mapped[str] = mapped_column(String(24), nullable=False)
    title_zh: Mapped[str] = mapped_column(String(200), nullable=False)
    title_zh_hant: Mapped[str | None] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    place: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    checkpoint_id: Mapped[int | None] = mapped_column(ForeignKey("checkpoints.id", ondelete="SET NULL"))
    capacity: Mapped[int] = mapped_column(Integer, nullable=False, default=50)
    taken: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

    checkpoint: Mapped[Checkpoint | None] = relationship()

    @property
    def title(self) -> str:
        return localized(self.title_zh, self.title_en, self.title_zh_hant)


class TrainingPlace(IdMixin, db.Model):
    """A volunteer booked on a training; `attended_at` once their badge was scanned there."""

    __tablename__ = "training_places"
    __table_args__ = (UniqueConstraint("training_id", "volunteer_id"),)

    training_id: Mapped[int] = mapped_column(ForeignKey("trainings.id", ondelete="CASCADE"), nullable=False)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteers.id", ondelete="CASCADE"), nullable=False, index=True)
    attended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    training: Mapped[Training] = relationship()
    volunteer: Mapped[Volunteer] = relationship()


class Post(IdMixin, TimestampMixin, db.Model):
    """A job volunteers do at one place: scanning at a checkpoint, ushering in a hall, the
    information desk, the press centre, a hotel desk, airport or station pickup, medical support.
    What a post requires (training, skills, languages) every one of its shifts requires too."""

    __tablename__ = "posts"
    __table_args__ = (UniqueConstraint("edition_id", "code"),)

    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id", ondelete="CASCADE"), nullable=False)
    group_id: Mapped[int] = mapped_column(ForeignKey("working_groups.id", ondelete="RESTRICT"), nullable=False, index=True)
    code: Mapped[str] = mapped_column(String(24), nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False, default="other")
    name_zh: Mapped[str] = mapped_column(String(200), nullable=False)
    name_zh_hant: Mapped[str | None] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    description_zh: Mapped[str] = mapped_column(Text, nullable=False, default="")
    description_en: Mapped[str] = mapped_column(Text, nullable=False, default="")
    # Where: one of these, or a place described in words.
    checkpoint_id: Mapped[int | None] = mapped_column(ForeignKey("checkpoints.id", ondelete="SET NULL"))
    hall_id: Mapped[int | None] = mapped_column(ForeignKey("halls.id", ondelete="SET NULL"))
    hotel_id: Mapped[int | None] = mapped_column(ForeignKey("hotels.id", ondelete="SET NULL"))
    travel_place_id: Mapped[int | None] = mapped_column(ForeignKey("travel_places.id", ondelete="SET NULL"))
    place_text: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    self_signup: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    training_id: Mapped[int | None] = mapped_column(ForeignKey("trainings.id", ondelete="SET NULL"))
    skills: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    languages: Mapped[list] = mapped_column(JSON, nullable=False, default=list)  # codes: ["en"]

    group: Mapped[WorkingGroup] = relationship()
    checkpoint: Mapped[Checkpoint | None] = relationship()
    hall: Mapped[Hall | None] = relationship()
    training: Mapped[Training | None] = relationship()

    @property
    def name(self) -> str:
        return localized(self.name_zh, self.name_en, self.name_zh_hant)


class Shift(IdMixin, TimestampMixin, db.Model):
    """A post's time with the number of volunteers it needs; `taken` counts the places held.
    Its own requirements add to the post's (sub-forum 8's ushers need English)."""

    __tablename__ = "shifts"
    __table_args__ = (
        CheckConstraint("taken <= needed", name="places"),
        CheckConstraint("ends_at > starts_at", name="times"),
        Index("ix_shifts_edition_starts", "edition_id", "starts_at"),
    )

    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id", ondelete="CASCADE"), nullable=False)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), nullable=False, index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    needed: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    taken: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    training_id: Mapped[int | None] = mapped_column(ForeignKey("trainings.id", ondelete="SET NULL"))
    skills: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    languages: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    note: Mapped[str] = mapped_column(String(300), nullable=False, default="")

    post: Mapped[Post] = relationship()
    training: Mapped[Training | None] = relationship()

    @property
    def required_skills(self) -> list[str]:
        return sorted(set(self.post.skills or []) | set(self.skills or []))

    @property
    def required_languages(self) -> list[str]:
        return sorted(set(self.post.languages or []) | set(self.languages or []))

    @property
    def required_trainings(self) -> list[int]:
        return sorted({t for t in (self.post.training_id, self.training_id) if t is not None})


class ShiftPlace(IdMixin, TimestampMixin, db.Model):
    """A volunteer on a shift, by their own sign-up or a lead's assignment. Checked in and out
    by a badge scan at the group's desk or by the lead; the hours worked are those times, or a
    lead's correction with its reason. A cancelled place gives its unit back and stays as a
    record; signing up again reuses the row."""

    __tablename__ = "shift_places"
    __table_args__ = (
        UniqueConstraint("shift_id", "volunteer_id"),
        Index("ix_shift_places_volunteer_status", "volunteer_id", "status"),
    )

    shift_id: Mapped[int] = mapped_column(ForeignKey("shifts.id", ondelete="CASCADE"), nullable=False)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteers.id", ondelete="CASCADE"), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="signed_up")
    assigned_by: Mapped[str | None] = mapped_column(String(254))  # None: the volunteer signed up
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    checked_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    corrected_minutes: Mapped[int | None] = mapped_column(Integer)
    correction_reason: Mapped[str] = mapped_column(String(300), nullable=False, default="")

    shift: Mapped[Shift] = relationship()
    volunteer: Mapped[Volunteer] = relationship()


class ServiceRecord(IdMixin, db.Model):
    """志愿服务记录证明 as issued: the facts printed on the certificate, frozen, with an
    unguessable serial for the public verification page. Kept after the retention purge (the
    Volunteer Service Regulations ask for service records), so it copies what it shows and
    holds no identity number."""

    __tablename__ = "service_records"

    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id", ondelete="CASCADE"), nullable=False, index=True)
    volunteer_id: Mapped[int | None] = mapped_column(ForeignKey("volunteers.id", ondelete="SET NULL"), index=True)
    serial: Mapped[str] = mapped_column(String(40), nullable=False, unique=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    group_name_zh: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    group_name_en: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    # {"2023-07-18": 300, …}: minutes by local day.
    minutes_by_day: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    total_minutes: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    first_day: Mapped[date | None] = mapped_column(Date)
    last_day: Mapped[date | None] = mapped_column(Date)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
