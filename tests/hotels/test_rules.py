"""Each rule of housing a person, and the last room of a night under concurrency (the suite
runs on SQLite and on PostgreSQL)."""

from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import select

from conference.core.database import committed
from conference.core.schedule import ScheduleError
from conference.editions.localtime import at_local
from conference.extensions import db
from conference.hotels import services
from conference.hotels.models import Journey, RoomBlock, Stay, Traveller
from conference.hotels.services import HotelError
from tests.conftest import race
from tests.hotels.factories import FIRST, LEAVING, NIGHTS, housing, person, requested


def taken(room_type) -> list[int]:
    return list(db.session.execute(
        select(RoomBlock.taken).where(RoomBlock.room_type_id == room_type.id).order_by(RoomBlock.night)).scalars())


def test_a_placed_stay_takes_a_room_on_each_of_its_nights(ctx):
    world = housing(rooms=2)
    stay = requested(world, person(world, "王"))
    king = world.room(world.audience_hotel, "king")
    services.place(stay, world.audience_hotel, king)
    assert stay.status == "assigned" and stay.hotel is world.audience_hotel
    assert taken(king) == [1, 1, 1]


def test_a_category_stays_only_in_its_kind_of_hotel(ctx):
    world = housing()
    stay = requested(world, person(world, "李", category="audience"))
    with pytest.raises(ScheduleError) as refused:
        services.place(stay, world.guest_hotel, world.room(world.guest_hotel, "king"), confirmed=True)
    assert [c.rule for c in refused.value.conflicts] == ["kind"] and refused.value.conflicts[0].hard
    assert taken(world.room(world.guest_hotel, "king")) == [0, 0, 0]


def test_staff_without_a_lodging_setting_stay_nowhere(ctx):
    world = housing()
    stay = requested(world, person(world, "周", category="staff"))
    with pytest.raises(ScheduleError):
        services.place(stay, world.audience_hotel, world.room(world.audience_hotel, "king"))


def test_a_stay_takes_all_its_nights_or_none(ctx):
    world = housing(rooms=1)
    king = world.room(world.audience_hotel, "king")
    first = requested(world, person(world, "张"), check_in=NIGHTS[2], check_out=LEAVING)
    services.place(first, world.audience_hotel, king)
    second = requested(world, person(world, "刘"))
    with pytest.raises(HotelError, match="2023-07-19"):
        services.place(second, world.audience_hotel, king)
    assert taken(king) == [0, 0, 1]  # the 17th and 18th, taken on the way, went back
    assert second.status == "requested"


def test_a_night_without_a_block_is_refused(ctx):
    world = housing()
    stay = requested(world, person(world, "陈"), check_in=date(2023, 7, 16), check_out=date(2023, 7, 18))
    with pytest.raises(HotelError, match="2023-07-16"):
        services.place(stay, world.audience_hotel, world.room(world.audience_hotel, "king"))


def test_nobody_sleeps_in_two_hotels_on_one_night(ctx):
    world = housing(rooms=3)
    who = person(world, "杨", category="media")
    services.place(requested(world, who), world.audience_hotel, world.room(world.audience_hotel, "king"))
    again = requested(world, who, check_in=NIGHTS[2], check_out=LEAVING)
    with pytest.raises(ScheduleError) as refused:
        services.place(again, world.audience_hotel, world.room(world.audience_hotel, "twin"), confirmed=True)
    assert [c.rule for c in refused.value.conflicts] == ["two_stays"]
    later = requested(world, who, check_in=LEAVING, check_out=date(2023, 7, 21))
    with pytest.raises(HotelError, match="2023-07-20"):  # no conflict with the first stay: only no block that night
        services.place(later, world.audience_hotel, world.room(world.audience_hotel, "twin"))


def _journey(world, who, direction, day, hour):
    services.traveller(who).travel_consent_at = datetime(2023, 7, 1, tzinfo=UTC)
    return services.save_journey(who, services.JourneyFields(direction=direction, at=at_local(world.edition, day, time(hour))))


def test_nights_outside_arrival_and_departure_need_confirmation(ctx):
    world = housing(rooms=2)
    who = person(world, "黄")
    _journey(world, who, "arrival", NIGHTS[1], 15)
    _journey(world, who, "departure", NIGHTS[2], 18)
    stay = requested(world, who)
    king = world.room(world.audience_hotel, "king")
    with pytest.raises(ScheduleError) as refused:
        services.place(stay, world.audience_hotel, king)
    assert sorted(c.rule for c in refused.value.conflicts) == ["after_departure", "before_arrival"]
    assert refused.value.needs_confirmation and taken(king) == [0, 0, 0]
    services.place(stay, world.audience_hotel, king, confirmed=True)
    assert taken(king) == [1, 1, 1]
    fitting = requested(world, person(world, "赵"), check_in=NIGHTS[1], check_out=NIGHTS[2])
    _journey(world, fitting.person, "arrival", NIGHTS[1], 9)
    services.place(fitting, world.audience_hotel, king)  # inside its traveller's dates: no question


def test_a_shared_twin_counts_once_and_the_roommates_nights_agree(ctx):
    world = housing(rooms=1)
    twin = world.room(world.audience_hotel, "twin")
    holder = requested(world, person(world, "吴"), room_kind="twin")
    services.place(holder, world.audience_hotel, twin)
    sharer = requested(world, person(world, "郑"), room_kind="twin")
    services.share(sharer, holder)
    assert sharer.shares_with_id == holder.id and sharer.hotel is world.audience_hotel
    assert taken(twin) == [1, 1, 1]
    third = requested(world, person(world, "孙"), room_kind="twin")
    with pytest.raises(ScheduleError) as refused:
        services.share(third, holder)
    assert [c.rule for c in refused.value.conflicts] == ["roommate"] and refused.value.conflicts[0].hard
    shorter = requested(world, person(world, "马"), check_in=NIGHTS[1], check_out=LEAVING, room_kind="twin")
    services.cancel_stay(sharer)
    with pytest.raises(ScheduleError) as refused:
        services.share(shorter, holder)
    assert [c.rule for c in refused.value.conflicts] == ["roommate_nights"]


def test_only_a_twin_is_shared(ctx):
    world = housing(rooms=1)
    holder = requested(world, person(world, "朱"))
    services.place(holder, world.audience_hotel, world.room(world.audience_hotel, "king"))
    with pytest.raises(ScheduleError) as refused:
        services.share(requested(world, person(world, "胡")), holder)
    assert [c.rule for c in refused.value.conflicts] == ["roommate"] and refused.value.conflicts[0].hard


def test_not_with_wishes_ask_before_sharing(ctx):
    world = housing(rooms=1)
    holder_person, other = person(world, "郭"), person(world, "何")
    code = services.traveller(other).roommate_code
    holder = services.request_stay(holder_person, services.StayWishes(FIRST, LEAVING, room_kind="twin", not_with_code=code))
    services.place(holder, world.audience_hotel, world.room(world.audience_hotel, "twin"))
    sharer = requested(world, other, room_kind="twin")
    with pytest.raises(ScheduleError) as refused:
        services.share(sharer, holder)
    assert [c.rule for c in refused.value.conflicts] == ["not_with"] and refused.value.needs_confirmation
    services.share(sharer, holder, confirmed=True)
    assert sharer.shares_with_id == holder.id


def test_roommate_codes_are_checked_when_asked(ctx):
    world = housing()
    who, colleague = person(world, "林"), person(world, "罗")
    own = services.traveller(who).roommate_code
    with pytest.raises(HotelError) as refused:
        services.request_stay(who, services.StayWishes(FIRST, LEAVING, room_kind="twin", roommate_code=own))
    assert refused.value.field == "roommate_code"
    with pytest.raises(HotelError) as refused:
        services.request_stay(who, services.StayWishes(FIRST, LEAVING, room_kind="king",
                                                        roommate_code=services.traveller(colleague).roommate_code))
    assert refused.value.field == "room_kind"
    code = services.traveller(colleague).roommate_code.lower()
    stay = services.request_stay(who, services.StayWishes(FIRST, LEAVING, room_kind="twin", roommate_code=f" {code[:4]}-{code[4:]} "))
    assert stay.roommate_wish is colleague


def test_cancelling_the_holder_leaves_the_roommate_in_the_room(ctx):
    world = housing(rooms=1)
    twin = world.room(world.audience_hotel, "twin")
    holder = requested(world, person(world, "高"), room_kind="twin")
    services.place(holder, world.audience_hotel, twin)
    sharer = requested(world, person(world, "梁"), room_kind="twin")
    services.share(sharer, holder)
    services.cancel_stay(holder)
    assert sharer.shares_with_id is None and sharer.holds_rooms and taken(twin) == [1, 1, 1]
    services.cancel_stay(sharer)
    assert taken(twin) == [0, 0, 0]


def test_a_move_gives_back_the_old_nights(ctx):
    world = housing(rooms=1)
    king, twin = world.room(world.audience_hotel, "king"), world.room(world.audience_hotel, "twin")
    stay = requested(world, person(world, "谢"))
    services.place(stay, world.audience_hotel, king)
    services.confirm_stay(stay, "HX-0001")
    services.place(stay, world.audience_hotel, twin)
    assert (taken(king), taken(twin)) == ([0, 0, 0], [1, 1, 1])
    assert stay.status == "assigned" and stay.confirmed_at is None  # a new room is the hotel's to confirm again


def test_a_block_never_holds_fewer_rooms_than_are_taken(ctx):
    world = housing(rooms=2)
    king = world.room(world.audience_hotel, "king")
    services.place(requested(world, person(world, "宋")), world.audience_hotel, king)
    with pytest.raises(HotelError) as refused:
        services.set_block(king, NIGHTS[0], 0)
    assert refused.value.field == "rooms"
    services.set_block(king, NIGHTS[0], 1)
    assert db.session.execute(select(RoomBlock.rooms).where(RoomBlock.room_type_id == king.id,
                                                            RoomBlock.night == NIGHTS[0])).scalar_one() == 1


def test_a_hotel_or_room_type_with_stays_is_not_deleted(ctx):
    world = housing()
    king = world.room(world.audience_hotel, "king")
    services.place(requested(world, person(world, "唐")), world.audience_hotel, king)
    with pytest.raises(HotelError.__mro__[1]):  # core Refusal: the deletion module's StillUsed
        services.delete_hotel(world.audience_hotel)
    with pytest.raises(HotelError.__mro__[1]):
        services.delete_room_type(king)
    services.delete_hotel(world.guest_hotel)  # no stays: it goes, with its room types and blocks
    db.session.flush()
    assert services.hotel_by_code(world.edition, "H-GUEST") is None


def test_a_cancelled_registration_gives_its_rooms_back_and_its_travel_details_go(ctx):
    world = housing()
    king = world.room(world.audience_hotel, "king")
    who = person(world, "许")
    stay = services.request_stay(who, services.StayWishes(FIRST, LEAVING, note="轮椅"))
    services.place(stay, world.audience_hotel, king)
    _journey(world, who, "arrival", NIGHTS[0], 10)

    class Cancelled:  # what the event carries: the registration, with its person
        person = stay.person

    services.cancel_on_registration_cancelled(Cancelled)
    db.session.flush()
    assert stay.status == "cancelled" and taken(king) == [0, 0, 0] and stay.note == ""
    assert db.session.execute(select(Journey).where(Journey.person_id == who.id)).first() is None


def test_travel_details_are_kept_only_with_their_consent_and_go_with_it(ctx):
    world = housing()
    who = person(world, "韩")
    with pytest.raises(HotelError) as refused:
        services.save_journey(who, services.JourneyFields(direction="arrival", at=at_local(world.edition, NIGHTS[0], time(10))))
    assert refused.value.field == "travel_consent"
    services.give_travel_consent(who, travel=True, document_to_hotel=False)
    journey = services.save_journey(who, services.JourneyFields(direction="arrival", number="mf 8102",
                                                                at=at_local(world.edition, NIGHTS[0], time(10))))
    assert "MF8102" not in (journey.number_sealed or "") and services.journey_number(journey) == "MF8102"
    with pytest.raises(HotelError) as refused:
        services.save_journey(who, services.JourneyFields(direction="arrival", number="MF-8102!", at=journey.at))
    assert refused.value.field == "number"
    services.give_travel_consent(who, travel=False, document_to_hotel=False)
    db.session.flush()
    assert db.session.execute(select(Journey).where(Journey.person_id == who.id)).first() is None
    assert db.session.execute(select(Traveller.travel_consent_at).where(Traveller.person_id == who.id)).scalar_one() is None


def test_cloning_carries_hotels_and_blocks_a_year_on_without_stays(ctx):
    world = housing()
    services.place(requested(world, person(world, "冯")), world.audience_hotel, world.room(world.audience_hotel, "king"))
    from conference.editions import services as editions
    from conference.editions.services import EditionFields

    target = editions.create_edition(EditionFields(year=2024, city_zh="厦门", city_en="Xiamen", starts_on=date(2024, 7, 16),
                                                   ends_on=date(2024, 7, 17)))
    from conference.venues.models import Venue
    db.session.add(Venue(edition_id=target.id, name_zh=world.venue.name_zh, position=world.venue.position))
    db.session.flush()
    services.clone_hotels(world.edition, target, {})
    copies = services.hotels_of(target)
    assert [hotel.code for hotel in copies] == ["H-AUDIENCE", "H-GUEST"]
    blocks = copies[0].room_types[0].blocks
    assert [block.night for block in blocks] == [date(2024, 7, 15), date(2024, 7, 16), date(2024, 7, 17)]
    assert {block.taken for block in blocks} == {0} and copies[0].travel_times[0].minutes == 15
    assert db.session.execute(select(Stay).where(Stay.edition_id == target.id)).first() is None
    assert services.kind_for(target, "media") == "audience"


@pytest.mark.parametrize("trial", range(2))
def test_people_racing_for_the_last_room_of_a_night_exactly_one_wins(app, trial):
    with app.app_context():
        world = housing(rooms=1)
        king = world.room(world.audience_hotel, "king")
        ids = [requested(world, person(world, f"抢{index}")).id for index in range(8)]
        # Three nights for half of them, the last night only for the others: they meet on the 19th.
        for stay_id in ids[1::2]:
            db.session.get(Stay, stay_id).check_in = NIGHTS[2]
        db.session.commit()
        hotel_id, king_id = world.audience_hotel.id, king.id

    def attempt(index):
        def work():
            stay = db.session.get(Stay, ids[index])
            hotel = db.session.get(type(world.audience_hotel), hotel_id)
            services.place(stay, hotel, services.get_room_type(hotel, king_id), tell=False)
        try:
            committed(work)
        except HotelError:
            return False
        return True

    results, errors = race(app, attempt, len(ids))
    assert errors == []
    assert results.count(True) == 1
    with app.app_context():
        placed = db.session.execute(select(Stay).where(Stay.status == "assigned")).scalars().all()
        assert len(placed) == 1
        counts = db.session.execute(select(RoomBlock.taken).where(RoomBlock.room_type_id == king_id)
                                    .order_by(RoomBlock.night)).scalars().all()
        assert counts == ([1, 1, 1] if placed[0].check_in == NIGHTS[0] else [0, 0, 1])


def test_the_guest_is_told_when_placed_confirmed_and_cancelled(app):
    from email import message_from_bytes
    from email.policy import default
    from pathlib import Path

    with app.app_context():
        world = housing()
        guest = person(world, "蔡")
        guest.email = "cai.guest@example.org"
        stay_id = requested(world, guest).id
        hotel_id, king_id = world.audience_hotel.id, world.room(world.audience_hotel, "king").id
        db.session.commit()
    outbox = Path(app.config["INSTANCE_DIR"]) / "outbox"

    def mails() -> list[str]:
        found = [message_from_bytes(mail.read_bytes(), policy=default) for mail in sorted(outbox.glob("*.eml"))]
        return [message.get_body().get_content() for message in found if message["To"] == "cai.guest@example.org"]

    def act(work):
        with app.test_request_context():
            committed(lambda: work(db.session.get(Stay, stay_id)))
            db.session.remove()

    from conference.hotels.models import Hotel

    before = len(mails()) if outbox.exists() else 0
    act(lambda stay: services.place(stay, db.session.get(Hotel, hotel_id),
                                    services.get_room_type(db.session.get(Hotel, hotel_id), king_id)))
    act(lambda stay: services.confirm_stay(stay, "HX-2023-77"))
    act(lambda stay: services.cancel_stay(stay))
    assert len(mails()) == before + 3
    assert sum("HX-2023-77" in body for body in mails()) == 1  # the confirmation, with its number
