"""Rooming lists: only what the hotel needs (the identity document only with its separate
consent), one room for a shared twin, per night or the whole stay, what changed since the list
last sent, the command, who may see them, and an audit entry for every export; on paper in
Chromium (A4 landscape, the header row on every page) and on a phone."""

import io
import re
import subprocess
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from conference.core.models import AuditEntry
from conference.editions.services import get_edition
from conference.extensions import db
from conference.hotels import rooming, services
from conference.hotels.models import Hotel, RoomingListSent, Stay
from conference.people import services as people
from conference.registration import services as registration
from tests.conftest import (
    DEFAULT_PASSWORD,
    csrf_token,
    demo_state,
    login,
    make_user,
    registration_demo,
)
from tests.registration.conftest import resident_id

SHANGHAI = ZoneInfo("Asia/Shanghai")
NIGHTS = (date(2023, 7, 17), date(2023, 7, 18), date(2023, 7, 19))
ZHANG_ID = resident_id(serial="001")
WANG_ID = resident_id(serial="002")
LI_ID = resident_id(serial="003")
ZHAO_ID = resident_id(serial="004")
SMITH_PASSPORT = "K12345678"
PHONE = "13812345678"


def _register(edition, family, given, id_type, number, nationality=None, document_to_hotel=False):
    registration_, _token = registration.register(edition, registration.RegistrationFields(
        category="media", family_name=family, given_name=given, organisation="鹭江日报社",
        email=f"{number.lower()}@example.org", phone=PHONE, id_type=id_type, id_number=number,
        nationality=nationality, consents={"privacy_notice": 1, "identity_document": 1}), invited=True)
    services.give_travel_consent(registration_.person, travel=True, document_to_hotel=document_to_hotel)
    return registration_.person


def _stay(person, hotel, kind, check_in, check_out, **wishes):
    stay = services.request_stay(person, services.StayWishes(check_in, check_out, room_kind=kind, **wishes))
    room_type = next(r for r in hotel.room_types if r.kind == kind)
    return services.place(stay, hotel, room_type, confirmed=True, tell=False)


def _build():
    registration_demo()
    edition = get_edition(2023)
    if services.hotel_by_code(edition, "H-SEA"):
        return
    services.set_lodging(edition, "media", "guest")
    sea = services.save_hotel(edition, services.HotelFields("H-SEA", "海悦酒店", "Haiyue Hotel", phone="0592-1234567"))
    hill = services.save_hotel(edition, services.HotelFields("H-HILL", "山景酒店", "Hill View Hotel", position=1))
    for hotel in (sea, hill):
        for kind in ("king", "twin"):
            room_type = services.save_room_type(hotel, services.RoomTypeFields(kind, name_zh={"king": "大床房", "twin": "双床房"}[kind],
                                                                            name_en=f"{kind} room", beds=1 if kind == "king" else 2))
            for night in NIGHTS:
                services.set_block(room_type, night, 5, price=450)
    zhang = _register(edition, "张", "伟", "resident_id", ZHANG_ID, document_to_hotel=True)
    smith = _register(edition, "Smith", "Anna", "passport", SMITH_PASSPORT, nationality="GB")
    wang = _register(edition, "王", "芳", "resident_id", WANG_ID, document_to_hotel=True)
    li = _register(edition, "李", "娜", "resident_id", LI_ID)
    zhao = _register(edition, "赵", "敏", "resident_id", ZHAO_ID)
    services.save_journey(zhang, services.JourneyFields(
        "arrival", datetime(2023, 7, 17, 15, 30, tzinfo=SHANGHAI).astimezone(ZoneInfo("UTC")), "air", "MF8102"))
    _stay(zhang, sea, "king", NIGHTS[0], date(2023, 7, 20), late_arrival=True, note="高楼层")
    holder = _stay(smith, sea, "twin", NIGHTS[0], NIGHTS[2], accessible=True)
    shared = services.request_stay(wang, services.StayWishes(NIGHTS[0], NIGHTS[2], room_kind="twin"))
    services.share(shared, holder, confirmed=True, tell=False)
    _stay(li, hill, "king", NIGHTS[0], NIGHTS[2])
    _stay(zhao, sea, "king", NIGHTS[1], NIGHTS[2], payer="self")


@pytest.fixture
def housed(app, demo_clock):
    with app.app_context():
        demo_state("rooming", _build)
        return {hotel.code: hotel.id for hotel in db.session.execute(select(Hotel)).scalars()}


@pytest.fixture
def manager(app, client, housed):
    login(client, make_user(app, "organizer"))
    return client


def _url(housed, code="H-SEA", what=""):
    return f"/editions/2023/hotels/{housed[code]}/rooming{what}"


def _workbook(response):
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.headers["Cache-Control"] == "no-store"
    return load_workbook(io.BytesIO(response.data))


def _rows(sheet) -> list[dict]:
    header, *rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(header, row, strict=True)) for row in rows]


def _cells(book) -> set:
    return {str(value) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
            for value in row if value is not None}


def _audits(app, action="rooming_list.export"):
    with app.app_context():
        return db.session.execute(select(AuditEntry).where(AuditEntry.action == action)
                                  .order_by(AuditEntry.id)).scalars().all()


def test_the_document_goes_only_for_those_who_agreed_and_nothing_the_hotel_does_not_need(app, manager, housed):
    book = _workbook(manager.get(_url(housed, what=".xlsx?lang=en")))
    sheet = book.active
    rows = _rows(sheet)
    assert list(rows[0])[:4] == ["Room", "Family name", "Given name", "Name in Latin letters"]
    by_name = {(row["Family name"], row["Given name"]): row for row in rows if row["Family name"]}
    assert by_name[("张", "伟")]["Document number"] == ZHANG_ID
    assert by_name[("张", "伟")]["Identity document"] == "Resident Identity Card (居民身份证)"
    assert by_name[("王", "芳")]["Document number"] == WANG_ID
    assert by_name[("Smith", "Anna")]["Document number"] is None  # no consent: no document
    assert by_name[("赵", "敏")]["Document number"] is None
    cells = _cells(book)
    for absent in (SMITH_PASSPORT, ZHAO_ID, PHONE, "138****5678", "鹭江日报社", "example.org", "0592-1234567",
                   "Media", "媒体", "MF8102"):
        assert not any(absent in cell for cell in cells), absent
    assert by_name[("张", "伟")]["Name in Latin letters"] == "Zhang Wei"
    # The arrival on the host city's clock; the header names it.
    assert by_name[("张", "伟")]["Arrival (Asia/Shanghai)"] == datetime(2023, 7, 17, 15, 30)
    assert by_name[("张", "伟")]["Special requests"] == "non-smoking; late arrival; 高楼层"
    assert by_name[("赵", "敏")]["Paid by"] == "Guest pays"
    assert sheet.freeze_panes == "A2" and sheet.print_title_rows == "$1:$1"
    assert sheet.page_setup.orientation == "landscape"

    # A list where nobody agreed has no document columns at all.
    other = _workbook(manager.get(_url(housed, "H-HILL", ".xlsx?lang=en")))
    header = next(other.active.iter_rows(values_only=True))
    assert "Document number" not in header and "Identity document" not in header
    assert [row["Family name"] for row in _rows(other.active)] == ["李"]
    assert LI_ID not in _cells(other)


def test_only_the_hotels_own_stays_and_a_shared_twin_is_one_room(app, manager, housed):
    sheet = _workbook(manager.get(_url(housed, what=".xlsx?lang=en"))).active
    rows = _rows(sheet)
    assert sorted(row["Family name"] for row in rows) == sorted(["张", "Smith", "王", "赵"])  # not 李 (another hotel)
    rooms = [row["Room"] for row in rows if row["Room"] is not None]
    assert rooms == [1, 2, 3]  # four guests, three rooms
    smith = next(i for i, row in enumerate(rows) if row["Family name"] == "Smith")
    holder, sharer = rows[smith], rows[smith + 1]
    assert sharer["Family name"] == "王"  # the roommates on adjacent lines
    assert holder["Room type"] == "twin room" and holder["Guests in room"] == 2 and holder["Nights"] == 2
    # The sharer's room cells are merged into the holder's: the room type shows once.
    assert sharer["Room"] is None and sharer["Room type"] is None and sharer["Check-in date"] is None
    merged = {str(cells) for cells in sheet.merged_cells.ranges}
    assert f"A{smith + 2}:A{smith + 3}" in merged and f"E{smith + 2}:E{smith + 3}" in merged
    assert holder["Check-in date"] == datetime(2023, 7, 17) and holder["Check-out date"] == datetime(2023, 7, 19)

    html = manager.get(_url(housed, what="?lang=en")).get_data(as_text=True)
    [shared] = re.findall(r'<tbody class="room shared">(.*?)</tbody>', html, re.S)
    assert shared.count("<tr>") == 2 and shared.count("twin room") == 1  # two guests, one room
    assert "Anna Smith" in shared and "王芳" in shared
    assert "李娜" not in html and WANG_ID not in html  # the page masks numbers
    assert "3502**********" in html


def test_a_night_lists_only_who_sleeps_there_that_night(app, manager, housed):
    first = {row["Family name"] for row in _rows(_workbook(manager.get(_url(housed, what=".xlsx?night=2023-07-17&lang=en"))).active)}
    assert first == {"张", "Smith", "王"}
    second = {row["Family name"] for row in _rows(_workbook(manager.get(_url(housed, what=".xlsx?night=2023-07-18&lang=en"))).active)}
    assert second == {"张", "Smith", "王", "赵"}
    last = {row["Family name"] for row in _rows(_workbook(manager.get(_url(housed, what=".xlsx?night=2023-07-19&lang=en"))).active)}
    assert last == {"张"}
    for night, said in (("2023-13-01", "2023-07-17"), ("tomorrow", "2023-07-17"), ("2023-07-25", "2023-07-17, 2023-07-18")):
        for what in (".xlsx", "", "/print"):
            response = manager.get(_url(housed, what=f"{what}?lang=en&night={night}"))
            assert response.status_code == 422 and said in response.get_data(as_text=True), (night, what)
    assert manager.get("/editions/2023/hotels/999999/rooming").status_code == 404
    assert manager.get("/editions/2031/hotels/1/rooming").status_code == 404


def test_what_changed_since_the_list_last_sent(app, manager, housed):
    url = _url(housed, what="?lang=en")
    assert "No list of this scope has been marked as sent" in manager.get(url).get_data(as_text=True)
    token = csrf_token(manager, url)
    response = manager.post(_url(housed, what="/sent?lang=zh_Hans_CN"), data={"csrf_token": token, "night": ""})
    assert response.status_code == 303
    assert "Nothing has changed since the list sent on" in manager.get(url).get_data(as_text=True)
    with app.test_request_context():
        edition = get_edition(2023)
        sea = db.session.get(Hotel, housed["H-SEA"])
        stays = {stay.person.family_name: stay for stay in db.session.execute(select(Stay)).scalars()}
        services.cancel_stay(stays["赵"], tell=False)
        twin = next(r for r in sea.room_types if r.kind == "twin")
        services.place(stays["张"], sea, twin, confirmed=True, check_out=date(2023, 7, 19), tell=False)
        newcomer = _register(edition, "陈", "静", "resident_id", resident_id(serial="005"))
        _stay(newcomer, sea, "king", NIGHTS[0], NIGHTS[1])
        db.session.commit()
    html = manager.get(url).get_data(as_text=True)
    new = re.search(r'<ul class="changes-list changes-new">(.*?)</ul>', html, re.S).group(1)
    moved = re.search(r'<ul class="changes-list changes-moved">(.*?)</ul>', html, re.S).group(1)
    cancelled = re.search(r'<ul class="changes-list changes-cancelled">(.*?)</ul>', html, re.S).group(1)
    assert "陈静" in new and "张伟" not in new
    assert "张伟" in moved and "nights, room type" in moved and "2023-07-17 – 2023-07-20" in moved
    assert "was: king room ·" in moved  # sent in Chinese (大床房), read in English
    assert "赵敏" in cancelled
    assert "Smith" not in new + moved + cancelled  # unchanged
    assert "organizer@test.example" in html  # who sent it, in the history

    book = _workbook(manager.get(_url(housed, what=".xlsx?lang=en")))
    names = {row["Family name"] for row in _rows(book.active)}
    assert "赵" not in names and "陈" in names  # a cancelled stay is absent from the list…
    changes = _rows(book["Changes"])
    assert {(row["Change"], row["Name"]) for row in changes} == {("New", "陈静"), ("Changed", "张伟"), ("Cancelled", "赵敏")}

    # A night's list has its own history: nothing was sent for the 17th.
    assert "No list of this scope" in manager.get(_url(housed, what="?lang=en&night=2023-07-17")).get_data(as_text=True)
    manager.post(_url(housed, what="/sent"), data={"csrf_token": token, "night": "2023-07-17"})
    with app.app_context():
        sent = db.session.execute(select(RoomingListSent).order_by(RoomingListSent.id)).scalars().all()
        assert [item.night for item in sent] == [None, date(2023, 7, 17)]
        assert sent[1].sent_by == "organizer@test.example" and len(sent[1].lines) == 4  # 张, Smith, 王, 陈
        assert all("document" not in str(line) and ZHANG_ID not in str(line) for line in sent[1].lines.values())
    assert len(_audits(app, "rooming_list.sent")) == 2
    assert manager.post(_url(housed, what="/sent"), data={"csrf_token": token, "night": "July"}).status_code == 422


def test_every_export_is_audited_with_the_hotel_and_the_counts(app, manager, housed):
    manager.get(_url(housed, what=".xlsx"))
    printed = manager.get(_url(housed, what="/print?night=2023-07-18&lang=en"))
    assert printed.status_code == 200 and printed.headers["Cache-Control"] == "no-store"
    html = printed.get_data(as_text=True)
    assert ZHANG_ID in html and WANG_ID in html and SMITH_PASSPORT not in html and PHONE not in html
    assert "size: A4 landscape" in html and "display: table-header-group" in html
    manager.get(_url(housed, what=""))  # the organizers' page masks: no export
    entries = _audits(app)
    assert [entry.detail for entry in entries] == [
        {"hotel": "H-SEA", "night": "all", "via": "xlsx", "rooms": 3, "guests": 4, "documents": 2},
        {"hotel": "H-SEA", "night": "2023-07-18", "via": "print", "rooms": 3, "guests": 4, "documents": 2},
    ]
    assert all(entry.actor == "organizer@test.example" and entry.target_type == "hotels" for entry in entries)


def test_the_command_writes_the_list_and_says_what_is_wrong(app, housed, tmp_path):
    runner = app.test_cli_runner()
    out = tmp_path / "sea.xlsx"
    result = runner.invoke(args=["hotels", "rooming-list", "--edition", "2023", "--hotel", "h-sea", "--night",
                                 "2023-07-18", "--out", str(out), "--mark-sent"])
    assert result.exit_code == 0, result.output
    assert "H-SEA: 3 rooms, 4 guests, 2 with their identity document" in result.output
    sheet = load_workbook(out).active
    assert ZHANG_ID in _cells(sheet.parent) and sheet.max_row == 5
    [entry] = _audits(app)
    assert entry.detail["via"] == "cli" and entry.actor == "cli" and entry.detail["night"] == "2023-07-18"
    with app.app_context():
        assert db.session.execute(select(RoomingListSent.night)).scalars().all() == [date(2023, 7, 18)]

    for args, said, code in (
        (["--edition", "2031", "--hotel", "H-SEA"], "There is no 2031 edition", 1),
        (["--edition", "2023", "--hotel", "H-NONE"], "no hotel 'H-NONE' (its hotels: H-SEA, H-HILL)", 1),
        (["--edition", "2023", "--hotel", "H-SEA", "--night", "2023-13-01"], "2023-13-01", 2),
        (["--edition", "2023", "--hotel", "H-SEA", "--night", "2023-08-01"], "no rooms on the night of 2023-08-01", 1),
        (["--edition", "2023", "--hotel", "H-SEA", "--out", str(tmp_path / "missing" / "x.xlsx")], "Cannot write", 1),
    ):
        result = runner.invoke(args=["hotels", "rooming-list", *args] + ([] if "--out" in args else ["--out", str(out)]))
        assert result.exit_code == code and said in result.output, (args, result.output)
    assert len(_audits(app)) == 1  # a list not written is no export


@pytest.mark.parametrize("what", ["", ".xlsx", "/print"])
def test_what_goes_to_a_hotel_is_for_those_who_manage_hotels(app, client, housed, what):
    url = _url(housed, what=what)
    response = client.get(url)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.get("/editions/2023/hotels/rooming/").status_code == 302
    login(client, make_user(app, "viewer"))
    assert client.get(url).status_code == 403
    assert client.get("/editions/2023/hotels/rooming/").status_code == 403
    token = csrf_token(client, "/editions/2023")
    assert client.post(_url(housed, what="/sent"), data={"csrf_token": token}).status_code == 403
    assert _audits(app) == [] and _audits(app, "rooming_list.sent") == []


def test_the_overview_links_every_hotels_list(app, manager, housed):
    html = manager.get("/editions/2023/hotels/rooming/?lang=en").get_data(as_text=True)
    assert _url(housed) in html and _url(housed, "H-HILL") in html
    assert "Rooming lists" in manager.get("/editions/2023?lang=en").get_data(as_text=True)
    assert _url(housed) in manager.get(f"/editions/2023/hotels/{housed['H-SEA']}").get_data(as_text=True)


def test_the_largest_list_is_quick_to_build(app, housed):
    """The function the benchmark times: bytes of a workbook, the same list as the page."""
    with app.test_request_context():
        hotel = db.session.get(Hotel, housed["H-SEA"])
        data = rooming.rooming_list_xlsx(hotel)
        assert load_workbook(io.BytesIO(data)).active.max_row == 5
        assert len(rooming.rooming_list(hotel).rooms) == 3


# On paper and on a phone ------------------------------------------------------------------------

A4_LANDSCAPE = (842, 595)  # points
SURNAMES = "陈林黄吴刘蔡郑许谢洪"


def _pages(pdf) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return [page for page in text.split("\f") if page.strip()]


def _size(pdf) -> tuple[int, int]:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    size = next(line for line in info.splitlines() if line.startswith("Page size"))
    width, height = (float(n) for n in size.split(":")[1].split("pts")[0].split(" x "))
    return round(width), round(height)


@pytest.fixture
def crowded(app, housed):
    """The fixture's hotel with 40 more guests, every other pair sharing a twin: two pages or more."""
    with app.test_request_context():
        edition = get_edition(2023)
        sea = db.session.get(Hotel, housed["H-SEA"])
        for room_type in sea.room_types:
            for night in NIGHTS:
                services.set_block(room_type, night, 60, price=450)
        holder = None
        for index in range(40):
            person = people.add_person(edition, SURNAMES[index % 10], f"晓{index:02d}", "media")
            if index % 4 == 3:
                stay = services.request_stay(person, services.StayWishes(NIGHTS[0], date(2023, 7, 20), room_kind="twin"))
                services.share(stay, holder, confirmed=True, tell=False)
            else:
                kind = "twin" if index % 4 == 2 else "king"
                holder = _stay(person, sea, kind, NIGHTS[0], date(2023, 7, 20))
        db.session.commit()
    return housed


def _signed_in(app, browser, live_server, locale):
    context = browser.new_context(locale=locale)
    page = context.new_page()
    page.goto(f"{live_server.url}/login")
    page.fill("input[name=email]", make_user(app, "organizer", email=f"organizer-{locale}@test.example"))
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("button[type=submit]")
    return context, page


@pytest.mark.browser
@pytest.mark.parametrize(("locale", "header", "twin"), [("zh-CN", "身份证件", "双床房"), ("en", "Nights", "twin room")])
def test_the_printed_list_is_a4_landscape_with_its_header_on_every_page(app, browser, live_server, crowded, tmp_path,
                                                                       locale, header, twin):
    context, page = _signed_in(app, browser, live_server, locale)
    page.goto(f"{live_server.url}/editions/2023/hotels/{crowded['H-SEA']}/rooming/print")
    pdf = tmp_path / f"rooming-{locale}.pdf"
    page.pdf(path=str(pdf), prefer_css_page_size=True, print_background=True)
    context.close()
    assert _size(pdf) == A4_LANDSCAPE
    pages = _pages(pdf)
    assert len(pages) >= 2
    for number, text in enumerate(pages, start=1):
        assert header in text, f"page {number} has no header row"
    assert twin in pages[0]

    # A twin's two guests are on one page: pages break between rooms.
    def page_of(index):
        name = f"{SURNAMES[index % 10]}晓{index:02d}"
        [found] = [number for number, text in enumerate(pages) if name in text]
        return found

    assert all(page_of(holder) == page_of(holder + 1) for holder in range(2, 40, 4))
    assert "张伟" in "".join(pages) and ZHANG_ID in "".join(pages)  # the consenting guest's document


@pytest.mark.browser
def test_the_organizers_page_fits_a_phone(app, browser, live_server, housed, tmp_path):
    context, page = _signed_in(app, browser, live_server, "zh-CN")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/editions/2023/hotels/{housed['H-SEA']}/rooming")
    page.screenshot(path=str(tmp_path / "phone.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    context.close()
    assert width <= 390  # the wide table scrolls inside its box, not the page
