"""Volunteers and the scanner: scanning rights from a shift (the window, the next shift, one
device per volunteer and shift, the token refused after its window even while cached), the
scanner's shift mode (check-in, check-out, hours, and why not), training attendance taken at the
training's checkpoint, and the volunteer's own shifts in the API."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from conference.badges import services as badges
from conference.checkin import services
from conference.checkin.models import ScannerDevice
from conference.core import clock
from conference.core.models import AuditEntry
from conference.extensions import db
from conference.people.models import Person
from conference.venues.models import Checkpoint
from conference.volunteers.models import ShiftPlace, Training, TrainingPlace
from tests.conftest import csrf_token, login, make_user
from tests.volunteers import factories

CSRF = re.compile(r'data-csrf="([^"]+)"')


def _place(volunteer, shift) -> None:
    db.session.add(ShiftPlace(shift_id=shift.id, volunteer_id=volunteer.id))
    shift.taken += 1
    db.session.commit()


@pytest.fixture
def desk(app):
    """王 on the information desk's morning shift at the east gate (08:00–12:00 on 18 July), 赵
    on no shift, badges for 王 and for a guest, and a phone paired at the east gate."""
    with app.app_context():
        world = factories.world()
        wang = factories.volunteer(world, "王")
        zhao = factories.volunteer(world, "赵")  # accepted, on no shift
        morning = world.shifts[2]  # the desk's 08:00–12:00
        _place(wang, morning)
        guest = Person(edition_id=world.edition.id, family_name="林", given_name="晓梅", category="guest")
        db.session.add(guest)
        db.session.flush()
        wang_badge, guest_badge, zhao_badge = badges.issue(wang.person), badges.issue(guest), badges.issue(zhao.person)
        _device, token = services.pair_now(world.checkpoint, "咨询台手机")
        db.session.commit()
        return {"wang": wang.id, "wang_badge": badges.payload(wang_badge), "wang_badge_id": wang_badge.id,
                "guest_badge": badges.payload(guest_badge), "zhao": zhao.id, "zhao_badge": badges.payload(zhao_badge), "desk_token": token, "checkpoint": world.checkpoint.id,
                "at": world.at, "shifts": [s.id for s in world.shifts], "training": world.training.id,
                "venue": world.venue.id}


def _signed_in(app, client):
    login(client, "王@example.org", factories.PASSWORD)
    return client


def _rights(client, lang="zh-CN"):
    page = client.get("/scan/")
    token = CSRF.search(page.get_data(as_text=True))
    assert token, "a volunteer's scanner page asks for their shift's token"
    return client.post("/scan/shift-rights", headers={"X-CSRFToken": token.group(1), "Accept-Language": lang})


def _bearer(token):
    return {"Authorization": f"Bearer {token}"}


# Scanning rights from the shift ----------------------------------------------------------------


@pytest.mark.parametrize("hour, minute", [(7, 31), (8, 0), (12, 29)])
def test_inside_the_window_the_page_receives_a_token_for_the_shifts_checkpoint(app, client, desk, hour, minute):
    clock.freeze(desk["at"](hour, minute))
    answer = _rights(_signed_in(app, client))
    assert answer.status_code == 200, answer.json
    assert answer.json["checkpoint"]["code"] == "EAST"
    assert answer.json["valid_from"] == "2023-07-18T07:30:00+08:00"
    assert answer.json["valid_until"] == "2023-07-18T12:30:00+08:00"
    assert "12:30" in answer.json["message"]
    with app.app_context():
        device = db.session.execute(select(ScannerDevice).where(ScannerDevice.user_id.is_not(None))).scalar_one()
        assert device.name.startswith("王志愿") and device.checkpoint_id == desk["checkpoint"]
        audit = db.session.execute(select(AuditEntry).where(AuditEntry.action == "device.shift_token")).scalar_one()
        assert audit.actor == "王@example.org" and audit.detail["checkpoint"] == "EAST"
    snapshot = client.get("/api/v1/checkin/snapshot", headers=_bearer(answer.json["token"]))
    assert snapshot.status_code == 200 and snapshot.json["checkpoint"]["code"] == "EAST"


def test_thirty_one_minutes_before_the_shift_the_page_says_when_it_begins(app, client, desk):
    clock.freeze(desk["at"](7, 29))
    answer = _rights(_signed_in(app, client))
    assert answer.status_code == 403
    assert "07-18 08:00" in answer.json["error"] and answer.json["next_shift"]["starts_at"] == "2023-07-18T08:00:00+08:00"
    with app.app_context():
        assert db.session.execute(select(func.count(ScannerDevice.id)).where(ScannerDevice.user_id.is_not(None))).scalar() == 0


def test_thirty_one_minutes_after_the_last_shift_there_is_no_shift_ahead(app, client, desk):
    clock.freeze(desk["at"](12, 31))
    answer = _rights(_signed_in(app, client), "en")
    assert answer.status_code == 403 and answer.json["next_shift"] is None
    assert answer.json["error"] == "No shift now, and no shift ahead: this phone may not scan."


def test_between_shifts_the_page_names_the_next_one(app, client, desk):
    with app.app_context():
        _place(db.session.get(factories.Volunteer, desk["wang"]), db.session.get(factories.Shift, desk["shifts"][3]))
    clock.freeze(desk["at"](12, 45))
    answer = _rights(_signed_in(app, client))
    assert answer.status_code == 200  # the afternoon shift's window opened at 12:30
    clock.freeze(desk["at"](17, 31))
    again = _rights(client, "en")
    assert again.status_code == 403 and "No shift now, and no shift ahead" in again.json["error"]


def test_with_no_shift_at_all_the_page_says_so(app, client, desk):
    login(client, "赵@example.org", factories.PASSWORD)
    clock.freeze(desk["at"](9))
    answer = _rights(client, "en")
    assert answer.status_code == 403 and answer.json["error"] == "No shift now, and no shift ahead: this phone may not scan."


def test_a_shift_at_a_post_without_a_checkpoint_gives_no_rights(app, client, desk):
    with app.app_context():
        wang = db.session.get(factories.Volunteer, desk["wang"])
        db.session.execute(ShiftPlace.__table__.delete())
        _place(wang, db.session.get(factories.Shift, desk["shifts"][0]))  # the usher's, in the hall
    clock.freeze(desk["at"](9))
    answer = _rights(_signed_in(app, client), "en")
    assert answer.status_code == 403 and "not at a checkpoint" in answer.json["error"]


def test_who_is_not_a_volunteer_gets_no_rights(app, client, desk):
    clock.freeze(desk["at"](9))
    assert "data-shift-rights" not in client.get("/scan/").get_data(as_text=True)
    assert client.post("/scan/shift-rights").status_code == 400  # no session, no CSRF token
    login(client, make_user(app, "organizer"))
    assert "data-shift-rights" not in client.get("/scan/").get_data(as_text=True)
    token = csrf_token(client, "/editions/2023/checkin/devices")
    answer = client.post("/scan/shift-rights", headers={"X-CSRFToken": token, "Accept-Language": "en"})
    assert answer.status_code == 403 and "holds none" in answer.json["error"]
    with app.app_context():
        assert db.session.execute(select(func.count(ScannerDevice.id)).where(ScannerDevice.user_id.is_not(None))).scalar() == 0


def test_reopening_the_page_during_the_shift_replaces_the_token_of_the_one_device(app, client, desk):
    clock.freeze(desk["at"](9))
    _signed_in(app, client)
    first = _rights(client).json["token"]
    assert client.get("/api/v1/checkin/snapshot", headers=_bearer(first)).status_code == 200
    second = _rights(client).json["token"]
    assert second != first
    assert client.get("/api/v1/checkin/snapshot", headers=_bearer(first)).status_code == 401
    assert client.get("/api/v1/checkin/snapshot", headers=_bearer(second)).status_code == 200
    with app.app_context():
        assert db.session.execute(select(func.count(ScannerDevice.id)).where(ScannerDevice.user_id.is_not(None))).scalar() == 1
        assert db.session.execute(select(func.count(AuditEntry.id)).where(AuditEntry.action == "device.shift_token")).scalar() == 2


def test_a_place_given_up_takes_its_scanning_rights_with_it(app, client, desk):
    from conference.volunteers import services as volunteers

    clock.freeze(desk["at"](9))
    token = _rights(_signed_in(app, client)).json["token"]
    assert client.get("/api/v1/checkin/snapshot", headers=_bearer(token)).status_code == 200  # now cached
    with app.app_context():
        place = db.session.execute(select(ShiftPlace).where(ShiftPlace.volunteer_id == desk["wang"])).scalar_one()
        lead = make_user(app, "organizer", "organizer-lead@example.org")
        from conference.accounts.services import find_by_email
        volunteers.give_up(place, desk["at"](9), actor=find_by_email(lead))
        db.session.commit()
    assert client.get("/api/v1/checkin/snapshot", headers=_bearer(token)).status_code == 401
    # the paired phone at the same checkpoint is not touched
    assert client.get("/api/v1/checkin/snapshot", headers=_bearer(desk["desk_token"])).status_code == 200


def test_after_its_window_the_token_is_refused_on_every_path_even_when_cached(app, client, desk):
    clock.freeze(desk["at"](12, 0))
    token = _rights(_signed_in(app, client)).json["token"]
    client = app.test_client()  # the token alone
    clock.freeze(desk["at"](12, 29))
    scan = {"payload": desk["guest_badge"], "client_scan_id": "in-time"}
    assert client.post("/api/v1/checkin/scans", json=scan, headers=_bearer(token)).status_code == 200  # now cached
    clock.freeze(desk["at"](12, 30) + timedelta(seconds=1))
    late = {"payload": desk["guest_badge"], "client_scan_id": "late", "scanned_at": "2023-07-18T12:10:00+08:00"}
    refused = client.post("/api/v1/checkin/scans", json=late, headers=_bearer(token))
    assert refused.status_code == 401 and "12:30" in refused.json["error"]
    assert refused.headers["WWW-Authenticate"].startswith("Bearer")
    assert client.post("/api/v1/checkin/scans:batch", json={"scans": [late]}, headers=_bearer(token)).status_code == 401
    assert client.get("/api/v1/checkin/snapshot", headers=_bearer(token)).status_code == 401
    assert client.get(f"/api/v1/checkin/photos/{desk['wang_badge_id']}", headers=_bearer(token)).status_code == 401
    assert client.post("/api/v1/checkin/shift-scans", json={"payload": desk["wang_badge"]}, headers=_bearer(token)).status_code == 401
    assert client.get("/api/v1/editions/2023/volunteers/me/shifts", headers=_bearer(token)).status_code == 401
    # a paired phone has no window
    assert client.get("/api/v1/checkin/snapshot", headers=_bearer(desk["desk_token"])).status_code == 200


def test_a_shift_token_is_accepted_only_within_its_window_by_the_servers_clock(desk):
    device = services.PairedDevice(1, "王志愿", 1, 1, valid_from=desk["at"](7, 30), valid_until=desk["at"](12, 30), user_id=1)
    clock.freeze(desk["at"](7, 29))
    assert not services.accepts(device, desk["at"](9))  # a phone's clock set forward does not open it
    clock.freeze(desk["at"](7, 30))
    assert services.accepts(device, None)
    clock.freeze(desk["at"](12, 31))
    assert not services.accepts(device, desk["at"](12))  # nor one set back


# The scanner's shift mode -----------------------------------------------------------------------


def _shift_scan(client, token, payload, **headers):
    return client.post("/api/v1/checkin/shift-scans", json={"payload": payload}, headers={**_bearer(token), **headers})


def test_a_scan_in_shift_mode_checks_in_then_out_with_the_hours(app, client, desk):
    clock.freeze(desk["at"](8, 2))
    first = _shift_scan(client, desk["desk_token"], desk["wang_badge"], **{"Accept-Language": "en"})
    assert first.status_code == 200, first.json
    assert first.json["result"] == "checked_in" and first.json["reason"] == "Checked in 08:02"
    assert first.json["person"]["name"] == "王志愿" and first.json["shift"]["post"]["code"] == "DESK"
    assert first.json["shift"]["checked_in_at"] == "2023-07-18T08:02:00+08:00"
    clock.freeze(desk["at"](8, 3))
    twice = _shift_scan(client, desk["desk_token"], desk["wang_badge"], **{"Accept-Language": "en"})
    assert twice.json["result"] == "already_checked_in" and "08:02" in twice.json["reason"]
    clock.freeze(desk["at"](12, 5))
    out = _shift_scan(client, desk["desk_token"], desk["wang_badge"], **{"Accept-Language": "en"})
    assert out.json["result"] == "checked_out" and out.json["reason"] == "Checked out, 4 h 03 min"
    assert out.json["shift"]["minutes"] == 243
    zh = _shift_scan(client, desk["desk_token"], desk["wang_badge"])
    assert zh.json["result"] == "already_checked_out"
    with app.app_context():
        place = db.session.execute(select(ShiftPlace)).scalar_one()
        assert (place.checked_in_at, place.checked_out_at) == (desk["at"](8, 2), desk["at"](12, 5))
        actions = db.session.execute(select(AuditEntry.action).where(AuditEntry.action.like("shift.%"))).scalars().all()
        assert sorted(actions) == ["shift.check_in", "shift.check_out", "shift.scan", "shift.scan"]


def test_shift_mode_says_why_not(app, client, desk):
    en = {"Accept-Language": "en"}
    clock.freeze(desk["at"](18, 0))
    none = _shift_scan(client, desk["desk_token"], desk["wang_badge"], **en)
    assert none.json["result"] == "no_shift" and none.json["reason"] == "No shift now, and none ahead."
    clock.freeze(desk["at"](6, 0))
    early = _shift_scan(client, desk["desk_token"], desk["wang_badge"], **en)
    assert early.json["result"] == "no_shift" and "07-18 08:00–12:00" in early.json["reason"]
    guest = _shift_scan(client, desk["desk_token"], desk["guest_badge"], **en)
    assert guest.json["result"] == "not_a_volunteer" and guest.json["person"]["name"] == "林晓梅"
    payload = desk["wang_badge"]
    forged = payload[:60] + ("B" if payload[60] == "A" else "A") + payload[61:]
    assert _shift_scan(client, desk["desk_token"], forged).json["result"] == "invalid"
    assert _shift_scan(client, desk["desk_token"], "BEGIN:VCARD").json["result"] == "invalid"
    with app.app_context():
        badges.revoke(db.session.get(badges.Badge, desk["wang_badge_id"]), "Lost")
        db.session.commit()
    clock.freeze(desk["at"](8, 0))
    revoked = _shift_scan(client, desk["desk_token"], desk["wang_badge"], **en)
    assert revoked.json["result"] == "revoked" and "Lost" in revoked.json["reason"]
    with app.app_context():
        assert db.session.execute(select(ShiftPlace.checked_in_at)).scalar() is None


@pytest.mark.parametrize("kwargs, status", [
    ({"json": {}}, 422), ({"json": {"payload": 5}}, 422), ({"json": {"payload": "x" * 401}}, 422), ({"json": []}, 422),
    ({"data": "payload=x"}, 415), ({"data": "{", "content_type": "application/json"}, 400),
])
def test_shift_mode_refuses_bodies_it_cannot_read(client, desk, kwargs, status):
    response = client.post("/api/v1/checkin/shift-scans", headers=_bearer(desk["desk_token"]), **kwargs)
    assert response.status_code == status and response.json["errors"]


@pytest.mark.parametrize("header", ["", "Bearer", "Bearer nope", "Basic abc", "Bearer " + "x" * 500])
def test_shift_mode_needs_a_device_token(client, desk, header):
    response = client.post("/api/v1/checkin/shift-scans", json={"payload": desk["wang_badge"]},
                           headers={"Authorization": header} if header else {})
    assert response.status_code == 401 and response.json["error"]


def test_a_volunteers_own_phone_checks_in_the_crew_at_their_desk_but_never_its_holder(app, client, desk):
    with app.app_context():
        _place(db.session.get(factories.Volunteer, desk["zhao"]), db.session.get(factories.Shift, desk["shifts"][2]))
    clock.freeze(desk["at"](7, 45))
    token = _rights(_signed_in(app, client)).json["token"]
    assert _shift_scan(client, token, desk["zhao_badge"]).json["result"] == "checked_in"
    own = _shift_scan(client, token, desk["wang_badge"], **{"Accept-Language": "en"})
    assert own.json["result"] == "own_badge" and "group's desk" in own.json["reason"]
    with app.app_context():
        checked = dict(db.session.execute(select(ShiftPlace.volunteer_id, ShiftPlace.checked_in_at)).all())
        assert checked == {desk["zhao"]: desk["at"](7, 45), desk["wang"]: None}


def test_the_device_list_shows_a_volunteers_phone_off_shift_without_alarm(app, client, desk):
    clock.freeze(desk["at"](9))
    _rights(_signed_in(app, client))
    clock.freeze(desk["at"](13))
    organizer = app.test_client()
    login(organizer, make_user(app, "organizer"))
    page = organizer.get("/editions/2023/checkin/devices?lang=en").get_data(as_text=True)
    assert "A volunteer's shift: 2023-07-18 07:30 to 2023-07-18 12:30" in page
    with app.app_context():
        device = db.session.execute(select(ScannerDevice).where(ScannerDevice.user_id.is_not(None))).scalar_one()
        assert services.health_of(device, desk["at"](13)) == ""
        assert services.health_of(device, desk["at"](9, 10)) == "silent"  # on shift, and not heard from


# Training attendance by scan --------------------------------------------------------------------


@pytest.fixture
def training(app, desk):
    """The usher training moved to 17 July 09:00–11:00 at the east gate, 王 booked on it and
    not yet attended; a west gate beside."""
    with app.app_context():
        train = db.session.get(Training, desk["training"])
        train.checkpoint_id = desk["checkpoint"]
        train.starts_at, train.ends_at = desk["at"](9, day=17), desk["at"](11, day=17)
        db.session.execute(TrainingPlace.__table__.update().values(attended_at=None))
        west = Checkpoint(venue_id=desk["venue"], code="WEST", name_zh="西门", name_en="West gate")
        db.session.add(west)
        db.session.commit()
        _d, west_token = services.pair_now(west, "西门手机")
        db.session.commit()
        return {"west_token": west_token}


def _attended(app, desk):
    with app.app_context():
        return db.session.execute(select(TrainingPlace.attended_at).where(TrainingPlace.volunteer_id == desk["wang"])).scalar_one()


def test_a_scan_at_the_trainings_checkpoint_takes_attendance_once(app, client, desk, training):
    at = desk["at"]
    scan = {"payload": desk["wang_badge"], "client_scan_id": "train-1", "scanned_at": at(9, 5, day=17).isoformat()}
    clock.freeze(at(9, 5, day=17))
    first = client.post("/api/v1/checkin/scans", json=scan, headers={**_bearer(desk["desk_token"]), "Accept-Language": "en"})
    assert first.json["result"] == "admitted" and first.json["training"] == "Training attended: Usher training"
    assert _attended(app, desk) == at(9, 5, day=17)
    clock.freeze(at(9, 30, day=17))
    out = client.post("/api/v1/checkin/scans", json={**scan, "client_scan_id": "train-2", "kind": "exit",
                                                     "scanned_at": at(9, 30, day=17).isoformat()}, headers=_bearer(desk["desk_token"]))
    assert out.json["result"] == "left"
    clock.freeze(at(10, 0, day=17))
    again = client.post("/api/v1/checkin/scans", json={**scan, "client_scan_id": "train-3",
                                                       "scanned_at": at(10, 0, day=17).isoformat()}, headers=_bearer(desk["desk_token"]))
    assert again.json["result"] == "admitted" and again.json["training"]
    assert _attended(app, desk) == at(9, 5, day=17)  # once: the first scan's time
    with app.app_context():
        assert db.session.execute(select(func.count(AuditEntry.id)).where(AuditEntry.action == "training.attend")).scalar() == 1


def test_a_scan_elsewhere_or_at_another_time_takes_no_attendance(app, client, desk, training):
    at = desk["at"]
    clock.freeze(at(9, 5, day=17))
    west = client.post("/api/v1/checkin/scans", json={"payload": desk["wang_badge"], "client_scan_id": "w"},
                       headers=_bearer(training["west_token"]))
    assert west.json["result"] == "admitted" and "training" not in west.json
    client.post("/api/v1/checkin/scans", json={"payload": desk["wang_badge"], "client_scan_id": "w-out", "kind": "exit"},
                headers=_bearer(training["west_token"]))
    clock.freeze(at(11, 31, day=17))
    late = client.post("/api/v1/checkin/scans", json={"payload": desk["wang_badge"], "client_scan_id": "late"},
                       headers=_bearer(desk["desk_token"]))
    assert late.json["result"] == "admitted" and "training" not in late.json
    clock.freeze(at(9, 10, day=17))
    guest = client.post("/api/v1/checkin/scans", json={"payload": desk["guest_badge"], "client_scan_id": "g"},
                        headers=_bearer(desk["desk_token"]))
    assert guest.json["result"] == "admitted" and "training" not in guest.json
    assert _attended(app, desk) is None


def test_an_offline_scan_sent_later_takes_attendance_at_its_own_time(app, client, desk, training):
    at = desk["at"]
    clock.freeze(at(13, 0, day=17))
    batch = client.post("/api/v1/checkin/scans:batch", headers=_bearer(desk["desk_token"]), json={"scans": [
        {"payload": desk["wang_badge"], "client_scan_id": "off-1", "scanned_at": at(8, 40, day=17).isoformat(),
         "offline_result": "admitted"}]})
    assert batch.json["answers"][0]["training"]
    assert _attended(app, desk) == at(8, 40, day=17)


# The volunteer's own shifts ------------------------------------------------------------------------

SHIFTS = "/api/v1/editions/2023/volunteers/me/shifts"


def test_my_shifts_with_the_session(app, client, desk):
    clock.freeze(desk["at"](8, 30))
    _signed_in(app, client)
    answer = client.get(SHIFTS)
    assert answer.status_code == 200
    (shift,) = answer.json["shifts"]
    assert shift["post"]["code"] == "DESK" and shift["checkpoint"] == "EAST" and shift["place"] == "东门"
    assert shift["starts_at"] == "2023-07-18T08:00:00+08:00" and shift["ends_at"] == "2023-07-18T12:00:00+08:00"
    assert shift["status"] == "no_show" and shift["minutes"] == 0 and answer.json["timezone"] == "Asia/Shanghai"
    clock.freeze(desk["at"](7, 0))
    assert client.get(SHIFTS).json["shifts"][0]["status"] == "upcoming"


def test_my_shifts_with_the_shifts_device_token(app, client, desk):
    clock.freeze(desk["at"](8, 2))
    _shift_scan(client, desk["desk_token"], desk["wang_badge"])
    clock.freeze(desk["at"](9))
    token = _rights(_signed_in(app, client)).json["token"]
    client = app.test_client()
    answer = client.get(SHIFTS, headers=_bearer(token))
    assert answer.status_code == 200 and answer.json["volunteer"] == "王志愿"
    assert answer.json["shifts"][0]["status"] == "checked_in"
    assert answer.json["shifts"][0]["checked_in_at"] == "2023-07-18T08:02:00+08:00"
    assert client.get("/api/v1/editions/2024/volunteers/me/shifts", headers=_bearer(token)).status_code == 404


def test_my_shifts_refuses_everyone_else(app, client, desk):
    assert client.get(SHIFTS).status_code == 401
    paired = client.get(SHIFTS, headers=_bearer(desk["desk_token"]))
    assert paired.status_code == 403 and paired.json["error"]
    for header in ("Bearer nope", "Basic abc", "Bearer " + "x" * 500, "Bearer"):
        refused = client.get(SHIFTS, headers={"Authorization": header})
        assert refused.status_code == 401 and refused.json["error"]
    _signed_in(app, client)
    assert client.get(SHIFTS, headers={"Authorization": "Bearer nope"}).status_code == 401  # a cookie never stands in
    assert client.get("/api/v1/editions/2024/volunteers/me/shifts").status_code == 404
    assert client.get("/api/v1/editions/99999/volunteers/me/shifts").status_code == 404
    organizer = app.test_client()
    login(organizer, make_user(app, "organizer"))
    assert organizer.get(SHIFTS).status_code == 404


def test_the_scan_asks_for_attendance_only_while_a_training_is_on_at_its_checkpoint(app, client, desk, training, monkeypatch):
    from conference.volunteers import scanning

    asked = []
    monkeypatch.setattr(scanning, "attend_training", lambda *args: asked.append(args))
    clock.freeze(desk["at"](8, 0))  # 18 July: the training was the day before
    scan = client.post("/api/v1/checkin/scans", json={"payload": desk["guest_badge"], "client_scan_id": "busy-gate"},
                       headers=_bearer(desk["desk_token"]))
    assert scan.json["result"] == "admitted" and asked == []
