"""The organizers' export takes the list's filters; full numbers need a reason; bulk decisions
say how many change before they are made; the approval mail carries the private link."""

import email
import email.policy
import io
import re
from pathlib import Path
from zoneinfo import ZoneInfo

from openpyxl import load_workbook
from sqlalchemy import select

from conference.core.models import AuditEntry
from conference.extensions import db
from conference.people.models import Person
from conference.registration import services
from conference.registration.models import Registration
from tests.conftest import csrf_token, login, make_user, submit
from tests.registration.conftest import resident_id
from tests.registration.test_pages import _many

LIST = "/editions/2023/registrations/"


def _sheet(response):
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return load_workbook(io.BytesIO(response.data)).active


def _listed(client, **params) -> int:
    html = client.get(LIST, query_string=params).get_data(as_text=True)
    return int(re.search(r'<span class="hint">\((\d+)\)</span>', html).group(1))


def _entries(app, action):
    with app.app_context():
        return db.session.execute(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)).scalars().all()


def test_the_export_takes_exactly_the_lists_filters(app, reg, organizer_client):
    _many(app, 12)  # every third approved at once
    for params in ({}, {"status": "approved"}, {"status": "approved", "category": "media"}, {"q": "zhangwei"},
                   {"organisation": "东南网", "status": "pending"}, {"category": "guest"}):
        sheet = _sheet(organizer_client.get(LIST + "export.xlsx", query_string=params))
        assert sheet.max_row - 1 == _listed(organizer_client, **params), params
    assert _listed(organizer_client, status="approved") == 4 and _listed(organizer_client) == 12
    entry = _entries(app, "registration.export")[1]
    assert entry.detail == {"unmasked": False, "filters": {"status": "approved"}, "rows": 4}


def test_full_numbers_need_the_permission_and_a_reason_and_are_audited(app, client, reg):
    _many(app, 6)
    number = resident_id(serial="001")
    login(client, make_user(app, "viewer"))
    masked = _sheet(client.get(LIST + "export.xlsx?unmasked=1&status=pending"))  # the old address gives masked rows
    assert number not in [c for row in masked.iter_rows(values_only=True) for c in row]
    assert client.get(LIST + "export-unmasked").status_code == 403
    token = csrf_token(client, LIST)
    assert client.post(LIST + "export-unmasked", data={"csrf_token": token, "reason": "check"}).status_code == 403
    client.post("/logout", data={"csrf_token": token})
    login(client, make_user(app, "organizer"))
    url = LIST + "export-unmasked?status=pending&organisation=鹭江"
    page = client.get(url, headers={"Accept-Language": "en"}).get_data(as_text=True)
    pending_here = _listed(client, status="pending", organisation="鹭江")
    assert f"Rows to export: {pending_here}, with full identity numbers and phones" in page
    assert client.post(url, data={"reason": "hotel list"}).status_code == 400  # no CSRF token: refused
    missing = submit(client, url, {"reason": "  "}, headers={"Accept-Language": "zh-CN"})
    assert missing.status_code == 422 and "请填写理由" in missing.get_data(as_text=True)
    assert not [e for e in _entries(app, "registration.export") if e.detail["unmasked"]]
    sheet = _sheet(submit(client, url, {"reason": "酒店入住名单"}))
    values = [c for row in sheet.iter_rows(values_only=True) for c in row]
    assert sheet.max_row - 1 == pending_here
    assert number in values and "+8613812345678" in values
    [entry] = [e for e in _entries(app, "registration.export") if e.detail["unmasked"]]
    assert entry.actor == "organizer@test.example"
    assert entry.detail == {"unmasked": True, "reason": "酒店入住名单", "rows": pending_here,
                            "filters": {"status": "pending", "organisation": "鹭江"}}


def test_export_times_are_local_and_phones_and_formulas_are_plain_text(app, reg, organizer_client):
    _many(app, 2)
    with app.app_context():
        person = db.session.execute(select(Person).where(Person.email == "m1@example.org")).scalar_one()
        person.organisation = "=HYPERLINK(\"http://evil.example\",\"x\")"
        registered = {r.person.email: r.created_at for r in db.session.execute(select(Registration)).scalars()}
        db.session.commit()
    sheet = _sheet(organizer_client.get(LIST + "export.xlsx", headers={"Accept-Language": "en"}))
    header = [c.value for c in sheet[1]]
    assert header[-1] == "Registered at (Asia/Shanghai)"
    rows = {row[7]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    for address, moment in registered.items():
        assert rows[address][-1] == moment.astimezone(ZoneInfo("Asia/Shanghai")).replace(tzinfo=None, microsecond=0)
    phone = sheet.cell(row=2, column=header.index("Mobile phone") + 1)
    assert phone.value == "+86 138****5678" and phone.data_type == "s"  # readable, no apostrophe
    organisation = sheet.cell(row=[r[7] for r in sheet.iter_rows(values_only=True)].index("m1@example.org") + 1,
                              column=header.index("Organisation") + 1)
    assert organisation.value == "=HYPERLINK(\"http://evil.example\",\"x\")"
    assert organisation.data_type == "s" and organisation.quotePrefix  # text, never a formula


def _pending(app) -> list[int]:
    with app.app_context():
        return db.session.execute(select(Registration.id).where(Registration.status == "pending")).scalars().all()


def test_select_the_page_or_everything_that_matches_and_confirm_the_count(app, reg, organizer_client):
    _many(app, 60)
    pending = _pending(app)
    assert len(pending) == 40
    ticked = organizer_client.get(LIST, query_string={"select": "page", "status": "pending"}).get_data(as_text=True)
    assert len(re.findall(r'name="ids" value="\d+"[^>]*checked', ticked)) == 40
    assert 'id="select-page"' in ticked
    token = csrf_token(organizer_client, LIST)
    ask = organizer_client.post(LIST + "decide", data={"csrf_token": token, "scope": "matching", "status": "pending",
                                                      "action": "approve", "reason": ""}, headers={"Accept-Language": "en"})
    html = ask.get_data(as_text=True)
    assert ask.status_code == 200 and "Approve 40 registrations?" in html
    assert _pending(app) == pending  # nothing done yet
    zh = organizer_client.post(LIST + "decide", data={"csrf_token": token, "scope": "matching", "status": "pending",
                                                     "action": "approve"}, headers={"Accept-Language": "zh-CN"})
    assert "通过 40 份报名？" in zh.get_data(as_text=True)
    _many_more(app)  # one more arrives while the organizer reads
    stale = organizer_client.post(LIST + "decide", data={"csrf_token": token, "scope": "matching", "status": "pending",
                                                        "action": "approve", "confirm": "1", "expected": "40"},
                                  headers={"Accept-Language": "en"})
    assert "Approve 41 registrations?" in stale.get_data(as_text=True) and len(_pending(app)) == 41
    done = organizer_client.post(LIST + "decide", data={"csrf_token": token, "scope": "matching", "status": "pending",
                                                       "action": "approve", "confirm": "1", "expected": "41"})
    assert done.status_code == 302 and _pending(app) == []


def _many_more(app):
    from conference.editions.services import get_edition

    with app.test_request_context():
        services.register(get_edition(2023), services.RegistrationFields(
            category="media", family_name="赵", given_name="云", organisation="东南网", email="zhao@example.org", phone="13812345678",
            id_type="resident_id", id_number=resident_id(serial="900"), consents={"privacy_notice": 1, "identity_document": 1}))
        db.session.commit()


def test_rejecting_everything_that_matches_asks_the_reason_first(app, reg, organizer_client):
    _many(app, 6)
    token = csrf_token(organizer_client, LIST)
    data = {"csrf_token": token, "scope": "matching", "organisation": "东南网", "status": "pending", "action": "reject"}
    assert organizer_client.post(LIST + "decide", data={**data, "reason": ""}).status_code == 302
    assert len(_pending(app)) == 4
    ask = organizer_client.post(LIST + "decide", data={**data, "reason": "名额已满"}, headers={"Accept-Language": "en"})
    assert "Reject 2 registrations?" in ask.get_data(as_text=True) and "名额已满" in ask.get_data(as_text=True)
    organizer_client.post(LIST + "decide", data={**data, "reason": "名额已满", "confirm": "1", "expected": "2"})
    with app.app_context():
        rejected = db.session.execute(select(Registration).where(Registration.status == "rejected")).scalars().all()
        assert len(rejected) == 2 and {r.person.organisation for r in rejected} == {"东南网"}
        assert {r.decision_reason for r in rejected} == {"名额已满"}


def _mails(app, before):
    outbox = Path(app.config["INSTANCE_DIR"]) / "outbox"
    found = {}
    for path in sorted(set(outbox.glob("*.eml")) - before):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        found[message["To"]] = message
    return found


def _outbox(app):
    outbox = Path(app.config["INSTANCE_DIR"]) / "outbox"
    return set(outbox.glob("*.eml")) if outbox.exists() else set()


def test_the_approval_mail_carries_the_private_link_in_the_registrants_language(app, client, reg, organizer_client):
    from tests.registration.test_pages import FORM, post_form

    anonymous = app.test_client()
    own = {}
    for lang, address, number in (("en", "en@example.org", "12345678"), ("zh-TW", "tw@example.org", "23456789")):
        own[address] = post_form(anonymous, {**FORM, "email": address, "id_number": number}, lang=lang).headers["Location"]
    with app.app_context():
        ids = db.session.execute(select(Registration.id)).scalars().all()
    before = _outbox(app)
    token = csrf_token(organizer_client, LIST)
    organizer_client.post(LIST + "decide", data={"csrf_token": token, "ids": ids, "action": "approve",
                                                "confirm": "1", "expected": "2"})
    mails = _mails(app, before)
    english, traditional = mails["en@example.org"], mails["tw@example.org"]
    body = english.get_body().get_content()
    assert english["Subject"] == "Registration approved: 2023 China Internet Civilization Conference"
    assert "China Internet Civilization Conference" in english["From"]
    assert "\n" + app.config["PUBLIC_URL"].rstrip("/") + own["en@example.org"] + "\n" in body  # built on PUBLIC_URL
    assert "When: July 18, 2023 – July 19, 2023 (Asia/Shanghai)" in body and "Where: Xiamen" in body
    assert "Mainland Travel Permit for Taiwan Residents" in body and "12345678" not in body
    zh_body = traditional.get_body().get_content()
    assert "中國網絡文明大會" in traditional["From"] and traditional["Subject"].startswith("報名已通過")
    assert own["tw@example.org"] in zh_body and "地點：廈門" in zh_body and "臺灣居民來往大陸通行證" in zh_body
    assert "23456789" not in zh_body
    assert anonymous.get(own["en@example.org"]).status_code == 200


def test_a_registration_from_before_sealed_tokens_gets_a_mail_without_a_link(app, reg, organizer_client):
    _many(app, 2)
    with app.app_context():
        registration = db.session.execute(select(Registration).where(Registration.status == "pending")).scalar_one()
        registration.token_sealed = None  # as the migration leaves older registrations
        db.session.commit()
        registration_id, address = registration.id, registration.person.email
    before = _outbox(app)
    organizer_client.post(LIST + "decide", data={"csrf_token": csrf_token(organizer_client, LIST), "ids": [registration_id],
                                                "action": "approve", "confirm": "1"})
    body = _mails(app, before)[address].get_body().get_content()
    assert "/r/" not in body and "第一封" in body
