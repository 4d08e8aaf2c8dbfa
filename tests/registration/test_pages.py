"""The registration form, the attendee's own page and the organizers' pages."""

import io
import json
import re

from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from conference.core.models import AuditEntry
from conference.editions.services import get_edition
from conference.extensions import db
from conference.people.models import Person
from conference.registration import services
from conference.registration.models import DataRequest, Registration, SeatBooking
from tests.conftest import csrf_token, login, make_user, submit
from tests.registration.conftest import resident_id, set_seats

FORM = {
    "category": "media", "invitation_code": "", "family_name": "陳", "given_name": "美玲",
    "organisation": "海峡之声广播电台", "title": "记者", "email": "chen@example.org", "phone": "+886 912 345 678",
    "id_type": "taiwan_permit", "id_number": "12345678", "nationality": "", "guardian_name": "",
    "notice_version": "1", "consent_privacy": "y", "consent_identity": "y",
}


def post_form(client, data, lang="zh-CN", **kwargs):
    return submit(client, "/register/2023/", data, headers={"Accept-Language": lang}, **kwargs)


def test_the_form_shows_the_notice_and_the_separate_consents(client, reg):
    for lang, words in [("zh-CN", ["隐私", "身份证件"]), ("zh-TW", ["隱私", "身份證件"]), ("en", ["Privacy notice", "identity document"])]:
        html = client.get("/register/2023/", headers={"Accept-Language": lang}).get_data(as_text=True)
        for word in words:
            assert word in html, (lang, word)
        assert html.count('type="checkbox" value="y"') >= 3  # privacy, identity, photo: each its own box
        assert "checked" not in html.split('name="consent_identity"')[0].rsplit("<input", 1)[-1]


def test_a_wrong_identity_number_comes_back_in_the_readers_language_with_the_values_kept(client, reg):
    for lang, message in [("zh-CN", "最后一位（校验码）不符"), ("zh-TW", "最後一位（校驗碼）不符"), ("en", "check digit")]:
        data = {**FORM, "id_type": "resident_id", "id_number": resident_id()[:-1] + ("0" if resident_id()[-1] != "0" else "1")}
        response = post_form(client, data, lang)
        html = response.get_data(as_text=True)
        assert response.status_code == 422
        assert message in html, lang
        assert 'value="陳"' in html and 'value="美玲"' in html and 'value="海峡之声广播电台"' in html
        assert 'value="+886 912 345 678"' in html


def test_a_registration_through_the_form_lands_on_the_private_page(app, client, reg):
    response = post_form(client, FORM)
    assert response.status_code == 302 and response.headers["Location"].startswith("/r/")
    page = client.get(response.headers["Location"], headers={"Accept-Language": "zh-CN"})
    html = page.get_data(as_text=True)
    assert "等待审核" in html and "陳美玲" in html
    assert "1234****" not in html and "12345678" not in html  # the number is masked
    assert page.headers["Cache-Control"] == "private, no-store"
    assert "noindex" in page.headers["X-Robots-Tag"]


def test_the_attendee_edits_cancels_downloads_and_asks_for_deletion(app, client, reg):
    session_id = set_seats(app, 3, 5)
    own = post_form(client, {**FORM, "sessions": str(session_id)}).headers["Location"]
    token = own.rsplit("/", 1)[1]
    edit = submit(client, f"{own}/edit", {**FORM, "organisation": "东南网", "sessions": str(session_id)})
    assert edit.status_code == 302
    with app.app_context():
        assert services.find_by_token(token).person.organisation == "东南网"
    data = json.loads(client.get(f"{own}/data.json").data)
    assert data["identity_document"]["number"] == "12345678"
    assert data["organisation"] == "东南网"
    csrf = csrf_token(client, f"{own}/cancel")  # the confirmation pages carry the forms
    assert client.post(f"{own}/requests", data={"csrf_token": csrf, "kind": "deletion"}).status_code == 302
    assert client.post(f"{own}/cancel", data={"csrf_token": csrf}).status_code == 302
    with app.app_context():
        registration = services.find_by_token(token)
        assert registration.status == "cancelled" and registration.deletion_requested_at
        assert db.session.execute(select(DataRequest.kind)).scalars().all() == ["deletion"]
        actions = db.session.execute(select(AuditEntry.action)).scalars().all()
        assert "pii.reveal" in actions  # the download read the sealed number, and says so
    assert client.get("/r/not-a-real-token").status_code == 404


def _many(app, count=60):
    with app.test_request_context():
        edition = get_edition(2023)
        names = [("张", "伟"), ("章", "薇"), ("王", "芳"), ("Smith", "Anna")]
        for index in range(count):
            family, given = names[index % len(names)]
            services.register(edition, services.RegistrationFields(
                category="media", family_name=family, given_name=given + ("" if index < 4 else str(index)),
                organisation="鹭江日报社" if index % 2 else "东南网", email=f"m{index}@example.org",
                phone="13812345678", id_type="resident_id", id_number=resident_id(serial=f"{index:03d}"),
                consents={"privacy_notice": 1, "identity_document": 1}), invited=index % 3 == 0)
        db.session.commit()


def test_the_list_searches_by_name_pinyin_initials_and_organisation(app, reg, organizer_client):
    _many(app)
    def names(**params):
        html = organizer_client.get("/editions/2023/registrations/", query_string=params).get_data(as_text=True)
        return re.findall(r'/registrations/\d+">([^<]+)</a>', html)

    assert "张伟" in names(q="张伟") and all(n.startswith("张伟") for n in names(q="张伟"))
    assert {"张伟", "章薇"} <= set(names(q="zhangwei")) | set(names(q="zhangw"))
    assert "张伟" in names(q="zw") and "章薇" in names(q="zw")
    assert all(n.startswith(("张", "章", "王", "Anna")) for n in names(organisation="东南网"))
    page_one = names()
    assert len(page_one) == 50  # 50 a page
    html = organizer_client.get("/editions/2023/registrations/").get_data(as_text=True)
    assert "3502**********" in html and "138****5678" in html
    assert resident_id(serial="001") not in html


def test_revealing_a_number_needs_the_permission_and_a_reason_and_is_audited(app, client, reg):
    _many(app, 4)
    with app.app_context():
        registration_id = db.session.execute(select(Registration.id)).scalars().first()
        number = services.pii.unseal(db.session.get(Registration, registration_id).document_sealed)
    url = f"/editions/2023/registrations/{registration_id}"
    login(client, make_user(app, "viewer"))
    assert number not in client.get(url).get_data(as_text=True)
    assert submit_raw(client, url, {"reason": "check"}).status_code == 403
    client.post("/logout", data={"csrf_token": csrf_token(client, "/editions/")})
    login(client, make_user(app, "organizer"))
    no_reason = submit(client, url, {"reason": ""}, headers={"Accept-Language": "en"})
    assert "Give a reason" in no_reason.get_data(as_text=True) and number not in no_reason.get_data(as_text=True)
    shown = submit(client, url, {"reason": "酒店核对入住"})
    assert number in shown.get_data(as_text=True)
    with app.app_context():
        entries = db.session.execute(select(AuditEntry).where(AuditEntry.action == "pii.reveal")).scalars().all()
        assert {(e.target_type, e.detail["field"]) for e in entries} == {("registrations", "document_sealed"), ("people", "phone_sealed")}
        assert all(e.actor == "organizer@test.example" and e.detail["reason"] == "酒店核对入住" for e in entries)


def submit_raw(client, url, data):
    """A POST with a token taken from another page (the viewer's page has no reveal form)."""
    return client.post(url, data={**data, "csrf_token": csrf_token(client, "/editions/")})


def test_approving_and_rejecting_many_at_once_tells_each_attendee(app, reg, organizer_client):
    _many(app, 6)
    with app.app_context():
        pending = db.session.execute(select(Registration.id).where(Registration.status == "pending")).scalars().all()
    assert len(pending) >= 3
    token = csrf_token(organizer_client, "/editions/2023/registrations/")
    no_reason = organizer_client.post("/editions/2023/registrations/decide",
                                      data={"csrf_token": token, "ids": pending[:2], "action": "reject", "reason": ""})
    assert no_reason.status_code == 302
    with app.app_context():
        assert db.session.execute(select(func.count()).where(Registration.status == "rejected")).scalar_one() == 0
    organizer_client.post("/editions/2023/registrations/decide",
                          data={"csrf_token": token, "ids": pending[:2], "action": "reject", "reason": "名额已满", "confirm": "1"})
    organizer_client.post("/editions/2023/registrations/decide",
                          data={"csrf_token": token, "ids": pending[2:], "action": "approve", "reason": "", "confirm": "1"})
    with app.app_context():
        rows = dict(db.session.execute(select(Registration.id, Registration.status)).all())
        assert [rows[i] for i in pending[:2]] == ["rejected", "rejected"]
        assert all(rows[i] == "approved" for i in pending[2:])
        assert db.session.execute(select(Registration.decision_reason).where(Registration.id == pending[0])).scalar_one() == "名额已满"


def test_a_viewer_cannot_decide(app, client, reg):
    _many(app, 2)
    login(client, make_user(app, "viewer"))
    token = csrf_token(client, "/editions/2023/registrations/")
    assert client.post("/editions/2023/registrations/decide", data={"csrf_token": token, "ids": [1], "action": "approve"}).status_code == 403


def _workbook(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["姓", "名", "单位", "职务", "邮箱", "手机", "证件类型", "证件号码", "国籍"])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_import_previews_every_row_and_twice_adds_nobody_twice(app, reg, organizer_client):
    data = _workbook([
        ["周", "立", "东南网", "主任", "zhou@example.org", "13912345678", "居民身份证", resident_id(serial="301"), ""],
        ["吴", "敏", "东南网", "编辑", "wu@example.org", "13912345679", "居民身份证", "350203199003071230", ""],
        ["Brown", "Lee", "Daily", "Editor", "lee@example.org", "+44 7911 123456", "护照", "X1234567", "GB"],
        ["", "", "", "", "", "", "", "", ""],
    ])
    url = "/editions/2023/registrations/import"
    preview = submit(organizer_client, url, {"category": "audience", "file": (io.BytesIO(data), "list.xlsx"), "confirm": "0"},
                     content_type="multipart/form-data", headers={"Accept-Language": "en"})
    html = preview.get_data(as_text=True)
    assert "2 rows ready" in html and "1 with errors" in html and "check digit" in html
    with app.app_context():
        assert db.session.execute(select(func.count(Registration.id))).scalar_one() == 0
    for _ in range(2):
        shown = submit(organizer_client, url, {"category": "audience", "file": (io.BytesIO(data), "list.xlsx"), "confirm": "0"},
                       content_type="multipart/form-data")
        upload = re.search(r'name="upload" value="([^"]+)"', shown.get_data(as_text=True)).group(1)
        done = submit(organizer_client, url, {"category": "audience", "upload": upload, "confirm": "1"})
        assert done.status_code == 302
        assert submit(organizer_client, url, {"category": "audience", "upload": upload, "confirm": "1"}).status_code == 302  # used up: nothing more
    with app.app_context():
        assert db.session.execute(select(func.count(Registration.id))).scalar_one() == 2
        assert set(db.session.execute(select(Registration.status)).scalars()) == {"approved"}


def test_a_file_that_is_not_excel_is_refused_clearly(reg, organizer_client):
    response = submit(organizer_client, "/editions/2023/registrations/import",
                      {"category": "audience", "file": (io.BytesIO(b"PK\x03\x04 nonsense"), "list.xlsx"), "confirm": "0"},
                      content_type="multipart/form-data", headers={"Accept-Language": "en"})
    assert "not an Excel .xlsx file" in response.get_data(as_text=True)


def test_the_export_is_masked_and_neutralises_formulas(app, reg, organizer_client):
    _many(app, 3)
    with app.app_context():
        person = db.session.execute(select(Person).where(Person.email == "m1@example.org")).scalar_one()
        person.organisation = "=HYPERLINK(\"http://evil.example\",\"x\")"
        db.session.commit()
    response = organizer_client.get("/editions/2023/registrations/export.xlsx")
    sheet = load_workbook(io.BytesIO(response.data)).active
    cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert "=HYPERLINK(\"http://evil.example\",\"x\")" in cells
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)  # text cells, never formulas
    assert any(c.startswith("3502**********") for c in cells)
    assert resident_id(serial="001") not in cells


def test_the_statistics_page_counts_by_category_status_and_session(app, reg, organizer_client):
    _many(app, 5)
    html = organizer_client.get("/editions/2023/registrations/stats", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "<svg" in html and "Media" in html


def test_organizers_make_codes_that_open_the_form(app, reg, organizer_client, client):
    response = submit(organizer_client, "/editions/2023/registrations/codes",
                      {"category": "guest", "count": "3", "max_uses": "1", "organisation": "", "expires_on": ""})
    codes = re.findall(r"[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}", response.get_data(as_text=True))
    assert len(set(codes)) == 3
    ok = post_form(client, {**FORM, "category": "guest", "invitation_code": codes[0], "id_type": "taiwan_permit", "id_number": "23456789"})
    assert ok.status_code == 302


def test_the_cli_prints_codes(app, reg):
    result = app.test_cli_runner().invoke(args=["registration", "codes", "--edition", "2023", "--category", "guest", "--count", "4"])
    assert result.exit_code == 0, result.output
    assert len(re.findall(r"^[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}$", result.output, re.M)) == 4


def test_the_api_form_and_registration(app, client, reg):
    form = client.get("/api/v1/editions/2023/registration-form?lang=en").get_json()
    assert form["notice"]["version"] == 1
    assert {c["code"]: c["needs_code"] for c in form["categories"]} == {"guest": True, "audience": True, "media": False, "staff": True}
    body = {"category": "media", "family_name": "Smith", "given_name": "Anna", "organisation": "Daily",
            "email": "anna@example.org", "phone": "+44 7911 123456", "id_type": "passport", "id_number": "X7654321",
            "nationality": "GB", "consents": {"privacy_notice": 1, "identity_document": 1}}
    created = client.post("/api/v1/editions/2023/registrations", json=body)
    assert created.status_code == 201, created.get_data(as_text=True)
    assert created.get_json()["status"] == "pending" and "/r/" in created.get_json()["private_link"]
    again = client.post("/api/v1/editions/2023/registrations", json=body, headers={"Accept-Language": "zh-CN"})
    assert again.status_code == 422 and "已报名" in again.get_json()["errors"]["id_number"]
    wrong_shape = client.post("/api/v1/editions/2023/registrations", json={"sessions": "all"})
    assert wrong_shape.status_code == 422 and "sessions" in wrong_shape.get_json()["errors"]
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "/api/v1/editions/{year}/registrations" in spec["paths"]
    assert "/api/v1/editions/{year}/registration-form" in spec["paths"]


def test_the_api_is_rate_limited(app, client, reg):
    statuses = [client.post("/api/v1/editions/2023/registrations", json={"category": "media"}).status_code for _ in range(22)]
    assert statuses[:20] == [422] * 20 and statuses[-1] == 429


def test_seat_quotas_are_set_by_organizers(app, reg, organizer_client):
    session_id = set_seats(app, 2, 10)
    token = csrf_token(organizer_client, "/editions/2023/registrations/seats")
    organizer_client.post("/editions/2023/registrations/seats", data={"csrf_token": token, "session_id": session_id, "seats": "42"})
    with app.app_context():
        from conference.registration.models import SessionQuota

        assert db.session.execute(select(SessionQuota.seats).where(SessionQuota.session_id == session_id)).scalar_one() == 42
        assert db.session.execute(select(func.count(SeatBooking.id))).scalar_one() == 0


def test_wrong_invitation_codes_are_throttled(app, client, reg):
    statuses = [post_form(client, {**FORM, "category": "guest", "invitation_code": f"WRNG-CODE-{i:04d}"}).status_code for i in range(11)]
    assert statuses[:10] == [422] * 10 and statuses[10] == 429


def test_deletion_requests_reach_the_organizers_queue(app, client, reg, organizer_client):
    own = post_form(client, FORM).headers["Location"]
    client.post(f"{own}/requests", data={"csrf_token": csrf_token(client, own), "kind": "deletion"})
    queue = organizer_client.get("/editions/2023/registrations/requests", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "陳美玲" in queue and "Deletion" in queue
    request_id = re.search(r'name="request_id" value="(\d+)"', queue).group(1)
    token = csrf_token(organizer_client, "/editions/2023/registrations/requests")
    organizer_client.post("/editions/2023/registrations/requests", data={"csrf_token": token, "request_id": request_id})
    with app.app_context():
        registration = services.find_by_token(own.rsplit("/", 1)[1])
        assert registration.status == "cancelled"
        assert registration.document_sealed is None and registration.person.phone_sealed is None
        assert registration.person.email is None


def test_organizers_set_up_a_category_and_publish_a_new_notice(app, reg, organizer_client, client):
    url = "/editions/2023/registrations/categories/media"
    page = organizer_client.get(url).get_data(as_text=True)
    assert 'name="required_fields"' in page
    done = submit(organizer_client, url, {"name_zh": "媒体记者", "name_zh_hant": "", "name_en": "Media",
                                          "approval_required": "y", "required_fields": ["organisation", "email", "photo"],
                                          "opens_at": "2023-06-20T09:00", "closes_at": "2023-07-16T18:00"})
    assert done.status_code == 302
    closed = post_form(client, FORM, "en").get_data(as_text=True)
    assert "This category needs a photo." in closed
    assert "An invitation code is needed for this category." in closed  # no longer open to all
    notice = submit(organizer_client, "/editions/2023/registrations/notice",
                    {"text_zh": "新版告知", "text_zh_hant": "", "text_en": "New notice", "retention_days": "90"})
    assert notice.status_code == 302
    stale = post_form(client, {**FORM, "category": "audience"}, "en").get_data(as_text=True)
    assert "privacy notice has changed" in stale
    form = client.get("/register/2023/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "New notice" in form and 'name="notice_version" type="hidden" value="2"' in form
