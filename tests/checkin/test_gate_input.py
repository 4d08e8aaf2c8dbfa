"""The gate under hostile input: every string, every timestamp and every body gets an answer,
never a 500; the offline batch answers each item on its own; scan ids are a device's own; an
unpaired phone still delivers what it scanned before the unpairing; each phone's queue and
last sync reach the organizers' device list."""

import io
import json
import re
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import event, select, update

from conference.badges import services as badges
from conference.badges import signing
from conference.checkin import services
from conference.checkin.models import Scan, ScannerDevice
from conference.editions.services import clone_edition, get_edition
from conference.extensions import db
from conference.venues.services import checkpoint_by_code
from tests.conftest import badged_demo, login, make_user

SCANS = "/api/v1/checkin/scans"
BATCH = "/api/v1/checkin/scans:batch"
PAIR = "/api/v1/checkin/pair"
ISSUE_PAYLOAD = "C1" + "A" * 114 + "="  # the issue's: 114 base32 characters and a padding sign
# A business card's QR code: 539 characters, longer than any badge's.
VCARD = ("BEGIN:VCARD\r\nVERSION:3.0\r\nN:Wang;Ming;;;\r\nFN:Wang Ming\r\nORG:Example Network Technology Co.\r\n"
         "TITLE:Director of Partnerships\r\nTEL;TYPE=WORK,VOICE:+86 10 5555 0100\r\nEMAIL:wang.ming@example.com\r\n")
VCARD += "NOTE:" + "x" * (539 - len(VCARD) - len("\r\nEND:VCARD") - len("NOTE:")) + "\r\nEND:VCARD"


@pytest.fixture
def gate(app):
    """Two paired phones at the rehearsal desk, and two badges."""
    with app.app_context():
        edition, (guest, media) = badged_demo([("林", "晓梅", "guest"), ("Smith", "Anna", "media")])
        desk = checkpoint_by_code(edition, "DEMO-DESK")
        services.save_rule(desk, [], [], None, None, None, "entry", True)
        first, first_token = services.pair_now(desk, "phone A")
        second, second_token = services.pair_now(desk, "phone B")
        db.session.commit()
        return {"guest": badges.payload(guest), "media": badges.payload(media), "a": first_token, "b": second_token,
                "device_a": first.id, "device_b": second.id, "desk": desk.id, "guest_id": guest.id}


def post(client, token, body, path=SCANS, **headers):
    return client.post(path, json=body, headers={"Authorization": f"Bearer {token}", **headers})


def scans(app) -> list[Scan]:
    with app.app_context():
        return list(db.session.execute(select(Scan).order_by(Scan.id)).scalars())


# 1. Any string: a result ------------------------------------------------------------------


def test_the_issues_payload_is_malformed_not_a_server_error(client, gate):
    answer = post(client, gate["a"], {"payload": ISSUE_PAYLOAD, "client_scan_id": "padded"})
    assert answer.status_code == 200
    assert (answer.json["result"], answer.json["why"], answer.json["person"]) == ("invalid", "malformed", None)


ODD_CHARACTERS = [chr(code) for code in range(0x250)] + list("ａＡ１２ıſ\u200b\ufeff\u3000中=") + ["\ud800"]


def test_no_character_anywhere_in_a_code_breaks_reading_it(gate):
    """Every character in every place of a genuine code: the code reads as a claim, or it is
    refused with a reason (never any other error)."""
    genuine = gate["guest"]
    for place in (2, 3, 60, len(genuine) - 2, len(genuine) - 1):
        for character in ODD_CHARACTERS:
            for text in (genuine[:place] + character + genuine[place + 1:], genuine[:place] + character + genuine[place:]):
                try:
                    signing.read(text)
                except signing.InvalidPayload as refusal:
                    assert refusal.reason in {"not_a_badge", "malformed"}
    for text in (genuine + "=", genuine + "==", genuine[:-1] + "=", "C1" + "=" * 114, "C1" + genuine[2:].lower()[:-1] + "ı"):
        with pytest.raises(signing.InvalidPayload):
            signing.read(text)
    assert signing.read(genuine.lower())[0].badge_id == gate["guest_id"]  # a handheld scanner may send lower case


# 2. Any timestamp: a result or a 422 naming scanned_at ---------------------------------------


EXTREMES = ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00", "9999-12-31T23:59:59.999999",
            "0001-01-01T00:00:00Z", "9999-12-31T23:59:59+00:00", "0001-01-01T23:59:59-23:59", "9999-12-31T00:00:00+23:59"]


@pytest.mark.parametrize("moment", EXTREMES)
def test_timestamps_at_the_ends_of_the_calendar_are_answered(app, client, gate, moment):
    single = post(client, gate["a"], {"payload": gate["guest"], "client_scan_id": "single", "scanned_at": moment})
    batch = post(client, gate["a"], {"scans": [{"payload": gate["media"], "client_scan_id": "late", "scanned_at": moment,
                                                "offline_result": "admitted"}]}, BATCH)
    assert single.status_code == 200 and single.json["result"] == "admitted"
    assert batch.status_code == 200 and batch.json["answers"][0]["result"] == "admitted"
    # A time no phone can have scanned at is a clock gone wrong: the server's time is used.
    assert all(scan.scanned_at > datetime.now(UTC) - timedelta(minutes=1) for scan in scans(app))


# 3. Anything at all, on the real endpoint --------------------------------------------------


def _offset(minutes: int) -> timezone:
    return timezone(timedelta(minutes=minutes))


def _moment(moment: datetime, zone) -> str:
    return moment.replace(tzinfo=zone).isoformat()


def _strings_like(genuine: str):
    """Codes near a genuine one: a character replaced or added anywhere, or cut short."""
    odd = st.one_of(st.sampled_from("=01890 \t\n.-_:/aı中"), st.characters())
    return st.one_of(
        st.builds(lambda i, c: genuine[:i] + c + genuine[i + 1:], st.integers(0, len(genuine) - 1), odd),
        st.builds(lambda i, c: genuine[:i] + c + genuine[i:], st.integers(0, len(genuine)), odd),
        st.builds(lambda i: genuine[:i], st.integers(0, len(genuine))),
        st.just(genuine),
    )


ANY_CHARACTER = st.characters(exclude_categories=())  # lone surrogates too: JSON.stringify writes them


def _strategies(genuine: str):
    payloads = st.one_of(st.text(max_size=200), st.text(ANY_CHARACTER, max_size=50), st.text(min_size=380, max_size=1200),
                         _strings_like(genuine))
    ids = st.one_of(st.text(max_size=80), st.text(ANY_CHARACTER, max_size=10),
                    st.from_regex(r"[A-Za-z0-9_.:-]{1,64}", fullmatch=True))
    zones = st.one_of(st.none(), st.integers(-(24 * 60 - 1), 24 * 60 - 1).map(_offset),
                      st.timedeltas(-timedelta(hours=23, minutes=59), timedelta(hours=23, minutes=59)).map(timezone))
    moments = st.one_of(st.none(), st.builds(_moment, st.datetimes(), zones), st.text(max_size=40))
    return payloads, ids, moments


FIELDS = {"payload", "client_scan_id", "scanned_at", "kind", "offline_result"}


@settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
@example(data=None)
def test_any_scan_gets_a_result_or_a_422_naming_its_field(client, gate, data):
    if data is None:  # the issue's own cases, always
        cases = [(ISSUE_PAYLOAD, "issue-1", None), (gate["guest"], "issue-2", EXTREMES[0]), (gate["media"], "issue-3", EXTREMES[1])]
    else:
        payloads, ids, moments = _strategies(gate["guest"])
        cases = [(data.draw(payloads), data.draw(ids), data.draw(moments))]
    for payload, client_scan_id, moment in cases:
        body = {"payload": payload, "client_scan_id": client_scan_id, **({"scanned_at": moment} if moment is not None else {})}
        answer = post(client, gate["a"], body)
        assert answer.status_code in (200, 422), (body, answer.status_code)
        if answer.status_code == 200:
            assert answer.json["result"] in services.RESULTS
        else:
            assert answer.json["errors"] and set(answer.json["errors"]) <= FIELDS


@settings(max_examples=50, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_batch_gets_an_answer_for_each_item(app, client, gate, data):
    payloads, ids, moments = _strategies(gate["media"])
    items = st.one_of(
        st.fixed_dictionaries({"payload": payloads, "client_scan_id": ids},
                              optional={"scanned_at": moments, "offline_result": st.sampled_from(["admitted", "invalid", "dance"])}),
        st.none(), st.integers(), st.text(max_size=5), st.lists(st.integers(), max_size=2),
    )
    batch = data.draw(st.lists(items, min_size=1, max_size=4))
    answer = post(client, gate["a"], {"scans": batch}, BATCH)
    assert answer.status_code == 200, (batch, answer.status_code)
    assert len(answer.json["answers"]) == len(batch)
    for item, one in zip(batch, answer.json["answers"], strict=True):
        sent_id = item.get("client_scan_id") if isinstance(item, dict) else None
        assert one["client_scan_id"] == (sent_id if isinstance(sent_id, str) else None)
        assert ("result" in one) != ("errors" in one)


# 4. The offline batch answers each item on its own -----------------------------------------


def test_one_bad_item_spoils_nothing_else_in_its_batch(app, client, gate):
    batch = [
        {"payload": gate["guest"], "client_scan_id": "good-1", "scanned_at": "2023-07-18T08:01:00+08:00", "offline_result": "admitted"},
        {"payload": "x" * 401, "client_scan_id": "too-long"},
        {"payload": VCARD, "client_scan_id": "vcard"},
        {"payload": 5, "client_scan_id": "number"},
        "not a scan",
        None,
        {"payload": gate["media"], "client_scan_id": 7},
        {"payload": gate["media"], "client_scan_id": "bad-time", "scanned_at": "noon"},
        {"payload": "BEGIN:VCARD\nFN:Wang Ming\nEND:VCARD", "client_scan_id": "small-card"},
        {"payload": gate["media"], "client_scan_id": "good-2", "offline_result": "admitted"},
    ]
    first = post(client, gate["a"], {"scans": batch}, BATCH, **{"Accept-Language": "en"})
    assert first.status_code == 200
    answers = first.json["answers"]
    assert [answer.get("client_scan_id") for answer in answers] == [
        "good-1", "too-long", "vcard", "number", None, None, None, "bad-time", "small-card", "good-2"]
    assert [answer.get("result") for answer in answers] == [
        "admitted", None, None, None, None, None, None, None, "invalid", "admitted"]
    assert answers[8]["why"] == "not_a_badge" and answers[0]["person"]["name"] == "林晓梅"
    assert [sorted(answer.get("errors", {})) for answer in answers] == [
        [], ["payload"], ["payload"], ["payload"], ["body"], ["body"], ["client_scan_id"], ["scanned_at"], [], []]
    assert all("result" not in answer for answer in answers if "errors" in answer)
    assert re.search(r"[a-z]", answers[1]["errors"]["payload"])  # in the volunteer's language
    chinese = post(client, gate["a"], {"scans": batch[1:2]}, BATCH, **{"Accept-Language": "zh-CN"})
    assert re.search(r"[\u4e00-\u9fff]", chinese.json["answers"][0]["errors"]["payload"])
    again = post(client, gate["a"], {"scans": batch}, BATCH).json["answers"]  # the answer was lost: sent again
    assert [answer.get("repeated") for answer in again if "result" in answer] == [True, True, True]
    assert [(scan.client_scan_id, scan.result) for scan in scans(app)] == [
        ("good-1", "admitted"), ("small-card", "invalid"), ("good-2", "admitted")]


def test_a_lone_surrogate_is_one_items_problem_not_the_batchs(app, client, gate):
    """JSON allows "\\ud800" and a phone's JSON.stringify writes it for a broken character."""
    items = [{"payload": "C1<lone>", "client_scan_id": "broken"}, {"payload": gate["guest"], "client_scan_id": "x<other>"},
             {"payload": gate["media"], "client_scan_id": "good"}]
    body = json.dumps({"scans": items}).replace("<lone>", "\\ud800").replace("<other>", "\\udfff")
    answer = client.post(BATCH, data=body, content_type="application/json", headers={"Authorization": f"Bearer {gate['a']}"})
    assert answer.status_code == 200
    broken, odd_id, good = answer.json["answers"]
    assert (list(broken), list(broken["errors"]), good["result"]) == (["client_scan_id", "errors"], ["payload"], "admitted")
    assert odd_id == {"client_scan_id": "x\udfff", "errors": {"client_scan_id": odd_id["errors"]["client_scan_id"]}}
    single = client.post(SCANS, data='{"payload": "\\ud800", "client_scan_id": "lone"}', content_type="application/json",
                         headers={"Authorization": f"Bearer {gate['a']}"})
    assert single.status_code == 422 and list(single.json["errors"]) == ["payload"]
    assert [scan.client_scan_id for scan in scans(app)] == ["good"]


@pytest.mark.parametrize(("body", "field"), [
    ({}, "scans"), ({"scans": "all of them"}, "scans"), ({"scans": None}, "scans"), ({"scans": {"0": {}}}, "scans"),
    ([], "body"), ("scans", "body"), (5, "body"), (None, "body"),
])
def test_a_batch_that_is_not_an_object_with_a_list_of_scans_is_422(client, gate, body, field):
    answer = client.post(BATCH, data=json.dumps(body), content_type="application/json",
                         headers={"Authorization": f"Bearer {gate['a']}"})
    assert answer.status_code == 422 and list(answer.json["errors"]) == [field]


def test_a_batch_of_more_than_500_is_refused_whole_and_500_are_answered(app, client, gate):
    items = [{"payload": gate["guest"], "client_scan_id": f"n{i}"} for i in range(501)]
    too_many = post(client, gate["a"], {"scans": items}, BATCH)
    assert too_many.status_code == 422 and list(too_many.json["errors"]) == ["scans"]
    assert scans(app) == []
    assert len(post(client, gate["a"], {"scans": items[:500]}, BATCH).json["answers"]) == 500


# 5. Bodies that are not JSON, or JSON of the wrong shape -----------------------------------


def _send(client, path, token, kind):
    headers = {"Authorization": f"Bearer {token}"}
    if kind == "form":
        return client.post(path, data={"code": "x", "payload": "C1", "client_scan_id": "f", "scans": "y"}, headers=headers)
    if kind == "multipart":
        return client.post(path, data={"code": "x", "file": (io.BytesIO(b"C1"), "code.txt")}, headers=headers)
    if kind == "text":
        return client.post(path, data="C1AAAA", headers=headers, content_type="text/plain")
    if kind == "none":
        return client.post(path, headers=headers)
    if kind == "broken":
        return client.post(path, data='{"code": ', headers=headers, content_type="application/json")
    if kind == "bytes":
        return client.post(path, data=b'{"code": "\xff\xfe"}', headers=headers, content_type="application/json")
    body = {"list": [1], "number": 5, "null": None, "string": "x", "bool": True}[kind]
    return client.post(path, data=json.dumps(body), content_type="application/json", headers=headers)


@pytest.mark.parametrize("path", [PAIR, SCANS, BATCH])
@pytest.mark.parametrize("kind", ["form", "multipart", "text", "none", "broken", "bytes", "list", "number", "null", "string", "bool"])
def test_bodies_of_any_kind_are_refused_with_a_4xx(client, gate, path, kind):
    answer = _send(client, path, gate["a"], kind)
    expected = {"form": 415, "multipart": 415, "text": 415, "none": 415, "broken": 400, "bytes": 400}.get(kind, 422)
    assert answer.status_code == expected, answer.get_data(as_text=True)
    assert answer.json["errors"]


def test_json_with_a_charset_is_json(client, gate):
    answer = client.post(SCANS, data='{"payload": "hello", "client_scan_id": "cs"}', content_type="application/json; charset=utf-8",
                         headers={"Authorization": f"Bearer {gate['a']}"})
    assert answer.status_code == 200 and answer.json["why"] == "not_a_badge"


def test_the_openapi_document_describes_each_batch_answer_and_the_refusals(client):
    spec = client.get("/api/v1/openapi.json").json
    batch = spec["paths"][BATCH]["post"]
    assert {"200", "400", "401", "415", "422"} <= set(batch["responses"])
    assert {"400", "415", "422"} <= set(spec["paths"][PAIR]["post"]["responses"])
    assert {"400", "401", "415", "422"} <= set(spec["paths"][SCANS]["post"]["responses"])
    text = str(spec["components"]["schemas"])
    assert "client_scan_id" in text and "ItemRefused" in text and "ScanAnswer" in text


# 6. A scan id is a device's own ----------------------------------------------------------


def test_a_known_scan_id_from_another_device_is_that_devices_own_scan(app, client, gate):
    with app.app_context():
        later = clone_edition(get_edition(2023), 2024, "福州")
        db.session.flush()
        _device, other_edition = services.pair_now(checkpoint_by_code(later, "DEMO-DESK"), "phone of 2024")
        db.session.commit()
    first = post(client, gate["a"], {"payload": gate["guest"], "client_scan_id": "shared"})
    second = post(client, gate["b"], {"payload": gate["media"], "client_scan_id": "shared"})
    third = post(client, other_edition, {"payload": gate["guest"], "client_scan_id": "shared"})
    batch = post(client, other_edition, {"scans": [{"payload": gate["media"], "client_scan_id": "shared"}]}, BATCH)
    assert (first.json["result"], first.json["person"]["name"]) == ("admitted", "林晓梅")
    assert (second.json["result"], second.json["repeated"], second.json["person"]["name"]) == ("admitted", False, "Anna Smith")
    assert (third.json["result"], third.json["repeated"], third.json["person"]) == ("wrong_edition", False, None)
    assert batch.json["answers"][0]["repeated"] and batch.json["answers"][0]["person"] is None
    assert post(client, gate["a"], {"payload": gate["media"], "client_scan_id": "shared"}).json["person"]["name"] == "林晓梅"
    assert len(scans(app)) == 3


# 7. An unpaired phone delivers what it scanned before --------------------------------------


def test_an_unpaired_phone_delivers_only_what_it_scanned_before_the_unpairing(app, client, gate):
    unpaired_at = datetime.now(UTC) - timedelta(minutes=10)
    with app.app_context():
        services.unpair(db.session.get(ScannerDevice, gate["device_a"]))
        db.session.execute(update(ScannerDevice).where(ScannerDevice.id == gate["device_a"]).values(revoked_at=unpaired_at))
        # The same phone, paired again at another door.
        services.pair_now(checkpoint_by_code(get_edition(2023), "GT-MAIN"), "phone A")
        db.session.commit()
    before, after = (unpaired_at - timedelta(minutes=5)).isoformat(), (unpaired_at + timedelta(minutes=5)).isoformat()
    queued = post(client, gate["a"], {"payload": gate["guest"], "client_scan_id": "queued", "scanned_at": before})
    assert queued.status_code == 200 and queued.json["result"] == "admitted"
    assert post(client, gate["a"], {"payload": gate["media"], "client_scan_id": "later", "scanned_at": after}).status_code == 401
    assert post(client, gate["a"], {"payload": gate["media"], "client_scan_id": "undated"}).status_code == 401
    assert post(client, gate["a"], {"payload": gate["media"], "client_scan_id": "clock", "scanned_at": "1970-01-01T00:00:00Z"}).status_code == 401
    batch = post(client, gate["a"], {"scans": [
        {"payload": gate["media"], "client_scan_id": "b-before", "scanned_at": before, "offline_result": "admitted"},
        {"payload": gate["media"], "client_scan_id": "b-after", "scanned_at": after},
        {"payload": gate["media"], "client_scan_id": "b-undated"},
        {"payload": gate["media"], "client_scan_id": "b-broken", "scanned_at": "soon"},
        {"payload": gate["guest"], "client_scan_id": "queued", "scanned_at": before},
    ]}, BATCH, **{"Accept-Language": "en"})
    assert batch.status_code == 200
    answers = batch.json["answers"]
    assert answers[0]["result"] == "admitted" and answers[4]["repeated"]
    assert [sorted(answer.get("errors", {})) for answer in answers] == [[], ["token"], ["token"], ["scanned_at"], []]
    assert "unpaired" in answers[1]["errors"]["token"]
    recorded = scans(app)
    assert [scan.client_scan_id for scan in recorded] == ["queued", "b-before"]
    assert {(scan.checkpoint_id, scan.device_id) for scan in recorded} == {(gate["desk"], gate["device_a"])}
    headers = {"Authorization": f"Bearer {gate['a']}"}
    assert client.get("/api/v1/checkin/snapshot", headers=headers).status_code == 401
    assert client.get(f"/api/v1/checkin/photos/{gate['guest_id']}", headers=headers).status_code == 401


def test_an_unpaired_token_with_a_malformed_body_hears_what_is_wrong(client, gate, app):
    with app.app_context():
        services.unpair(db.session.get(ScannerDevice, gate["device_a"]))
        db.session.commit()
    assert post(client, gate["a"], {"payload": 5, "client_scan_id": "x"}).status_code == 422
    assert post(client, "cd_never-paired", {"payload": 5, "client_scan_id": "x"}).status_code == 401
    assert post(client, "cd_never-paired", {"scans": []}, BATCH).status_code == 401


# 8. Each phone's queue and last sync -------------------------------------------------------


def _health(app, device_id):
    with app.app_context():
        device = db.session.get(ScannerDevice, device_id)
        return device.unsent, device.last_sync_at


def test_the_phone_reports_its_unsent_scans_and_a_successful_call_is_its_last_sync(app, client, gate):
    assert _health(app, gate["device_a"]) == (None, None)
    post(client, gate["a"], {"payload": gate["guest"], "client_scan_id": "q1"}, **{"X-Scanner-Queue": "3"})
    unsent, synced = _health(app, gate["device_a"])
    assert unsent == 3 and synced > datetime.now(UTC) - timedelta(minutes=1)
    for bad in ("", "abc", "-1", "1e3", "3.0", " ", "３", "99999999999999999999", "1" * 5000, "0x10"):
        answer = post(client, gate["a"], {"payload": gate["guest"], "client_scan_id": f"bad-{len(bad)}"}, **{"X-Scanner-Queue": bad})
        assert answer.status_code == 200
        assert _health(app, gate["device_a"])[0] == 3
    post(client, gate["a"], {"scans": []}, BATCH, **{"X-Scanner-Queue": "0"})
    assert _health(app, gate["device_a"])[0] == 0
    with app.app_context():
        db.session.execute(update(ScannerDevice).values(last_sync_at=None))
        db.session.commit()
    services.forget_gates()
    # A refused call is no sync, whatever its header says about the queue.
    assert post(client, gate["b"], {"payload": 5, "client_scan_id": "x"}, **{"X-Scanner-Queue": "7"}).status_code == 422
    assert _health(app, gate["device_b"]) == (7, None)
    snapshot = client.get("/api/v1/checkin/snapshot", headers={"Authorization": f"Bearer {gate['b']}", "X-Scanner-Queue": "2"})
    assert snapshot.status_code == 200
    assert _health(app, gate["device_b"])[0] == 2 and _health(app, gate["device_b"])[1] is not None


def test_the_health_is_written_only_when_it_changed_or_has_grown_old(app, client, gate, monkeypatch):
    """One cheap write, and not at every scan of a busy door."""
    monkeypatch.setattr(services, "GATE_SECONDS", 3600)  # the token and the rules stay in memory however slow the machine
    post(client, gate["a"], {"payload": gate["guest"], "client_scan_id": "w1"}, **{"X-Scanner-Queue": "2"})
    _unsent, first = _health(app, gate["device_a"])
    statements = []
    with app.app_context():
        engine = db.engine
    listen = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listen)
    try:
        post(client, gate["a"], {"payload": gate["media"], "client_scan_id": "w2"}, **{"X-Scanner-Queue": "2"})
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    assert statements == []  # the scan's own connection did all of it, and no health write was due
    assert _health(app, gate["device_a"]) == (2, first)
    post(client, gate["a"], {"payload": gate["media"], "client_scan_id": "w3"}, **{"X-Scanner-Queue": "5"})
    assert _health(app, gate["device_a"])[0] == 5
    monkeypatch.setattr(services, "SYNC_WRITE_SECONDS", 0)
    post(client, gate["a"], {"payload": gate["media"], "client_scan_id": "w4"}, **{"X-Scanner-Queue": "5"})
    assert _health(app, gate["device_a"])[1] > first


def test_the_device_list_shows_each_phones_queue_and_last_sync_and_flags_the_stuck_ones(app, client, gate):
    post(client, gate["a"], {"payload": gate["guest"], "client_scan_id": "l1"}, **{"X-Scanner-Queue": "0"})
    with app.app_context():
        desk = checkpoint_by_code(get_edition(2023), "DEMO-DESK")
        quiet, _token = services.pair_now(desk, "phone C")
        quiet.unsent, quiet.last_sync_at = 0, datetime(2023, 7, 18, 1, 2, tzinfo=UTC)
        stuck, _token = services.pair_now(desk, "phone D")
        stuck.unsent, stuck.last_sync_at = 12, datetime.now(UTC)
        silent, _token = services.pair_now(desk, "phone E")
        silent.paired_at = datetime.now(UTC) - timedelta(minutes=10)
        gone, _token = services.pair_now(desk, "phone F")
        gone.unsent, gone.last_sync_at = 4, datetime.now(UTC) - timedelta(hours=1)
        services.unpair(gone)
        db.session.commit()
    login(client, make_user(app, "organizer"))
    page = client.get("/editions/2023/checkin/devices").get_data(as_text=True)
    rows = {name: row for row in re.findall(r"<tr[^>]*>.*?</tr>", page, re.S)
            for name in ("phone A", "phone B", "phone C", "phone D", "phone E", "phone F") if f"<td>{name}</td>" in row}
    # A: synced just now with nothing waiting; B: paired a moment ago, nothing to say yet.
    assert all('class="bad"' not in rows[name] for name in ("phone A", "phone B"))
    # C: silent for long; D: scans waiting; E: paired ten minutes ago, never synced; F: unpaired with scans waiting.
    assert all('class="bad"' in rows[name] for name in ("phone C", "phone D", "phone E", "phone F"))
    assert "2023-07-18 09:02" in rows["phone C"]  # the edition's local time
    assert ">12<" in rows["phone D"] and ">4<" in rows["phone F"]
