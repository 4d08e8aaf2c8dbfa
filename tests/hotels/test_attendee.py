"""The attendee's side of hotels: the card on the private page for each state of a stay, the page
that asks for a room and keeps the arrival and departure, its refusals, and the consents."""

import json
import random
import re
from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import func, select

from conference.core import pii
from conference.core.database import committed
from conference.core.models import AuditEntry
from conference.editions.localtime import at_local
from conference.editions.services import get_edition
from conference.extensions import db
from conference.hotels import services
from conference.hotels.models import (
    Journey,
    Lodging,
    PickupGroup,
    ShuttleRun,
    Stay,
    Traveller,
    TravelPlace,
)
from conference.registration import services as registration_services
from conference.registration.models import Registration
from conference.venues.models import Venue
from tests.conftest import csrf_token, race, registration_demo
from tests.registration.conftest import resident_id
from tests.registration.test_register import register

EN = {"Accept-Language": "en"}


def attendee_world(app) -> dict:
    """The demo edition with its registration, one audience hotel (king and twin rooms for the
    conference's nights), the airport, and a media person who may ask for a room (their token)."""
    with app.app_context():
        registration_demo()
        edition = get_edition(2023)
        hotel = services.save_hotel(edition, services.HotelFields(
            code="H-HAIYUE", name_zh="海悦酒店", name_en="Haiyue Hotel", address_zh="厦门市思明区环岛南路1号",
            address_en="1 Huandao South Road, Siming", phone="0592-5550100", kind="audience",
            check_in_time=time(14, 0), check_out_time=time(12, 0)))
        for kind in ("king", "twin"):
            room_type = services.save_room_type(hotel, services.RoomTypeFields(kind=kind, name_en=f"{kind} room"))
            for night in services.conference_nights(edition):
                services.set_block(room_type, night, 3)
        db.session.add(Lodging(edition_id=edition.id, category="media", kind="audience", offered=True))
        place = TravelPlace(edition_id=edition.id, code="XMN", kind="airport", name_zh="厦门高崎国际机场",
                            name_en="Xiamen Gaoqi Airport")
        db.session.add(place)
        db.session.commit()
        ids = {"hotel": hotel.id, "place": place.id, "venue": db.session.execute(select(Venue.id)).scalars().first()}
    ids["token"] = register(app)[2]
    return ids


@pytest.fixture
def world(app, demo_clock):
    return attendee_world(app)


def second_person(app) -> str:
    return register(app, family_name="王", given_name="芳", email="wang@example.org",
                    id_number=resident_id(birth="19850101"))[2]


def person_of(token):
    return registration_services.find_by_token(token).person


def code_of(app, token) -> str:
    with app.app_context():
        return committed(lambda: services.traveller(person_of(token)).roommate_code)


def form(world, **changes) -> dict:
    data = {"need_room": "y", "check_in": "2023-07-17", "check_out": "2023-07-20", "room_kind": "king",
            "roommate_code": "", "not_with_code": "", "non_smoking": "y", "note": "",
            "arrival_at": "2023-07-17T10:30", "arrival_mode": "air", "arrival_number": "MF8102",
            "arrival_place_id": str(world["place"]), "arrival_pickup": "y",
            "departure_at": "", "departure_mode": "rail", "departure_number": "", "departure_place_id": "",
            "consent_travel": "y"}
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def post(client, world, token=None, **changes):
    token = token or world["token"]
    url = f"/r/{token}/hotel"
    return client.post(url, data={**form(world, **changes), "csrf_token": csrf_token(client, url)}, headers=EN)


def stays(token) -> list[Stay]:
    return list(db.session.execute(select(Stay).where(Stay.person_id == person_of(token).id)).scalars())


def journeys(token) -> dict[str, Journey]:
    return {j.direction: j for j in db.session.execute(
        select(Journey).where(Journey.person_id == person_of(token).id)).scalars()}


def ticked(html: str, name: str) -> bool:
    return " checked" in re.search(rf'<input[^>]*id="{name}"[^>]*>', html).group(0)


def card(client, token) -> str:
    page = client.get(f"/r/{token}", headers=EN)
    assert page.status_code == 200
    return page.get_data(as_text=True)


# The card ------------------------------------------------------------------------------------


def test_a_wrong_token_is_a_404_everywhere(app, client, world):
    for url in ("/r/not-a-token/hotel", "/r/not-a-token/hotel/data.json", "/r/" + "x" * 300 + "/hotel"):
        assert client.get(url).status_code == 404
    token = csrf_token(client, f"/r/{world['token']}/hotel")
    assert client.post("/r/not-a-token/hotel", data={"csrf_token": token}).status_code == 404


def test_without_a_stay_the_card_offers_a_room_and_shows_the_roommate_code(app, client, world):
    html = card(client, world["token"])
    assert "Ask for a hotel room" in html and f"/r/{world['token']}/hotel" in html
    with app.app_context():
        code = db.session.execute(select(Traveller.roommate_code)).scalar_one()
    assert f'id="roommate-code">{code}<' in html and "It is not your private link" in html
    assert code in card(client, world["token"])  # the same code on the next look
    with app.app_context():
        assert db.session.execute(select(func.count(Traveller.id))).scalar_one() == 1


def test_two_first_looks_at_once_make_one_roommate_code(app, world):
    from conference.hotels.attendee import _roommate_code

    codes, errors = race(app, lambda _i: _roommate_code(person_of(world["token"])), 4)
    assert not errors and len(set(codes)) == 1
    with app.app_context():
        assert db.session.execute(select(Traveller.roommate_code)).scalars().all() == [codes[0]]


def test_a_category_that_does_not_ask_for_rooms_gets_no_button(app, client, world):
    with app.app_context():
        db.session.execute(Lodging.__table__.update().values(offered=False))
        db.session.commit()
    html = card(client, world["token"])
    assert "Ask for a hotel room" not in html and "Give my arrival and departure" in html
    page = client.get(f"/r/{world['token']}/hotel", headers=EN).get_data(as_text=True)
    assert "the organizers arrange any room you need" in page and 'name="check_in"' not in page
    assert post(client, world).status_code == 303
    with app.app_context():
        assert stays(world["token"]) == [] and set(journeys(world["token"])) == {"arrival"}


@pytest.mark.parametrize("status, label", [("requested", "Requested"), ("waitlisted", "On the waiting list"),
                                           ("assigned", "Room assigned"), ("confirmed", "Confirmed by the hotel")])
def test_the_card_for_each_status(app, client, world, status, label):
    assert post(client, world).status_code == 303
    with app.app_context():
        stay = stays(world["token"])[0]
        hotel = services.get_hotel(get_edition(2023), world["hotel"])
        if status == "waitlisted":
            stay.status = "waitlisted"
        if status in ("assigned", "confirmed"):
            services.place(stay, hotel, next(r for r in hotel.room_types if r.kind == "king"), tell=False)
        if status == "confirmed":
            services.confirm_stay(stay, "HY-0718")
        db.session.commit()
    html = card(client, world["token"])
    assert f"stay-{status}\">{label}<" in html
    placed = status in ("assigned", "confirmed")
    for fact in ("Haiyue Hotel", "1 Huandao South Road, Siming", "0592-5550100", "from 14:00", "by 12:00"):
        assert (fact in html) is placed, fact
    assert ("Change my room request" in html) is not placed
    assert ("write to the reception desk" in html) is placed
    assert ("HY-0718" in html) is (status == "confirmed")
    assert ("waiting list: we write to you" in html) is (status == "waitlisted")
    assert "Ask for a hotel room" not in html


def test_the_card_names_the_roommate_and_shows_pickup_and_shuttles(app, client, world):
    other = second_person(app)
    assert post(client, world, room_kind="twin").status_code == 303
    assert post(client, world, token=other, room_kind="twin", roommate_code=code_of(app, world["token"]),
                arrival_at="", arrival_pickup=None).status_code == 303
    with app.app_context():
        edition = get_edition(2023)
        hotel = services.get_hotel(edition, world["hotel"])
        holder, sharer = stays(world["token"])[0], stays(other)[0]
        services.place(holder, hotel, next(r for r in hotel.room_types if r.kind == "twin"), tell=False)
        services.share(sharer, holder, tell=False)
        group = PickupGroup(edition_id=edition.id, place_id=world["place"], direction="arrival",
                            starts_at=at_local(edition, date(2023, 7, 17), time(10, 0)),
                            ends_at=at_local(edition, date(2023, 7, 17), time(11, 30)), vehicle="考斯特 闽D·12345")
        db.session.add(group)
        db.session.flush()
        journeys(world["token"])["arrival"].pickup_group_id = group.id
        for day, leg, clock in ((date(2023, 7, 18), "to_venue", time(8, 5)), (date(2023, 7, 18), "to_hotel", time(18, 40)),
                                (date(2023, 7, 25), "to_venue", time(7, 55))):
            db.session.add(ShuttleRun(edition_id=edition.id, leg=leg, hotel_id=hotel.id, venue_id=world["venue"],
                                      departs_at=at_local(edition, day, clock),
                                      arrives_at=at_local(edition, day, clock.replace(minute=clock.minute + 4))))
        db.session.commit()
        holder_name, sharer_name = person_of(world["token"]).latin_name, person_of(other).latin_name
    html = card(client, world["token"])
    assert f"<dd>{sharer_name}</dd>" in html
    assert "考斯特 闽D·12345" in html and "10:00–11:30" in html and "Xiamen Gaoqi Airport" in html
    assert "08:05" in html and "18:40" in html and "07:55" not in html  # only the days of the stay
    other_html = card(client, other)
    assert f"<dd>{holder_name}</dd>" in other_html and "Haiyue Hotel" in other_html
    assert "考斯特" not in other_html  # the sharer's own journey has no pickup


def test_the_map_link_appears_only_when_the_hotel_has_a_map_and_a_page_serves_it(app, client, world):
    with app.app_context():
        assert post(client, world).status_code == 303
        stay = stays(world["token"])[0]
        hotel = services.get_hotel(get_edition(2023), world["hotel"])
        services.place(stay, hotel, hotel.room_types[0], tell=False)
        hotel.map_file = "haiyue.png"
        db.session.commit()
    html = card(client, world["token"])
    served = "hotels.map_image" in app.view_functions
    assert (f"/hotels/{world['hotel']}/map" in html) is served


# The request page ----------------------------------------------------------------------------


def test_asking_for_a_room_with_travel_details(app, client, world):
    page = client.get(f"/r/{world['token']}/hotel", headers=EN)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "sensitive personal information" in html and "Hotels in China register" in html
    assert "The hotels that may receive your stay: Haiyue Hotel." in html  # the recipients, named
    assert not ticked(html, "consent_travel") and not ticked(html, "consent_document")
    response = post(client, world, room_kind="twin", accessible="y", late_arrival="y", note="Quiet room please",
                    departure_at="2023-07-20T15:00", departure_number="g 1651", departure_pickup=None,
                    consent_document="y")
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/r/{world['token']}")
    with app.app_context():
        [stay] = stays(world["token"])
        assert (stay.status, stay.check_in, stay.check_out, stay.room_kind) == ("requested", date(2023, 7, 17), date(2023, 7, 20), "twin")
        assert stay.accessible and stay.non_smoking and stay.late_arrival and stay.note == "Quiet room please"
        trips = journeys(world["token"])
        assert trips["arrival"].at == datetime(2023, 7, 17, 2, 30, tzinfo=UTC)  # 10:30 in Xiamen
        assert trips["arrival"].place_id == world["place"] and trips["arrival"].needs_pickup
        assert pii.unseal(trips["arrival"].number_sealed) == "MF8102" and "MF8102" not in trips["arrival"].number_sealed
        assert (trips["departure"].mode, services.journey_number(trips["departure"])) == ("rail", "G1651")
        assert not trips["departure"].needs_pickup
        record = db.session.execute(select(Traveller)).scalar_one()
        assert record.travel_consent_at and record.document_consent_at
    html = card(client, world["token"])
    assert "Requested" in html and "Change my room request" in html and "Change my arrival and departure" in html


def test_changing_a_request_keeps_one_stay_and_the_kept_flight_number(app, client, world):
    assert post(client, world).status_code == 303
    page = client.get(f"/r/{world['token']}/hotel", headers=EN).get_data(as_text=True)
    assert "MF8102" not in page and "Leave empty to keep the number you gave." in page
    assert 'value="2023-07-17T10:30"' in page and ticked(page, "consent_travel") and not ticked(page, "consent_document")
    assert post(client, world, check_in="2023-07-18", arrival_number="", arrival_at="2023-07-18T09:00").status_code == 303
    with app.app_context():
        [stay] = stays(world["token"])
        assert stay.check_in == date(2023, 7, 18)
        assert services.journey_number(journeys(world["token"])["arrival"]) == "MF8102"
    assert post(client, world, check_in="2023-07-18", arrival_at="").status_code == 303  # emptied: forgotten
    with app.app_context():
        assert journeys(world["token"]) == {}
    assert post(client, world, need_room=None, arrival_at="").status_code == 303  # unticked: withdrawn
    with app.app_context():
        assert [s.status for s in stays(world["token"])] == ["cancelled"]


def test_nights_the_organizers_set_stay_choosable_and_unmoved(app, client, world):
    assert post(client, world).status_code == 303
    with app.app_context():
        stay = stays(world["token"])[0]
        stay.check_in, stay.check_out = date(2023, 7, 15), date(2023, 7, 22)
        db.session.commit()
    page = client.get(f"/r/{world['token']}/hotel", headers=EN).get_data(as_text=True)
    assert re.search(r'<option selected value="2023-07-15">', page) and '<option selected value="2023-07-22">' in page
    assert post(client, world, check_in="2023-07-15", check_out="2023-07-22", note="later").status_code == 303
    with app.app_context():
        assert (stays(world["token"])[0].check_in, stays(world["token"])[0].check_out) == (date(2023, 7, 15), date(2023, 7, 22))


def refusal(client, world, field, message, token=None, **changes) -> str:
    response = post(client, world, token=token, **changes)
    html = response.get_data(as_text=True)
    assert response.status_code == 422, html[:400]
    assert f'id="{field}-error" role="alert">{message}' in html, html
    return html


def test_refusals_come_back_beside_their_field_with_what_was_typed(app, client, world):
    other_code = code_of(app, second_person(app))
    own_code = code_of(app, world["token"])
    refusal(client, world, "check_out", "Leaving comes at least one day after the first night.",
            check_in="2023-07-19", check_out="2023-07-18")
    refusal(client, world, "check_in", "Not a valid choice.", check_in="2023-08-01")
    html = refusal(client, world, "roommate_code", "No one else of this conference has this roommate code.",
                   room_kind="twin", roommate_code="ZZZZ9999", note="keep me")
    assert 'value="ZZZZ9999"' in html and "keep me</textarea>" in html and 'value="MF8102"' in html
    refusal(client, world, "roommate_code", "No one else of this conference has this roommate code.",
            room_kind="twin", roommate_code=own_code)
    refusal(client, world, "not_with_code", "No one else of this conference has this roommate code.",
            not_with_code="NOPE2345")
    refusal(client, world, "room_kind", "Two people share a twin room: choose twin to share.",
            room_kind="king", roommate_code=other_code)
    refusal(client, world, "room_kind", "Not a valid choice.", room_kind="penthouse")
    refusal(client, world, "consent_travel", "Tick this box to keep your travel details or to ask for a room",
            consent_travel=None)
    refusal(client, world, "arrival_number", "Give the flight or train number as printed", arrival_number="MF-8102!")
    refusal(client, world, "arrival_at", "Choose a day around the conference.", arrival_at="2024-03-01T10:00")
    refusal(client, world, "arrival_at", "Not a valid datetime value.", arrival_at="2023-02-30T10:00")
    refusal(client, world, "arrival_place_id", "Choose a place from the list.", arrival_place_id="999999")
    with app.app_context():  # nothing of the refused forms was kept
        assert stays(world["token"]) == [] and journeys(world["token"]) == {}
        assert db.session.execute(select(Traveller.travel_consent_at).where(
            Traveller.roommate_code == own_code)).scalar_one() is None


def test_a_refusal_speaks_the_readers_language(client, world):
    url = f"/r/{world['token']}/hotel"
    data = {**form(world, arrival_at="2023-02-30T10:00"), "csrf_token": csrf_token(client, url)}
    response = client.post(url, data=data, headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 422
    assert 'id="arrival_at-error" role="alert">不是有效的日期与时间值。' in response.get_data(as_text=True)


def test_several_refusals_come_back_at_once(app, client, world):
    html = refusal(client, world, "check_out", "Leaving comes at least one day after the first night.",
                   check_in="2023-07-19", check_out="2023-07-18", arrival_number="??")
    assert 'id="arrival_number-error"' in html


def test_a_placed_room_is_shown_and_not_changed_by_the_page(app, client, world):
    assert post(client, world).status_code == 303
    with app.app_context():
        stay = stays(world["token"])[0]
        hotel = services.get_hotel(get_edition(2023), world["hotel"])
        services.place(stay, hotel, next(r for r in hotel.room_types if r.kind == "king"), tell=False)
        db.session.commit()
    html = client.get(f"/r/{world['token']}/hotel", headers=EN).get_data(as_text=True)
    assert "Haiyue Hotel" in html and "write to the reception desk" in html and 'name="check_in"' not in html
    assert post(client, world, check_in="2023-07-19", room_kind="twin", arrival_at="2023-07-17T11:00").status_code == 303
    with app.app_context():
        [stay] = stays(world["token"])
        assert (stay.status, stay.check_in, stay.room_kind) == ("assigned", date(2023, 7, 17), "king")
        assert journeys(world["token"])["arrival"].at == datetime(2023, 7, 17, 3, 0, tzinfo=UTC)


def test_withdrawing_the_travel_consent_deletes_the_journeys_and_the_open_request(app, client, world):
    assert post(client, world, departure_at="2023-07-20T15:00", consent_document="y").status_code == 303
    response = post(client, world, consent_travel=None, consent_document="y")
    assert response.status_code == 303
    with app.app_context():
        assert journeys(world["token"]) == {}
        assert [s.status for s in stays(world["token"])] == ["cancelled"]
        record = db.session.execute(select(Traveller)).scalar_one()
        assert record.travel_consent_at is None and record.document_consent_at is not None
    assert "consent is withdrawn" in card(client, world["token"])


def test_the_document_consent_is_separate_and_can_be_withdrawn(app, client, world):
    assert post(client, world, consent_document="y").status_code == 303
    assert post(client, world).status_code == 303
    with app.app_context():
        record = db.session.execute(select(Traveller)).scalar_one()
        assert record.travel_consent_at is not None and record.document_consent_at is None
        assert len(journeys(world["token"])) == 1


def test_looking_at_the_request_page_writes_nothing(app, client, world):
    def counts():
        with app.app_context():
            return [db.session.execute(select(func.count()).select_from(model)).scalar_one()
                    for model in (Stay, Journey, Traveller, AuditEntry)]

    before = counts()
    assert client.get(f"/r/{world['token']}/hotel").status_code == 200
    assert client.get(f"/r/{world['token']}/hotel?lang=en").status_code == 200
    assert counts() == before


def test_a_cancelled_registration_asks_for_nothing(app, client, world):
    assert post(client, world).status_code == 303
    url = f"/r/{world['token']}/hotel"
    token = csrf_token(client, url)
    with app.app_context():
        registration = registration_services.find_by_token(world["token"])
        committed(lambda: registration_services.cancel(registration))
        assert [s.status for s in stays(world["token"])] == ["cancelled"]
    assert client.get(url, headers=EN).status_code == 303
    assert client.post(url, data={**form(world), "csrf_token": token}).status_code == 303
    with app.app_context():
        assert [s.status for s in stays(world["token"])] == ["cancelled"]
    assert "Hotel and travel" not in card(client, world["token"])


def test_the_private_pages_stay_private(client, world):
    response = client.get(f"/r/{world['token']}/hotel")
    assert response.headers["Cache-Control"] == "private, no-store"
    assert "noindex" in response.headers["X-Robots-Tag"]


def test_the_attendee_downloads_their_stays_and_journeys(app, client, world):
    assert post(client, world).status_code == 303
    response = client.get(f"/r/{world['token']}/hotel/data.json")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    assert data["stays"][0]["status"] == "requested" and data["stays"][0]["check_in"] == "2023-07-17"
    assert data["journeys"][0]["number"] == "MF8102" and data["travel_consent_at"]
    with app.app_context():
        assert db.session.execute(select(func.count(AuditEntry.id)).where(
            AuditEntry.action == "pii.reveal")).scalar_one() >= 1


ODD = ["", "0", "-1", "99999999999999999999", "abc", "𠮷", "<script>", "\x00x", "2023-02-30", "25:99",
       "a" * 3000, "1e9", "None", " ", "２０２３", "2023-07-17T99:99", "y"]


def test_odd_values_never_cause_a_500(app, client, world):
    rng = random.Random(16)
    url = f"/r/{world['token']}/hotel"
    names = list(form(world)) + ["consent_document", "accessible", "late_arrival"]
    for _ in range(30):
        data = {name: rng.choice(ODD) for name in names if rng.random() < 0.8}
        response = client.post(url, data={**data, "csrf_token": csrf_token(client, url)})
        assert response.status_code in (303, 422), (data, response.status_code)
    with app.app_context():
        assert db.session.execute(select(Registration.status)).scalar_one() == "pending"
