"""Screening applications: who may (the volunteer services group's leads and organizers, no
other lead), the list with its filters and masked data, reveals with a reason, notes and the
interview slot in the host city's time, decisions mailed and audited, and accepting: a Person
of category volunteer, a badge, an account invited by mail, in one transaction."""

from datetime import datetime

import pytest
from sqlalchemy import func, select

from conference.accounts.models import User
from conference.badges.models import Badge
from conference.core import clock, pii
from conference.core.database import committed
from conference.core.models import AuditEntry
from conference.editions.services import get_edition
from conference.extensions import db
from conference.people.models import Person
from conference.volunteers import applications, services
from conference.volunteers.models import (
    AccountPerson,
    Shift,
    ShiftPlace,
    Volunteer,
    VolunteerSettings,
)
from conference.volunteers.services import VolunteerError
from tests.conftest import csrf_token, login, make_user, submit
from tests.registration.conftest import resident_id
from tests.volunteers import applying, factories

LIST = "/editions/2023/volunteers/applications"


@pytest.fixture
def opened(app):
    applying.empty_outbox(app)
    with app.app_context():
        built = applying.open_world()
        return {"services": built.services_group.id, "meeting": built.meeting_group.id,
                "shifts": [s.id for s in built.shifts]}


def apply(app, n: int = 1, **overrides) -> tuple[int, str]:
    data = {"email": f"applicant{n}@example.org",
            "id_number": overrides.pop("id_number", resident_id(birth="19990101", serial=f"{n:03d}")),
            "family_name": overrides.pop("family_name", "王"), "given_name": overrides.pop("given_name", f"小{n}")}
    with app.test_request_context():
        volunteer, token = committed(lambda: applications.apply(get_edition(2023), applying.fields(**data, **overrides)))
        return volunteer.id, token


def decide(client, ids, decision, reason="", group=None, back=None):
    data = {"ids": [str(i) for i in ids], "decision": decision, "reason": reason}
    if group:
        data["group"] = str(group)
    if back:
        data["back"] = back
    return client.post(f"{LIST}/decide", data={**data, "csrf_token": csrf_token(client, LIST)})


@pytest.fixture
def organizer(app, client, opened):
    login(client, make_user(app, "organizer"))
    return client


def test_who_may_screen(app, client, opened):
    volunteer_id, _ = apply(app)
    assert client.get(LIST).status_code == 302  # sign in first
    with app.app_context():
        edition = get_edition(2023)
        factories.lead(None, services.get_group(edition, opened["meeting"]),
                       "meeting-lead@example.org")
        factories.lead(None, services.get_group(edition, opened["services"]), "services-lead@example.org")
    login(client, "meeting-lead@example.org", factories.PASSWORD)
    for url in (LIST, f"{LIST}/{volunteer_id}", "/editions/2023/volunteers/settings"):
        assert client.get(url).status_code == 403, url
    assert decide(client, [volunteer_id], "accept").status_code == 403
    client.post("/logout", data={"csrf_token": csrf_token(client, "/account")})
    login(client, "services-lead@example.org", factories.PASSWORD)
    assert client.get(LIST).status_code == 200
    assert client.get(f"{LIST}/{volunteer_id}").status_code == 200
    assert client.get("/editions/2023/volunteers/settings").status_code == 403  # the edition's settings: organizers
    assert decide(client, [volunteer_id], "waitlist").status_code == 302
    with app.app_context():
        assert db.session.get(Volunteer, volunteer_id).status == "waitlisted"


def test_a_volunteer_account_may_not_screen(app, client, opened):
    login(client, make_user(app, "volunteer"))
    assert client.get(LIST).status_code == 403


def test_the_list_masks_counts_and_filters(app, organizer, opened):
    apply(app, 1, family_name="张", given_name="伟", skills=["driving"],
          languages=[{"code": "zh", "level": "native"}, {"code": "ja", "level": "basic"}])
    apply(app, 2, family_name="李", given_name="娜", availability=[{"day": "2023-07-17", "part": "evening"}])
    apply(app, 3, family_name="Smith", given_name="Anna", name_latin="Anna Smith")
    body = organizer.get(LIST + "?lang=en").get_data(as_text=True)
    assert "+86 138****5678" in body and "13812345678" not in body
    assert resident_id(birth="19990101", serial="001") not in body and "1999" not in body
    assert "张伟" in body and "李娜" in body

    def names(query: str) -> set:
        text = organizer.get(f"{LIST}?{query}").get_data(as_text=True)
        return {name for name in ("张伟", "李娜", "SmithAnna", "Smith Anna", "Anna Smith") if f">{name}<" in text}

    assert names("language=ja") == {"张伟"}
    assert names("skill=driving") == {"张伟"}
    assert names("day=2023-07-17") == {"李娜"}
    assert names("q=zhangw") == {"张伟"} == names("q=zw") == names("q=张")
    assert "李娜" in names("q=lina")
    assert names("status=accepted") == set()
    assert organizer.get(f"{LIST}?status=%00&language=xx&skill=<b>&day=2023-99-99&page=-5&q=" + "x" * 500).status_code == 200


def test_accepting_makes_a_person_a_badge_and_an_invited_account(app, organizer, opened):
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (400, 500), "teal").save(buffer, "PNG")
    volunteer_id, _ = apply(app, photo=buffer.getvalue(), locale="zh_Hant_TW",
                            consents={"privacy_notice": 1, "identity_document": 1, "photo": 1})
    response = decide(organizer, [volunteer_id], "accept", group=opened["meeting"])
    assert response.status_code == 302
    with app.app_context():
        volunteer = db.session.get(Volunteer, volunteer_id)
        person = volunteer.person
        assert (volunteer.status, volunteer.group_id, volunteer.decided_by) == ("accepted", opened["meeting"], "organizer@test.example")
        assert (person.category, person.name, person.email) == ("volunteer", "王小1", "applicant1@example.org")
        assert pii.unseal(person.phone_sealed) == "+8613812345678" and person.photo_file
        badge = db.session.execute(select(Badge).where(Badge.person_id == person.id)).scalar_one()
        assert badge.status == "active"
        user = db.session.execute(select(User).where(User.email == "applicant1@example.org")).scalar_one()
        assert user.role == "volunteer"
        link = db.session.execute(select(AccountPerson).where(AccountPerson.user_id == user.id)).scalar_one()
        assert link.person_id == person.id and services.volunteer_of(user, volunteer.edition).id == volunteer_id
        actions = set(db.session.execute(select(AuditEntry.action)).scalars())
        assert {"volunteer.accepted", "badge.issue", "user.invite", "person.create"} <= actions
    sent = applying.mails_to(app, "applicant1@example.org")[-1]
    body = sent.get_content()
    assert "/account/welcome/" in body and "會務組" in body  # in the applicant's Traditional Chinese
    # Accepting again changes nothing: no second person, badge or account.
    decide(organizer, [volunteer_id], "accept")
    with app.app_context():
        assert db.session.execute(select(func.count(Person.id))).scalar_one() == 1
        assert db.session.execute(select(func.count(User.id)).where(User.role == "volunteer")).scalar_one() == 1


def test_an_existing_account_is_linked_not_duplicated(app, organizer, opened):
    make_user(app, "viewer", email="applicant1@example.org")
    volunteer_id, _ = apply(app)
    decide(organizer, [volunteer_id], "accept")
    with app.app_context():
        users = db.session.execute(select(User).where(User.email == "applicant1@example.org")).scalars().all()
        assert len(users) == 1 and users[0].role == "viewer"  # the account keeps what it may do
        assert db.session.execute(select(AccountPerson.person_id).where(AccountPerson.user_id == users[0].id)).scalar_one() \
            == db.session.get(Volunteer, volunteer_id).person_id
    body = applying.mails_to(app, "applicant1@example.org")[-1].get_content()
    assert "/account/welcome/" not in body


def test_accepting_is_one_transaction(app, opened):
    volunteer_id, _ = apply(app)
    with app.test_request_context():
        other = db.session.execute(select(Person)).scalar()  # nobody yet
        assert other is None
        edition = get_edition(2023)
        person = Person(edition_id=edition.id, family_name="占", given_name="用", category="staff")
        db.session.add(person)
        db.session.flush()
        from conference.accounts import services as accounts

        user = accounts.create_user("applicant1@example.org", "a-long-enough-passphrase", "viewer")
        db.session.flush()
        db.session.add(AccountPerson(user_id=user.id, edition_id=edition.id, person_id=person.id))
        db.session.commit()
        actor = accounts.create_user("screener@example.org", "a-long-enough-passphrase", "organizer")
        db.session.commit()
        with pytest.raises(VolunteerError) as refused:
            committed(lambda: applications.decide([db.session.get(Volunteer, volunteer_id)], "accept", "", actor,
                                                  applying.now()))
        assert refused.value.field == "email"
        assert db.session.get(Volunteer, volunteer_id).status == "applied"
        assert db.session.execute(select(func.count(Person.id))).scalar_one() == 1  # the accepted one rolled back
        assert db.session.execute(select(func.count(Badge.id))).scalar_one() == 0


def test_a_rejection_needs_its_reason_which_the_applicant_receives(app, organizer, opened):
    volunteer_id, token = apply(app, locale="en")
    decide(organizer, [volunteer_id], "reject")
    with app.app_context():
        assert db.session.get(Volunteer, volunteer_id).status == "applied"
    decide(organizer, [volunteer_id], "reject", reason="每天至少需要服务半天。")
    with app.app_context():
        volunteer = db.session.get(Volunteer, volunteer_id)
        assert (volunteer.status, volunteer.decision_reason) == ("rejected", "每天至少需要服务半天。")
        entry = db.session.execute(select(AuditEntry).where(AuditEntry.action == "volunteer.rejected")).scalar_one()
        assert entry.detail["reason"] == "每天至少需要服务半天。"
    mail = applying.mails_to(app, "applicant1@example.org")[-1]
    assert "每天至少需要服务半天。" in mail.get_content() and "cannot accept" in mail.get_content()
    assert "每天至少需要服务半天。" in organizer.get(f"/volunteer/2023/status/{token}").get_data(as_text=True)


@pytest.mark.parametrize("decision", ["promote", "accepted", "", "\x00", "x" * 3000])
def test_a_forged_decision_is_refused(app, organizer, opened, decision):
    volunteer_id, _ = apply(app)
    response = decide(organizer, [volunteer_id, 2**40, "abc"], decision, reason="r" * 5000)
    assert response.status_code in (302, 400)
    with app.app_context():
        assert db.session.get(Volunteer, volunteer_id).status == "applied"


def test_bulk_decisions_and_a_withdrawn_application_stays_withdrawn(app, organizer, opened):
    ids = [apply(app, n)[0] for n in (1, 2, 3)]
    with app.test_request_context():
        committed(lambda: applications.withdraw(db.session.get(Volunteer, ids[2]), applying.now()))
    decide(organizer, ids, "waitlist", reason="名额已满，有空缺时通知您。")
    with app.app_context():
        assert [db.session.get(Volunteer, i).status for i in ids] == ["waitlisted", "waitlisted", "withdrawn"]
    body = organizer.get(LIST + "?lang=en").get_data(as_text=True)
    assert "On the waiting list</span> 2" in body and "Withdrawn</span> 1" in body


def test_rejecting_or_withdrawing_an_accepted_volunteer_gives_up_places_and_revokes_the_badge(app, organizer, opened):
    clock.freeze(applying.now())  # a week before the shifts
    first, _ = apply(app, 1)
    second, token = apply(app, 2)
    decide(organizer, [first, second], "accept")
    with app.test_request_context():
        edition = get_edition(2023)
        desk = [services.get_shift(edition, s) for s in opened["shifts"]][2]  # the desk, 08–12 on 18 July
        for volunteer_id in (first, second):
            services.assign(db.session.get(Volunteer, volunteer_id), desk, applying.now(), None, confirmed=True)
        db.session.commit()
        assert desk.taken == 2
    decide(organizer, [first], "reject", reason="未参加培训。")
    submit(organizer, f"/volunteer/2023/status/{token}/withdraw", {})
    with app.app_context():
        assert db.session.get(Shift, opened["shifts"][2]).taken == 0
        assert set(db.session.execute(select(ShiftPlace.status)).scalars()) == {"cancelled"}
        assert set(db.session.execute(select(Badge.status)).scalars()) == {"revoked"}
        assert [db.session.get(Volunteer, i).status for i in (first, second)] == ["rejected", "withdrawn"]


def test_the_detail_shows_everything_masked_and_reveals_with_a_reason(app, organizer, opened):
    volunteer_id, _ = apply(app, id_number=applying.MINOR, guardian_name="王父", guardian_phone="13700001111",
                            consents={"privacy_notice": 1, "identity_document": 1, "guardian": 1})
    url = f"{LIST}/{volunteer_id}"
    body = organizer.get(url + "?lang=en").get_data(as_text=True)
    for shown in ("王父", "林大海", "厦门大学", "first aid", "English", "+86 138****5678", applying.MINOR[:4] + "**********"):
        assert shown in body, shown
    for hidden in ("13700001111", "13900001111", "13812345678", applying.MINOR):
        assert hidden not in body
    token = csrf_token(organizer, url)
    refused = organizer.post(url, data={"reveal-csrf_token": token, "reveal-reason": " "})
    assert refused.status_code == 422
    shown = organizer.post(url, data={"reveal-csrf_token": token, "reveal-reason": "面试前电话联系"})
    text = shown.get_data(as_text=True)
    assert applying.MINOR in text and "+8613700001111" in text and "+8613900001111" in text
    with app.app_context():
        reads = db.session.execute(select(AuditEntry).where(AuditEntry.action == "pii.reveal")).scalars().all()
        assert {e.detail["field"] for e in reads} == {"document_sealed", "phone_sealed", "emergency_phone_sealed",
                                                      "guardian_phone_sealed"}
        assert {e.detail["reason"] for e in reads} == {"面试前电话联系"}


def test_notes_and_the_interview_slot_in_the_host_citys_time(app, organizer, opened):
    volunteer_id, token = apply(app, locale="en")
    url = f"{LIST}/{volunteer_id}"
    token_value = csrf_token(organizer, url)
    data = {"screening-csrf_token": token_value, "screening-note": "英语流利，有急救证。",
            "screening-interview_at": "2023-07-05T14:30", "screening-interview_place": "厦门大学 3 号楼 201"}
    assert organizer.post(url, data=data).status_code == 302
    with app.app_context():
        volunteer = db.session.get(Volunteer, volunteer_id)
        assert volunteer.interview_at == datetime.fromisoformat("2023-07-05T06:30:00+00:00")
        assert volunteer.note == "英语流利，有急救证。"
    assert "14:30" in organizer.get(f"/volunteer/2023/status/{token}").get_data(as_text=True)
    mail = applying.mails_to(app, "applicant1@example.org")[-1].get_content()
    assert "14:30" in mail and "厦门大学 3 号楼 201" in mail
    for bad in ({"screening-interview_at": "2023-02-30T25:99"}, {"screening-interview_place": ""},
                {"screening-interview_at": "0001-01-01T00:00"}, {"screening-interview_at": "9999-12-31T23:59"},
                {"screening-note": "x" * 6000}):
        response = organizer.post(url, data={**data, **bad})
        assert response.status_code == 422, bad


def test_the_settings_publish_a_new_notice_version_and_open_applications(app, client):
    with app.app_context():
        factories.world()
    organizer = client
    login(client, make_user(app, "organizer"))
    url = "/editions/2023/volunteers/settings"
    page = organizer.get(url + "?lang=en").get_data(as_text=True)
    assert "service records" in page  # the default text names the purposes
    token = csrf_token(organizer, url)
    opening = {"csrf_token": token, "applications_open": "y", "max_daily_hours": "8", "rest_minutes": "30",
               "no_show_minutes": "15"}
    refused = organizer.post(url + "?lang=en", data=opening)
    assert refused.status_code == 422 and "Publish the volunteers' privacy notice first" in refused.get_data(as_text=True)
    notice = {"csrf_token": token, "publish": "1", "notice_zh": "志愿者告知", "notice_en": "Volunteers' notice"}
    for _ in range(2):
        assert organizer.post(url, data=notice).status_code == 302
    assert organizer.post(url, data={**opening, "max_daily_hours": "10"}).status_code == 302
    with app.app_context():
        settings = db.session.execute(select(VolunteerSettings)).scalar_one()
        assert (settings.notice_version, settings.applications_open, settings.max_daily_minutes) == (2, True, 600)
    for bad in ({"max_daily_hours": "99"}, {"rest_minutes": "-1"}, {"no_show_minutes": "abc"}):
        assert organizer.post(url, data={**opening, **bad}).status_code == 422
    assert organizer.post(url, data={**notice, "notice_zh": ""}).status_code == 422


def test_an_accepted_volunteer_can_be_invited_again(app, organizer, opened):
    volunteer_id, _ = apply(app)
    url = f"{LIST}/{volunteer_id}/invite"
    token = csrf_token(organizer, f"{LIST}/{volunteer_id}")
    refused = organizer.post(url, data={"csrf_token": token})
    assert refused.status_code == 302  # not accepted yet: told so, nothing sent
    assert applying.mails_to(app, "applicant1@example.org")[-1]["Subject"].startswith(("Application", "志愿者报名"))
    decide(organizer, [volunteer_id], "accept")
    assert organizer.post(url, data={"csrf_token": token}).status_code == 302
    links = [line for mail in applying.mails_to(app, "applicant1@example.org") for line in mail.get_content().splitlines()
             if "/account/welcome/" in line]
    assert len(links) == 2
    assert organizer.post(url, data={}).status_code == 400
