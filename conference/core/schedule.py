"""Time that can be double-booked: intervals, overlap with buffers, conflicts, and the rule
that saves a placement only when nothing blocks it and the organizer has confirmed the rest.

The programme places sessions in halls and speakers on stage; hotels place guests in rooms for
nights; volunteers take shifts. Each domain writes its own conflict rules (a hall booked twice, a
guest in two rooms on one night, a volunteer on two shifts without time to get between them) on
these few pieces, so every domain's conflicts look, read and decide alike.

Intervals are half-open, [start, end): a session ending at 12:00 and one starting at 12:00 do not
overlap. The same holds for dates, which is how a hotel stay counts its nights: [arrival,
departure) sleeps the nights of the arrival day up to, not including, the departure day.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from conference.core.errors import Refusal

HARD, SOFT = "hard", "soft"
NO_BUFFER = timedelta(0)


def overlaps(a_start, a_end, b_start, b_end, buffer: timedelta = NO_BUFFER) -> bool:
    """Two intervals share time, or come closer than `buffer` (time to set up a hall, to walk
    between venues, to clean a room). Works for datetimes and for dates alike."""
    return a_start < b_end + buffer and b_start < a_end + buffer


@dataclass(frozen=True)
class Interval:
    """[start, end) in datetimes (a session, a shift) or in dates (a hotel stay)."""

    start: datetime | date
    end: datetime | date

    def overlaps(self, other: "Interval", buffer: timedelta = NO_BUFFER) -> bool:
        return overlaps(self.start, self.end, other.start, other.end, buffer)

    def nights(self) -> list[date]:
        """A stay's nights, one date each, from the arrival day to the night before departure."""
        return [self.start + timedelta(days=n) for n in range((self.end - self.start).days)]


@dataclass(frozen=True)
class Conflict:
    """One rule a placement breaks. Hard ones block saving; soft ones are saved once the
    organizer confirms them. `subject_id` is what is being placed (a session, a stay, a shift),
    `part_id` the part of it at fault (an agenda item), `other_id` what it clashes with."""

    rule: str
    severity: str
    message: str
    subject_id: int | None = None
    part_id: int | None = None
    other_id: int | None = None

    @property
    def hard(self) -> bool:
        return self.severity == HARD


class ScheduleError(Refusal):
    """Saving was refused: a field is wrong (`field`), or there are hard conflicts, or soft
    ones not yet confirmed (`conflicts`)."""

    def __init__(self, message=None, field: str | None = None, conflicts: list[Conflict] | None = None):
        self.conflicts = list(conflicts or [])
        if message is None:
            message = " ".join(str(conflict.message) for conflict in self.conflicts)
        super().__init__(message, field)

    @property
    def needs_confirmation(self) -> bool:
        return bool(self.conflicts) and not any(c.hard for c in self.conflicts)


def confirm_or_refuse(conflicts: list[Conflict], confirmed: bool) -> None:
    """Hard conflicts always refuse; soft ones refuse until the organizer has confirmed them."""
    if any(c.hard for c in conflicts) or (conflicts and not confirmed):
        raise ScheduleError(conflicts=conflicts)
