"""Organizers' check-in pages, the command line, and hall-to-hall check-out."""

import io
import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from conference.badges import services as badges
from conference.checkin import services
from conference.checkin.models import CheckpointRule, Presence, Scan, ScannerDevice
from conference.core.database import committed
from conference.core.demo import load_demo
from conference.core.models import AuditEntry
from conference.editions.services import get_edition
from conference.extensions import db
from conference.venues.services import checkpoint_by_code
from tests.conftest import badged_demo, csrf_token, login, make_user, submit


@pytest.fixture
def venues(app):
    with app.app_context():
        edition, (guest,) = badged_demo([("林", "晓梅", "guest")], ("editions", "venues", "programme"))
        db.session.commit()
        return {"guest": badges.payload(guest), "guest_id": guest.id,
                **{code: checkpoint_by_code(edition, code).id for code in ("DEMO-DESK", "GT-AUD", "CC-HALLA", "GT-MAIN")}}


def scan_at(app, payload, checkpoint_id, client_id, kind="entry", device=None):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        return committed(lambda: services.scan(payload, checkpoint_id, device, client_id, None, kind))


def test_entering_a_hall_checks_out_of_the_other_hall(app, venues):
    with app.app_context():
        for code in ("GT-AUD", "CC-HALLA"):
            checkpoint = db.session.get(services.Checkpoint, venues[code])
            services.save_rule(checkpoint, [], [], None, None, None, "entry", True, checks_out_elsewhere=True)
        db.session.commit()
    assert scan_at(app, venues["guest"], venues["GT-AUD"], "1").result == "admitted"
    assert scan_at(app, venues["guest"], venues["GT-MAIN"], "2").result == "admitted"  # the venue, not a hall
    assert scan_at(app, venues["guest"], venues["CC-HALLA"], "3").result == "admitted"
    with app.app_context():
        inside = dict(db.session.execute(select(Presence.area, Presence.inside)).all())
        theatre_hall = services.area_of(db.session.get(services.Checkpoint, venues["GT-AUD"]))
        hall_a = services.area_of(db.session.get(services.Checkpoint, venues["CC-HALLA"]))
        venue = services.area_of(db.session.get(services.Checkpoint, venues["GT-MAIN"]))
    assert inside == {theatre_hall: False, hall_a: True, venue: True}
    assert scan_at(app, venues["guest"], venues["GT-AUD"], "4").result == "admitted"  # back: not "already inside"


def test_only_a_halls_door_checks_out_elsewhere(app, venues):
    with app.app_context(), pytest.raises(services.ScanError):
        services.save_rule(db.session.get(services.Checkpoint, venues["GT-MAIN"]), [], [], None, None, None,
                           "entry", True, checks_out_elsewhere=True)


def test_rules_form_keeps_what_was_typed_and_reads_local_time(app, client, venues):
    login(client, make_user(app, "security"))
    url = f"/editions/2023/checkin/checkpoints/{venues['GT-MAIN']}"
    wrong = submit(client, url, {"categories": ["guest", "media"], "zones": ["A"], "mode": "both", "reentry": "y",
                                 "opens_at": "2023-07-18T09:00", "closes_at": "2023-07-18T08:00"},
                   headers={"Accept-Language": "zh-CN"})
    assert wrong.status_code == 200 and "关闭时间必须晚于开放时间" in wrong.get_data(as_text=True)
    assert 'value="2023-07-18T09:00"' in wrong.get_data(as_text=True)
    done = submit(client, url, {"categories": ["guest", "media"], "zones": ["A"], "mode": "both", "reentry": "y",
                                "opens_at": "2023-07-18T07:30", "closes_at": "2023-07-18T18:00"})
    assert done.status_code == 302
    with app.app_context():
        rule = db.session.execute(select(CheckpointRule).where(CheckpointRule.checkpoint_id == venues["GT-MAIN"])).scalar_one()
        assert rule.categories == ["guest", "media"] and rule.mode == "both"
        assert rule.opens_at == datetime(2023, 7, 17, 23, 30, tzinfo=UTC)  # 07:30 in Xiamen
    page = client.get("/editions/2023/checkin/").get_data(as_text=True)
    assert "GT-MAIN" in page and "DEMO-DESK" in page


def test_a_viewer_reads_occupancy_and_the_log_but_changes_nothing(app, client, venues):
    login(client, make_user(app, "viewer"))
    assert client.get("/editions/2023/checkin/occupancy").status_code == 200
    assert client.get("/editions/2023/checkin/scans").status_code == 200
    assert client.get(f"/editions/2023/checkin/checkpoints/{venues['GT-MAIN']}").status_code == 403
    assert client.get("/editions/2023/checkin/devices").status_code == 403
    assert client.get("/editions/2023/checkin/lookup?q=lin").status_code == 403


def test_pair_a_phone_from_the_devices_page_and_unpair_it_in_one_click(app, venues, organizer_client):
    made = submit(organizer_client, "/editions/2023/checkin/devices", {"checkpoint_id": venues["DEMO-DESK"], "name": "王明的手机"})
    page = made.get_data(as_text=True)
    assert made.status_code == 200 and "<svg" in page
    code = re.search(r"/scan/\?pair=([\w-]+)", page).group(1)
    token = organizer_client.post("/api/v1/checkin/pair", json={"code": code}).json["token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert organizer_client.get("/api/v1/checkin/snapshot", headers=headers).status_code == 200
    assert "王明的手机" in organizer_client.get("/editions/2023/checkin/devices").get_data(as_text=True)
    with app.app_context():
        device_id = db.session.execute(select(ScannerDevice.id)).scalar_one()
    unpair_url = f"/editions/2023/checkin/devices/{device_id}/unpair"
    response = organizer_client.post(unpair_url, data={"csrf_token": csrf_token(organizer_client, "/editions/2023/checkin/devices")})
    assert response.status_code == 302
    assert organizer_client.get("/api/v1/checkin/snapshot", headers=headers).status_code == 401


def test_occupancy_counts_who_is_inside_and_refusals_by_reason(app, venues, organizer_client):
    scan_at(app, venues["guest"], venues["GT-MAIN"], "in")
    scan_at(app, venues["guest"][:-3], venues["GT-MAIN"], "broken")
    with app.app_context():
        area = services.area_of(db.session.get(services.Checkpoint, venues["GT-MAIN"]))
    page = organizer_client.get("/editions/2023/checkin/occupancy?part=live", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert f'data-area="{area}"' in page
    row = re.search(rf'data-area="{area}">.*?class="num inside">(\d+)<', page, re.S)
    assert row.group(1) == "1"
    assert "The code is damaged or incomplete." in page
    full = organizer_client.get("/editions/2023/checkin/occupancy").get_data(as_text=True)
    assert "occupancy.js" in full and "<svg" in full


def test_scan_log_filters_and_exports_to_excel(app, venues, organizer_client):
    with app.app_context():
        device, _token = services.pair_now(db.session.get(services.Checkpoint, venues["DEMO-DESK"]), "=HYPERLINK(\"x\")")
        db.session.commit()
        device_id = device.id
    with app.app_context():
        device = db.session.get(ScannerDevice, device_id)
        scan_at(app, venues["guest"], venues["DEMO-DESK"], "one", device=device)
    scan_at(app, "not a badge", venues["GT-MAIN"], "two")
    everything = organizer_client.get("/editions/2023/checkin/scans").get_data(as_text=True)
    assert "林晓梅" in everything and "GT-MAIN" in everything
    refused = organizer_client.get("/editions/2023/checkin/scans?result=invalid").get_data(as_text=True)
    assert "林晓梅" not in refused and "GT-MAIN" in refused
    by_device = organizer_client.get(f"/editions/2023/checkin/scans?device={device_id}").get_data(as_text=True)
    assert "林晓梅" in by_device and "not a conference badge" not in by_device
    assert organizer_client.get("/editions/2023/checkin/scans?since=garbage&checkpoint=x&page=-4").status_code == 200
    exported = organizer_client.get(f"/editions/2023/checkin/scans.xlsx?device={device_id}", headers={"Accept-Language": "en"})
    sheet = load_workbook(io.BytesIO(exported.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Scanned at (Asia/Shanghai)", "Received at (Asia/Shanghai)", "Checkpoint") and len(rows) == 2
    assert rows[1][2] == "DEMO-DESK" and rows[1][8] == "林晓梅"
    assert rows[1][3] == "=HYPERLINK(\"x\")" and sheet["D2"].data_type == "s"  # text, never a formula
    with app.app_context():
        scan = db.session.execute(select(Scan).where(Scan.device_id == device_id)).scalar_one()
        assert rows[1][0] == scan.scanned_at.astimezone(ZoneInfo("Asia/Shanghai")).replace(tzinfo=None, microsecond=0)
        entry = db.session.execute(select(AuditEntry).where(AuditEntry.action == "checkin.export")).scalar_one()
        assert entry.detail == {"rows": 1, "filters": {"device": device_id}}
    everything = load_workbook(io.BytesIO(organizer_client.get("/editions/2023/checkin/scans.xlsx").data)).active
    assert everything.max_row == 3  # the same filters as the page: none gives both scans


def test_look_up_by_name_is_audited_and_admits_with_a_reason(app, client, venues):
    login(client, make_user(app, "security"))
    found = client.get("/editions/2023/checkin/lookup?q=lin").get_data(as_text=True)
    assert "林晓梅" in found
    url = "/editions/2023/checkin/lookup?q=lin"
    missing = client.post(url, data={"csrf_token": csrf_token(client, url), "badge_id": venues["guest_id"],
                                     "checkpoint_id": venues["GT-MAIN"], "reason": ""})
    assert missing.status_code == 200
    with app.app_context():
        assert db.session.execute(select(Scan.id)).first() is None
    admitted = client.post(url, data={"csrf_token": csrf_token(client, url), "badge_id": venues["guest_id"],
                                      "checkpoint_id": venues["GT-MAIN"], "reason": "证件遗落在酒店，已核验身份证"},
                           headers={"Accept-Language": "en"})
    assert admitted.status_code == 200 and "Admitted" in admitted.get_data(as_text=True)
    with app.app_context():
        entries = db.session.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars().all()
        actions = [entry.action for entry in entries]
        assert actions.count("checkin.lookup") >= 2 and "checkin.manual_entry" in actions
        manual = next(entry for entry in entries if entry.action == "checkin.manual_entry")
        assert manual.detail["reason"] == "证件遗落在酒店，已核验身份证" and manual.actor == "security@test.example"
        assert db.session.execute(select(Scan.result)).scalar_one() == "admitted"


def test_the_command_line_lists_checkpoints_and_pairs_a_device(app, venues):
    runner = app.test_cli_runner()
    listed = runner.invoke(args=["checkin", "checkpoints", "--edition", "2023"])
    assert listed.exit_code == 0 and "GT-MAIN" in listed.output and "DEMO-DESK" in listed.output
    paired = runner.invoke(args=["checkin", "pair-device", "--edition", "2023", "--checkpoint", "demo-desk"])
    token = paired.output.strip()
    assert paired.exit_code == 0 and token.startswith("cd_")
    client = app.test_client()
    answer = client.post("/api/v1/checkin/scans", json={"payload": venues["guest"], "client_scan_id": "cli"},
                         headers={"Authorization": f"Bearer {token}"})
    assert answer.json["result"] == "admitted"
    unknown = runner.invoke(args=["checkin", "pair-device", "--edition", "2023", "--checkpoint", "NOPE"])
    assert unknown.exit_code != 0 and "NOPE" in unknown.output
    devices = runner.invoke(args=["checkin", "devices", "--edition", "2023"])
    assert "DEMO-DESK" in devices.output and "paired" in devices.output


def test_the_demo_desk_lets_a_newcomer_try_the_scanner(app):
    with app.app_context():
        load_demo(only={"editions", "venues", "checkin"})
        edition = get_edition(2023)
        desk = checkpoint_by_code(edition, "DEMO-DESK")
        rule = services.rule_for(desk)
        assert (rule.mode, rule.categories, rule.zones, rule.opens_at, rule.closes_at) == ("entry", [], [], None, None)
