"""Service record certificates: facts frozen with an unguessable serial, the PDF read back by
real tools (its QR leads to the verification page), the volunteer's own page, the group's batch
job and the command."""

import re
import subprocess
from urllib.parse import urlsplit

import pytest
import zxingcpp
from flask_babel import force_locale
from PIL import Image
from sqlalchemy import delete, select

from conference.core.database import committed
from conference.core.models import AuditEntry, Job
from conference.extensions import db
from conference.volunteers import records, services
from conference.volunteers.cli import volunteers_cli
from conference.volunteers.models import ServiceRecord, Volunteer
from conference.volunteers.services import VolunteerError
from tests.conftest import login, make_user, race, submit
from tests.volunteers import factories

SERIAL = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){4}$")
ID_NUMBER = "350203199001011234"


@pytest.fixture
def w(ctx):
    return factories.world()


def worked(w, volunteer, shift, start, end, corrected=None):
    """The volunteer signed up for `shift`, checked in and out at these hours of 18 July."""
    place = services.sign_up(volunteer, shift, now=w.at(6))
    services.check_in(place, w.at(*start))
    services.check_out(place, w.at(*end))
    if corrected is not None:
        lead = factories.lead(w, w.services_group, f"lead-{volunteer.id}@example.org")
        services.correct_minutes(place, corrected, "forgot to check out", lead)
    db.session.commit()
    return place


def test_zero_hours_are_refused(w):
    li = factories.volunteer(w, "Li")
    services.sign_up(li, w.shifts[2], now=w.at(6))  # signed up, never checked in
    with pytest.raises(VolunteerError) as refused, force_locale("en"):
        records.issue(li, w.at(20))
    with force_locale("en"):
        assert "No hours are recorded for Li志愿 yet" in str(refused.value.message)
    assert db.session.execute(select(ServiceRecord)).first() is None


def test_a_record_freezes_the_facts_and_issuing_again_keeps_it(w):
    li = factories.volunteer(w, "Li")
    worked(w, li, w.shifts[2], (8, 0), (12, 30))
    record, new = records.issue(li, w.at(20))
    db.session.commit()
    assert new and SERIAL.match(record.serial)
    assert (record.name, record.group_name_zh, record.group_name_en) == ("Li志愿", "志愿服务组", "Volunteer services")
    assert record.minutes_by_day == {"2023-07-18": 270} and record.total_minutes == 270
    assert (str(record.first_day), str(record.last_day)) == ("2023-07-18", "2023-07-18")
    again, new_again = records.issue(li, w.at(21))
    assert (again.id, new_again) == (record.id, False)
    assert db.session.execute(select(AuditEntry.action).where(AuditEntry.action == "service_record.issue")).scalars().all() \
        == ["service_record.issue"]


def test_changed_hours_make_a_new_record_and_revoke_the_old(w):
    li = factories.volunteer(w, "Li")
    place = worked(w, li, w.shifts[2], (8, 0), (12, 0))
    old, _ = records.issue(li, w.at(20))
    db.session.commit()
    lead = factories.lead(w, w.services_group, "vol-lead@example.org")
    services.correct_minutes(place, 200, "left early", lead)
    db.session.commit()
    new, is_new = records.issue(li, w.at(21))
    db.session.commit()
    assert is_new and new.serial != old.serial and new.total_minutes == 200
    assert old.revoked_at is not None and new.revoked_at is None
    assert records.current_record(li).id == new.id


def test_serials_are_unguessable_unique_and_read_back_as_typed(w):
    serials = {records.new_serial() for _ in range(5000)}
    assert len(serials) == 5000 and all(SERIAL.match(s) for s in serials)
    assert records.SERIAL_LENGTH * 5 >= 80  # bits of a serial, each character from `secrets`
    # Each position takes every character of the alphabet: nothing fixed, nothing sequential.
    chars = [s.replace("-", "") for s in serials]
    assert all(len({c[i] for c in chars}) == 32 for i in range(records.SERIAL_LENGTH))
    serial = next(iter(serials))
    assert records.normalise_serial(serial.lower().replace("-", " ")) == serial
    assert records.normalise_serial(serial.replace("0", "o").replace("1", "l")) == serial
    for hostile in (None, 42, "", "x" * 65, serial + "A", serial[:-1], "U" * 20, "志愿" * 10, "' OR 1=1 --"):
        assert records.normalise_serial(hostile) is None


def _read_pdf(data: bytes, folder, resolution: int = 150):
    path = folder / "certificate.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True).stdout
    subprocess.run(["pdftoppm", "-r", str(resolution), "-png", str(path), str(folder / "page")], check=True)
    return text, sorted(folder.glob("page-*.png"))


def _issued(app, corrected: int | None = None) -> dict:
    """Li worked 08:00–12:30 on 18 July and has a certificate (and, with `corrected`, a second
    one after a lead's correction): built in an app context that has ended before any request
    (a request inside the test's app context would share its `g`: the language and CSRF token
    cached there)."""
    with app.app_context():
        w = factories.world()
        li = factories.volunteer(w, "Li")
        li.document_masked, li.document_index = "3502**********1234", "index-of-the-number"
        place = worked(w, li, w.shifts[2], (8, 0), (12, 30))
        record, _ = records.issue(li, w.at(20))
        db.session.commit()
        found = {"serial": record.serial, "record_id": record.id}
        if corrected is not None:
            services.correct_minutes(place, corrected, "left early", factories.lead(w, w.services_group, "l@example.org"))
            found["new_serial"] = records.issue(li, w.at(21))[0].serial
            db.session.commit()
        return found


@pytest.mark.parametrize(("language", "title", "hours"), [
    ("zh_Hans_CN", "志愿服务记录证明", "4小时30分钟"),
    ("en", "Volunteer Service Record Certificate", "4 h 30 min"),
])
def test_the_certificate_pdf_reads_back_and_its_qr_leads_to_the_same_facts(app, tmp_path, language, title, hours):
    issued = _issued(app)
    with app.test_request_context():
        record = db.session.get(ServiceRecord, issued["record_id"])
        data, url = records.certificate_pdf(record, language), records.verify_url(record)
    text, pages = _read_pdf(data, tmp_path)
    flat = text.replace("\n", " ")
    assert len(pages) == 1
    assert "Li志愿" in flat and issued["serial"] in flat
    if language == "en" or "志愿服务记录证明" in flat:  # the Chinese words once the catalogue has them
        assert title in flat and hours in flat
    assert "1234" not in flat.replace(issued["serial"], "") and ID_NUMBER not in flat and "**" not in flat
    decoded = zxingcpp.read_barcodes(Image.open(pages[0]))
    assert [code.text for code in decoded] == [url]
    page = app.test_client().get(urlsplit(decoded[0].text).path + "?lang=en")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Li志愿" in body and issued["serial"] in body and "4 h 30 min" in body and "Valid" in body
    assert page.headers["X-Robots-Tag"].startswith("noindex") and page.headers["Referrer-Policy"] == "no-referrer"
    assert "1234" not in body.replace(issued["serial"], "")


def test_the_verification_page_shows_a_revoked_certificate_as_revoked(app):
    issued = _issued(app, corrected=200)
    client = app.test_client()
    revoked = client.get(f"/verify/volunteer/{issued['serial']}?lang=en").get_data(as_text=True)
    assert "Revoked" in revoked and "4 h 30 min" in revoked and issued["new_serial"] not in revoked
    valid = client.get(f"/verify/volunteer/{issued['new_serial'].lower()}?lang=en").get_data(as_text=True)
    assert "Valid" in valid and "3 h 20 min" in valid


@pytest.mark.parametrize("serial", [
    "ABCD-EFGH-JKMN-PQRS-TVWX", "abcd", "' OR '1'='1", "%00", "%E5%BF%97%E6%84%BF", "A" * 500, "..%2F..%2Fetc",
    "<script>alert(1)</script>", "ABCD-EFGH-JKMN-PQRS-TVWU", "a/b/c",
])
def test_unknown_and_malformed_serials_are_a_not_found_page(app, serial):
    _issued(app)
    page = app.test_client().get(f"/verify/volunteer/{serial}?lang=en")
    assert page.status_code == 404
    body = page.get_data(as_text=True)
    assert "Certificate not found" in body and "Li志愿" not in body and "<script>alert" not in body


def test_the_lookup_form_leads_to_the_page_and_refuses_what_is_no_serial(app):
    serial = _issued(app)["serial"]
    client = app.test_client()
    found = client.get("/verify/volunteer/", query_string={"serial": serial.replace("-", "").lower()})
    assert found.status_code == 302 and found.headers["Location"].endswith(f"/verify/volunteer/{serial}")
    wrong = client.get("/verify/volunteer/", query_string={"serial": "not-a-number", "lang": "en"})
    assert wrong.status_code == 422 and "This is not a certificate number" in wrong.get_data(as_text=True)
    assert 'value="not-a-number"' in wrong.get_data(as_text=True)
    assert client.get("/verify/volunteer/").status_code == 200


def test_trying_numbers_is_rate_limited(app, monkeypatch):
    monkeypatch.setitem(app.config, "CERTIFICATE_MISS_RATE_LIMIT", "3 per hour")
    client = app.test_client()
    answers = [client.get(f"/verify/volunteer/{records.new_serial()}").status_code for _ in range(4)]
    assert answers == [404, 404, 404, 429]


# The pages: each test builds its world in an app context of its own that has ended before the
# first request (a request inside the test's app context would share its `g`, and with it the
# CSRF token cached there before signing in).


def test_a_volunteer_asks_for_and_downloads_their_certificate(app, tmp_path):
    with app.app_context():
        w = factories.world()
        worked(w, factories.volunteer(w, "Li"), w.shifts[2], (8, 0), (12, 0))
    client = app.test_client()
    login(client, "li@example.org", factories.PASSWORD)
    page = client.get("/volunteer/2023/me/certificate?lang=en")
    assert page.status_code == 200 and "Ask for my certificate" in page.get_data(as_text=True)
    assert client.get("/volunteer/2023/me/certificate.pdf").status_code == 404  # none issued yet
    assert submit(client, "/volunteer/2023/me/certificate", {}).status_code == 302
    with app.app_context():
        serial = db.session.execute(select(ServiceRecord.serial)).scalar_one()
    shown = client.get("/volunteer/2023/me/certificate?lang=en").get_data(as_text=True)
    assert serial in shown and "Ask for my certificate" not in shown and "4 h" in shown
    data = client.get("/volunteer/2023/me/certificate.pdf?lang=en")
    assert data.status_code == 200 and data.mimetype == "application/pdf" and data.data.startswith(b"%PDF")
    text, _ = _read_pdf(data.data, tmp_path, 30)
    assert "Volunteer Service Record Certificate" in text.replace("\n", " ") and serial in text
    # Asking again keeps the same record; their own download is not an audited one.
    assert submit(client, "/volunteer/2023/me/certificate", {}).status_code == 302
    with app.app_context():
        assert db.session.execute(select(ServiceRecord.serial)).scalars().all() == [serial]
        assert "service_record.download" not in db.session.execute(select(AuditEntry.action)).scalars().all()


def test_zero_hours_on_the_own_page_say_why(app):
    with app.app_context():
        factories.volunteer(factories.world(), "Li")
    client = app.test_client()
    login(client, "li@example.org", factories.PASSWORD)
    page = client.get("/volunteer/2023/me/certificate?lang=en").get_data(as_text=True)
    assert "No hours are recorded yet" in page and "Ask for my certificate" not in page
    refused = submit(client, "/volunteer/2023/me/certificate?lang=en", {})
    assert refused.status_code == 422 and "No hours are recorded for Li志愿 yet" in refused.get_data(as_text=True)


def test_only_the_volunteer_reaches_their_own_page(app):
    with app.app_context():
        factories.volunteer(factories.world(), "Li")
    client = app.test_client()
    assert client.get("/volunteer/2023/me/certificate").status_code == 302  # to sign in
    login(client, make_user(app, "organizer"))
    assert client.get("/volunteer/2023/me/certificate").status_code == 404  # not a volunteer
    assert client.get("/volunteer/2031/me/certificate").status_code == 404


# The group's batch and the command -------------------------------------------------------------


def _group_with_hours(w):
    li, wang = factories.volunteer(w, "Li"), factories.volunteer(w, "Wang")
    factories.volunteer(w, "Zhao")  # no hours: skipped
    worked(w, li, w.shifts[2], (8, 0), (12, 0))
    worked(w, wang, w.shifts[3], (13, 0), (16, 45))
    return li, wang


def test_a_group_lead_makes_the_groups_pdf_as_a_job(app, tmp_path):
    with app.app_context():
        w = factories.world()
        _group_with_hours(w)
        factories.lead(w, w.services_group, "vol-lead@example.org")
        factories.lead(w, w.meeting_group, "meet-lead@example.org")
        url = f"/editions/2023/volunteers/groups/{w.services_group.id}/certificates"
    client = app.test_client()
    login(client, "vol-lead@example.org", factories.PASSWORD)
    page = client.get(url + "?lang=en").get_data(as_text=True)
    assert "Li志愿" in page and "Zhao志愿" in page and "No hours yet" in page
    started = submit(client, url, {"language": "en"})
    assert started.status_code == 302
    with app.app_context():
        job = db.session.execute(select(Job)).scalar_one()
        assert started.headers["Location"].endswith(f"/jobs/{job.id}")
        assert (job.status, job.done, job.total, job.skipped) == ("done", 2, 2, 1)
        serials = set(db.session.execute(select(ServiceRecord.serial)).scalars())
        job_id = job.id
    progress = client.get(f"/jobs/{job_id}.json").get_json()
    assert progress["status"] == "done" and progress["file"].endswith(".pdf")
    assert "Volunteers without recorded hours skipped: 1." in client.get(f"/jobs/{job_id}?lang=en").get_data(as_text=True)
    data = client.get(progress["file"])
    assert data.status_code == 200
    text, pages = _read_pdf(data.data, tmp_path, 100)
    assert len(pages) == 2 and "Li志愿" in text and "Wang志愿" in text and "3 h 45 min" in text
    decoded = [zxingcpp.read_barcodes(Image.open(p))[0].text for p in pages]
    assert {urlsplit(u).path.rsplit("/", 1)[1] for u in decoded} == serials
    with app.app_context():
        assert "service_record.batch_download" in db.session.execute(select(AuditEntry.action)).scalars().all()
    # Another group's lead sees neither the page nor the job nor its file.
    other = app.test_client()
    login(other, "meet-lead@example.org", factories.PASSWORD)
    assert other.get(url).status_code == 403
    assert other.get(f"/jobs/{job_id}").status_code == 403
    assert other.get(progress["file"]).status_code == 403


def test_one_certificate_from_the_group_page_is_an_audited_download(app):
    with app.app_context():
        w = factories.world()
        li, _ = _group_with_hours(w)
        record, _ = records.issue(li, w.at(20))
        db.session.commit()
        record_id, serial = record.id, record.serial
        groups = (w.services_group.id, w.meeting_group.id)
    client = app.test_client()
    login(client, make_user(app, "organizer"))
    url = f"/editions/2023/volunteers/groups/{groups[0]}/certificates/{record_id}.pdf"
    assert client.get(url).data.startswith(b"%PDF")
    with app.app_context():
        entry = db.session.execute(select(AuditEntry).where(AuditEntry.action == "service_record.download")).scalar_one()
        assert entry.detail == {"serial": serial}
    # The record is not one of the meeting group's volunteers.
    assert client.get(f"/editions/2023/volunteers/groups/{groups[1]}/certificates/{record_id}.pdf").status_code == 404


def test_a_group_with_nobody_with_hours_is_told_so(app):
    with app.app_context():
        w = factories.world()
        factories.volunteer(w, "Zhao")
        url = f"/editions/2023/volunteers/groups/{w.services_group.id}/certificates"
    client = app.test_client()
    login(client, make_user(app, "organizer"))
    refused = submit(client, url + "?lang=en", {"language": ""})
    assert refused.status_code == 422 and "Nobody in Volunteer services has recorded hours" in refused.get_data(as_text=True)
    wrong = submit(client, url + "?lang=en", {"language": "xx"})
    assert wrong.status_code == 422 and "Not a valid choice" in wrong.get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(select(Job)).first() is None


def test_the_command_writes_every_certificate(app, w, tmp_path):
    _group_with_hours(w)
    out = tmp_path / "all.pdf"
    result = app.test_cli_runner().invoke(volunteers_cli, ["certificates", "--edition", "2023", "--out", str(out), "--group", "vol"])
    assert result.exit_code == 0, result.output
    assert "2 certificates" in result.output and "1 volunteers without recorded hours skipped" in result.output
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Pages:\s+2", info)
    again = app.test_cli_runner().invoke(volunteers_cli, ["certificates", "--edition", "2023", "--out", str(out)])
    assert again.exit_code == 0
    assert len(db.session.execute(select(ServiceRecord)).scalars().all()) == 2  # reused, not issued again
    unknown = app.test_cli_runner().invoke(volunteers_cli, ["certificates", "--edition", "2023", "--out", str(out), "--group", "NOPE"])
    assert unknown.exit_code != 0 and "no working group" in unknown.output


def test_a_batch_in_parts_keeps_its_order_and_reports_progress(app, w, tmp_path, monkeypatch):
    li, wang = _group_with_hours(w)
    issued = [records.issue(v, w.at(20))[0] for v in (li, wang)]
    db.session.commit()
    monkeypatch.setattr(records, "BATCH_CHUNK", 1)
    done = []
    with app.test_request_context():
        pages = records.write_certificates(issued, tmp_path / "parts.pdf", "zh_Hans_CN", done.append)
    assert (pages, done) == (2, [1, 2])
    _, images = _read_pdf((tmp_path / "parts.pdf").read_bytes(), tmp_path, 100)
    assert [zxingcpp.read_barcodes(Image.open(p))[0].text for p in images] == [records.verify_url(r) for r in issued]


def test_asking_twice_at_once_issues_one_record(app):
    """A double click: both requests answer with the same certificate, and one record is current."""
    with app.app_context():
        w = factories.world()
        li = factories.volunteer(w, "Li")
        worked(w, li, w.shifts[2], (8, 0), (12, 0))
        volunteer_id, now = li.id, w.at(20)

    def attempt(_):
        return committed(lambda: records.issue(db.session.get(Volunteer, volunteer_id), now)[0].serial)

    results, errors = race(app, attempt, 4)
    assert errors == [] and len(set(results)) == 1
    with app.app_context():
        assert db.session.execute(select(ServiceRecord.serial)).scalars().all() == results[:1]


def test_the_verification_page_outlives_the_volunteers_row(app):
    """The retention purge removes the volunteer's data; the record copies what it shows."""
    issued = _issued(app)
    with app.app_context():
        db.session.execute(delete(Volunteer))
        db.session.commit()
        assert db.session.get(ServiceRecord, issued["record_id"]).volunteer_id is None
    page = app.test_client().get(f"/verify/volunteer/{issued['serial']}?lang=en").get_data(as_text=True)
    assert "Valid" in page and "Li志愿" in page and "4 h 30 min" in page and "Volunteer services" in page
