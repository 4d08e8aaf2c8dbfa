"""The scanner page in Chromium: the offline rule against the shared vectors; a handheld
scanner; the camera (Chromium's fake camera showing a vCard, then a real badge); one badge, one
answer; refusals that are not "offline"; a queue that always drains, each scan with the token it
was made with; offline decisions that survive a reload; exit screens; the Latin name in English.

Time on the page is driven with Playwright's clock where a rule counts seconds: no test sleeps."""

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
import qrcode
from playwright.sync_api import expect
from sqlalchemy import select

from conference.badges import services as badges
from conference.checkin import services
from conference.checkin.models import Scan, ScannerDevice
from conference.extensions import db
from conference.venues.services import checkpoint_by_code
from tests.conftest import badged_demo, launch_chromium

pytestmark = pytest.mark.browser
VECTORS = json.loads((Path(__file__).parent.parent / "checkin" / "vectors.json").read_text(encoding="utf-8"))["cases"]
NAMES = ["林晓梅", "陈志明", "王芳", "李娜", "张伟", "刘洋", "黄磊", "周杰", "吴敏", "郑爽", "孙丽"]
LATIN = ["Xiaomei Lin", "Zhiming Chen", "Fang Wang"]  # as printed on their badges
PHONE = {"width": 390, "height": 844}
VCARD = ("BEGIN:VCARD\nVERSION:3.0\nN:Lin;Xiaomei;;;\nFN:Xiaomei Lin\nORG:Example Networks Ltd.\n"
         "TITLE:Director of Marketing\nTEL;TYPE=CELL:+86 138 0000 0000\nEMAIL:xiaomei.lin@example.com\n"
         "ADR;TYPE=WORK:;;8 Guanri Road;Xiamen;Fujian;361008;China\nURL:https://example.com/\nEND:VCARD")


def _desk(app, mode="entry"):
    """The rehearsal desk, eleven people with badges, a pairing code for a phone there and one
    for a phone at the news centre."""
    with app.app_context():
        edition, issued = badged_demo([(name[0], name[1:], "guest") for name in NAMES])
        for badge, latin in zip(issued, LATIN, strict=False):
            badge.person.name_latin = latin
        desk = checkpoint_by_code(edition, "DEMO-DESK")
        press = checkpoint_by_code(edition, "CC-PRESS")
        services.save_rule(desk, [], [], None, None, None, mode, True)
        device, code = services.add_device(desk, "测试手机")
        _other, press_code = services.add_device(press, "新闻中心手机")
        db.session.commit()
        return {"payloads": [badges.payload(badge) for badge in issued], "badge_ids": [badge.id for badge in issued],
                "code": code, "checkpoint": desk.id, "device": device.id, "press_code": press_code, "press": press.id}


@pytest.fixture
def desk(app):
    return _desk(app)


@pytest.fixture
def door(app):
    """The same desk as an entrance and exit."""
    return _desk(app, mode="both")


def recorded(app) -> list:
    with app.app_context():
        return db.session.execute(select(Scan).order_by(Scan.id)).scalars().all()


def paired_page(context, live_server, code):
    page = context.new_page()
    page.goto(f"{live_server.url}/scan/?pair={code}")
    expect(page.locator("#checkpoint-code")).not_to_have_text("—")
    return page


def wedge(page, text):
    """A handheld scanner in keyboard mode: the characters, then Enter."""
    page.locator("#wedge").press_sequentially(text, delay=0)
    page.keyboard.press("Enter")


def pause(context, page):
    """From now on the page's time moves only when the test says so."""
    context.clock.pause_at(datetime.fromtimestamp(page.evaluate("Date.now()") / 1000 + 1, UTC))


def waiting(page, count):
    expect(page.locator("#sync")).to_have_attribute("data-waiting", str(count), timeout=15000)


def test_the_pages_offline_rule_answers_every_shared_vector(browser, live_server):
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{live_server.url}/scan/")
    answers = page.evaluate("""async (cases) => {
        const out = [];
        for (const c of cases) {
            const snapshot = JSON.parse(JSON.stringify(c.snapshot));
            const d = await CheckinDecide.decide(snapshot, c.payload, c.kind, Date.parse(c.at));
            out.push({result: d.result, why: d.why});
        }
        return out;
    }""", VECTORS)
    context.close()
    assert [{"name": c["name"], **a} for c, a in zip(VECTORS, answers, strict=True)] == \
           [{"name": c["name"], **c["expect"]} for c in VECTORS]


def test_a_handheld_scanner_types_the_badge_and_enter(app, browser, live_server, desk):
    context = browser.new_context(locale="zh-CN", viewport=PHONE)
    context.clock.install()
    page = paired_page(context, live_server, desk["code"])
    pause(context, page)
    expect(page.locator("#wedge")).to_be_focused()
    wedge(page, desk["payloads"][0])
    answer = page.locator("#answer")
    expect(answer).to_have_attribute("data-result", "admitted")
    expect(answer).to_have_class("answer green")
    expect(page.locator("#answer-word")).to_have_text("允许入场")
    expect(page.locator("#answer-name")).to_have_text(NAMES[0])
    expect(page.locator("#wedge")).to_be_focused()  # the next badge can come at once
    wedge(page, desk["payloads"][0])  # a scanner in presentation mode sends it again: ignored
    expect(page.locator("#same-badge")).to_be_visible()
    context.clock.fast_forward(2900)
    wedge(page, desk["payloads"][0])  # …for three seconds after the last time it came
    expect(page.locator("#same-badge")).to_be_visible()
    expect(page.locator("#recent li")).to_have_count(1)
    assert len(recorded(app)) == 1
    context.clock.fast_forward(3100)
    wedge(page, desk["payloads"][0])
    expect(answer).to_have_attribute("data-result", "already_inside")
    expect(answer).to_have_class("answer amber")
    wedge(page, desk["payloads"][0])
    expect(page.locator("#same-badge")).to_be_visible()
    page.locator("#answer-again").click()  # the volunteer wants it counted once more
    expect(answer).to_be_hidden()
    wedge(page, desk["payloads"][0])
    expect(page.locator("#recent li")).to_have_count(3)
    forged = desk["payloads"][1][:-6] + ("A" if desk["payloads"][1][-6] != "A" else "B") + desk["payloads"][1][-5:]
    wedge(page, forged)
    expect(answer).to_have_attribute("data-result", "invalid")
    expect(answer).to_have_class("answer red")
    expect(page.locator("#answer-reason")).to_contain_text("签名")
    expect(page.locator("#recent li")).to_have_count(4)
    assert [scan.result for scan in recorded(app)] == ["admitted", "already_inside", "already_inside", "invalid"]
    context.close()


def _camera_video(path: Path, *shots: tuple[str | None, int], fps: int = 10) -> None:
    """Chromium's fake camera in Y4M: for each shot, a QR code of its text (or nothing) for
    that many frames. The camera plays it in a loop."""
    width, height = 480, 360
    chroma = bytes([128]) * (width * height // 2)
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F{fps}:1 Ip A1:1 C420jpeg\n".encode())
        for text, frames in shots:
            frame = bytearray([235]) * (width * height)
            if text is not None:
                code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
                code.add_data(text)
                code.make(fit=True)
                code.box_size = min(8, (height - 20) // (code.modules_count + 8))
                image = code.make_image().get_image().convert("L")
                left, top = (width - image.width) // 2, (height - image.height) // 2
                pixels = image.tobytes()
                for row in range(image.height):
                    start = (top + row) * width + left
                    frame[start:start + image.width] = pixels[row * image.width:(row + 1) * image.width]
            out.write((b"FRAME\n" + bytes(frame) + chroma) * frames)


def _camera(playwright, video: Path):
    return launch_chromium(playwright, "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
                           f"--use-file-for-fake-video-capture={video}")


def test_a_vcard_is_refused_on_the_phone_then_the_badge_is_admitted_online(app, playwright, live_server, desk, tmp_path):
    video = tmp_path / "vcard-then-badge.y4m"
    _camera_video(video, (VCARD, 20), (None, 10), (desk["payloads"][2], 100))
    chromium = _camera(playwright, video)
    try:
        context = chromium.new_context(locale="en", permissions=["camera"], viewport=PHONE)
        page = paired_page(context, live_server, desk["code"])
        answer = page.locator("#answer")
        expect(answer).to_have_attribute("data-result", "not_a_badge", timeout=15000)
        expect(answer).to_have_class("answer red")
        expect(page.locator("#answer-word")).to_have_text("NOT A BADGE")
        expect(page.locator("#answer-reason")).to_have_text("This code is not a conference badge.")
        waiting(page, 0)
        expect(answer).to_have_attribute("data-result", "admitted", timeout=15000)
        expect(page.locator("#answer-word")).to_have_text("ADMITTED")
        expect(page.locator("#answer-name")).to_have_text(LATIN[2])
        expect(page.locator("#answer-note")).to_be_empty()  # the server's answer, not the phone's
        expect(page.locator("#recent li")).to_have_count(2)
        waiting(page, 0)
        expect(page.locator("#banner")).to_be_hidden()
    finally:
        chromium.close()
    scans = recorded(app)
    assert [(scan.badge_id, scan.result, scan.offline_result) for scan in scans] == \
           [(desk["badge_ids"][2], "admitted", None)]


SHOW_NOTHING = """() => {
    const video = document.getElementById("video");
    window.heldCamera = window.heldCamera || video.srcObject;
    const blank = document.createElement("canvas");
    blank.width = 480; blank.height = 360;
    const paint = blank.getContext("2d");
    paint.fillStyle = "#eee"; paint.fillRect(0, 0, 480, 360);
    video.srcObject = blank.captureStream();
    return video.play();
}"""
SHOW_BADGE_AGAIN = """() => {
    const video = document.getElementById("video");
    video.srcObject = window.heldCamera;
    return video.play();
}"""


def test_one_badge_held_in_view_is_one_scan(app, playwright, live_server, desk, tmp_path):
    video = tmp_path / "badge.y4m"
    _camera_video(video, (desk["payloads"][0], 10))
    chromium = _camera(playwright, video)
    try:
        context = chromium.new_context(locale="zh-CN", permissions=["camera"], viewport=PHONE)
        context.clock.install()
        page = paired_page(context, live_server, desk["code"])
        answer = page.locator("#answer")
        expect(answer).to_have_attribute("data-result", "admitted", timeout=15000)
        pause(context, page)

        def camera_sees(step_ms, total_ms):
            for _ in range(total_ms // step_ms):
                context.clock.run_for(step_ms)

        def badge_back():
            page.evaluate(SHOW_BADGE_AGAIN)
            expect(page.locator("#video")).to_have_js_property("readyState", 4)  # HAVE_ENOUGH_DATA

        camera_sees(1000, 12000)  # twelve seconds in front of the camera
        expect(page.locator("#same-badge")).to_be_visible()
        expect(page.locator("#recent li")).to_have_count(1)
        expect(answer).to_be_hidden()
        assert len(recorded(app)) == 1

        page.locator("#scan-again").click()
        camera_sees(100, 300)
        expect(answer).to_have_attribute("data-result", "already_inside")
        expect(page.locator("#recent li")).to_have_count(2)

        page.evaluate(SHOW_NOTHING)  # looked away for 1.3 s: the same presentation
        camera_sees(100, 1300)
        badge_back()
        camera_sees(100, 500)
        expect(page.locator("#same-badge")).to_be_visible()  # seen again, and not counted
        expect(page.locator("#recent li")).to_have_count(2)

        page.evaluate(SHOW_NOTHING)  # taken away for 1.6 s: a new presentation
        camera_sees(100, 1600)
        badge_back()
        camera_sees(100, 300)
        expect(page.locator("#recent li")).to_have_count(3)

        camera_sees(1000, 10000)  # held ten seconds more, then a glance away counts again
        expect(page.locator("#recent li")).to_have_count(3)
        page.evaluate(SHOW_NOTHING)
        camera_sees(100, 500)
        badge_back()
        camera_sees(100, 300)
        expect(page.locator("#recent li")).to_have_count(4)
        waiting(page, 0)
    finally:
        chromium.close()
    assert [scan.result for scan in recorded(app)] == ["admitted"] + ["already_inside"] * 3


def test_ten_scans_offline_reach_the_server_once_each(app, browser, live_server, desk):
    context = browser.new_context(locale="zh-CN", viewport=PHONE)
    page = paired_page(context, live_server, desk["code"])
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    context.set_offline(True)
    page.reload()  # the service worker serves the page; IndexedDB still holds the snapshot
    expect(page.locator("#checkpoint-code")).to_have_text("DEMO-DESK")
    answer = page.locator("#answer")
    for index, payload in enumerate(desk["payloads"][:10]):
        wedge(page, payload)
        expect(answer).to_have_attribute("data-result", "admitted")
        expect(page.locator("#answer-name")).to_have_text(NAMES[index])
        expect(page.locator("#answer-note")).not_to_be_empty()
    page.locator("#scan-again").click()
    wedge(page, desk["payloads"][0])  # the first one again: this phone knows they are inside
    expect(answer).to_have_attribute("data-result", "already_inside")
    waiting(page, 11)
    expect(page.locator("#sync-waiting")).to_contain_text("11")
    assert recorded(app) == []
    context.set_offline(False)
    waiting(page, 0)
    expect(page.locator("#banner")).to_be_hidden(timeout=15000)
    context.close()
    scans = recorded(app)
    assert [scan.result for scan in scans] == ["admitted"] * 10 + ["already_inside"]
    assert len({scan.badge_id for scan in scans}) == 10
    assert all(scan.offline_result == scan.result and not scan.conflict for scan in scans)


def test_a_reload_offline_keeps_the_phones_own_admissions(app, browser, live_server, desk):
    context = browser.new_context(locale="zh-CN", viewport=PHONE)
    page = paired_page(context, live_server, desk["code"])
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    answer = page.locator("#answer")
    wedge(page, desk["payloads"][0])  # online
    expect(answer).to_have_attribute("data-result", "admitted")
    expect(page.locator("#answer-note")).to_be_empty()
    context.set_offline(True)
    wedge(page, desk["payloads"][1])  # offline
    expect(answer).to_have_attribute("data-result", "admitted")
    expect(page.locator("#answer-note")).not_to_be_empty()
    page.reload()
    expect(page.locator("#checkpoint-code")).to_have_text("DEMO-DESK")
    waiting(page, 1)
    for payload in desk["payloads"][:2]:
        wedge(page, payload)
        expect(answer).to_have_attribute("data-result", "already_inside")
        expect(answer).to_have_class("answer amber")
    waiting(page, 3)
    context.set_offline(False)
    waiting(page, 0)
    context.close()
    scans = recorded(app)
    assert [(scan.badge_id, scan.result, scan.offline_result, scan.conflict) for scan in scans] == [
        (desk["badge_ids"][0], "admitted", None, False),
        (desk["badge_ids"][1], "admitted", "admitted", False),
        (desk["badge_ids"][0], "already_inside", "already_inside", False),
        (desk["badge_ids"][1], "already_inside", "already_inside", False),
    ]


def test_a_refusal_is_that_scans_answer_and_a_401_says_the_phone_is_unpaired(app, browser, live_server, desk):
    context = browser.new_context(locale="zh-CN", viewport=PHONE)
    page = paired_page(context, live_server, desk["code"])
    answer = page.locator("#answer")

    page.route("**/api/v1/checkin/scans", lambda route: route.fulfill(status=503, body="busy"), times=1)
    wedge(page, desk["payloads"][0])  # the server cannot answer: decided here, queued
    expect(answer).to_have_attribute("data-result", "admitted")
    expect(page.locator("#answer-note")).not_to_be_empty()
    expect(page.locator("#banner")).to_have_class("banner offline")
    waiting(page, 1)
    page.evaluate("scannerPage.flush()")
    waiting(page, 0)
    expect(page.locator("#banner")).to_be_hidden()

    page.route("**/api/v1/checkin/scans", lambda route: route.fulfill(
        status=422, json={"errors": {"payload": "这个码不能在这里使用。"}}), times=1)
    wedge(page, desk["payloads"][1])  # a 4xx: this scan's refusal, not "offline"
    expect(answer).to_have_attribute("data-result", "refused")
    expect(answer).to_have_class("answer red")
    expect(page.locator("#answer-word")).to_have_text("未受理")
    expect(page.locator("#answer-reason")).to_have_text("这个码不能在这里使用。")
    expect(page.locator("#banner")).to_be_hidden()
    waiting(page, 0)

    with app.app_context():
        services.unpair(db.session.get(ScannerDevice, desk["device"]))
        db.session.commit()
    wedge(page, desk["payloads"][2])
    expect(answer).to_have_attribute("data-result", "not_paired")
    expect(page.locator("#answer-word")).to_have_text("未配对")
    expect(page.locator("body")).to_have_class(re.compile(r"\bunpaired\b"))
    expect(page.locator("#pairing-error")).to_contain_text("解除")
    waiting(page, 0)
    context.close()
    assert [(scan.badge_id, scan.result) for scan in recorded(app)] == [(desk["badge_ids"][0], "admitted")]


def test_the_queue_drains_item_by_item_and_tells_the_server_how_much_waits(app, browser, live_server, desk):
    context = browser.new_context(locale="zh-CN", viewport=PHONE)
    calls = []  # each call to the API, and how many scans the phone said were waiting

    def heard(route):
        calls.append((route.request.url.rsplit("/", 1)[1], route.request.headers.get("x-scanner-queue")))

    context.route("**/api/v1/checkin/**", lambda route: (heard(route), route.fallback()))
    page = paired_page(context, live_server, desk["code"])
    expect(page.locator("#sync-last")).to_contain_text("上次同步")
    context.set_offline(True)
    for payload in desk["payloads"][:3]:
        wedge(page, payload)
        expect(page.locator("#answer-note")).not_to_be_empty()
    waiting(page, 3)

    def per_item(route):  # the server's contract: one answer per item, in order
        heard(route)
        items = json.loads(route.request.post_data)["scans"]
        answers = [{"client_scan_id": item["client_scan_id"], "result": item["offline_result"], "why": "", "reason": "",
                    "person": None, "scan_id": index + 1, "repeated": False, "conflict": False}
                   for index, item in enumerate(items)]
        answers[1] = {"client_scan_id": items[1]["client_scan_id"], "errors": {"scanned_at": "扫码时间不可信。"}}
        route.fulfill(json={"answers": answers})

    page.route("**/api/v1/checkin/scans:batch", per_item)
    context.set_offline(False)
    waiting(page, 0)
    refused = page.locator("#recent li.r-refused")
    expect(refused).to_have_count(1)
    expect(refused).to_contain_text(NAMES[1])
    expect(refused).to_contain_text("扫码时间不可信。")
    page.unroute("**/api/v1/checkin/scans:batch")

    context.set_offline(True)
    wedge(page, desk["payloads"][3])
    waiting(page, 1)
    page.route("**/api/v1/checkin/scans:batch", lambda route: (heard(route), route.fulfill(status=502, body="bad gateway")))
    context.set_offline(False)
    page.evaluate("scannerPage.flush()")  # resolves when the attempt is over
    expect(page.locator("#banner")).to_have_class("banner offline")
    waiting(page, 1)  # the server could not answer: kept
    page.route("**/api/v1/checkin/scans:batch", lambda route: (heard(route), route.fulfill(
        status=422, json={"errors": {"scans": "无法读取。"}})))  # over the 502, which an attempt under way may meet
    page.evaluate("scannerPage.flush().then(() => scannerPage.flush())")
    waiting(page, 0)  # the server refused the whole batch: refused, and the queue is empty
    expect(refused).to_have_count(2)
    expect(refused.first).to_contain_text("无法读取。")
    context.close()
    assert recorded(app) == []  # every batch was answered by the routes above
    assert calls[0] == ("pair", "0")
    batches = [count for name, count in calls if name == "scans:batch"]
    assert batches[0] == "3" and set(batches[1:]) == {"1"}  # the 502 may be retried before the 422
    assert all(count is not None for _name, count in calls)


def test_scans_queued_before_pairing_again_keep_their_token_and_checkpoint(app, browser, live_server, desk):
    context = browser.new_context(locale="zh-CN", viewport=PHONE)
    page = paired_page(context, live_server, desk["code"])
    first_token = page.evaluate("localStorage.getItem('checkin.device-token')")
    sent_with = []
    page.route("**/api/v1/checkin/scans:batch", lambda route: (
        sent_with.append(route.request.headers["authorization"]), route.fallback()))
    context.set_offline(True)
    for payload in desk["payloads"][:2]:
        wedge(page, payload)
        expect(page.locator("#answer-note")).not_to_be_empty()
    waiting(page, 2)
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#forget").click()  # it tries to send them first, and says how many remain
    expect(page.locator("body")).to_have_class(re.compile(r"\bunpaired\b"))
    expect(page.locator("#pairing-error")).to_contain_text("2")
    waiting(page, 2)

    page.route("**/api/v1/checkin/scans:batch", lambda route: route.abort())  # the queue cannot leave yet
    context.set_offline(False)
    page.goto(f"{live_server.url}/scan/?pair={desk['press_code']}")
    expect(page.locator("#checkpoint-code")).to_have_text("CC-PRESS")
    waiting(page, 2)
    page.unroute("**/api/v1/checkin/scans:batch")
    page.route("**/api/v1/checkin/scans:batch", lambda route: (
        sent_with.append(route.request.headers["authorization"]), route.fallback()))
    page.evaluate("scannerPage.flush()")
    waiting(page, 0)
    wedge(page, desk["payloads"][2])  # a scan of the new pairing, online
    expect(page.locator("#answer")).to_have_attribute("data-result", "admitted")
    context.close()
    assert sent_with and set(sent_with) == {f"Bearer {first_token}"}  # tried offline at unpairing, then sent
    with app.app_context():
        press_device = db.session.execute(select(ScannerDevice.id).where(ScannerDevice.checkpoint_id == desk["press"])).scalar_one()
    assert [(scan.badge_id, scan.checkpoint_id, scan.device_id) for scan in recorded(app)] == [
        (desk["badge_ids"][0], desk["checkpoint"], desk["device"]),
        (desk["badge_ids"][1], desk["checkpoint"], desk["device"]),
        (desk["badge_ids"][2], desk["press"], press_device),
    ]


def test_scans_made_after_the_phone_was_unpaired_are_refused_and_leave_the_queue(app, browser, live_server, desk):
    context = browser.new_context(locale="zh-CN", viewport=PHONE)
    page = paired_page(context, live_server, desk["code"])
    context.set_offline(True)
    with app.app_context():  # the organizer unpairs the phone; offline, it does not know yet
        services.unpair(db.session.get(ScannerDevice, desk["device"]))
        db.session.commit()
    for payload in desk["payloads"][:2]:
        wedge(page, payload)
        expect(page.locator("#answer-note")).not_to_be_empty()
    waiting(page, 2)
    page.route("**/api/v1/checkin/scans:batch", lambda route: route.abort())  # sent only after pairing again
    context.set_offline(False)
    page.goto(f"{live_server.url}/scan/?pair={desk['press_code']}")
    expect(page.locator("#checkpoint-code")).to_have_text("CC-PRESS")
    waiting(page, 2)
    page.unroute("**/api/v1/checkin/scans:batch")
    page.evaluate("scannerPage.flush()")
    waiting(page, 0)
    refused = page.locator("#recent li.r-refused")
    expect(refused).to_have_count(2)
    expect(refused.first).to_contain_text("DEMO-DESK")  # made at the checkpoint of the old pairing
    expect(refused.first).to_contain_text(NAMES[1])
    expect(page.locator("body")).not_to_have_class(re.compile(r"\bunpaired\b"))  # the new pairing stays
    expect(page.locator("#checkpoint-code")).to_have_text("CC-PRESS")
    context.close()
    assert recorded(app) == []


def test_exits_look_like_exits_and_an_exit_without_an_entry_says_so(app, browser, live_server, door):
    context = browser.new_context(locale="zh-CN", viewport=PHONE)
    page = paired_page(context, live_server, door["code"])
    answer = page.locator("#answer")
    wedge(page, door["payloads"][0])
    expect(answer).to_have_class("answer green")
    page.locator("#modes button[data-kind=exit]").click()
    expect(page.locator("body")).to_have_attribute("data-kind", "exit")
    wedge(page, door["payloads"][0])
    expect(answer).to_have_attribute("data-result", "left")
    expect(answer).to_have_class("answer blue")
    expect(page.locator("#answer-word")).to_have_text("已登记离场")
    expect(page.locator("#answer-reason")).to_be_empty()
    wedge(page, door["payloads"][1])  # never came in
    expect(answer).to_have_attribute("data-why", "not_inside")
    expect(answer).to_have_class("answer blue caution")
    expect(page.locator("#answer-reason")).to_have_text("此证件在这里没有入场记录。")
    context.set_offline(True)
    wedge(page, door["payloads"][2])  # the phone's own rule says the same
    expect(answer).to_have_attribute("data-why", "not_inside")
    expect(page.locator("#answer-note")).not_to_be_empty()
    context.set_offline(False)
    waiting(page, 0)
    context.close()
    assert [(scan.kind, scan.result, scan.why) for scan in recorded(app)] == [
        ("entry", "admitted", ""), ("exit", "left", ""), ("exit", "left", "not_inside"), ("exit", "left", "not_inside")]


def test_the_english_screen_shows_the_latin_name_online_and_offline(app, browser, live_server, desk):
    context = browser.new_context(locale="en", viewport=PHONE)
    page = paired_page(context, live_server, desk["code"])
    wedge(page, desk["payloads"][0])
    expect(page.locator("#answer-name")).to_have_text(LATIN[0])
    expect(page.locator("#recent li").first).to_contain_text(LATIN[0])
    context.set_offline(True)
    wedge(page, desk["payloads"][1])
    expect(page.locator("#answer-note")).not_to_be_empty()
    expect(page.locator("#answer-name")).to_have_text(LATIN[1])
    context.close()


def test_the_service_worker_serves_the_page_when_the_server_answers_502(app, browser, live_server, desk):
    context = browser.new_context(locale="zh-CN", viewport=PHONE)
    page = paired_page(context, live_server, desk["code"])
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    context.route(f"{live_server.url}/scan/", lambda route: route.fulfill(status=502, body="Bad Gateway"))
    page.reload()
    expect(page.locator("#checkpoint-code")).to_have_text("DEMO-DESK")
    context.close()


FIRST_VERSION_QUEUE = """([token, payload]) => new Promise((resolve, reject) => {
    localStorage.setItem("checkin.device-token", token);
    const open = indexedDB.open("checkin", 1);
    open.onupgradeneeded = () => {
        open.result.createObjectStore("snapshot");
        open.result.createObjectStore("queue", {keyPath: "client_scan_id"});
    };
    open.onsuccess = () => {
        const tx = open.result.transaction("queue", "readwrite");
        tx.objectStore("queue").put({payload, client_scan_id: "queued-by-v1", scanned_at: new Date().toISOString(),
                                     kind: "entry", seq: 1, offline_result: "admitted"});
        tx.oncomplete = () => { open.result.close(); resolve(); };
        tx.onerror = () => reject(tx.error);
    };
})"""


def test_a_queue_left_by_the_previous_version_of_the_page_is_sent_with_the_phones_token(app, browser, live_server, desk):
    with app.app_context():
        _device, token = services.pair(desk["code"])
        db.session.commit()
    context = browser.new_context(locale="zh-CN", viewport=PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/static/css/scanner.css")  # the scanner's origin, before the update
    page.evaluate(FIRST_VERSION_QUEUE, [token, desk["payloads"][0]])
    page.goto(f"{live_server.url}/scan/")
    expect(page.locator("#checkpoint-code")).to_have_text("DEMO-DESK")
    waiting(page, 0)
    context.close()
    assert [(scan.client_scan_id, scan.badge_id, scan.device_id, scan.result) for scan in recorded(app)] == [
        ("queued-by-v1", desk["badge_ids"][0], desk["device"], "admitted")]
