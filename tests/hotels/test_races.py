"""Organizers acting on one stay at the same moment: two moves, a move and auto-assign's save,
a cancellation and a share. Whatever order the database puts them in, every room block counts
exactly the room-nights its stays hold."""

import pytest
from sqlalchemy import select

from conference.core.database import committed
from conference.core.schedule import ScheduleError
from conference.extensions import db
from conference.hotels import assign, services
from conference.hotels.assign import AssignError
from conference.hotels.models import HOLDING, Hotel, RoomBlock, Stay
from conference.hotels.services import HotelError
from tests.conftest import race
from tests.hotels.factories import housing, person, requested

TRIALS = range(3)


def assert_counts_match_the_stays() -> None:
    """In an app context: each block's `taken` is the number of stays holding a room of its
    type that night, and nobody shares a room its holder no longer holds."""
    stays = db.session.execute(select(Stay)).scalars().all()
    for block in db.session.execute(select(RoomBlock)).scalars():
        held = sum(1 for stay in stays if stay.holds_rooms and stay.room_type_id == block.room_type_id
                   and stay.check_in <= block.night < stay.check_out)
        assert block.taken == held, (block.room_type_id, block.night, block.taken, held)
    holders = {stay.id: stay for stay in stays}
    for stay in stays:
        if stay.status in HOLDING and stay.shares_with_id is not None:
            holder = holders[stay.shares_with_id]
            assert holder.holds_rooms and holder.room_type_id == stay.room_type_id, (stay.id, holder.id)


def _outcome(work):
    try:
        committed(work)
    except (HotelError, AssignError, ScheduleError):
        return False
    return True


@pytest.mark.parametrize("trial", TRIALS)
def test_two_organizers_moving_one_stay_leave_the_counts_right(app, trial):
    with app.app_context():
        world = housing(rooms=3)
        stay = requested(world, person(world, "甲"))
        services.place(stay, world.audience_hotel, world.room(world.audience_hotel, "king"), tell=False)
        db.session.commit()
        stay_id, hotel_id = stay.id, world.audience_hotel.id
        targets = [world.room(world.audience_hotel, "twin").id, world.room(world.audience_hotel, "king").id]

    def attempt(index):
        def work():
            hotel = db.session.get(Hotel, hotel_id)
            services.place(db.session.get(Stay, stay_id), hotel, services.get_room_type(hotel, targets[index % 2]),
                           tell=False)
        return _outcome(work)

    _results, errors = race(app, attempt, 4)
    assert errors == []
    with app.app_context():
        assert_counts_match_the_stays()


@pytest.mark.parametrize("trial", TRIALS)
def test_a_move_racing_auto_assign_leaves_the_counts_right(app, trial):
    with app.app_context():
        world = housing(rooms=3)
        ids = [requested(world, person(world, f"乙{index}")).id for index in range(3)]
        db.session.commit()
        edition_id, hotel_id = world.edition.id, world.audience_hotel.id
        twin_id = world.room(world.audience_hotel, "twin").id

    def attempt(index):
        if index == 0:
            def save():
                from conference.editions.models import Edition

                found = assign.plan(db.session.get(Edition, edition_id))
                assign.apply(found)
            return _outcome(save)

        def move():
            hotel = db.session.get(Hotel, hotel_id)
            services.place(db.session.get(Stay, ids[index - 1]), hotel, services.get_room_type(hotel, twin_id),
                           tell=False)
        return _outcome(move)

    _results, errors = race(app, attempt, 3)
    assert errors == []
    with app.app_context():
        assert_counts_match_the_stays()


@pytest.mark.parametrize("trial", TRIALS)
def test_cancelling_a_stay_while_it_is_shared_leaves_the_room_held(app, trial):
    with app.app_context():
        world = housing(rooms=3)
        holder = requested(world, person(world, "丙"), room_kind="twin")
        services.place(holder, world.audience_hotel, world.room(world.audience_hotel, "twin"), tell=False)
        sharer = requested(world, person(world, "丁"), room_kind="twin")
        db.session.commit()
        holder_id, sharer_id = holder.id, sharer.id

    def attempt(index):
        if index == 0:
            return _outcome(lambda: services.cancel_stay(db.session.get(Stay, holder_id), tell=False))
        return _outcome(lambda: services.share(db.session.get(Stay, sharer_id), db.session.get(Stay, holder_id),
                                               confirmed=True, tell=False))

    _results, errors = race(app, attempt, 2)
    assert errors == []
    with app.app_context():
        assert_counts_match_the_stays()


@pytest.mark.parametrize("trial", TRIALS)
def test_two_people_sharing_one_twin_room_at_once_only_one_gets_in(app, trial):
    with app.app_context():
        world = housing(rooms=3)
        holder = requested(world, person(world, "戊"), room_kind="twin")
        services.place(holder, world.audience_hotel, world.room(world.audience_hotel, "twin"), tell=False)
        sharers = [requested(world, person(world, f"己{index}"), room_kind="twin").id for index in range(2)]
        db.session.commit()
        holder_id = holder.id

    def attempt(index):
        return _outcome(lambda: services.share(db.session.get(Stay, sharers[index]), db.session.get(Stay, holder_id),
                                               confirmed=True, tell=False))

    results, errors = race(app, attempt, 2)
    assert errors == [] and results.count(True) == 1
    with app.app_context():
        assert db.session.execute(select(Stay.id).where(Stay.shares_with_id == holder_id)).scalars().all() in (
            [sharers[0]], [sharers[1]])
        assert_counts_match_the_stays()


@pytest.mark.parametrize("trial", TRIALS)
def test_confirming_a_stay_while_it_is_cancelled_does_not_bring_it_back(app, trial):
    with app.app_context():
        world = housing(rooms=3)
        stay = requested(world, person(world, "庚"))
        services.place(stay, world.audience_hotel, world.room(world.audience_hotel, "king"), tell=False)
        db.session.commit()
        stay_id = stay.id

    def attempt(index):
        if index == 0:
            return _outcome(lambda: services.cancel_stay(db.session.get(Stay, stay_id), tell=False))
        return _outcome(lambda: services.confirm_stay(db.session.get(Stay, stay_id), "HX-9", tell=False))

    _results, errors = race(app, attempt, 2)
    assert errors == []
    with app.app_context():
        assert db.session.get(Stay, stay_id).status == "cancelled"
        assert_counts_match_the_stays()
