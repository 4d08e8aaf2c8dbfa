"""The scanner page in Chromium: the offline rule against the shared vectors, a handheld
scanner, the camera (Chromium's fake camera showing a real badge QR), and ten scans while
offline that reach the server once each when the network returns."""

import json
from pathlib import Path

import pytest
import qrcode
from playwright.sync_api import expect
from sqlalchemy import func, select

from conference.badges import services as badges
from conference.checkin import services
from conference.checkin.models import Scan
from conference.extensions import db
from conference.venues.services import checkpoint_by_code
from tests.conftest import badged_demo, launch_chromium

pytestmark = pytest.mark.browser
VECTORS = json.loads((Path(__file__).parent.parent / "checkin" / "vectors.json").read_text(encoding="utf-8"))["cases"]
NAMES = ["林晓梅", "陈志明", "王芳", "李娜", "张伟", "刘洋", "黄磊", "周杰", "吴敏", "郑爽", "孙丽"]


@pytest.fixture
def desk(app):
    """The rehearsal desk, eleven people with badges, and a pairing code for a phone."""
    with app.app_context():
        edition, issued = badged_demo([(name[0], name[1:], "guest") for name in NAMES])
        checkpoint = checkpoint_by_code(edition, "DEMO-DESK")
        services.save_rule(checkpoint, [], [], None, None, None, "entry", True)
        device, code = services.add_device(checkpoint, "测试手机")
        db.session.commit()
        return {"payloads": [badges.payload(badge) for badge in issued], "code": code, "checkpoint": checkpoint.id}


def scans_recorded(app, ids=None) -> int:
    with app.app_context():
        query = select(func.count(Scan.id))
        if ids is not None:
            query = query.where(Scan.client_scan_id.in_(ids))
        return db.session.execute(query).scalar_one()


def paired_page(context, live_server, code):
    page = context.new_page()
    page.goto(f"{live_server.url}/scan/?pair={code}")
    expect(page.locator("#checkpoint-code")).to_have_text("DEMO-DESK")
    return page


def wedge(page, text):
    """A handheld scanner in keyboard mode: the characters, then Enter."""
    page.locator("#wedge").press_sequentially(text, delay=0)
    page.keyboard.press("Enter")


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
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    page = paired_page(context, live_server, desk["code"])
    expect(page.locator("#wedge")).to_be_focused()
    wedge(page, desk["payloads"][0])
    answer = page.locator("#answer")
    expect(answer).to_have_attribute("data-result", "admitted")
    expect(answer).to_have_class("answer green")
    expect(page.locator("#answer-word")).to_have_text("允许入场")
    expect(page.locator("#answer-name")).to_have_text(NAMES[0])
    expect(page.locator("#wedge")).to_be_focused()  # the next badge can come at once
    wedge(page, desk["payloads"][0])
    expect(answer).to_have_attribute("data-result", "already_inside")
    expect(answer).to_have_class("answer amber")
    forged = desk["payloads"][1][:-6] + ("A" if desk["payloads"][1][-6] != "A" else "B") + desk["payloads"][1][-5:]
    wedge(page, forged)
    expect(answer).to_have_attribute("data-result", "invalid")
    expect(answer).to_have_class("answer red")
    expect(page.locator("#answer-reason")).to_contain_text("签名")
    expect(page.locator("#recent li")).to_have_count(3)
    assert scans_recorded(app) == 3
    context.close()


def _camera_video(payload: str, path: Path) -> None:
    """A few seconds of 640×480 video of the badge's QR code, in Y4M for Chromium's fake camera."""
    image = qrcode.make(payload, error_correction=qrcode.constants.ERROR_CORRECT_Q, box_size=8, border=4).get_image()
    image = image.convert("L")
    width, height = 640, 480
    frame = bytearray([235]) * (width * height)
    left, top = (width - image.width) // 2, (height - image.height) // 2
    pixels = image.tobytes()
    for row in range(image.height):
        start = (top + row) * width + left
        frame[start:start + image.width] = pixels[row * image.width:(row + 1) * image.width]
    chroma = bytes([128]) * (width * height // 2)
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _frame in range(20):
            out.write(b"FRAME\n" + bytes(frame) + chroma)


def test_the_camera_reads_a_real_badge_qr(app, playwright, live_server, desk, tmp_path):
    video = tmp_path / "badge.y4m"
    _camera_video(desk["payloads"][2], video)
    chromium = launch_chromium(playwright, "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
                               f"--use-file-for-fake-video-capture={video}")
    try:
        context = chromium.new_context(locale="en", permissions=["camera"])
        page = paired_page(context, live_server, desk["code"])
        answer = page.locator("#answer")
        expect(answer).to_have_attribute("data-result", "admitted", timeout=15000)
        expect(page.locator("#answer-word")).to_have_text("ADMITTED")
        expect(page.locator("#answer-name")).to_have_text(NAMES[2])
    finally:
        chromium.close()
    assert scans_recorded(app) == 1  # the camera saw the badge many times; it was scanned once


def test_ten_scans_offline_reach_the_server_once_each(app, browser, live_server, desk):
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
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
    wedge(page, desk["payloads"][0])  # the first one again: this phone knows they are inside
    expect(answer).to_have_attribute("data-result", "already_inside")
    expect(page.locator("#banner")).to_contain_text("11")
    assert scans_recorded(app) == 0
    context.set_offline(False)
    expect(page.locator("#banner")).to_be_hidden(timeout=15000)
    context.close()
    assert scans_recorded(app) == 11
    with app.app_context():
        admitted = db.session.execute(select(Scan.badge_id, Scan.result, Scan.offline_result).order_by(Scan.id)).all()
    assert [row.result for row in admitted] == ["admitted"] * 10 + ["already_inside"]
    assert len({row.badge_id for row in admitted}) == 10
    assert all(row.offline_result == row.result for row in admitted)
