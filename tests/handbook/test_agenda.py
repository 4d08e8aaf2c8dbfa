"""The personal agenda PDF behind the private link: the attendee's own sessions, hotel, pickup,
shuttle and the desks' phones, in their language, with its fonts embedded; nobody else's, and
nothing of their identity document or phone. Rendered once per language for the module."""

import re
import subprocess
from datetime import date, time, timedelta

import opencc
import pytest
from sqlalchemy import select

from conference.core import clock
from conference.core.database import committed
from conference.editions.localtime import at_local
from conference.editions.services import get_edition
from conference.extensions import db
from conference.handbook import agenda
from conference.hotels import services as hotels
from conference.hotels.models import Journey, Lodging, PickupGroup, ShuttleRun, TravelPlace
from conference.programme.models import AgendaItem, AgendaSpeaker, Session
from conference.registration import services as registration
from conference.volunteers.models import WorkingGroup
from tests.conftest import DEMO_MOMENT, registration_demo
from tests.registration.conftest import resident_id
from tests.registration.test_register import fields

ID_NUMBER, OTHER_ID = resident_id(), resident_id(birth="19850101")
PHONE = "13812345678"
LANGS = ("zh_Hans", "zh_Hant", "en")


def _session(number: int) -> Session:
    return db.session.execute(select(Session).where(Session.number == number)).scalar_one()


def _hotel(edition, code: str, name_zh: str, name_en: str):
    hotel = hotels.save_hotel(edition, hotels.HotelFields(
        code=code, name_zh=name_zh, name_en=name_en, address_zh="厦门市思明区环岛南路1号", address_en="1 Huandao South Road",
        phone="0592-5550100", kind="audience", check_in_time=time(14, 0), check_out_time=time(12, 0)))
    room_type = hotels.save_room_type(hotel, hotels.RoomTypeFields(kind="king"))
    for night in hotels.conference_nights(edition):
        hotels.set_block(room_type, night, 2)
    return hotel, room_type


def _placed(person, hotel, room_type) -> None:
    nights = hotels.conference_nights(person.edition)
    hotels.give_travel_consent(person, True, False)
    stay = hotels.request_stay(person, hotels.StayWishes(check_in=nights[0], check_out=nights[-1] + timedelta(days=1),
                                                         room_kind="king"))
    hotels.place(stay, hotel, room_type, tell=False)


def _world(app) -> dict:
    """Two media attendees: 林晓梅 holds a seat in sub-forum 5, moderates an item of sub-forum 8,
    stays at 海悦酒店 with a shuttle and is met at the airport; 王芳 holds a seat in sub-forum 3
    and stays at 鹭岛酒店. Two working groups have desk phones. Returns their tokens."""
    with app.test_request_context(headers={"Accept-Language": "en"}):
        registration_demo()
        edition = get_edition(2023)
        mine, theirs = _session(5), _session(3)
        first, token = committed(lambda: registration.register(edition, fields(sessions=[mine.id], phone=PHONE)))
        second, other = committed(lambda: registration.register(edition, fields(
            family_name="王", given_name="芳", email="wang@example.org", id_number=OTHER_ID, sessions=[theirs.id])))
        item = db.session.execute(select(AgendaItem).where(AgendaItem.session_id == _session(8).id)
                                  .order_by(AgendaItem.position)).scalars().first()
        db.session.add(AgendaSpeaker(item_id=item.id, person_id=first.person_id, role="moderator", position=9))
        db.session.add(Lodging(edition_id=edition.id, category="media", kind="audience", offered=True))
        haiyue, king = _hotel(edition, "H-HAIYUE", "海悦酒店", "Haiyue Hotel")
        ludao, other_king = _hotel(edition, "H-LUDAO", "鹭岛酒店", "Ludao Hotel")
        _placed(first.person, haiyue, king)
        _placed(second.person, ludao, other_king)
        airport = TravelPlace(edition_id=edition.id, code="XMN", kind="airport", name_zh="厦门高崎国际机场",
                              name_en="Xiamen Gaoqi Airport")
        db.session.add(airport)
        db.session.flush()
        group = PickupGroup(edition_id=edition.id, place_id=airport.id, direction="arrival", vehicle="BUS-07",
                            starts_at=at_local(edition, date(2023, 7, 17), time(10, 0)),
                            ends_at=at_local(edition, date(2023, 7, 17), time(11, 30)))
        db.session.add(group)
        db.session.flush()
        hotels.save_journey(first.person, hotels.JourneyFields(
            direction="arrival", at=at_local(edition, date(2023, 7, 17), time(10, 20)), mode="air", number="MF8101",
            place_id=airport.id, needs_pickup=True))
        db.session.execute(select(Journey)).scalar_one().pickup_group_id = group.id
        venue = mine.hall.venue
        for hotel, clock_time in ((haiyue, time(8, 5)), (ludao, time(7, 40))):
            db.session.add(ShuttleRun(edition_id=edition.id, leg="to_venue", hotel_id=hotel.id, venue_id=venue.id,
                                      departs_at=at_local(edition, date(2023, 7, 18), clock_time),
                                      arrives_at=at_local(edition, date(2023, 7, 18), time(8, 50))))
        db.session.add_all([
            WorkingGroup(edition_id=edition.id, code="RECEP", name_zh="接待组", name_en="Reception", desk_phone="0592-5550102"),
            WorkingGroup(edition_id=edition.id, code="MED", name_zh="医疗保障组", name_en="Medical", desk_phone="0592-5550107"),
            WorkingGroup(edition_id=edition.id, code="QUIET", name_zh="综合组", name_en="General", desk_phone=""),
        ])
        db.session.commit()
        return {"token": token, "other": other, "mine": mine.title_en, "moderated": _session(8).title_en,
                "item": item.title_en, "theirs": theirs.title_en}


def _read(data: bytes, folder, name: str) -> dict:
    path = folder / f"{name}.pdf"
    path.write_bytes(data)
    run = lambda *command: subprocess.run([*command, str(path), *(["-"] if command[0] == "pdftotext" else [])],  # noqa: E731
                                          capture_output=True, check=True, text=True).stdout
    return {"text": run("pdftotext", "-layout"), "fonts": run("pdffonts"), "pages": run("pdfinfo")}


@pytest.fixture(scope="module")
def made(app, tmp_path_factory):
    """Each language of the first attendee's agenda, the second's in English, and the pages
    around them; the tables are emptied by the first test's own clean-up."""
    clock.freeze(DEMO_MOMENT)
    try:
        world = _world(app)
    finally:
        clock.freeze(None)
    folder = tmp_path_factory.mktemp("agenda")
    client = app.test_client()
    got = {"world": world, "responses": {}, "pdfs": {}}
    for lang in LANGS:
        response = client.get(f"/r/{world['token']}/agenda.pdf?lang={lang}")
        got["responses"][lang] = response
        got["pdfs"][lang] = _read(response.data, folder, lang)
    with app.test_request_context():  # the other's agenda as HTML: laying it out would prove no more
        got["other"] = agenda.agenda_html(registration.find_by_token(world["other"]), "en")
    got["own_page"] = client.get(f"/r/{world['token']}?lang=en").get_data(as_text=True)
    wrong = f"/r/{world['token'][:-2]}xx/agenda.pdf"
    got["wrong"] = client.get(wrong).get_data(as_text=True).replace(wrong, "/no-such-page"), client.get(wrong).status_code
    got["nowhere"] = client.get("/no-such-page").get_data(as_text=True)
    return got


def test_the_agenda_is_a_private_uncached_pdf_of_one_or_two_pages(made):
    for lang in LANGS:
        response = made["responses"][lang]
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        assert response.headers["Cache-Control"] == "private, no-store"
        pages = int(next(line for line in made["pdfs"][lang]["pages"].splitlines() if line.startswith("Pages:")).split()[1])
        assert 1 <= pages <= 2
        assert "419.528 x 595.276 pts" in made["pdfs"][lang]["pages"]  # A5


def test_it_holds_their_sessions_hotel_pickup_shuttle_and_the_desks(made):
    world, text = made["world"], made["pdfs"]["en"]["text"]
    assert world["mine"] in " ".join(text.split()) and "Your seat is booked" in text
    assert world["moderated"] in " ".join(text.split()) and "Moderator" in text
    assert "Haiyue Hotel" in text and "0592-5550100" in text
    assert "10:00–11:30" in text and "Xiamen Gaoqi Airport" in text and "BUS-07" in text  # met at the airport
    assert "08:05" in text  # their hotel's shuttle
    assert "Reception" in text and "0592-5550102" in text and "0592-5550107" in text
    assert "General" not in text  # a group without a desk phone is not listed


def test_it_holds_nothing_of_another_attendee_nor_their_own_document_or_phone(made):
    world, text = made["world"], made["pdfs"]["en"]["text"]
    assert world["theirs"] not in " ".join(text.split()) and "Ludao Hotel" not in text and "07:40" not in text
    assert "Wang Fang" not in text
    flat = text.replace(" ", "")
    for secret in (ID_NUMBER, ID_NUMBER[-4:] + "\n", PHONE, PHONE[-4:], "MF8101"):
        assert secret not in flat
    other = made["other"]
    assert "Ludao Hotel" in other and "Haiyue Hotel" not in other and world["theirs"] in other and world["mine"] not in other


def test_a_wrong_link_is_a_plain_404(made):
    page, status = made["wrong"]
    request_id = re.compile(r"[0-9a-f]{32}")
    assert status == 404
    assert request_id.sub("", page) == request_id.sub("", made["nowhere"])  # the page of any unknown address


def test_the_private_page_links_the_agenda_in_the_language_it_is_read_in(made):
    assert f'href="/r/{made["world"]["token"]}/agenda.pdf?lang=en"' in made["own_page"]
    assert "My agenda (PDF)" in made["own_page"]


def test_each_language_is_in_its_own_fonts_all_embedded(made):
    families = {"zh_Hans": "Noto-Sans-CJK-SC", "zh_Hant": "Noto-Sans-CJK-TC", "en": "Noto-Sans-CJK-SC"}
    for lang, family in families.items():
        rows = made["pdfs"][lang]["fonts"].splitlines()[2:]
        assert rows and all(row.split()[-5:-3] == ["yes", "yes"] for row in rows)  # embedded, subset
        assert all(family in row for row in rows)
    assert "海悦酒店" in made["pdfs"]["zh_Hans"]["text"] and "7月18日" in made["pdfs"]["zh_Hans"]["text"]


def test_the_traditional_agenda_is_left_as_it_is_by_s2tw_but_for_names(made):
    s2tw = opencc.OpenCC("s2tw")
    text = made["pdfs"]["zh_Hant"]["text"].replace("林晓梅", "")  # names stay as written on their documents
    assert [line for line in text.splitlines() if s2tw.convert(line) != line] == []
    assert "海悅酒店" in text and "廈門" in text


def test_a_cancelled_registration_has_no_agenda_and_no_button(app, client, demo_clock):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        registration_demo()
        found, token = committed(lambda: registration.register(get_edition(2023), fields()))
        assert 'agenda.pdf' in client.get(f"/r/{token}?lang=en").get_data(as_text=True)
        committed(lambda: registration.cancel(registration.find_by_token(token)))
    assert client.get(f"/r/{token}/agenda.pdf").status_code == 404
    page = client.get(f"/r/{token}?lang=en")
    assert page.status_code == 200 and "agenda.pdf" not in page.get_data(as_text=True)
