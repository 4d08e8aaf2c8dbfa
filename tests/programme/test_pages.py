"""Organizer pages: the forms say what is wrong, keep what was typed, and ask before a soft
conflict is saved."""

import io
import re

from PIL import Image
from sqlalchemy import func, select

from conference.editions import services as editions
from conference.extensions import db
from conference.people.models import Person
from conference.programme.models import AgendaItem, Session
from conference.venues.models import (
    ChecklistTemplateItem,
    Checkpoint,
    Hall,
    HallChecklistItem,
    Venue,
)
from conference.venues.services import checkpoint_by_code
from tests.conftest import login, make_user, submit


def _hall_id(app, name):
    with app.app_context():
        return db.session.execute(select(Hall.id).where(Hall.name_zh == name)).scalar_one()


def _form(hall_id, **overrides):
    data = {
        "kind": "sub_forum", "number": "", "title_zh": "网络素养工作坊", "title_zh_hant": "", "title_en": "",
        "theme_zh": "", "theme_zh_hant": "", "theme_en": "", "description_zh": "", "description_en": "",
        "hall_id": str(hall_id), "day": "2023-07-18", "starts": "14:30", "ends": "15:30",
        "expected_audience": "100", "host_organisation_zh": "", "host_organisation_en": "",
        "status": "draft", "access": "open", "position": "0",
    }
    data.update(overrides)
    return data


def test_a_hall_booked_twice_comes_back_with_the_conflict(app, demo, organizer_client):
    hall = _hall_id(app, "多功能厅A")  # the summit forum is there 14:00–17:30
    response = submit(organizer_client, "/editions/2023/programme/sessions/new", _form(hall),
                      headers={"Accept-Language": "zh-CN"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "该会场已安排“网络诚信建设高峰论坛”" in html
    assert "无法保存" in html
    assert 'value="网络素养工作坊"' in html  # what was typed is kept
    assert 'name="confirm"' not in html  # a hard conflict cannot be confirmed away
    with app.app_context():
        assert db.session.execute(select(func.count(Session.id)).where(Session.title_zh == "网络素养工作坊")).scalar_one() == 0


def test_over_capacity_asks_for_confirmation_then_saves(app, demo, organizer_client):
    hall = _hall_id(app, "五号会议厅")  # 200 seats, free on day 1
    first = submit(organizer_client, "/editions/2023/programme/sessions/new", _form(hall, expected_audience="260"),
                   headers={"Accept-Language": "en"})
    html = first.get_data(as_text=True)
    assert "260 people are expected but the hall seats 200." in html
    assert 'name="confirm"' in html
    confirmed = submit(organizer_client, "/editions/2023/programme/sessions/new",
                       _form(hall, expected_audience="260", confirm="y"))
    assert confirmed.status_code == 302
    with app.app_context():
        assert db.session.execute(select(Session.expected_audience).where(Session.title_zh == "网络素养工作坊")).scalar_one() == 260


def test_a_bad_time_is_a_message_not_a_crash(app, demo, organizer_client):
    hall = _hall_id(app, "五号会议厅")
    response = submit(organizer_client, "/editions/2023/programme/sessions/new",
                      {**_form(hall), "starts": "25:99", "day": "2031-01-01", "hall_id": "999999"},
                      headers={"Accept-Language": "zh-TW"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "請按「時:分」格式填寫時間。" in html


def test_a_session_outside_the_edition_is_refused_in_the_form(app, demo, organizer_client):
    hall = _hall_id(app, "五号会议厅")
    response = submit(organizer_client, "/editions/2023/programme/sessions/new",
                      _form(hall, starts="23:30", ends="23:00"), headers={"Accept-Language": "en"})
    assert "The session ends before it starts." in response.get_data(as_text=True)


def test_an_agenda_item_with_speakers_in_order(app, demo, organizer_client):
    with app.app_context():
        session = db.session.execute(select(Session).where(Session.number == 7)).scalar_one()
        people = db.session.execute(select(Person.id).where(Person.family_name == "Okafor")).scalars().all()
        guests = db.session.execute(select(Person.id).where(Person.category == "guest").limit(40)).scalars().all()
        session_id = session.id
    url = f"/editions/2023/programme/sessions/{session_id}/items/new"
    page = organizer_client.get(url).get_data(as_text=True)
    assert page.count('name="speakers-') >= 8
    free = [g for g in guests if g not in people][-2:]
    response = submit(organizer_client, url, {
        "kind": "release", "title_zh": "发布", "release_zh": "", "starts": "", "ends": "", "position": "9",
        "speakers-0-person_id": str(free[0]), "speakers-0-role": "speaker",
    }, headers={"Accept-Language": "en"})
    assert "Name what is released." in response.get_data(as_text=True)
    response = submit(organizer_client, url, {
        "kind": "release", "title_zh": "发布", "release_zh": "《网络辟谣白皮书》", "starts": "", "ends": "", "position": "9",
        "speakers-0-person_id": str(free[1]), "speakers-0-role": "speaker",
        "speakers-1-person_id": str(free[0]), "speakers-1-role": "host",
    })
    assert response.status_code == 302
    with app.app_context():
        item = db.session.execute(select(AgendaItem).where(AgendaItem.release_zh == "《网络辟谣白皮书》")).scalar_one()
        assert [(link.person_id, link.role) for link in item.speakers] == [(free[1], "speaker"), (free[0], "host")]


def test_the_grid_shows_every_session_of_the_day(demo, organizer_client):
    html = organizer_client.get("/editions/2023/programme/grid?day=2023-07-19", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    screen, _, printed = html.partition('class="grid-printed-page')
    assert screen.count('class="grid-session') == 7  # six sub-forums and the networking event
    assert printed.count('class="grid-session') == 7  # and the same seven on paper, split by halls
    assert "分论坛十二：海峡两岸青少年网络素养建设" in html
    assert organizer_client.get("/editions/2023/programme/grid?day=2023-07-25").status_code == 404
    assert organizer_client.get("/editions/2023/programme/grid?day=not-a-day").status_code == 404


def test_a_viewer_sees_the_programme_but_cannot_change_it(app, client, demo):
    login(client, make_user(app, "viewer"))
    assert client.get("/editions/2023/programme/").status_code == 200
    assert client.get("/editions/2023/programme/sessions/new").status_code == 403
    assert client.get("/editions/2023/venues").status_code == 200
    assert client.get("/editions/2023/venues/new").status_code == 403


def test_an_organizer_adds_a_hall_and_a_wrong_capacity_is_explained(app, demo, organizer_client):
    with app.app_context():
        venue_id = db.session.execute(select(Venue.id).where(Venue.name_zh == "厦门国际会议中心")).scalar_one()
    url = f"/editions/2023/venues/{venue_id}/halls/new"
    data = {"name_zh": "六号会议厅", "name_zh_hant": "", "name_en": "Meeting Hall 6", "capacity": "-5",
            "floor": "4F", "layout": "boardroom", "interpretation_booth": "y", "position": "9"}
    response = submit(organizer_client, url, data, headers={"Accept-Language": "en"})
    assert "Enter a number between 0 and 20000." in response.get_data(as_text=True)
    assert 'value="六号会议厅"' in response.get_data(as_text=True)
    assert submit(organizer_client, url, {**data, "capacity": "80"}).status_code == 302
    with app.app_context():
        hall = db.session.execute(select(Hall).where(Hall.name_zh == "六号会议厅")).scalar_one()
        assert (hall.capacity, hall.layout, hall.interpretation_booth, hall.step_free) == (80, "boardroom", True, False)


def test_checkpoints_belong_to_a_venue_or_a_hall(app, demo, organizer_client):
    with app.app_context():
        venue_id = db.session.execute(select(Venue.id).where(Venue.name_zh == "厦门海峡大剧院")).scalar_one()
        hall_id = db.session.execute(select(Hall.id).where(Hall.name_zh == "音乐厅")).scalar_one()
        other_hall = db.session.execute(select(Hall.id).where(Hall.name_zh == "报告厅")).scalar_one()
    url = f"/editions/2023/venues/{venue_id}/checkpoints/new"
    fields = {"name_zh": "音乐厅侧门", "name_en": "", "name_zh_hant": "", "code": "GT-SIDE", "position": "0"}
    bad = submit(organizer_client, url, {**fields, "hall_id": str(other_hall)})
    assert bad.status_code == 200  # a hall of another venue is not a choice
    taken = submit(organizer_client, url, {**fields, "code": "gt-main", "hall_id": str(hall_id)}, headers={"Accept-Language": "en"})
    assert taken.status_code == 200 and "already has this code" in taken.get_data(as_text=True)
    wrong = submit(organizer_client, url, {**fields, "code": "侧门", "hall_id": str(hall_id)}, headers={"Accept-Language": "en"})
    assert wrong.status_code == 200 and "capital letters" in wrong.get_data(as_text=True)
    ok = submit(organizer_client, url, {**fields, "code": "gt-side", "hall_id": str(hall_id)})
    assert ok.status_code == 302
    with app.app_context():
        checkpoint = db.session.execute(select(Checkpoint).where(Checkpoint.name_zh == "音乐厅侧门")).scalar_one()
        assert checkpoint.hall_id == hall_id and checkpoint.venue_id == venue_id and checkpoint.code == "GT-SIDE"


def test_ticking_the_standard_checklist_shows_in_the_progress(app, demo, organizer_client):
    with app.app_context():
        hall_id = db.session.execute(select(Hall.id).where(Hall.name_zh == "一号会议厅")).scalar_one()
        items = db.session.execute(select(ChecklistTemplateItem.id).order_by(ChecklistTemplateItem.id)).scalars().all()
    url = f"/editions/2023/checklist/halls/{hall_id}"
    page = organizer_client.get(url, headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "同声传译设备" in page and "场外指引标识" in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    for item in items[:3]:
        assert organizer_client.post(url, data={"csrf_token": token, "item_id": item, "done": "y", "note": ""}).status_code == 302
    organizer_client.post(url, data={"csrf_token": token, "item_id": items[3], "note": "话筒电池待更换"})
    overview = organizer_client.get("/editions/2023/checklist").get_data(as_text=True)
    assert f"3/{len(items)}" in overview
    with app.app_context():
        noted = db.session.execute(select(HallChecklistItem).where(HallChecklistItem.template_item_id == items[3])).scalar_one()
        assert noted.note == "话筒电池待更换" and noted.done is False and noted.checked_by


def _image(fmt="PNG", size=(64, 80)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 40)).save(buffer, fmt)
    return buffer.getvalue()


def _person_form(**overrides):
    data = {"family_name": "林", "given_name": "晓梅", "name_latin": "", "category": "guest",
            "organisation": "鹭岛公益基金会", "organisation_en": "", "title": "秘书长", "title_en": "",
            "bio_zh": "", "bio_en": "", "email": "", "public_profile": "y"}
    data.update(overrides)
    return data


def test_a_photo_that_is_not_an_image_gets_a_clear_message(app, demo, organizer_client):
    response = submit(
        organizer_client, "/editions/2023/people/new",
        {**_person_form(), "photo": (io.BytesIO(b"%PDF-1.4 not a photo"), "photo.jpg")},
        headers={"Accept-Language": "zh-CN"}, content_type="multipart/form-data",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "无法识别该文件，请上传图片。" in html
    assert 'value="晓梅"' in html
    with app.app_context():
        assert db.session.execute(select(func.count(Person.id)).where(Person.given_name == "晓梅")).scalar_one() == 0


def test_a_photo_over_the_limit_gets_a_clear_message(app, demo, organizer_client):
    app.config["PHOTO_MAX_BYTES"], limit = 2 * 1024 * 1024, app.config["PHOTO_MAX_BYTES"]
    try:
        big = _image("BMP", (1000, 1000))  # ~3 MB
        response = submit(
            organizer_client, "/editions/2023/people/new",
            {**_person_form(), "photo": (io.BytesIO(big), "big.bmp")},
            headers={"Accept-Language": "en"}, content_type="multipart/form-data",
        )
    finally:
        app.config["PHOTO_MAX_BYTES"] = limit
    assert "The photo is larger than 2 MB. Please send a smaller one." in response.get_data(as_text=True)


def test_a_photo_is_stored_without_exif_and_served_to_the_public_page(app, client, demo, organizer_client):
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"
    buffer = io.BytesIO()
    Image.new("RGB", (1600, 2000), (10, 120, 60)).save(buffer, "JPEG", exif=exif.tobytes())
    response = submit(
        organizer_client, "/editions/2023/people/new",
        {**_person_form(), "photo": (io.BytesIO(buffer.getvalue()), "portrait.jpg")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    with app.app_context():
        person = db.session.execute(select(Person).where(Person.given_name == "晓梅")).scalar_one()
        person_id = person.id
    photo = organizer_client.get(f"/editions/2023/people/{person_id}/photo")
    assert photo.mimetype == "image/jpeg"
    stored = Image.open(io.BytesIO(photo.data))
    assert max(stored.size) == 800
    assert "SecretCam" not in str(dict(stored.getexif()))
    # Not on stage in a published session: no public page and no public photo.
    assert client.get(f"/programme/2023/speakers/{person_id}/photo").status_code == 404


def test_the_clone_takes_venues_checklist_and_sessions_but_no_people(app, demo):
    with app.app_context():
        source = editions.get_edition(2023)
        clone = editions.clone_edition(source, 2024, "福州")
        db.session.commit()

        def count(model, *where):
            return db.session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()

        assert count(Venue, Venue.edition_id == clone.id) == 2
        assert count(Hall, Hall.venue_id.in_(select(Venue.id).where(Venue.edition_id == clone.id))) == 13
        assert count(Checkpoint, Checkpoint.venue_id.in_(select(Venue.id).where(Venue.edition_id == clone.id))) == 9
        assert checkpoint_by_code(clone, "DEMO-DESK") is not None
        assert count(ChecklistTemplateItem, ChecklistTemplateItem.edition_id == clone.id) == 14
        sessions = db.session.execute(select(Session).where(Session.edition_id == clone.id)).scalars().all()
        assert len(sessions) == 16
        assert all(s.starts_at is None and s.status == "draft" and not s.items for s in sessions)
        new_halls = set(db.session.execute(select(Hall.id).join(Venue).where(Venue.edition_id == clone.id)).scalars())
        assert {s.hall_id for s in sessions} <= new_halls
        assert count(Person, Person.edition_id == clone.id) == 0
        assert {s.uid for s in sessions}.isdisjoint(
            db.session.execute(select(Session.uid).where(Session.edition_id == source.id)).scalars()
        )
