"""Arrivals and departures, pickup groups and drivers' sheets, the shuttle timetable and its
JSON: filters and the audit of each reveal, seats never over capacity, no identity number or
personal phone on a driver's sheet, runs timed on the host city's clock, edited runs kept."""

import io
import re
from datetime import UTC, date, datetime, time

import openpyxl
import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from conference.core import pii
from conference.core.database import committed
from conference.core.models import AuditEntry
from conference.core.schedule import ScheduleError
from conference.editions.localtime import at_local
from conference.editions.services import get_edition
from conference.extensions import db
from conference.hotels import services, travel
from conference.hotels.models import Journey, PickupGroup, ShuttleRun, TravelPlace
from conference.hotels.services import HotelError
from conference.programme.models import Session
from conference.registration.models import Registration, RegistrationCategory
from conference.venues.models import Hall, Venue
from tests.conftest import login, make_user, race, submit
from tests.hotels.factories import housing, person

ARRIVAL_DAY, LEAVING_DAY = date(2023, 7, 17), date(2023, 7, 20)


def travel_world():
    """The housing world, the airport and a station, and four people arriving on the 17th:
    three by air (10:05, 10:40, 13:20) and one by rail (10:30), all leaving on the 20th."""
    world = housing(rooms=5)
    airport = TravelPlace(edition_id=world.edition.id, code="XMN", kind="airport", name_zh="厦门高崎国际机场",
                          name_en="Xiamen Gaoqi International Airport")
    station = TravelPlace(edition_id=world.edition.id, code="XMN-NORTH", kind="station", name_zh="厦门北站",
                          name_en="Xiamen North Railway Station", position=1)
    db.session.add_all([airport, station])
    db.session.flush()
    people = {}
    for family, clock, place, number in (("王", time(10, 5), airport, "MF8102"), ("李", time(10, 40), airport, "CA1801"),
                                         ("张", time(13, 20), airport, "MU5235"), ("陈", time(10, 30), station, "G1651")):
        who = person(world, family, category="guest")
        services.give_travel_consent(who, travel=True, document_to_hotel=False)
        services.save_journey(who, services.JourneyFields("arrival", at_local(world.edition, ARRIVAL_DAY, clock),
                                                          "air" if place is airport else "rail", number, place.id))
        services.save_journey(who, services.JourneyFields("departure", at_local(world.edition, LEAVING_DAY, time(15)),
                                                          "air", "MF8000", airport.id))
        people[family] = who
    db.session.commit()
    return world, airport, station, people


def group(world, place, starts, ends, capacity=2, direction="arrival", day=ARRIVAL_DAY):
    return travel.save_group(world.edition, travel.PickupFields(
        place_id=place.id, direction=direction, day=day, starts=starts, ends=ends, vehicle="考斯特 闽D·12345",
        capacity=capacity, driver="陈师傅", driver_phone="0592-5550100"))


def reveals() -> list[AuditEntry]:
    return list(db.session.execute(
        select(AuditEntry).where(AuditEntry.action == "journey.reveal").order_by(AuditEntry.id)).scalars())


# Arrivals and departures ---------------------------------------------------------------------


def test_the_list_filters_by_day_place_and_direction_and_is_audited_once_with_its_count(app, organizer_client):
    with app.app_context():
        _world, airport, _station, _people = travel_world()
        airport_id = airport.id
    page = organizer_client.get(f"/editions/2023/travel/?day=2023-07-17&place_id={airport_id}&direction=arrival")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert [n for n in ("MF8102", "CA1801", "MU5235", "G1651", "MF8000") if n in html] == ["MF8102", "CA1801", "MU5235"]
    # The host city's clock: 10:05 in Xiamen, stored as 02:05 UTC.
    assert "07-17 10:05" in html and "07-17 02:05" not in html
    with app.app_context():
        [entry] = reveals()
        assert entry.detail["rows"] == 3 and entry.detail["filters"]["direction"] == "arrival"
    departures = organizer_client.get("/editions/2023/travel/?day=&direction=departure").get_data(as_text=True)
    assert "MF8000" in departures and "MF8102" not in departures
    # With no day asked for, the first day people travel.
    first_day = organizer_client.get("/editions/2023/travel/").get_data(as_text=True)
    assert "G1651" in first_day and "MF8000" not in first_day
    export = organizer_client.get("/editions/2023/travel/arrivals.xlsx?day=2023-07-20")
    assert export.status_code == 200 and export.mimetype.endswith("spreadsheetml.sheet")
    sheet = openpyxl.load_workbook(io.BytesIO(export.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "时间 (Asia/Shanghai)" and rows[0][2] == "姓名"  # the host city's clock, said
    assert rows[1][0] == datetime(2023, 7, 20, 15, 0) and rows[1][3] == "MF8000" and len(rows) == 5
    with app.app_context():
        assert [(e.detail["purpose"], e.detail["rows"]) for e in reveals()] == [
            ("list", 3), ("list", 4), ("list", 4), ("export", 4)]


@pytest.mark.parametrize("query, field", [("day=2023-02-30", "day"), ("place_id=abc", "place_id"),
                                          ("place_id=999999", "place_id"), ("direction=sideways", "direction"),
                                          ("day=" + "9" * 40, "day")])
def test_a_wrong_filter_is_named_beside_its_field_and_reveals_nothing(app, organizer_client, query, field):
    with app.app_context():
        travel_world()
    page = organizer_client.get(f"/editions/2023/travel/?{query}")
    assert page.status_code == 422
    assert f'id="{field}-error"' in page.get_data(as_text=True)
    assert "MF8102" not in page.get_data(as_text=True)
    assert organizer_client.get(f"/editions/2023/travel/arrivals.xlsx?{query}").status_code == 422
    with app.app_context():
        assert reveals() == []


def test_the_reception_pages_need_the_hotels_permissions(app, client):
    with app.app_context():
        travel_world()
    assert client.get("/editions/2023/travel/").status_code == 302  # to the sign-in page
    login(client, make_user(app, "viewer"))
    assert client.get("/editions/2023/travel/").status_code == 200
    assert client.get("/editions/2023/travel/pickups/new").status_code == 403
    assert client.post("/editions/2023/travel/shuttles/generate").status_code in (400, 403)
    assert client.get("/editions/2024/travel/").status_code == 404


# Pickup groups -------------------------------------------------------------------------------


def test_automatic_grouping_fills_by_place_and_window_and_never_over_capacity(ctx):
    world, airport, station, people = travel_world()
    morning = group(world, airport, time(10), time(11), capacity=1)
    later = group(world, airport, time(10, 30), time(12), capacity=5)
    rail = group(world, station, time(10), time(11), capacity=5)
    result = travel.group_automatically(world.edition)
    placed = {journey.person.family_name: chosen.id for journey, chosen in result.placed}
    # 王 10:05 takes the one seat of 10:00–11:00; 李 10:40 finds it full and goes in 10:30–12:00;
    # 陈 goes by rail; 张 lands at 13:20, when no group waits; the departures have no group.
    assert placed == {"王": morning.id, "李": later.id, "陈": rail.id}
    with force_locale("en"):
        unplaced = {(journey.person.family_name, journey.direction): str(why) for journey, why in result.unplaced}
    assert unplaced[("张", "arrival")] == "No group meets this time."
    assert all(direction == "departure" for name, direction in unplaced if name != "张")
    db.session.commit()
    again = travel.group_automatically(world.edition)
    assert again.placed == [] and len(again.unplaced) == len(result.unplaced)
    for found in (morning, later, rail):
        assert db.session.execute(select(func.count()).where(Journey.pickup_group_id == found.id)).scalar() <= found.capacity


def test_a_full_window_is_said_and_a_person_by_hand_keeps_the_seat_count(ctx):
    world, airport, _station, people = travel_world()
    only = group(world, airport, time(10), time(14), capacity=2)
    result = travel.group_automatically(world.edition)
    with force_locale("en"):
        reasons = {journey.person.family_name: str(why) for journey, why in result.unplaced if journey.direction == "arrival"}
    assert reasons == {"张": "Every group of this time is full.", "陈": "No group meets this time."}
    late = db.session.execute(select(Journey).where(Journey.person_id == people["张"].id,
                                                    Journey.direction == "arrival")).scalar_one()
    with pytest.raises(ScheduleError) as refused:
        travel.put_in_group(late, only, confirmed=True)
    assert [c.rule for c in refused.value.conflicts] == ["pickup_full"]
    with pytest.raises(HotelError):
        travel.save_group(world.edition, travel.PickupFields(airport.id, "arrival", ARRIVAL_DAY, time(10), time(14),
                                                             "考斯特", 1), only)


def test_by_hand_a_time_outside_the_window_needs_confirming_and_another_place_is_refused(ctx):
    world, airport, station, people = travel_world()
    early = group(world, airport, time(8), time(9), capacity=3)
    arrival = db.session.execute(select(Journey).where(Journey.person_id == people["王"].id,
                                                       Journey.direction == "arrival")).scalar_one()
    with pytest.raises(ScheduleError) as warned:
        travel.put_in_group(arrival, early)
    assert warned.value.needs_confirmation and "10:05" in str(warned.value.conflicts[0].message)
    travel.put_in_group(arrival, early, confirmed=True)
    assert arrival.pickup_group_id == early.id
    rail = db.session.execute(select(Journey).where(Journey.person_id == people["陈"].id,
                                                    Journey.direction == "arrival")).scalar_one()
    with pytest.raises(ScheduleError) as refused:
        travel.put_in_group(rail, early, confirmed=True)
    assert [c.rule for c in refused.value.conflicts] == ["pickup_place"]


def test_two_organizers_taking_the_last_seat_at_once_fill_it_once(app):
    with app.app_context():
        world, airport, _station, people = travel_world()
        seat = group(world, airport, time(10), time(11), capacity=1)
        db.session.commit()
        seat_id = seat.id
        journeys = [db.session.execute(select(Journey.id).where(Journey.person_id == people[name].id,
                                                                Journey.direction == "arrival")).scalar_one()
                    for name in ("王", "李")]

    def attempt(index):
        def work():
            travel.put_in_group(db.session.get(Journey, journeys[index]), db.session.get(PickupGroup, seat_id),
                                confirmed=True)
        committed(work)

    _results, errors = race(app, attempt, 2)
    assert len(errors) == 1 and isinstance(errors[0], ScheduleError)
    with app.app_context():
        assert db.session.execute(select(func.count()).where(Journey.pickup_group_id == seat_id)).scalar() == 1


def test_the_drivers_sheet_holds_names_numbers_times_and_hotels_only(app, organizer_client):
    with app.app_context():
        world, airport, _station, people = travel_world()
        wang = people["王"]
        wang.phone_sealed, wang.phone_masked = pii.seal("13812345678"), pii.mask_phone("13812345678")
        category = RegistrationCategory(edition_id=world.edition.id, code="guest", name_zh="嘉宾")
        db.session.add(category)
        db.session.flush()
        db.session.add(Registration(edition_id=world.edition.id, person_id=wang.id, category_id=category.id,
                                    status="approved", token_hash="x" * 64, id_type="resident_id",
                                    document_sealed=pii.seal("350203199001011234"),
                                    document_masked=pii.mask_document_number("350203199001011234")))
        stay = services.request_stay(wang, services.StayWishes(check_in=ARRIVAL_DAY, check_out=LEAVING_DAY))
        services.place(stay, world.guest_hotel, world.room(world.guest_hotel, "king"), tell=False)
        sheet_group = group(world, airport, time(10), time(11), capacity=3)
        travel.group_automatically(world.edition)
        db.session.commit()
        group_id = sheet_group.id
    page = organizer_client.get(f"/editions/2023/travel/pickups/{group_id}", headers={"Accept-Language": "en"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    for shown in ("10:00–11:00", "Xiamen Gaoqi International Airport", "考斯特 闽D·12345", "0592-5550100",
                  "MF8102", "10:05", "CA1801", "H-GUEST Hotel"):
        assert shown in html, shown
    for hidden in ("13812345678", "138****5678", "350203199001011234", "3502**********1234"):
        assert hidden not in html, hidden
    with app.app_context():
        assert [(e.detail["purpose"], e.detail["rows"]) for e in reveals()] == [("driver_sheet", 2)]


def test_deleting_a_group_says_who_waits_again_and_frees_them(app, organizer_client):
    with app.app_context():
        world, airport, _station, _people = travel_world()
        doomed = group(world, airport, time(10), time(11), capacity=3)
        travel.group_automatically(world.edition)
        db.session.commit()
        group_id = doomed.id
    url = f"/editions/2023/travel/pickups/{group_id}/delete"
    assert "2 people in it are unplaced again." in organizer_client.get(url, headers={"Accept-Language": "en"}).get_data(
        as_text=True)
    assert submit(organizer_client, url, {}).status_code == 302
    with app.app_context():
        assert db.session.get(PickupGroup, group_id) is None
        assert db.session.execute(select(func.count()).where(Journey.pickup_group_id.is_not(None))).scalar() == 0
        assert len(travel.waiting_for_pickup(get_edition(2023))) == 8  # four arrivals and four departures
    assert organizer_client.get(url).status_code == 404


def test_a_pickup_group_form_with_wrong_values_says_so_beside_each_field(app, organizer_client):
    with app.app_context():
        _world, airport, _station, _people = travel_world()
        airport_id = airport.id
    url = "/editions/2023/travel/pickups/new"
    page = submit(organizer_client, url, {"place_id": str(airport_id), "direction": "arrival", "day": "2023-07-17",
                                          "starts": "14:00", "ends": "13:00", "vehicle": "大巴 闽D·99999",
                                          "capacity": "500", "driver_phone": "call me"},
                  headers={"Accept-Language": "en"})
    html = page.get_data(as_text=True)
    assert page.status_code == 422
    assert 'id="driver_phone-error"' in html
    assert 'value="大巴 闽D·99999"' in html
    page = submit(organizer_client, url, {"place_id": str(airport_id), "direction": "arrival", "day": "2023-07-17",
                                          "starts": "14:00", "ends": "13:00", "vehicle": "大巴 闽D·99999",
                                          "capacity": "500"}, headers={"Accept-Language": "en"})
    html = page.get_data(as_text=True)
    assert page.status_code == 422
    assert re.search(r'id="ends-error"[^>]*>The window closes after it opens', html)
    assert re.search(r'id="capacity-error"[^>]*>Give the seats for passengers, from 1 to 100', html)
    saved = submit(organizer_client, url, {"place_id": str(airport_id), "direction": "arrival", "day": "2023-07-17",
                                           "starts": "10:00", "ends": "12:00", "vehicle": "大巴 闽D·99999",
                                           "capacity": "45"})
    assert saved.status_code == 303
    with app.app_context():
        saved_group = db.session.execute(select(PickupGroup)).scalar_one()
        assert saved_group.starts_at == datetime(2023, 7, 17, 2, 0, tzinfo=UTC)


# The shuttle timetable -----------------------------------------------------------------------


def small_programme(world):
    """The theatre in the morning (09:00–12:00), the conference centre in the afternoon
    (14:00–17:30), published; a draft in the evening that no shuttle serves."""
    theatre = Venue(edition_id=world.edition.id, name_zh="厦门海峡大剧院", name_en="Xiamen Strait Grand Theatre", position=1)
    db.session.add(theatre)
    db.session.flush()
    services.set_travel_time(world.guest_hotel, theatre, 35)
    services.set_travel_time(world.audience_hotel, theatre, 10)
    stage = Hall(venue_id=theatre.id, name_zh="大剧场", capacity=1500)
    room = Hall(venue_id=world.venue.id, name_zh="多功能厅A", capacity=800)
    db.session.add_all([stage, room])
    db.session.flush()
    day = date(2023, 7, 18)
    for hall, starts, ends, status in ((stage, time(9), time(12), "published"), (room, time(14), time(17, 30), "published"),
                                       (room, time(15), time(16), "published"), (stage, time(19, 30), time(21), "draft")):
        db.session.add(Session(edition_id=world.edition.id, kind="main_forum", title_zh="论坛", hall_id=hall.id,
                               starts_at=at_local(world.edition, day, starts), ends_at=at_local(world.edition, day, ends),
                               status=status))
    db.session.flush()
    return theatre


def timetable(edition) -> list[tuple]:
    return [(run.leg, run.hotel.code if run.hotel else None, travel.run_from(run), travel.run_to(run),
             run.departs_at.astimezone(UTC).strftime("%H:%M"), run.arrives_at.astimezone(UTC).strftime("%H:%M"))
            for run in travel.runs_of(edition)]


def test_the_shuttle_is_generated_from_the_published_programme_on_the_host_citys_clock(ctx):
    world = housing()
    small_programme(world)
    added, kept = travel.generate_runs(world.edition)
    # UTC (Xiamen − 8 h): to the theatre by 08:30 (00:30 UTC), back at 12:15 — the theatre's last
    # published session ends at 12:00 — on to the centre at 12:15 (30 minutes), to the centre by
    # 13:30, back from it at 17:45.
    assert timetable(world.edition) == [
        ("to_venue", "H-GUEST", "H-GUEST酒店", "厦门海峡大剧院", "23:55", "00:30"),
        ("to_venue", "H-AUDIENCE", "H-AUDIENCE酒店", "厦门海峡大剧院", "00:20", "00:30"),
        ("between_venues", None, "厦门海峡大剧院", "厦门国际会议中心", "04:15", "04:45"),
        ("to_hotel", "H-AUDIENCE", "厦门海峡大剧院", "H-AUDIENCE酒店", "04:15", "04:25"),
        ("to_hotel", "H-GUEST", "厦门海峡大剧院", "H-GUEST酒店", "04:15", "04:50"),
        ("to_venue", "H-AUDIENCE", "H-AUDIENCE酒店", "厦门国际会议中心", "05:15", "05:30"),
        ("to_venue", "H-GUEST", "H-GUEST酒店", "厦门国际会议中心", "05:15", "05:30"),
        ("to_hotel", "H-AUDIENCE", "厦门国际会议中心", "H-AUDIENCE酒店", "09:45", "10:00"),
        ("to_hotel", "H-GUEST", "厦门国际会议中心", "H-GUEST酒店", "09:45", "10:00"),
    ]
    assert (added, kept) == (9, 0)
    assert all(run.generated for run in travel.runs_of(world.edition))
    first = travel.runs_of(world.edition)[0]
    assert first.departs_at == datetime(2023, 7, 17, 23, 55, tzinfo=UTC)  # 07:55 on the 18th in Xiamen


def test_regenerating_keeps_the_runs_an_organizer_edited_or_added(ctx):
    world = housing()
    theatre = small_programme(world)
    travel.generate_runs(world.edition)
    first = travel.runs_of(world.edition)[0]
    travel.save_run(world.edition, travel.RunFields("to_venue", theatre.id, date(2023, 7, 18), time(7, 45), time(8, 20),
                                                    hotel_id=world.guest_hotel.id, note="提前发车"), first)
    travel.save_run(world.edition, travel.RunFields("between_venues", world.venue.id, date(2023, 7, 18), time(18),
                                                    time(18, 30), other_venue_id=theatre.id, note="晚会"))
    added, kept = travel.generate_runs(world.edition)
    assert (added, kept) == (8, 2)
    runs = timetable(world.edition)
    assert ("to_venue", "H-GUEST", "H-GUEST酒店", "厦门海峡大剧院", "23:45", "00:20") in runs
    assert ("to_venue", "H-GUEST", "H-GUEST酒店", "厦门海峡大剧院", "23:55", "00:30") not in runs
    assert ("between_venues", None, "厦门国际会议中心", "厦门海峡大剧院", "10:00", "10:30") in runs
    assert len(runs) == 10


def test_a_run_with_wrong_values_is_refused_beside_each_field(app, organizer_client):
    with app.app_context():
        world = housing()
        venue_id = world.venue.id
    page = submit(organizer_client, "/editions/2023/travel/shuttles/new",
                  {"leg": "between_venues", "venue_id": str(venue_id), "other_venue_id": str(venue_id),
                   "day": "2023-07-18", "departs": "25:99", "arrives": "08:00", "note": "末班"},
                  headers={"Accept-Language": "en"})
    html = page.get_data(as_text=True)
    assert page.status_code == 422
    assert 'id="departs-error"' in html and 'value="末班"' in html
    page = submit(organizer_client, "/editions/2023/travel/shuttles/new",
                  {"leg": "between_venues", "venue_id": str(venue_id), "other_venue_id": str(venue_id),
                   "day": "2023-07-18", "departs": "09:00", "arrives": "08:00"}, headers={"Accept-Language": "en"})
    html = page.get_data(as_text=True)
    assert page.status_code == 422
    assert 'id="other_venue_id-error"' in html and 'id="arrives-error"' in html
    with app.app_context():
        assert db.session.execute(select(func.count(ShuttleRun.id))).scalar() == 0


# Public: the programme page and the JSON API -------------------------------------------------


def test_the_public_programme_shows_the_shuttle_timetable(app, client):
    with app.app_context():
        world = housing()
        small_programme(world)
        travel.generate_runs(world.edition)
        db.session.commit()
    html = client.get("/programme/2023/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Shuttle buses" in html and "07:55" in html and "H-GUEST Hotel" in html


def test_the_hotels_api_gives_public_facts_and_the_timetable_and_no_one_personal(app, client):
    with app.app_context():
        world, _airport, _station, people = travel_world()
        small_programme(world)
        stay = services.request_stay(people["王"], services.StayWishes(check_in=ARRIVAL_DAY, check_out=LEAVING_DAY))
        services.place(stay, world.guest_hotel, world.room(world.guest_hotel, "king"), tell=False)
        travel.generate_runs(world.edition)
        db.session.commit()
    answer = client.get("/api/v1/editions/2023/hotels")
    assert answer.status_code == 200
    body = answer.get_json()
    hotel = next(h for h in body["hotels"] if h["code"] == "H-GUEST")
    assert set(hotel) == {"code", "name", "address", "latitude", "longitude", "phone", "stars", "kind", "check_in_time",
                          "check_out_time", "travel_minutes", "shuttles"}
    assert hotel["check_in_time"] == "14:00"
    assert {t["venue"]["en"]: t["minutes"] for t in hotel["travel_minutes"]} == {
        "Xiamen International Conference Center": 15, "Xiamen Strait Grand Theatre": 35}
    assert hotel["shuttles"][0]["departs_at"] == "2023-07-18T07:55:00+08:00"
    text = answer.get_data(as_text=True)
    for personal in ("王", "MF8102", "person", "stays", "rooms", "taken"):
        assert personal not in text, personal
    runs = client.get("/api/v1/editions/2023/shuttles").get_json()["runs"]
    assert runs[2] == {"leg": "between_venues", "departs_at": "2023-07-18T12:15:00+08:00",
                       "arrives_at": "2023-07-18T12:45:00+08:00",
                       "from": {"zh": "厦门海峡大剧院", "zh_hant": None, "en": "Xiamen Strait Grand Theatre"},
                       "to": {"zh": "厦门国际会议中心", "zh_hant": None, "en": "Xiamen International Conference Center"},
                       "hotel": None, "note": ""}


def test_an_unknown_year_is_a_json_404(app, client, edition_2023):
    for path in ("/api/v1/editions/2031/hotels", "/api/v1/editions/2031/shuttles"):
        answer = client.get(path)
        assert answer.status_code == 404 and answer.get_json()["error"]["status"] == 404
    spec = client.get("/api/v1/openapi.json").get_json()
    for path in ("/api/v1/editions/{year}/hotels", "/api/v1/editions/{year}/shuttles"):
        assert {"200", "404"} <= set(spec["paths"][path]["get"]["responses"])


# Hostile input -------------------------------------------------------------------------------

ODD = ["", "0", "-1", "99999999999999999999", "abc", "𠮷", "<script>", "\x00x", "2023-02-30", "25:99",
       "a" * 3000, "1e9", "None", " ", "２０２３", "9999-12-31", "0001-01-01"]


def test_no_travel_form_fails_on_odd_values_and_every_text_is_bounded_beside_its_field(app, organizer_client):
    import random

    with app.app_context():
        world, airport, _station, people = travel_world()
        theatre = small_programme(world)
        found = group(world, airport, time(10), time(11), capacity=3)
        travel.generate_runs(world.edition)
        db.session.commit()
        run_id, group_id, theatre_id, airport_id = travel.runs_of(world.edition)[0].id, found.id, theatre.id, airport.id
    forms = {"/editions/2023/travel/pickups/new": ["place_id", "direction", "day", "starts", "ends", "vehicle", "capacity",
                                                   "driver", "driver_phone", "note"],
             f"/editions/2023/travel/pickups/{group_id}/edit": ["place_id", "direction", "day", "starts", "ends", "vehicle",
                                                                "capacity", "driver", "driver_phone", "note"],
             f"/editions/2023/travel/pickups/{group_id}": ["journey_id", "confirm"],
             "/editions/2023/travel/shuttles/new": ["leg", "hotel_id", "venue_id", "other_venue_id", "day", "departs",
                                                    "arrives", "note"],
             f"/editions/2023/travel/shuttles/{run_id}/edit": ["leg", "hotel_id", "venue_id", "other_venue_id", "day",
                                                               "departs", "arrives", "note"]}
    rng = random.Random(2023)
    for url, names in forms.items():
        for _ in range(8):
            data = {name: rng.choice(ODD) for name in names if rng.random() < 0.85}
            response = submit(organizer_client, url, data)
            assert response.status_code in (200, 303, 422), (url, data, response.status_code)
    for query in ("day=" + "长" * 5000, "place_id=-1&direction=%00", "day=2023-07-17&day=x"):
        assert organizer_client.get(f"/editions/2023/travel/?{query}").status_code in (200, 422)
    long_group = submit(organizer_client, "/editions/2023/travel/pickups/new", {
        "place_id": str(airport_id), "direction": "arrival", "day": "2023-07-17", "starts": "10:00", "ends": "11:00",
        "capacity": "5", **{name: "长" * 30_001 for name in ("vehicle", "driver", "driver_phone", "note")}})
    html = long_group.get_data(as_text=True)
    assert long_group.status_code == 422
    assert [n for n in ("vehicle", "driver", "driver_phone", "note") if f'id="{n}-error"' not in html] == []
    long_run = submit(organizer_client, "/editions/2023/travel/shuttles/new", {
        "leg": "to_hotel", "venue_id": str(theatre_id), "day": "2023-07-18", "departs": "10:00", "arrives": "11:00",
        "note": "长" * 30_001})
    assert long_run.status_code == 422 and 'id="note-error"' in long_run.get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(select(func.count(PickupGroup.id))).scalar() == 1
