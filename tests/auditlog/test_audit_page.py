"""The audit log page: admins read one edition's entries by person, action, user and time
(on the host city's clock), a page at a time, and export them with the same filters."""

import io
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from openpyxl import load_workbook
from sqlalchemy import select

from conference.core.models import AuditEntry
from conference.extensions import db
from conference.registration.models import Registration
from tests.conftest import csrf_token, login, make_user, submit
from tests.registration.test_pages import _many

AUDIT = "/editions/2023/audit/"


def _admin(app, client):
    login(client, make_user(app, "admin"))
    return client


def _total(client, **params) -> int:
    html = client.get(AUDIT, query_string=params).get_data(as_text=True)
    return int(re.search(r'<span class="hint">\((\d+)\)</span>', html).group(1))


def test_only_admins_read_the_log_and_the_edition_page_links_it(app, client, reg):
    login(client, make_user(app, "organizer"))
    assert client.get(AUDIT).status_code == 403 and client.get(AUDIT + "export.xlsx").status_code == 403
    assert AUDIT not in client.get("/editions/2023").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/editions/")})
    _admin(app, client)
    assert AUDIT in client.get("/editions/2023").get_data(as_text=True)
    assert client.get(AUDIT).status_code == 200


def test_filters_by_person_action_user_and_local_time(app, client, reg):
    _many(app, 8)
    _admin(app, client)
    with app.app_context():
        registration = db.session.execute(
            select(Registration).join(Registration.person).where(Registration.status == "pending")).scalars().first()
        registration_id, name = registration.id, registration.person.name
    url = f"/editions/2023/registrations/{registration_id}"
    submit(client, url, {"reason": "核对酒店"})  # an admin may reveal too: two pii.reveal entries
    assert _total(client, action="pii.reveal") == 2
    assert _total(client, action="pii.reveal", user="admin@") == 2
    assert _total(client, action="pii.reveal", user="organizer@") == 0
    html = client.get(AUDIT, query_string={"person": name, "action": "pii.reveal"}).get_data(as_text=True)
    assert "核对酒店" in html and name in html
    assert _total(client, person="zhangwei") >= 1 and _total(client, person="nobody-at-all") == 0
    with app.app_context():
        newest = db.session.execute(select(AuditEntry.at).order_by(AuditEntry.at.desc())).scalars().first()
    shanghai = newest.astimezone(ZoneInfo("Asia/Shanghai"))
    since = (shanghai - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M")
    assert _total(client, since=since) >= 2  # read on the host city's clock
    utc_clock = (newest - timedelta(minutes=1)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M")
    until = (shanghai - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    assert _total(client, until=until) == 0 and _total(client, since=utc_clock) >= 2
    assert client.get(AUDIT, query_string={"since": "garbage", "page": "-3"}).status_code == 200


def test_pages_of_fifty_and_an_export_with_the_same_filters_that_is_itself_audited(app, client, reg):
    _many(app, 30)  # a person and a registration entry each, and badges for every third
    _admin(app, client)
    everything = _total(client)
    assert everything > 50
    pages = -(-everything // 50)
    rows_on = [len(re.findall(r"<tr>", client.get(AUDIT, query_string={"page": n}).get_data(as_text=True))) - 1
               for n in (1, pages)]
    assert rows_on == [50, everything - 50 * (pages - 1)]
    created = _total(client, action="registration.create")
    response = client.get(AUDIT + "export.xlsx", query_string={"action": "registration.create"},
                          headers={"Accept-Language": "en"})
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Time (Asia/Shanghai)" and len(rows) - 1 == created == 30
    with app.app_context():
        first = db.session.execute(select(AuditEntry).where(AuditEntry.action == "registration.create")
                                   .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())).scalars().first()
        assert rows[1][0] == first.at.astimezone(ZoneInfo("Asia/Shanghai")).replace(tzinfo=None, microsecond=0)
        [entry] = db.session.execute(select(AuditEntry).where(AuditEntry.action == "audit.export")).scalars().all()
        assert entry.detail == {"filters": {"action": "registration.create"}, "rows": 30}
        assert entry.actor == "admin@test.example"
    assert _total(client, action="audit.export") == 1


def test_entries_name_their_edition_and_person(app, reg):
    _many(app, 1)
    with app.app_context():
        registration = db.session.execute(select(Registration)).scalar_one()
        entry = db.session.execute(select(AuditEntry).where(AuditEntry.action == "registration.create")).scalar_one()
        assert (entry.edition_id, entry.person_id) == (registration.edition_id, registration.person_id)
        assert datetime.now(UTC) - entry.at < timedelta(minutes=5)
