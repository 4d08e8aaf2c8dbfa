"""core/capacity on a counter no domain owns: a room block's nights, the way hotels will count
them. Exactly one winner for the last unit, on SQLite and PostgreSQL (the suite runs on both)."""

import pytest
from sqlalchemy import ForeignKey, Integer, String, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from conference.core.capacity import Counter, WaitingList
from conference.core.database import committed
from conference.extensions import db
from tests.conftest import race


class Throwaway(DeclarativeBase):
    """Tables of this test's own, made and dropped around it: no migration knows them."""


class BlockNight(Throwaway):
    __tablename__ = "test_block_nights"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rooms: Mapped[int] = mapped_column(Integer)
    booked: Mapped[int] = mapped_column(Integer, default=0)


class Request(Throwaway):
    __tablename__ = "test_room_requests"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    night_id: Mapped[int] = mapped_column(ForeignKey("test_block_nights.id"))
    guest: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(10))


ROOMS = Counter(BlockNight.booked, BlockNight.rooms)
LINE = WaitingList(Request.status, Request.id, "waiting", "booked")


@pytest.fixture
def night(app):
    with app.app_context():
        Throwaway.metadata.create_all(db.engine)
        db.session.add(BlockNight(id=1, rooms=1, booked=0))
        db.session.commit()
    yield BlockNight.id == 1
    with app.app_context():
        db.session.remove()
        Throwaway.metadata.drop_all(db.engine)


def booked(app) -> int:
    with app.app_context():
        return db.session.execute(select(BlockNight.booked)).scalar_one()


@pytest.mark.parametrize("trial", range(3))
def test_twelve_guests_racing_for_the_last_room_exactly_one_wins(app, night, trial):
    results, errors = race(app, lambda index: committed(lambda: ROOMS.take(night)), 12)
    assert errors == []
    assert results.count(True) == 1 and results.count(False) == 11
    assert booked(app) == 1


def test_a_room_given_back_goes_to_the_first_in_line_and_the_line_moves_up(app, night):
    with app.app_context():
        places = []
        for guest in ("林", "王", "张"):
            place = Request(night_id=1, guest=guest, status=LINE.admit(ROOMS, night))
            db.session.add(place)
            db.session.flush()
            places.append(place)
        first, second, third = places
        assert [p.status for p in places] == ["booked", "waiting", "waiting"]
        assert [LINE.position(p, Request.night_id == 1) for p in places] == [None, 1, 2]
        assert LINE.promote(ROOMS, night, Request.night_id == 1) == []  # nothing was given back

        first.status = "cancelled"
        db.session.flush()
        ROOMS.give_back(night)
        assert LINE.promote(ROOMS, night, Request.night_id == 1) == [second]
        assert (second.status, LINE.position(third, Request.night_id == 1)) == ("booked", 1)
        db.session.commit()
    assert booked(app) == 1


def test_nothing_is_given_back_below_zero(app, night):
    with app.app_context():
        ROOMS.give_back(night)
        db.session.commit()
    assert booked(app) == 0


@pytest.mark.parametrize("trial", range(3))
def test_twelve_new_places_racing_for_the_last_room_one_is_seated_and_eleven_wait(app, night, trial):
    """seat(): the unit taken and the place written (one statement on PostgreSQL); the place
    comes back as stored, a row of the session with nothing left to flush."""

    def place(index):
        def attempt():
            request = LINE.seat(ROOMS, night, {"night_id": 1, "guest": f"客{index}"})
            assert request in db.session and not db.session.dirty and not db.session.new
            return request.id, request.status
        return committed(attempt)

    results, errors = race(app, place, 12)
    assert errors == []
    assert sorted(status for _id, status in results) == ["booked"] + ["waiting"] * 11
    with app.app_context():
        stored = dict(db.session.execute(select(Request.id, Request.status)).all())
    assert stored == dict(results)
    assert booked(app) == 1
