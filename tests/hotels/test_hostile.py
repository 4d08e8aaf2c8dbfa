"""Hostile input and hostile users on the hotel and travel pages: dates at the ends of the
calendar, every role on every organizer page, ids of another edition, map uploads that are not
maps, and text meant to run as script or as a spreadsheet formula."""

import io
from dataclasses import replace
from datetime import date, time

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from conference.editions import services as editions
from conference.editions.demo import EDITION_2023
from conference.editions.services import get_edition
from conference.extensions import db
from conference.hotels import services, travel
from conference.hotels.models import Hotel, Lodging, Stay, TravelPlace
from tests.conftest import csrf_token, login, make_user, submit
from tests.hotels.factories import World, person, requested
from tests.hotels.test_attendee import attendee_world, journeys, refusal
from tests.hotels.test_pages import (
    BASE,
    EN,
    _blocks_url,
    _grid,
    _hotel_form,
    _image,
    _placed,
    _world,
)

TRAVEL = "/editions/2023/travel"


# Dates at the ends of the calendar ---------------------------------------------------------


@pytest.mark.parametrize("night", ["9999-12-31", "0001-01-01"])
def test_a_night_at_the_end_of_the_calendar_is_refused_beside_the_field(app, organizer_client, night):
    _world(app)
    url, _room_type_id = _blocks_url(app)
    response = organizer_client.get(f"{url}?night={night}", headers=EN)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="night-error"' in html
    assert "Choose nights around the conference." in html


@pytest.mark.parametrize("typed", ["0001-01-01T00:00", "0001-01-01T07:59", "9999-12-31T23:59"])
@pytest.mark.parametrize("direction", ["arrival", "departure"])
def test_a_journey_at_the_end_of_the_calendar_is_refused_beside_the_field(app, client, demo_clock, typed, direction):
    world = attendee_world(app)
    refusal(client, world, f"{direction}_at", "Choose a day around the conference.",
            **{f"{direction}_at": typed, f"{direction}_place_id": str(world["place"]), f"{direction}_number": "MF8101"})
    with app.app_context():
        assert journeys(world["token"]) == {}


def test_pickup_groups_and_runs_at_the_end_of_the_calendar_are_refused(app, organizer_client):
    _world(app)
    with app.app_context():
        edition = get_edition(2023)
        place = TravelPlace(edition_id=edition.id, code="XMN", kind="airport", name_zh="机场", name_en="Airport")
        db.session.add(place)
        db.session.commit()
        place_id = place.id
    for day in ("0001-01-01", "9999-12-31"):
        response = submit(organizer_client, f"{TRAVEL}/pickups/new", {
            "place_id": str(place_id), "direction": "arrival", "day": day, "starts": "00:00", "ends": "23:59",
            "vehicle": "bus", "capacity": "10"}, headers=EN)
        assert response.status_code == 422 and "Choose a day around the conference." in response.get_data(as_text=True)
        response = submit(organizer_client, f"{TRAVEL}/shuttles/new", {
            "leg": "between_venues", "day": day, "departs": "00:00", "arrives": "00:30"}, headers=EN)
        assert response.status_code == 422
        response = organizer_client.get(f"{TRAVEL}/?day={day}", headers=EN)
        assert response.status_code == 422


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e999", "NaN"])
@pytest.mark.parametrize("field", ["latitude", "longitude"])
def test_latitude_and_longitude_that_are_not_numbers_are_refused(app, organizer_client, edition_2023, field, value):
    response = submit(organizer_client, f"{BASE}/new", _hotel_form(**{field: value}), headers=EN)
    assert response.status_code == 422 and f'id="{field}-error"' in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(select(Hotel)).first() is None


@pytest.mark.parametrize("value", ["99999999999999999999", "-1", "2147483648"])
def test_numbers_beyond_a_database_integer_are_refused(app, organizer_client, value):
    guest_id, _audience_id = _world(app)
    assert submit(organizer_client, f"{BASE}/new", _hotel_form(stars=value)).status_code == 422
    assert submit(organizer_client, f"{BASE}/{guest_id}/rooms/new", {"kind": "king", "beds": value}).status_code == 422
    url, _room_type_id = _blocks_url(app)
    assert submit(organizer_client, url, _grid(rooms_20230717=value)).status_code == 422
    assert submit(organizer_client, url, _grid(price_20230717=value)).status_code == 422


# Who may do what ---------------------------------------------------------------------------


def _targets(app) -> dict:
    """One of each thing a page is about, in the 2023 edition."""
    guest_id, _audience_id = _world(app)
    stay_id = _placed(app)
    with app.app_context():
        edition = get_edition(2023)
        hotel = db.session.get(Hotel, guest_id)
        venue_id = hotel.travel_times[0].venue_id
        place = TravelPlace(edition_id=edition.id, code="XMN", kind="airport", name_zh="机场", name_en="Airport")
        db.session.add(place)
        db.session.flush()
        group = travel.save_group(edition, travel.PickupFields(
            place_id=place.id, direction="arrival", day=date(2023, 7, 17), starts=time(9), ends=time(12), vehicle="bus",
            capacity=10))
        run = travel.save_run(edition, travel.RunFields(
            leg="to_venue", venue_id=venue_id, day=date(2023, 7, 18), departs=time(8), arrives=time(8, 30),
            hotel_id=guest_id))
        db.session.commit()
        return {"hotel": guest_id, "room_type": hotel.room_types[0].id, "stay": stay_id, "group": group.id,
                "run": run.id}


def _pages(ids) -> tuple[list[str], list[str], list[str]]:
    """What viewers may open, what only managers may open, and every POST."""
    hotel, room_type, stay = f"{BASE}/{ids['hotel']}", f"{BASE}/{ids['hotel']}/rooms/{ids['room_type']}", \
        f"{BASE}/stays/{ids['stay']}"
    group, run = f"{TRAVEL}/pickups/{ids['group']}", f"{TRAVEL}/shuttles/{ids['run']}"
    view = [f"{BASE}/", hotel, f"{TRAVEL}/", f"{TRAVEL}/arrivals.xlsx", f"{TRAVEL}/pickups", group, f"{TRAVEL}/shuttles"]
    manage = [f"{BASE}/new", f"{hotel}/edit", f"{hotel}/delete", f"{hotel}/rooms/new", f"{room_type}/edit",
              f"{room_type}/delete", f"{room_type}/blocks", f"{BASE}/lodging", f"{stay}/cancel", f"{stay}/place",
              f"{BASE}/rooming/", f"{hotel}/rooming", f"{hotel}/rooming/print", f"{hotel}/rooming.xlsx",
              f"{BASE}/assign/", f"{TRAVEL}/pickups/new", f"{group}/edit", f"{group}/delete", f"{TRAVEL}/shuttles/new",
              f"{run}/edit", f"{run}/delete"]
    posts = [page for page in manage if "rooming" not in page] + [
        f"{stay}/confirm", f"{hotel}/rooming/sent", f"{TRAVEL}/pickups/group", group, f"{group}/take-out/1",
        f"{TRAVEL}/shuttles/generate"]
    return view, manage, posts


@pytest.mark.parametrize("role", ["viewer", "group_lead", "security", "volunteer", None])
def test_only_organizers_change_hotels_and_only_staff_look(app, client, role):
    ids = _targets(app)
    view, manage, posts = _pages(ids)
    if role is None:
        for url in view + manage:
            response = client.get(url)
            assert response.status_code == 302 and "/login" in response.headers["Location"], url
        for url in posts:
            assert client.post(url, data={}).status_code in (302, 400), url
    else:
        login(client, make_user(app, role))
        for url in view:
            assert client.get(url).status_code == (403 if role == "volunteer" else 200), url
        for url in manage:
            assert client.get(url).status_code == 403, url
        token = csrf_token(client, "/login")
        for url in posts:
            assert client.post(url, data={"csrf_token": token, "confirm": "y", "plan": "x"}).status_code == 403, url
    with app.app_context():  # nothing was changed by anyone of them
        stay = db.session.get(Stay, ids["stay"])
        assert stay.status == "assigned" and db.session.get(Hotel, ids["hotel"]) is not None


def test_a_post_without_its_csrf_token_changes_nothing(app, organizer_client):
    ids = _targets(app)
    _view, _manage, posts = _pages(ids)
    for url in posts:
        assert organizer_client.post(url, data={"confirm": "y"}).status_code in (400, 422), url
    assert organizer_client.post(f"{BASE}/new", json=_hotel_form()).status_code in (400, 422)
    with app.app_context():
        assert db.session.get(Stay, ids["stay"]).status == "assigned"
        assert db.session.get(Hotel, ids["hotel"]) is not None


def test_the_things_of_another_edition_are_not_found_through_this_one(app, organizer_client):
    """A 2024 hotel, room type, stay, pickup group and run, each reached by its id under 2023."""
    _targets(app)
    with app.app_context():
        later = editions.create_edition(replace(EDITION_2023, year=2024, starts_on=date(2024, 7, 16),
                                                ends_on=date(2024, 7, 17)))
        hotel = services.save_hotel(later, services.HotelFields(code="H-2024", name_zh="酒店", name_en="Hotel",
                                                                 kind="audience"))
        room_type = services.save_room_type(hotel, services.RoomTypeFields(kind="twin", beds=2))
        services.set_block(room_type, date(2024, 7, 16), 2)
        db.session.add(Lodging(edition_id=later.id, category="audience", kind="audience", offered=True))
        db.session.flush()
        stay = services.request_stay(person(World(later, None, hotel, hotel), "李"), services.StayWishes(
            check_in=date(2024, 7, 16), check_out=date(2024, 7, 17), room_kind="twin"))
        services.place(stay, hotel, room_type, tell=False)
        db.session.commit()
        foreign = {"hotel": hotel.id, "room_type": room_type.id, "stay": stay.id}
    view, manage, posts = _pages({**foreign, "group": 999999, "run": 999999})
    token = csrf_token(organizer_client, f"{BASE}/")
    for url in [page for page in view + manage if "/travel/" not in page and not page.endswith(("hotels/", "/new", "rooming/",
                                                                                                 "lodging", "assign/"))]:
        assert organizer_client.get(url).status_code == 404, url
    for url in (f"{BASE}/stays/{stay.id}/confirm", f"{BASE}/stays/{stay.id}/cancel", f"{BASE}/{hotel.id}/rooming/sent",
                f"{BASE}/{hotel.id}/delete"):
        assert organizer_client.post(url, data={"csrf_token": token}).status_code == 404, url
    with app.app_context():
        assert db.session.get(Stay, foreign["stay"]).status == "assigned"


# What is shown --------------------------------------------------------------------------------


HOSTILE = '"><script>alert(1)</script>'


def test_script_in_a_hotel_name_and_a_vehicle_is_shown_as_text(app, organizer_client):
    ids = _targets(app)
    with app.app_context():
        hotel = db.session.get(Hotel, ids["hotel"])
        hotel.name_en = hotel.name_zh = HOSTILE
        group = travel.get_group(get_edition(2023), ids["group"])
        group.vehicle, group.note = HOSTILE, HOSTILE
        db.session.commit()
    pages = [f"{BASE}/", f"{BASE}/{ids['hotel']}", f"{BASE}/{ids['hotel']}/rooming",
             f"{BASE}/{ids['hotel']}/rooming/print", f"{TRAVEL}/pickups", f"{TRAVEL}/pickups/{ids['group']}",
             f"{TRAVEL}/shuttles", f"{BASE}/stays/{ids['stay']}/place", "/editions/2023/programme/"]
    for url in pages:
        response = organizer_client.get(url)
        assert "<script>alert(1)" not in response.get_data(as_text=True), url


@pytest.mark.parametrize("name", ["=HYPERLINK(\"http://x\",\"y\")", "+1+1", "-1-1", "@SUM(A1)"])
def test_a_name_like_a_formula_stays_text_in_the_rooming_list(app, organizer_client, name):
    ids = _targets(app)
    with app.app_context():
        stay = db.session.get(Stay, ids["stay"])
        stay.person.family_name, stay.person.given_name = name, ""
        db.session.commit()
    response = organizer_client.get(f"{BASE}/{_audience(app)}/rooming.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
    cells = [cell for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str) and name in cell.value]
    assert cells and all(cell.data_type == "s" for cell in cells)


def _audience(app) -> int:
    with app.app_context():
        return db.session.execute(select(Hotel.id).where(Hotel.code == "H-AUDIENCE")).scalar_one()


# Map images --------------------------------------------------------------------------------------


def _gif() -> bytes:
    return _image("GIF")


@pytest.mark.parametrize("upload", [
    b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
    b"<html><script>alert(1)</script></html>",
    b"GIF89a<script>alert(1)</script>",
    b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + (100000).to_bytes(4, "big") * 2 + b"\x08\x02\x00\x00\x00" + b"\x00" * 4,
    "gif",
])
def test_a_map_that_is_not_a_plain_image_is_refused(app, organizer_client, edition_2023, upload):
    data = _gif() if upload == "gif" else upload
    response = submit(organizer_client, f"{BASE}/new", {**_hotel_form(), "map_image": (io.BytesIO(data), "map.png")},
                      headers=EN, content_type="multipart/form-data")
    assert response.status_code == 422 and 'id="map_image-error"' in response.get_data(as_text=True)


def test_a_polyglot_map_is_served_re_encoded_as_an_image_that_does_not_sniff(app, organizer_client, edition_2023):
    polyglot = _image() + b"<script>alert(1)</script>"
    response = submit(organizer_client, f"{BASE}/new", {**_hotel_form(), "map_image": (io.BytesIO(polyglot), "m.html")})
    assert response.status_code == 303
    with app.app_context():
        hotel_id = db.session.execute(select(Hotel.id)).scalar_one()
    served = organizer_client.get(f"{BASE}/{hotel_id}/map")
    assert served.status_code == 200 and served.mimetype == "image/png"
    assert served.headers["X-Content-Type-Options"] == "nosniff" and b"<script>" not in served.data
    for odd in ("../../etc/passwd", "..%2F..%2Fetc%2Fpasswd", "1%00"):
        assert organizer_client.get(f"{BASE}/{odd}/map").status_code == 404


# The public side ------------------------------------------------------------------------------


def test_the_public_api_and_programme_name_no_guest(app, client):
    ids = _targets(app)
    with app.app_context():
        stay = db.session.get(Stay, ids["stay"])
        names = [stay.person.family_name + stay.person.given_name, stay.person.email]
    for url in ("/api/v1/editions/2023/hotels", "/api/v1/editions/2023/shuttles", "/editions/2023/programme/"):
        body = client.get(url).get_data(as_text=True)
        assert not any(name in body for name in names), url
    assert client.get("/api/v1/editions/2099/hotels").status_code == 404


@pytest.mark.parametrize("token", ["x", "a" * 3000, "%00", "..%2F..", "%ED%A0%80"])
def test_a_made_up_token_finds_no_hotel_page(app, client, token):
    assert client.get(f"/r/{token}/hotel").status_code == 404
    assert client.get(f"/r/{token}/hotel/data.json").status_code == 404
    assert client.post(f"/r/{token}/hotel", data={}).status_code in (400, 404)


def test_a_stay_of_one_person_is_not_reached_by_another(app, client, demo_clock):
    world = attendee_world(app)
    with app.app_context():
        edition = get_edition(2023)
        hotel = db.session.get(Hotel, world["hotel"])
        stranger = requested(World(edition, None, None, hotel), person(World(edition, None, None, hotel), "赵"))
        db.session.commit()
        stranger_name = stranger.person.family_name + stranger.person.given_name
    body = client.get(f"/r/{world['token']}/hotel/data.json").get_data(as_text=True)
    assert stranger_name not in body



# The command line ------------------------------------------------------------------------------


@pytest.mark.parametrize("year", ["99999999999999999999", "-99999999999999999999", "0"])
def test_an_impossible_edition_on_the_command_line_is_an_error_message(app, edition_2023, tmp_path, year):
    runner = app.test_cli_runner()
    for args in (["hotels", "assign", "--edition", year, "--dry-run"],
                 ["hotels", "rooming-list", "--edition", year, "--hotel", "H-X", "--out", str(tmp_path / "a.xlsx")]):
        result = runner.invoke(args=args)
        assert result.exit_code == 1 and f"There is no {year} edition." in result.output, result.output


@pytest.mark.parametrize("night", ["9999-12-31", "0001-01-01", "2023-02-30"])
def test_an_impossible_night_on_the_command_line_is_an_error_message(app, tmp_path, night):
    _world(app)
    result = app.test_cli_runner().invoke(args=["hotels", "rooming-list", "--edition", "2023", "--hotel", "H-GUEST",
                                                "--night", night, "--out", str(tmp_path / "a.xlsx")])
    assert result.exit_code in (1, 2) and "Traceback" not in result.output and not (tmp_path / "a.xlsx").exists()


def test_a_name_and_vehicle_like_formulas_stay_text_in_the_arrivals_list(app, organizer_client):
    ids = _targets(app)
    formula = '=HYPERLINK("http://x","y")'
    with app.app_context():
        edition = get_edition(2023)
        stay = db.session.get(Stay, ids["stay"])
        stay.person.family_name, stay.person.given_name = formula, ""
        services.give_travel_consent(stay.person, True, False)
        journey = services.save_journey(stay.person, services.JourneyFields(
            direction="arrival", at=travel.get_group(edition, ids["group"]).starts_at, number="MF8101",
            place_id=travel.get_group(edition, ids["group"]).place_id))
        travel.put_in_group(journey, travel.get_group(edition, ids["group"]), confirmed=True)
        travel.get_group(edition, ids["group"]).vehicle = "+1+1"
        db.session.commit()
    response = organizer_client.get(f"{TRAVEL}/arrivals.xlsx?day=2023-07-17")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row if isinstance(cell.value, str)
             and cell.value.startswith(("=", "+"))]
    assert {cell.value for cell in cells} >= {formula, "+1+1"} and all(cell.data_type == "s" for cell in cells)
