"""Limited things taken one at a time: a session's seats, a room block's nights, a shift's places.

A unit is taken with one conditional UPDATE (`used < limit`) on the row that counts them, and
the number of rows it changed says whether this transaction got one. Both SQLite and PostgreSQL
apply such a statement atomically, so however many people take the last unit at once, exactly
one wins; the others go on the waiting list, which is promoted in order as units are given back.

A domain describes its counter row and its waiting list with the model's own columns:

    SEATS = Counter(SessionQuota.taken, SessionQuota.seats)
    LINE = WaitingList(SeatBooking.status, SeatBooking.id, "waitlisted", "confirmed", SeatBooking.promoted_at)
    SEATS.take(SessionQuota.session_id == session_id)  # the condition picks the counter's row
    LINE.promote(SEATS, SessionQuota.session_id == session_id, SeatBooking.session_id == session_id)
"""

from dataclasses import dataclass

from sqlalchemy import ColumnElement, case, exists, func, insert, select, update
from sqlalchemy.orm import InstrumentedAttribute, make_transient_to_detached

from conference.core.models import utcnow
from conference.extensions import db


@dataclass(frozen=True)
class Counter:
    """A row counting `used` units out of `limit`; the caller's condition picks the row."""

    used: InstrumentedAttribute
    limit: InstrumentedAttribute

    def take(self, row: ColumnElement[bool], units: int = 1) -> bool:
        """One conditional UPDATE: true when this transaction got the units (all or none; a
        bulk save such as hotels' auto-assign takes many of one row at once)."""
        return db.session.execute(
            update(self.used.class_).where(row, self.used + units <= self.limit)
            .values({self.used: self.used + units})
        ).rowcount == 1

    def give_back(self, row: ColumnElement[bool]) -> None:
        db.session.execute(update(self.used.class_).where(row, self.used > 0).values({self.used: self.used - 1}))


@dataclass(frozen=True)
class WaitingList:
    """The places of a limited thing, each `holding` a unit or `waiting` for one, in the order
    of `order` (the place's id: first come, first served)."""

    status: InstrumentedAttribute
    order: InstrumentedAttribute
    waiting: str
    holding: str
    promoted_at: InstrumentedAttribute | None = None

    def admit(self, counter: Counter, row: ColumnElement[bool]) -> str:
        """The status of a new place: holding if a unit could be taken, else waiting."""
        return self.holding if counter.take(row) else self.waiting

    def seat(self, counter: Counter, row: ColumnElement[bool], values: dict):
        """A new place with these column values, holding a unit if one can be taken, else
        waiting: returned as a row of the session, as written. What else the transaction
        writes is written first: from the unit taken to the commit everyone taking from that
        counter waits, so the caller makes this its last write. On PostgreSQL the unit is taken
        and the place written in one statement, sent without the ORM's bookkeeping; SQLite
        lets one writer in at a time anyway: two statements there."""
        db.session.flush()
        model = self.status.class_
        table = model.__table__
        if db.session.get_bind().dialect.name == "postgresql":
            taken = (update(counter.used.class_.__table__).where(row, counter.used + 1 <= counter.limit)
                     .values({counter.used: counter.used + 1}).returning(counter.used).cte("taken"))
            status = case((exists(select(taken.c[0])), self.holding), else_=self.waiting)
        else:
            status = self.holding if counter.take(row) else self.waiting
        written = db.session.execute(insert(table).values({**values, self.status.key: status}).returning(*table.c)).one()
        place = model(**written._mapping)
        make_transient_to_detached(place)  # as if read from the database: nothing left to flush
        db.session.add(place)
        return place

    def position(self, place, line: ColumnElement[bool]) -> int | None:
        """Where a waiting place stands in its line (1 is next), or None if it is not waiting."""
        if getattr(place, self.status.key) != self.waiting:
            return None
        return db.session.execute(
            select(func.count(self.order)).where(
                line, self.status == self.waiting, self.order <= getattr(place, self.order.key))
        ).scalar_one()

    def promote(self, counter: Counter, row: ColumnElement[bool], line: ColumnElement[bool]) -> list:
        """Give freed units to the first in line, in order, while `counter` has any. `row` picks
        the counter's row, `line` the places waiting for it. Returns the places promoted."""
        model = self.status.class_
        promoted = []
        while True:
            candidate = db.session.execute(
                select(model).where(line, self.status == self.waiting).order_by(self.order).limit(1)
            ).scalar()
            if candidate is None or not counter.take(row):
                return promoted
            values = {self.status: self.holding}
            if self.promoted_at is not None:
                values[self.promoted_at] = utcnow()
            moved = db.session.execute(
                update(model).where(self.order == getattr(candidate, self.order.key), self.status == self.waiting)
                .values(values)
            ).rowcount
            if moved != 1:  # someone else promoted or cancelled them meanwhile: give the unit back
                counter.give_back(row)
                continue
            db.session.refresh(candidate)
            promoted.append(candidate)
