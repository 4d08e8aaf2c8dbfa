"""Deleting through the organizers' pages never leaves a row pointing at nothing: what others
depend on is refused with the reason, or settled completely after a confirmation page."""

import email
import email.policy
import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from conference.badges import services as badges
from conference.badges.demo import set_up_zones
from conference.badges.models import Badge
from conference.checkin import services as checkin
from conference.checkin.fastpath import committed_on_own_connection
from conference.checkin.models import Scan, ScannerDevice
from conference.core import deletion
from conference.core.database import committed
from conference.core.models import utcnow
from conference.editions.services import get_edition
from conference.extensions import db
from conference.people import services as people
from conference.programme.models import AgendaItem, Session
from conference.registration import services as registration
from conference.registration.models import RegistrationCategory, SeatBooking, SessionQuota
from conference.venues import services as venues
from conference.venues.models import Checkpoint, Hall, Venue
from tests.conftest import csrf_token, registration_demo
from tests.registration.conftest import resident_id, set_seats

ZH = {"Accept-Language": "zh-CN"}


@pytest.fixture
def world(app, demo_clock):
    """The demo programme and registration; two attendees booked into sub-forum 3 (one seat:
    the second waits), a badge scanned at the first checkpoint, a device at the second."""
    with app.app_context():
        registration_demo()
        set_up_zones(get_edition(2023))
        db.session.commit()
    session_id = set_seats(app, 3, 1)
    tokens = []
    with app.test_request_context():
        edition = get_edition(2023)
        for serial, (family, given, address) in enumerate([("林", "晓梅", "lin@example.org"), ("陈", "伟", "chen@example.org")]):
            fields = registration.RegistrationFields(
                category="media", family_name=family, given_name=given, organisation="东南网", email=address,
                phone="13812345678", id_type="resident_id", id_number=resident_id(serial=f"{serial:03d}"),
                consents={"privacy_notice": 1, "identity_document": 1}, sessions=[session_id])
            tokens.append(committed(lambda fields=fields: registration.register(edition, fields))[1])
        first, second = db.session.execute(select(Checkpoint).order_by(Checkpoint.id).limit(2)).scalars()
        holder = registration.find_by_token(tokens[0]).person
        badge = badges.issue(holder)
        db.session.flush()
        db.session.add(Scan(edition_id=edition.id, checkpoint_id=first.id, client_scan_id="s-1", badge_id=badge.id,
                            result="admitted", scanned_at=utcnow() - timedelta(hours=1)))
        checkin.add_device(second, "东门 1 号机")
        db.session.commit()
        ids = {"session": session_id, "scanned_checkpoint": first.id, "device_checkpoint": second.id,
               "venue": first.venue_id}
    return {"tokens": tokens, **ids}


def _orphans(app) -> list:
    """Rows pointing at nothing: SQLite's own check (PostgreSQL's constraints never allow any)."""
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            return []
        return db.session.execute(text("PRAGMA foreign_key_check")).all()


def _confirm(client, url: str):
    page = client.get(url, headers=ZH)
    assert page.status_code == 200, url
    return page, client.post(url, data={"csrf_token": csrf_token(client, url)}, headers=ZH)


def _mails_since(app, before: set) -> list:
    outbox = Path(app.config["INSTANCE_DIR"]) / "outbox"
    return [email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            for path in sorted(set(outbox.glob("*.eml")) - before)]


def _outbox(app) -> set:
    outbox = Path(app.config["INSTANCE_DIR"]) / "outbox"
    return set(outbox.glob("*.eml")) if outbox.exists() else set()


def test_every_connection_checks_foreign_keys_the_fast_path_included(app):
    """On SQLite only when each connection asks (PRAGMA foreign_keys), on PostgreSQL always."""
    orphan = "INSERT INTO presences (badge_id, area, inside, entries, changed_at) VALUES (999999, 'x', FALSE, 0, CURRENT_TIMESTAMP)"
    with app.app_context():
        with pytest.raises(IntegrityError):
            db.session.execute(text(orphan))
        db.session.rollback()

        def insert(connection):
            connection.dbapi_connection.cursor().execute(orphan)

        with pytest.raises(DBAPIError, match="(?i)foreign key"):
            committed_on_own_connection(insert)
        assert db.session.execute(text("SELECT COUNT(*) FROM presences")).scalar() == 0


def test_the_database_refuses_a_row_pointing_at_nothing_and_keeps_records(app, world):
    with app.app_context():
        with pytest.raises(Exception, match="(?i)foreign key"):
            db.session.execute(text("DELETE FROM checkpoints WHERE id = :id"), {"id": world["scanned_checkpoint"]})
            db.session.flush()
        db.session.rollback()
        with pytest.raises(Exception, match="(?i)foreign key"):
            db.session.execute(text("DELETE FROM sessions WHERE id = :id"), {"id": world["session"]})
            db.session.flush()
        db.session.rollback()
        assert db.session.execute(select(func.count(Scan.id))).scalar() == 1


def test_deleting_a_session_with_bookings_asks_first_then_releases_and_tells_everyone(app, client, world, organizer_client):
    url = f"/editions/2023/programme/sessions/{world['session']}/delete"
    page = organizer_client.get(url, headers=ZH)
    html = page.get_data(as_text=True)
    assert "1 个已订座位" in html and "1 个候补名额" in html  # what will happen, before it does
    with app.app_context():
        assert db.session.get(Session, world["session"]) is not None  # GET changed nothing
    before = _outbox(app)
    response = organizer_client.post(url, data={"csrf_token": csrf_token(organizer_client, url)}, headers=ZH)
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Session, world["session"]) is None
        assert db.session.execute(select(func.count(SeatBooking.id))).scalar() == 0
        assert db.session.execute(select(SessionQuota).where(SessionQuota.session_id == world["session"])).first() is None
        offered = db.session.execute(select(RegistrationCategory.session_ids)).scalars().all()
        assert all(world["session"] not in ids for ids in offered)
    mails = _mails_since(app, before)
    assert sorted(m["To"] for m in mails) == ["chen@example.org", "lin@example.org"]
    assert all("取消" in m["Subject"] for m in mails)
    # Nothing that read the bookings breaks, and the form no longer offers the session.
    assert organizer_client.get("/editions/2023/registrations/export.xlsx").status_code == 200
    for token in world["tokens"]:
        assert client.get(f"/r/{token}").status_code == 200
        data = json.loads(client.get(f"/r/{token}/data.json").data)
        assert data["sessions"] == []
    form = client.get("/api/v1/editions/2023/registration-form?lang=en").get_json()
    assert world["session"] not in [s["id"] for s in form["sessions"]]
    assert _orphans(app) == []


def test_a_session_is_never_deleted_by_a_plain_post_without_the_token(app, world, organizer_client):
    url = f"/editions/2023/programme/sessions/{world['session']}/delete"
    assert organizer_client.post(url, data={}).status_code == 400
    with app.app_context():
        assert db.session.get(Session, world["session"]) is not None


@pytest.mark.parametrize("lang, words", [("zh-CN", "1 条扫码记录"), ("en", "1 scans were made at this checkpoint")])
def test_deletes_that_would_lose_records_are_refused_saying_what_depends(app, world, organizer_client, lang, words):
    url = f"/editions/2023/venues/{world['venue']}/checkpoints/{world['scanned_checkpoint']}/delete"
    page = organizer_client.get(url, headers={"Accept-Language": lang})
    assert words in page.get_data(as_text=True)
    assert 'class="danger-zone"' not in page.get_data(as_text=True)  # no delete button to press
    token = csrf_token(organizer_client, "/editions/2023/venues")
    refused = organizer_client.post(url, data={"csrf_token": token}, headers={"Accept-Language": lang})
    assert refused.status_code == 409 and words in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Checkpoint, world["scanned_checkpoint"]) is not None


def test_a_hall_with_sessions_a_venue_with_halls_and_a_category_with_registrations_are_refused(app, world, organizer_client):
    with app.app_context():
        hall = db.session.execute(select(Hall).join(Session, Session.hall_id == Hall.id).limit(1)).scalar_one()
        sessions = db.session.execute(select(func.count(Session.id)).where(Session.hall_id == hall.id)).scalar()
        hall_url = f"/editions/2023/venues/{hall.venue_id}/halls/{hall.id}/delete"
        venue_url = f"/editions/2023/venues/{hall.venue_id}/delete"
    assert f"{sessions} 场活动在此会场举行" in organizer_client.get(hall_url, headers=ZH).get_data(as_text=True)
    assert "个会场" in organizer_client.get(venue_url, headers=ZH).get_data(as_text=True)
    media = organizer_client.get("/editions/2023/registrations/categories/media/delete", headers=ZH)
    assert "2 份报名属于此类别" in media.get_data(as_text=True)
    token = csrf_token(organizer_client, "/editions/2023/venues")
    for url in (hall_url, venue_url, "/editions/2023/registrations/categories/media/delete"):
        assert organizer_client.post(url, data={"csrf_token": token}).status_code == 409
    with app.app_context():
        assert db.session.get(Hall, hall.id) is not None
        assert registration.category_by_code(get_edition(2023), "media") is not None


def test_every_kind_deleted_through_its_page_leaves_every_page_working(app, client, world, organizer_client):
    with app.app_context():
        edition = get_edition(2023)
        spare = venues.save_venue(edition, venues.NameFields("临时场馆", "Spare venue"))
        db.session.flush()
        spare_hall = venues.save_hall(spare, venues.HallFields(name=venues.NameFields("临时厅", "Spare hall"), capacity=40))
        db.session.commit()
        spare_id, spare_hall_id = spare.id, spare_hall.id
        item = db.session.execute(select(AgendaItem).order_by(AgendaItem.id).limit(1)).scalar_one()
        item_url = f"/editions/2023/programme/sessions/{item.session_id}/items/{item.id}/delete"
        device = db.session.execute(select(ScannerDevice)).scalar_one()
        device_url = f"/editions/2023/checkin/devices/{device.id}/delete"
    urls = [
        item_url,
        f"/editions/2023/programme/sessions/{world['session']}/delete",
        device_url,
        f"/editions/2023/venues/{world['venue']}/checkpoints/{world['device_checkpoint']}/delete",
        f"/editions/2023/venues/{spare_id}/halls/{spare_hall_id}/delete",
        f"/editions/2023/venues/{spare_id}/delete",
        "/editions/2023/registrations/categories/audience/delete",
    ]
    for url in urls:
        page, done = _confirm(organizer_client, url)
        assert done.status_code == 302, (url, done.get_data(as_text=True)[:300])
    with app.app_context():
        assert db.session.get(Venue, spare_id) is None
        assert db.session.get(Checkpoint, world["device_checkpoint"]) is None
        assert registration.category_by_code(get_edition(2023), "audience") is None
        assert db.session.execute(select(func.count(ScannerDevice.id))).scalar() == 0
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and set(rule.arguments) == {"year"} and not rule.endpoint.startswith("checkin_api"):
            url = rule.rule.replace("<year:year>", "2023")
            assert organizer_client.get(url, headers=ZH).status_code < 500, url
    assert organizer_client.get("/editions/2023/checkin/scans.xlsx").status_code == 200
    assert organizer_client.get("/editions/2023/registrations/export.xlsx").status_code == 200
    for token in world["tokens"]:
        assert client.get(f"/r/{token}", headers=ZH).status_code == 200
        assert client.get(f"/r/{token}/data.json").status_code == 200
    assert client.get("/api/v1/editions/2023/registration-form").status_code == 200
    assert _orphans(app) == []


def test_an_access_zone_on_badges_is_retired_never_deleted_nor_given_again(app, world, organizer_client):
    with app.app_context():
        edition = get_edition(2023)
        press = next(z for z in badges.zones_of(edition) if "media" in z.default_categories)
        printed = db.session.execute(select(Badge)).scalar_one()
        assert press in badges.zones_in(badges.zone_mask(printed, badges.zones_of(edition)), badges.zones_of(edition))
        zone_id, code, bit = press.id, press.code, press.bit
    url = f"/editions/2023/badges/zones/{zone_id}/retire"
    page, done = _confirm(organizer_client, url)
    assert "不会获得此区域" in page.get_data(as_text=True)
    assert done.status_code == 302
    assert "已停用" in organizer_client.get("/editions/2023/badges/zones", headers=ZH).get_data(as_text=True)
    assert organizer_client.get(f"/editions/2023/badges/zones/{zone_id}/delete").status_code == 404
    with app.test_request_context():
        edition = get_edition(2023)
        zone = badges.get_zone(edition, zone_id)
        assert zone.retired and (zone.code, zone.bit) == (code, bit)  # the row, its letter and bit stay
        newcomer = badges.issue(people.add_person(edition, "周", "敏", "media"))
        badges.set_extra_zones(newcomer, [code])
        assert newcomer.extra_zones == []
        assert badges.zone_mask(newcomer, badges.zones_of(edition)) & (1 << bit) == 0
        db.session.rollback()


def test_what_comes_to_depend_on_a_row_meanwhile_is_refused_by_the_database_not_a_500(app, world, organizer_client, monkeypatch):
    # As if the scan arrived between the page's count and the delete: only the constraint is left.
    monkeypatch.setitem(deletion._counters, "checkpoints", [])
    url = f"/editions/2023/venues/{world['venue']}/checkpoints/{world['scanned_checkpoint']}/delete"
    page, refused = _confirm(organizer_client, url)
    assert refused.status_code == 409
    assert "它未被删除" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Checkpoint, world["scanned_checkpoint"]) is not None
        assert db.session.execute(select(func.count(Scan.id))).scalar() == 1
