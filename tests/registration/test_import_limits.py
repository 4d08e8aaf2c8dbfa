"""The Excel import under hostile files: bombs, broken workbooks, too many rows; and the files
kept between preview and confirmation, readable only by the app and gone when they expire."""

import io
import os
import stat
import time
import zipfile
from pathlib import Path

from openpyxl import load_workbook

from conference.core import spreadsheet
from conference.core.spreadsheet import workbook
from conference.registration import exchange
from tests.conftest import submit
from tests.registration.conftest import resident_id
from tests.registration.test_pages import _workbook

URL = "/editions/2023/registrations/import"


def _preview(client, data: bytes, lang: str = "en"):
    return submit(client, URL, {"category": "audience", "file": (io.BytesIO(data), "list.xlsx"), "confirm": "0"},
                  content_type="multipart/form-data", headers={"Accept-Language": lang})


def _file_error(response) -> str:
    html = response.get_data(as_text=True)
    assert 'id="file-error"' in html, html[-2000:]
    return html.split('id="file-error" role="alert">', 1)[1].split("<", 1)[0]


def _with_entry(data: bytes, name: str, content: bytes) -> bytes:
    """The workbook with one more file inside its zip."""
    buffer = io.BytesIO(data)
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, content)
    return buffer.getvalue()


def test_a_workbook_that_unpacks_to_more_than_50_mb_is_refused_before_it_is_opened(reg, organizer_client, monkeypatch):
    def never(*args, **kwargs):
        raise AssertionError("openpyxl opened a zip bomb")

    bomb = _with_entry(_workbook([["林", "晓梅"]]), "xl/media/padding.bin", bytes(51 * 1024 * 1024))
    assert len(bomb) < 200_000
    monkeypatch.setattr(spreadsheet, "load_workbook", never)
    assert _file_error(_preview(organizer_client, bomb)) == "The workbook unpacks to more than 50 MB; split it into smaller files."
    assert _file_error(_preview(organizer_client, bomb, "zh-CN")) == "该工作簿解压后超过 50 MB，请拆分为较小的文件。"


def test_a_broken_workbook_is_refused_clearly(reg, organizer_client):
    data = _workbook([["林", f"晓梅{i}", "", "", "", "", "居民身份证", resident_id(), ""] for i in range(3000)])
    middle = len(data) // 2
    for broken in (data[:middle], data[:middle] + data[middle + 50:], data[:middle] + bytes(50) + data[middle + 50:],
                   data[:200] + bytes(400) + data[600:]):
        assert _file_error(_preview(organizer_client, broken)) == "This is not an Excel .xlsx file we can read."


def test_at_most_20000_rows(reg, organizer_client):
    rows = [["林", "晓梅"]] * 20_001
    assert _file_error(_preview(organizer_client, _workbook(rows))) == "At most 20000 rows at a time."


def _kept(app) -> list[Path]:
    return sorted((Path(app.config["INSTANCE_DIR"]) / "imports").glob("*.xlsx"))


def test_kept_uploads_are_private_and_leave_on_confirm_cancel_or_expiry(app, reg, organizer_client):
    data = _workbook([["周", "立", "东南网", "主任", "zhou@example.org", "13912345678", "居民身份证", resident_id(serial="301"), ""]])
    _preview(organizer_client, data)
    [kept] = _kept(app)
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert stat.S_IMODE(kept.parent.stat().st_mode) == 0o700
    token = kept.stem
    cancelled = submit(organizer_client, URL, {"category": "audience", "upload": token, "confirm": "cancel"})
    assert cancelled.status_code == 302 and _kept(app) == []

    _preview(organizer_client, data)
    [stale] = _kept(app)
    hours_ago = time.time() - (exchange.UPLOAD_HOURS * 3600 + 60)
    os.utime(stale, (hours_ago, hours_ago))
    _preview(organizer_client, data)
    [fresh] = _kept(app)
    assert fresh != stale and not stale.exists()
    expired = submit(organizer_client, URL, {"category": "audience", "upload": stale.stem, "confirm": "1"})
    assert expired.status_code == 302
    assert submit(organizer_client, URL, {"category": "audience", "upload": fresh.stem, "confirm": "1"}).status_code == 302
    assert _kept(app) == []


def test_column_widths_reach_past_z():
    book = load_workbook(io.BytesIO(workbook("wide", [f"c{i}" for i in range(30)], [], list(range(10, 40)))))
    sheet = book.active
    assert (sheet.column_dimensions["Z"].width, sheet.column_dimensions["AA"].width, sheet.column_dimensions["AD"].width) == (35, 36, 39)
