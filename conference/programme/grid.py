"""The schedule grid: one day, halls across, time down, every session in its slot."""

from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta

from conference.core.schedule import Conflict
from conference.editions.localtime import edition_zone, local, local_day
from conference.editions.models import Edition
from conference.programme import services
from conference.programme.models import Session
from conference.venues.models import Hall
from conference.venues.services import halls_of

SLOT_MINUTES = 15
# A3 landscape holds the time column and this many halls at a readable width (about 5.5 cm).
HALLS_PER_PRINTED_PAGE = 7


@dataclass
class Block:
    session: Session
    column: int
    row_start: int
    row_end: int
    starts: str
    ends: str
    conflicts: list[Conflict] = field(default_factory=list)

    @property
    def hard(self) -> bool:
        return any(c.hard for c in self.conflicts)


@dataclass
class Grid:
    halls: list[Hall]
    first: datetime
    rows: int
    hours: list[tuple[int, str]]  # (row, "09:00")
    blocks: list[Block]
    unplaced: list[Session]

    def pages(self, per_page: int = HALLS_PER_PRINTED_PAGE) -> list[tuple[int, list[Hall], list[Block]]]:
        """The grid cut into printed pages: (number of the first hall, its halls, their blocks
        with columns counted from that page's time column)."""
        cut = []
        for offset in range(0, len(self.halls), per_page):
            halls = self.halls[offset:offset + per_page]
            blocks = [replace(block, column=block.column - offset) for block in self.blocks
                      if offset + 2 <= block.column < offset + 2 + len(halls)]
            cut.append((offset + 1, halls, blocks))
        return cut


def _slot(first: datetime, moment: datetime) -> int:
    return int((moment - first).total_seconds() // (SLOT_MINUTES * 60)) + 1


def build(edition: Edition, day: date) -> Grid:
    sessions = [
        s for s in services.programme_sessions(edition, published_only=False)
        if s.scheduled and local_day(edition, s.starts_at) == day
    ]
    conflicts = services.edition_conflicts(edition)
    halls = halls_of(edition)
    columns = {hall.id: index + 2 for index, hall in enumerate(halls)}  # column 1 holds the times

    zone = edition_zone(edition)
    starts = [local(edition, s.starts_at) for s in sessions]
    ends = [local(edition, s.ends_at) for s in sessions]
    first_hour = min([t.hour for t in starts] + [8])
    last_hour = max([t.hour + (1 if t.minute or t.second else 0) for t in ends] + [18])
    first = datetime.combine(day, time(first_hour), tzinfo=zone)
    last = datetime.combine(day, time(0), tzinfo=zone) + timedelta(hours=min(last_hour, 24))
    rows = _slot(first, last) - 1
    hours = [(_slot(first, first + timedelta(hours=h)), f"{first_hour + h:02d}:00")
             for h in range(last_hour - first_hour)]

    blocks, unplaced = [], []
    for session, start, end in zip(sessions, starts, ends, strict=True):
        if session.hall_id not in columns:
            unplaced.append(session)
            continue
        blocks.append(
            Block(
                session=session, column=columns[session.hall_id],
                row_start=_slot(first, start), row_end=max(_slot(first, min(end, last)), _slot(first, start) + 1),
                starts=start.strftime("%H:%M"), ends=end.strftime("%H:%M"),
                conflicts=conflicts.get(session.id, []),
            )
        )
    return Grid(halls, first, rows, hours, blocks, unplaced)
