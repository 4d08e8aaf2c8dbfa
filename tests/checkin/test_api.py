"""The scanner API: device tokens, pairing, one scan, the offline batch, conflicts, photos."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, func, select, text

from conference.badges import services as badges
from conference.checkin import services
from conference.checkin.models import Scan, ScannerDevice
from conference.core.models import AuditEntry
from conference.editions.services import get_edition
from conference.extensions import db
from conference.venues.services import checkpoint_by_code
from tests.conftest import badged_demo


@pytest.fixture
def scanner(app):
    """Two paired phones at the rehearsal desk, and two badges."""
    with app.app_context():
        edition, (guest, media) = badged_demo([("林", "晓梅", "guest"), ("Smith", "Anna", "media")])
        desk = checkpoint_by_code(edition, "DEMO-DESK")
        services.save_rule(desk, [], [], None, None, None, "entry", True)
        first, first_token = services.pair_now(desk, "phone A")
        _second, second_token = services.pair_now(desk, "phone B")
        db.session.commit()
        return {"guest": badges.payload(guest), "media": badges.payload(media), "a": first_token, "b": second_token,
                "device_a": first.id, "guest_id": guest.id}


def post(client, token, body, path="/api/v1/checkin/scans", **headers):
    return client.post(path, json=body, headers={"Authorization": f"Bearer {token}", **headers})


def test_a_scan_answers_who_and_why_in_the_volunteers_language(client, scanner):
    first = post(client, scanner["a"], {"payload": scanner["guest"], "client_scan_id": "one"})
    assert first.status_code == 200
    assert first.json["result"] == "admitted" and first.json["person"]["name"] == "林晓梅"
    again = post(client, scanner["a"], {"payload": scanner["guest"], "client_scan_id": "two"}, **{"Accept-Language": "zh-TW"})
    assert again.json["result"] == "already_inside"
    payload = scanner["guest"]
    altered = payload[:60] + ("B" if payload[60] == "A" else "A") + payload[61:]
    forged = post(client, scanner["a"], {"payload": altered, "client_scan_id": "three"},
                  **{"Accept-Language": "zh-CN"})
    assert forged.json["result"] == "invalid" and forged.json["person"] is None and "伪造" in forged.json["reason"]


def test_the_same_scan_twice_is_recorded_once(app, client, scanner):
    body = {"payload": scanner["guest"], "client_scan_id": "retry-me"}
    first, second = post(client, scanner["a"], body), post(client, scanner["a"], body)
    assert (first.json["result"], second.json["result"], second.json["repeated"]) == ("admitted", "admitted", True)
    with app.app_context():
        assert db.session.execute(select(func.count(Scan.id))).scalar_one() == 1


@pytest.mark.parametrize("header", ["", "Bearer", "Bearer nope", "Basic abc", "Bearer " + "x" * 500])
def test_bad_tokens_are_401(client, scanner, header):
    response = client.post("/api/v1/checkin/scans", json={"payload": scanner["guest"], "client_scan_id": "x"},
                           headers={"Authorization": header} if header else {})
    assert response.status_code == 401 and response.headers["WWW-Authenticate"].startswith("Bearer")
    assert client.get("/api/v1/checkin/snapshot", headers={"Authorization": header}).status_code == 401


@pytest.mark.parametrize("body", [
    {}, {"payload": "C1AAA"}, {"payload": 5, "client_scan_id": "x"}, {"payload": "C1", "client_scan_id": ""},
    {"payload": "C1", "client_scan_id": "x" * 65}, {"payload": "C1", "client_scan_id": "x", "kind": "dance"},
    {"payload": "C1", "client_scan_id": "x", "scanned_at": "yesterday"}, [], "text", {"payload": "C1" * 300, "client_scan_id": "x"},
    {"payload": "", "client_scan_id": "0", "scanned_at": 0}, {"payload": "", "client_scan_id": "0", "scanned_at": 1.5e9},
    {"payload": "", "client_scan_id": "0", "scanned_at": True},
])
def test_malformed_bodies_are_422_with_the_fields(client, scanner, body):
    response = post(client, scanner["a"], body)
    assert response.status_code == 422 and response.json["errors"]


def test_unpairing_stops_the_token_at_once(app, client, scanner):
    assert post(client, scanner["a"], {"payload": scanner["guest"], "client_scan_id": "before"}).status_code == 200
    with app.app_context():
        services.unpair(db.session.get(ScannerDevice, scanner["device_a"]))
        db.session.commit()
    assert post(client, scanner["a"], {"payload": scanner["guest"], "client_scan_id": "after"}).status_code == 401
    assert post(client, scanner["b"], {"payload": scanner["media"], "client_scan_id": "other"}).status_code == 200


def test_pairing_codes_work_once_and_expire(app, client, scanner):
    with app.app_context():
        desk = checkpoint_by_code(get_edition(2023), "DEMO-DESK")
        _device, code = services.add_device(desk, "new phone")
        _late, late_code = services.add_device(desk, "late phone")
        db.session.flush()
        _late.pairing_expires_at = datetime.now(UTC) - timedelta(seconds=1)
        db.session.commit()
    paired = client.post("/api/v1/checkin/pair", json={"code": code})
    assert paired.status_code == 200 and paired.json["checkpoint"]["code"] == "DEMO-DESK"
    assert client.get("/api/v1/checkin/snapshot", headers={"Authorization": f"Bearer {paired.json['token']}"}).status_code == 200
    assert client.post("/api/v1/checkin/pair", json={"code": code}).status_code == 404
    assert client.post("/api/v1/checkin/pair", json={"code": late_code}).status_code == 404
    with app.app_context():
        actions = db.session.execute(select(AuditEntry.action)).scalars().all()
    assert "device.pair" in actions and "device.add" in actions


def test_the_snapshot_holds_what_an_offline_phone_needs_and_no_documents(app, client, scanner):
    post(client, scanner["a"], {"payload": scanner["guest"], "client_scan_id": "in"})
    with app.app_context():
        badges.revoke(db.session.get(badges.Badge, scanner["guest_id"] + 1), "冒用")
        db.session.commit()
    body = client.get("/api/v1/checkin/snapshot", headers={"Authorization": f"Bearer {scanner['a']}"}).json
    assert body["edition"] == 2023 and body["checkpoint"]["code"] == "DEMO-DESK" and len(body["public_key"]) == 43
    assert body["inside"] == [scanner["guest_id"]]
    assert body["badges"][str(scanner["guest_id"] + 1)]["s"] == "revoked"
    assert body["badges"][str(scanner["guest_id"] + 1)]["r"] == "冒用"
    text = str(body)
    assert "phone" not in text and "id_number" not in text and "document" not in text


def test_late_scans_keep_device_time_and_two_offline_admissions_are_a_conflict(app, client, scanner):
    morning = "2023-07-18T08:01:00+08:00"
    batch_a = {"scans": [{"payload": scanner["guest"], "client_scan_id": "a-1", "scanned_at": morning, "offline_result": "admitted"}]}
    batch_b = {"scans": [{"payload": scanner["guest"], "client_scan_id": "b-1", "scanned_at": "2023-07-18T00:02:00Z",
                          "offline_result": "admitted"}]}
    first = post(client, scanner["a"], batch_a, "/api/v1/checkin/scans:batch")
    second = post(client, scanner["b"], batch_b, "/api/v1/checkin/scans:batch")
    again = post(client, scanner["a"], batch_a, "/api/v1/checkin/scans:batch")  # the network dropped before the answer
    assert first.json["answers"][0]["result"] == "admitted" and not first.json["answers"][0]["conflict"]
    assert second.json["answers"][0]["result"] == "already_inside" and second.json["answers"][0]["conflict"]
    assert again.json["answers"][0]["repeated"]
    with app.app_context():
        scans = db.session.execute(select(Scan).order_by(Scan.id)).scalars().all()
        assert [s.client_scan_id for s in scans] == ["a-1", "b-1"]
        assert scans[0].scanned_at == datetime(2023, 7, 18, 0, 1, tzinfo=UTC)
        assert scans[0].received_at > scans[0].scanned_at
        assert [s.device for s in scans] == ["phone A", "phone B"] and scans[1].conflict


def test_a_batch_too_large_is_422(client, scanner):
    scans = [{"payload": scanner["guest"], "client_scan_id": f"n{i}"} for i in range(501)]
    assert post(client, scanner["a"], {"scans": scans}, "/api/v1/checkin/scans:batch").status_code == 422


def test_photos_only_for_devices_of_the_edition(client, scanner):
    headers = {"Authorization": f"Bearer {scanner['a']}"}
    assert client.get(f"/api/v1/checkin/photos/{scanner['guest_id']}", headers=headers).status_code == 404  # no photo
    assert client.get(f"/api/v1/checkin/photos/{scanner['guest_id']}").status_code == 401


def test_the_openapi_document_describes_the_scanner_api(client):
    spec = client.get("/api/v1/openapi.json").json
    assert {"/api/v1/checkin/scans", "/api/v1/checkin/scans:batch", "/api/v1/checkin/snapshot", "/api/v1/checkin/pair"} <= set(spec["paths"])
    assert spec["components"]["securitySchemes"]["device"]["scheme"] == "bearer"
    assert spec["paths"]["/api/v1/checkin/scans"]["post"]["security"] == [{"device": []}]


def test_a_phone_clock_far_off_takes_the_servers_time(app, client, scanner):
    batch = {"scans": [{"payload": scanner["guest"], "client_scan_id": "dead-battery", "scanned_at": "1970-01-01T00:00:09Z",
                        "offline_result": "admitted"}]}
    assert post(client, scanner["a"], batch, "/api/v1/checkin/scans:batch").json["answers"][0]["result"] == "admitted"
    with app.app_context():
        scanned = db.session.execute(select(Scan.scanned_at)).scalar_one()
    assert scanned > datetime.now(UTC) - timedelta(minutes=1)


def test_scans_go_on_after_the_database_drops_its_connections(app, client, scanner):
    """PostgreSQL restarted, or a proxy cut idle connections: the scan path pings no
    connection before using it, so it must notice a dead one and start again."""
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("SQLite has no connections to drop")
    assert post(client, scanner["a"], {"payload": scanner["guest"], "client_scan_id": "before-cut"}).json["result"] == "admitted"
    with app.app_context():
        db.session.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                                "AND backend_type = 'client backend'"))  # not autovacuum's, a superuser's
        db.session.commit()
    after = post(client, scanner["a"], {"payload": scanner["media"], "client_scan_id": "after-cut"})
    assert after.status_code == 200 and after.json["result"] == "admitted"


def test_a_scan_takes_no_connection_from_the_sessions_pool(app, client, scanner):
    """The scan, the reading of its device's token included, runs on check-in's own parked
    connection: the session's pool (a checkout, and on PostgreSQL a ping first) is not touched,
    even when the device must be read again."""
    assert post(client, scanner["a"], {"payload": scanner["guest"], "client_scan_id": "warm"}).status_code == 200
    checkouts = []
    with app.app_context():
        engine = db.engine

    def checked_out(*args):
        checkouts.append(args)

    event.listen(engine, "checkout", checked_out)
    try:
        services.forget_devices()
        answer = post(client, scanner["a"], {"payload": scanner["media"], "client_scan_id": "cold-device"})
    finally:
        event.remove(engine, "checkout", checked_out)
    assert answer.status_code == 200 and answer.json["result"] == "admitted"
    assert checkouts == []
