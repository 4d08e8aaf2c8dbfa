from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from conference.core.models import IdMixin, UTCDateTime, utcnow
from conference.extensions import db
from conference.venues.models import Checkpoint

RESULTS = ("admitted", "already_inside", "not_allowed_here", "outside_hours", "revoked", "superseded",
           "wrong_edition", "invalid", "left")
SCAN_KINDS = ("entry", "exit", "print", "lookup")
MODES = ("entry", "exit", "both")


class CheckpointRule(IdMixin, db.Model):
    """Who may pass an entrance, and when. Empty lists mean no restriction of that kind."""

    __tablename__ = "checkpoint_rules"

    checkpoint_id: Mapped[int] = mapped_column(ForeignKey("checkpoints.id", ondelete="CASCADE"), nullable=False, unique=True)
    categories: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    zones: Mapped[list] = mapped_column(JSON, nullable=False, default=list)  # zone codes, any one suffices
    session_id: Mapped[int | None] = mapped_column(ForeignKey("sessions.id", ondelete="RESTRICT"))
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    mode: Mapped[str] = mapped_column(String(8), nullable=False, default="entry")
    reentry: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    # Entering this hall ends the person's presence in any other hall (one body, one room).
    checks_out_elsewhere: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)

    checkpoint: Mapped[Checkpoint] = relationship()


class Presence(IdMixin, db.Model):
    """Whether a badge is inside an area (a hall, or a venue). Entering is one conditional
    UPDATE of this row, so two scanners scanning one badge admit it once."""

    __tablename__ = "presences"
    __table_args__ = (UniqueConstraint("badge_id", "area"), Index("ix_presences_area_inside", "area", "inside"))

    badge_id: Mapped[int] = mapped_column(ForeignKey("badges.id", ondelete="CASCADE"), nullable=False)
    area: Mapped[str] = mapped_column(String(32), nullable=False)  # "hall:12" or "venue:3"
    inside: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    entries: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)


class ScannerDevice(IdMixin, db.Model):
    """A phone or handheld paired with one checkpoint. Only keyed hashes of its token and of
    its one-time pairing code are stored; unpairing sets `revoked_at` and keeps the token's
    hash, so that the phone can still deliver the scans it made before (see
    services.accepts). `unsent` is what the phone last said it still has to send (its
    X-Scanner-Queue header); `last_sync_at` its last successful snapshot or scan call."""

    __tablename__ = "scanner_devices"

    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id", ondelete="CASCADE"), nullable=False, index=True)
    checkpoint_id: Mapped[int] = mapped_column(ForeignKey("checkpoints.id", ondelete="CASCADE"), nullable=False)
    name: Mapped[str] = mapped_column(String(80), nullable=False)
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    pairing_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    pairing_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    paired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    unsent: Mapped[int | None] = mapped_column(Integer)
    last_sync_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    # A volunteer's phone, given a token for their shift: valid only from shortly before the
    # shift to shortly after it; a paired device has neither bound.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    valid_from: Mapped[datetime | None] = mapped_column(UTCDateTime())
    valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime())

    checkpoint: Mapped[Checkpoint] = relationship()

    @property
    def state(self) -> str:
        if self.revoked_at:
            return "unpaired"
        return "paired" if self.token_hash else "waiting"


class Scan(IdMixin, db.Model):
    """Every scan, as it was answered. `client_scan_id` makes a scan sent twice by one device
    count once; it is the device's own, so another device may use the same id for its own
    scan (a scan without a device, such as an admission by hand, is always recorded).

    Every index here is written by every scan at the busiest door, so there are only those the
    reports need: the edition's log and chart by time, a checkpoint's log by time, a badge's
    scans. The log's device filter reads through the edition's index."""

    __tablename__ = "scans"
    __table_args__ = (Index("ix_scans_edition_time", "edition_id", "scanned_at"),
                      Index("ix_scans_checkpoint_time", "checkpoint_id", "scanned_at"),
                      UniqueConstraint("device_id", "client_scan_id"))

    # A scan is a record of what happened: no cascade removes it (a checkpoint with scans stays).
    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id", ondelete="RESTRICT"), nullable=False)
    checkpoint_id: Mapped[int] = mapped_column(ForeignKey("checkpoints.id", ondelete="RESTRICT"), nullable=False)
    client_scan_id: Mapped[str] = mapped_column(String(64), nullable=False)
    device: Mapped[str] = mapped_column(String(80), nullable=False, default="")  # its name then
    device_id: Mapped[int | None] = mapped_column(ForeignKey("scanner_devices.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(8), nullable=False, default="entry")
    badge_id: Mapped[int | None] = mapped_column(ForeignKey("badges.id", ondelete="SET NULL"), index=True)
    result: Mapped[str] = mapped_column(String(20), nullable=False)
    why: Mapped[str] = mapped_column(String(16), nullable=False, default="")  # the reason's key
    reason: Mapped[str] = mapped_column(Text, nullable=False, default="")  # as the volunteer read it
    scanned_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    # What an offline scanner decided on the spot, and whether the server disagreed about an
    # admission (two offline phones let one badge in).
    offline_result: Mapped[str | None] = mapped_column(String(20))
    conflict: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
