"""Auto-assign: each placement rule, the preview that writes nothing, the save that refuses when
rooms went meanwhile (exactly one of two savers gets the last room, on both databases), the
page and the command."""

import threading
from pathlib import Path

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from conference.core.database import committed
from conference.core.models import AuditEntry
from conference.extensions import db
from conference.hotels import assign, services
from conference.hotels.assign import AssignError
from conference.hotels.models import Hotel, RoomBlock, Stay
from conference.hotels.services import HotelError
from conference.programme.models import AgendaItem, AgendaSpeaker, Session
from conference.registration.models import Registration, RegistrationCategory, SeatBooking
from conference.venues.models import Hall, Venue
from tests.conftest import login, make_user, submit
from tests.hotels.factories import LEAVING, NIGHTS, housing, person, requested

PREVIEW = "/editions/2023/hotels/assign/"


def add_hotel(world, code: str, kind: str = "audience", rooms: int = 1, minutes: dict | None = None,
              room_kinds=("king",), accessible: bool = False, position: int = 5) -> Hotel:
    hotel = services.save_hotel(world.edition, services.HotelFields(code=code, name_zh=f"{code}酒店", kind=kind,
                                                                    position=position))
    for venue, minute in (minutes or {}).items():
        services.set_travel_time(hotel, venue, minute)
    for room_kind in room_kinds:
        room_type = services.save_room_type(hotel, services.RoomTypeFields(kind=room_kind, accessible=accessible))
        for night in NIGHTS:
            services.set_block(room_type, night, rooms)
    db.session.commit()
    return hotel


def taken(hotel: Hotel) -> dict[str, list[int]]:
    return {f"{room_type.kind}{'-accessible' if room_type.accessible else ''}": list(db.session.execute(
        select(RoomBlock.taken).where(RoomBlock.room_type_id == room_type.id).order_by(RoomBlock.night)).scalars())
        for room_type in hotel.room_types}


def save(plan) -> assign.Applied:
    return committed(lambda: assign.apply(plan))


def placed(plan, stay: Stay) -> assign.Placement | None:
    return next((p for p in plan.placements if p.stay.id == stay.id), None)


def speaks_at(world, who, venue: Venue) -> None:
    hall = Hall(venue_id=venue.id, name_zh=f"{venue.name_zh}一号厅")
    db.session.add(hall)
    db.session.flush()
    session = Session(edition_id=world.edition.id, kind="sub_forum", title_zh="分论坛", hall_id=hall.id)
    db.session.add(session)
    db.session.flush()
    item = AgendaItem(session_id=session.id, title_zh="发言")
    db.session.add(item)
    db.session.flush()
    db.session.add(AgendaSpeaker(item_id=item.id, person_id=who.id))
    db.session.flush()


def test_each_category_goes_to_its_kind_of_hotel_and_the_preview_writes_nothing(ctx):
    world = housing(rooms=3)
    guest = requested(world, person(world, "王", category="guest"))
    media = requested(world, person(world, "李", category="media"))
    staff = requested(world, person(world, "周", category="staff"))  # the world sets no hotel kind for staff
    db.session.commit()
    plan = assign.plan(world.edition)
    assert placed(plan, guest).hotel.id == world.guest_hotel.id
    assert placed(plan, media).hotel.id == world.audience_hotel.id
    [unplaced] = plan.unplaced
    assert unplaced.stay.id == staff.id and unplaced.reason == "kind" and not unplaced.waitlisted
    db.session.rollback()
    assert {s.status for s in db.session.execute(select(Stay)).scalars()} == {"requested"}
    assert set(db.session.execute(select(RoomBlock.taken)).scalars()) == {0}
    save(plan)
    assert db.session.get(Stay, guest.id).status == "assigned" and db.session.get(Stay, staff.id).status == "requested"
    assert taken(world.guest_hotel)["king"] == [1, 1, 1]


def test_nobody_is_placed_twice_on_one_night(ctx):
    world = housing(rooms=3)
    who = person(world, "柏")
    first = requested(world, who)
    again = requested(world, who, check_in=NIGHTS[2])
    housed = person(world, "水")
    services.place(requested(world, housed), world.audience_hotel, world.room(world.audience_hotel, "king"), tell=False)
    overlapping = requested(world, housed, check_in=NIGHTS[1])
    db.session.commit()
    plan = assign.plan(world.edition)
    assert placed(plan, first) and [(u.stay.id, u.reason) for u in plan.unplaced] == [
        (again.id, "two_stays"), (overlapping.id, "two_stays")]


def test_roommates_who_asked_each_other_share_one_twin(ctx):
    world = housing(rooms=3)
    first, second = person(world, "赵"), person(world, "钱")
    codes = {who.id: services.traveller(who).roommate_code for who in (first, second)}
    a = services.request_stay(first, services.StayWishes(NIGHTS[0], LEAVING, "twin", roommate_code=codes[second.id]))
    b = services.request_stay(second, services.StayWishes(NIGHTS[0], LEAVING, "twin", roommate_code=codes[first.id]))
    db.session.commit()
    plan = assign.plan(world.edition)
    assert placed(plan, a).holder is None and placed(plan, b).holder.id == a.id
    save(plan)
    assert db.session.get(Stay, b.id).shares_with_id == a.id
    assert db.session.get(Stay, b.id).room_type.kind == "twin" and db.session.get(Stay, b.id).status == "assigned"
    assert taken(world.audience_hotel)["twin"] == [1, 1, 1]  # the shared room counts once


def test_one_asks_and_the_other_accepts_by_asking_no_one_else(ctx):
    world = housing(rooms=3)
    a = requested(world, person(world, "孙"), room_kind="twin")
    b = requested(world, person(world, "吴"), room_kind="twin")
    c = requested(world, person(world, "郑"), room_kind="twin")
    a.roommate_wish_id = b.person_id  # b asked no one: accepts
    c.roommate_wish_id = a.person_id  # a asked someone else: c's wish is not honoured
    db.session.commit()
    plan = assign.plan(world.edition)
    assert placed(plan, b).holder.id == a.id and placed(plan, c).holder is None
    assert [stay.id for stay, _note in plan.notes] == [c.id]


def test_roommates_must_share_the_same_nights_in_twins(ctx):
    world = housing(rooms=3)
    a = requested(world, person(world, "冯"), room_kind="twin")
    b = requested(world, person(world, "陈"), check_in=NIGHTS[1], room_kind="twin")
    a.roommate_wish_id, b.roommate_wish_id = b.person_id, a.person_id
    king = requested(world, person(world, "褚"), room_kind="king")
    twin = requested(world, person(world, "卫"), room_kind="twin")
    king.roommate_wish_id, twin.roommate_wish_id = twin.person_id, king.person_id
    db.session.commit()
    plan = assign.plan(world.edition)
    assert all(placement.holder is None for placement in plan.placements) and len(plan.placements) == 4
    assert {stay.id for stay, _note in plan.notes} == {a.id, b.id, king.id, twin.id}  # both wishes unmet


def test_not_with_is_never_put_together(ctx):
    world = housing(rooms=3)
    a = requested(world, person(world, "蒋"), room_kind="twin")
    b = requested(world, person(world, "沈"), room_kind="twin")
    a.roommate_wish_id, b.not_with_id = b.person_id, a.person_id
    db.session.commit()
    plan = assign.plan(world.edition)
    assert placed(plan, a).holder is None and placed(plan, b).holder is None
    assert taken(world.audience_hotel)["twin"] == [0, 0, 0]
    save(plan)
    assert taken(world.audience_hotel)["twin"] == [2, 2, 2]


def test_a_request_joins_the_twin_its_roommate_already_holds(ctx):
    world = housing(rooms=3)
    holder = requested(world, person(world, "韩"), room_kind="twin")
    services.place(holder, world.audience_hotel, world.room(world.audience_hotel, "twin"), tell=False)
    joiner = requested(world, person(world, "杨"), room_kind="twin")
    joiner.roommate_wish_id = holder.person_id
    db.session.commit()
    plan = assign.plan(world.edition)
    assert placed(plan, joiner).holder.id == holder.id and not plan.takes
    save(plan)
    assert db.session.get(Stay, joiner.id).shares_with_id == holder.id
    assert taken(world.audience_hotel)["twin"] == [1, 1, 1]


def test_accessible_rooms_go_first_to_those_who_asked(ctx):
    world = housing(rooms=0)
    add_hotel(world, "H-STEPFREE", accessible=True, rooms=1)
    early = requested(world, person(world, "朱"))  # asks nothing, comes first
    late = requested(world, person(world, "秦"))
    late.accessible = True
    later = requested(world, person(world, "尤"))
    later.accessible = True
    db.session.commit()
    with force_locale("en"):
        plan = assign.plan(world.edition)
    assert placed(plan, late).room_type.accessible
    early_unplaced, later_unplaced = sorted(plan.unplaced, key=lambda unplaced: unplaced.stay.id)
    assert early_unplaced.stay.id == early.id and "No king room" in early_unplaced.message
    assert later_unplaced.stay.id == later.id and later_unplaced.waitlisted and "accessible" in later_unplaced.message


def test_those_who_asked_nothing_get_an_accessible_room_only_when_no_other_is_left(ctx):
    world = housing(rooms=1)
    add_hotel(world, "H-STEPFREE", accessible=True, rooms=1, position=-1)  # listed first, and roomier
    first = requested(world, person(world, "许"))
    second = requested(world, person(world, "吕"))
    db.session.commit()
    plan = assign.plan(world.edition)
    assert not placed(plan, first).room_type.accessible and placed(plan, second).room_type.accessible


def test_the_nearest_hotel_to_the_persons_sessions_else_the_one_with_most_room(ctx):
    world = housing(rooms=1)
    far_venue = Venue(edition_id=world.edition.id, name_zh="集美会场")
    db.session.add(far_venue)
    db.session.flush()
    near = add_hotel(world, "H-NEAR", rooms=2, minutes={far_venue: 5})
    roomy = add_hotel(world, "H-ROOMY", rooms=4, minutes={far_venue: 40})
    speaker = person(world, "许")
    speaks_at(world, speaker, far_venue)
    speaker_stay = requested(world, speaker)
    anyone = requested(world, person(world, "何"))
    db.session.commit()
    plan = assign.plan(world.edition)
    assert placed(plan, speaker_stay).hotel.id == near.id
    assert placed(plan, anyone).hotel.id == roomy.id


def test_a_confirmed_seat_counts_as_the_persons_session_and_a_waiting_one_does_not(ctx):
    world = housing(rooms=0)
    far_venue = Venue(edition_id=world.edition.id, name_zh="集美会场")
    db.session.add(far_venue)
    db.session.flush()
    near = add_hotel(world, "H-NEAR", rooms=2, minutes={far_venue: 5}, position=2)
    add_hotel(world, "H-OTHER", rooms=2, minutes={far_venue: 40}, position=1)
    hall = Hall(venue_id=far_venue.id, name_zh="一号厅")
    db.session.add(hall)
    db.session.flush()
    session = Session(edition_id=world.edition.id, kind="sub_forum", title_zh="分论坛", hall_id=hall.id)
    category = RegistrationCategory(edition_id=world.edition.id, code="audience", name_zh="特邀观众")
    db.session.add_all([session, category])
    db.session.flush()
    stays = {}
    for family, status in (("柳", "confirmed"), ("鲍", "waitlisted")):
        who = person(world, family)
        registration = Registration(edition_id=world.edition.id, person_id=who.id, category_id=category.id,
                                    token_hash=family * 8, id_type="resident")
        db.session.add(registration)
        db.session.flush()
        db.session.add(SeatBooking(session_id=session.id, registration_id=registration.id, status=status))
        stays[status] = requested(world, who)
    db.session.commit()
    plan = assign.plan(world.edition)
    assert placed(plan, stays["confirmed"]).hotel.id == near.id
    assert placed(plan, stays["waitlisted"]).hotel.code == "H-OTHER"  # no session of theirs: the most room left


def test_an_organisation_stays_together(ctx):
    world = housing(rooms=0)
    first = add_hotel(world, "H-ONE", rooms=3, position=1)
    add_hotel(world, "H-TWO", rooms=3, position=2)
    delegation = [requested(world, person(world, family, organisation="福建省网信办")) for family in "吕施张"]
    db.session.commit()
    plan = assign.plan(world.edition)
    assert {placed(plan, stay).hotel.id for stay in delegation} == {first.id}


def test_a_full_kind_puts_people_on_the_waiting_list_with_the_reason(ctx):
    world = housing(rooms=1)
    first = requested(world, person(world, "孔"))
    second = requested(world, person(world, "曹", category="media"))
    db.session.commit()
    with force_locale("en"):
        plan = assign.plan(world.edition)
    [unplaced] = plan.unplaced
    assert placed(plan, first) and unplaced.stay.id == second.id and unplaced.reason == "full"
    assert "invited audience" in unplaced.message
    applied = save(plan)
    assert applied.waitlisted == [second.id] and db.session.get(Stay, second.id).status == "waitlisted"
    # A waiting stay is planned again when rooms come back.
    services.cancel_stay(db.session.get(Stay, first.id), tell=False)
    db.session.commit()
    assert placed(assign.plan(world.edition), db.session.get(Stay, second.id))


def test_the_save_refuses_everything_when_a_room_went_since_the_preview(ctx):
    world = housing(rooms=1)
    guest = requested(world, person(world, "严", category="guest"))
    audience = requested(world, person(world, "华"))
    db.session.commit()
    plan = assign.plan(world.edition)
    meanwhile = requested(world, person(world, "金"))
    services.place(meanwhile, world.audience_hotel, world.room(world.audience_hotel, "king"), tell=False)
    db.session.commit()
    with pytest.raises(AssignError):
        save(plan)
    assert db.session.get(Stay, guest.id).status == "requested" and db.session.get(Stay, audience.id).status == "requested"
    assert taken(world.guest_hotel)["king"] == [0, 0, 0] and taken(world.audience_hotel)["king"] == [1, 1, 1]


def test_the_save_refuses_a_stay_changed_since_the_preview(ctx):
    world = housing(rooms=2)
    stay = requested(world, person(world, "魏"))
    db.session.commit()
    plan = assign.plan(world.edition)
    db.session.get(Stay, stay.id).check_in = NIGHTS[1]
    db.session.commit()
    with pytest.raises(AssignError):
        save(plan)
    assert taken(world.audience_hotel)["king"] == [0, 0, 0]


def _plans_then_saves(app, work_a, work_b):
    """Two threads: each prepares (plans) first, then both save at once."""
    ready, results, errors = threading.Barrier(2), [None, None], []

    def run(index, work):
        with app.test_request_context():
            try:
                results[index] = work(ready)
            except Exception as error:  # noqa: BLE001  reported by the test
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(index, work)) for index, work in enumerate((work_a, work_b))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


def _applies(ready) -> bool:
    from conference.editions.services import get_edition

    plan = assign.plan(get_edition(2023))
    db.session.rollback()  # the plan's reads end here; the save starts a transaction of its own
    ready.wait()
    try:
        committed(lambda: assign.apply(plan))
    except AssignError:
        return False
    return bool(plan.takes)


@pytest.mark.parametrize("trial", range(2))
def test_two_saves_at_once_exactly_one_gets_the_last_room(app, trial):
    with app.app_context():
        world = housing(rooms=1)
        requested(world, person(world, "陶"))
        db.session.commit()
    results, errors = _plans_then_saves(app, _applies, _applies)
    assert errors == [] and sorted(results) == [False, True]
    with app.app_context():
        assert db.session.execute(select(func.count(Stay.id)).where(Stay.status == "assigned")).scalar_one() == 1
        assert set(db.session.execute(select(RoomBlock.taken).where(RoomBlock.rooms == 1)).scalars()) <= {0, 1}


@pytest.mark.parametrize("trial", range(2))
def test_a_save_and_a_manual_placement_at_once_exactly_one_gets_the_last_room(app, trial):
    with app.app_context():
        world = housing(rooms=1)
        requested(world, person(world, "姜"))
        db.session.commit()
        hotel_id, king_id = world.audience_hotel.id, world.room(world.audience_hotel, "king").id
        # Someone already in the twin room is moved by hand to the king room the plan gives away.
        moved = requested(world, person(world, "戚"))
        services.place(moved, world.audience_hotel, world.room(world.audience_hotel, "twin"), tell=False)
        db.session.commit()
        moved_id = moved.id

    def places(ready) -> bool:
        ready.wait()

        def work():
            hotel = db.session.get(Hotel, hotel_id)
            services.place(db.session.get(Stay, moved_id), hotel, services.get_room_type(hotel, king_id), tell=False)
        try:
            committed(work)
        except HotelError:
            return False
        return True

    results, errors = _plans_then_saves(app, _applies, places)
    assert errors == [] and results.count(True) == 1
    with app.app_context():
        in_king = db.session.execute(select(func.count(Stay.id)).where(Stay.room_type_id == king_id)).scalar_one()
        assert in_king == 1
        assert list(db.session.execute(select(RoomBlock.taken).where(RoomBlock.room_type_id == king_id)
                                       .order_by(RoomBlock.night)).scalars()) == [1, 1, 1]


# The page and the command ---------------------------------------------------------------------


def _world_with_requests(app):
    with app.app_context():
        world = housing(rooms=1)
        requested(world, person(world, "潘", category="guest"))
        requested(world, person(world, "葛"))
        requested(world, person(world, "奚"))  # no room left: waiting list
        db.session.commit()


def test_the_preview_page_shows_counts_and_reasons_and_saves_on_post(app, organizer_client):
    _world_with_requests(app)
    page = organizer_client.get(PREVIEW + "?lang=en")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "H-GUEST" in text and "No king room is left" in text
    with app.app_context():
        assert set(db.session.execute(select(Stay.status)).scalars()) == {"requested"}
    fingerprint = text.split('name="plan" type="hidden" value="')[1].split('"')[0]
    saved = submit(organizer_client, PREVIEW, {"plan": fingerprint})
    assert saved.status_code == 303
    with app.app_context():
        assert sorted(db.session.execute(select(Stay.status)).scalars()) == ["assigned", "assigned", "waitlisted"]
        entry = db.session.execute(select(AuditEntry).where(AuditEntry.action == "stay.auto_assign")).scalar_one()
        assert entry.actor == "organizer@test.example" and entry.detail["placed"] == 2
    outbox = Path(app.config["INSTANCE_DIR"]) / "outbox"
    assert len([mail for mail in outbox.glob("*.eml") if b"@example.org" in mail.read_bytes()]) >= 2


def test_a_stale_preview_is_shown_again_instead_of_saved(app, organizer_client):
    _world_with_requests(app)
    answer = submit(organizer_client, PREVIEW + "?lang=en", {"plan": "0123456789abcdef"})
    assert answer.status_code == 409 and "changed since this preview" in answer.get_data(as_text=True)
    with app.app_context():
        assert set(db.session.execute(select(Stay.status)).scalars()) == {"requested"}


def test_the_save_needs_the_form_token_and_the_permission(app, client):
    _world_with_requests(app)
    login(client, make_user(app, "organizer"))
    assert client.post(PREVIEW, data={"plan": "x"}).status_code == 400
    client.get("/logout")
    other = app.test_client()
    login(other, make_user(app, "volunteer", "volunteer@test.example"))
    assert other.get(PREVIEW).status_code == 403
    with app.app_context():
        assert set(db.session.execute(select(Stay.status)).scalars()) == {"requested"}


def test_the_command_prints_the_plan_and_saves_unless_dry_run(app):
    _world_with_requests(app)
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["hotels", "assign", "--edition", "2023", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "H-AUDIENCE" in dry.output and "waitlisted" in dry.output and "nothing saved" in dry.output
    with app.app_context():
        assert set(db.session.execute(select(Stay.status)).scalars()) == {"requested"}
        assert set(db.session.execute(select(RoomBlock.taken)).scalars()) == {0}
    done = runner.invoke(args=["hotels", "assign", "--edition", "2023"])
    assert done.exit_code == 0 and "Saved: 2 placed, 1 waitlisted." in done.output
    with app.app_context():
        db.session.remove()
        assert sorted(db.session.execute(select(Stay.status)).scalars()) == ["assigned", "assigned", "waitlisted"]
    assert runner.invoke(args=["hotels", "assign", "--edition", "1999"]).exit_code != 0
