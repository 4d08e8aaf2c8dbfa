"""A lead's attendance page: who may open it, the crew with check-in and check-out times and
no-shows, checking in and out by hand (audited, the lead as actor), a correction that needs a
reason, and hostile input that is refused beside its field or as a 4xx, never a 500."""

from dataclasses import replace
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from conference.core import clock
from conference.core.database import committed
from conference.core.models import AuditEntry
from conference.editions import services as editions
from conference.editions.demo import EDITION_2023
from conference.extensions import db
from conference.volunteers import attendance, services
from conference.volunteers.models import Post, Shift, ShiftPlace, Volunteer, WorkingGroup
from tests.conftest import csrf_token, login, make_user, race
from tests.volunteers import factories

EN = {"Accept-Language": "en"}
XIAMEN = ZoneInfo("Asia/Shanghai")


def at(hour: int, minute: int = 0, day: int = 18) -> datetime:
    return datetime(2023, 7, day, hour, minute, tzinfo=XIAMEN).astimezone(UTC)


@pytest.fixture
def crew(app):
    """The usher's shift 08–12 on 18 July (会务组) with Li and Wang on it; Zhao on the desk
    (志愿服务组) 08–12; a lead of each group."""
    with app.app_context():
        w = factories.world()
        li, wang, zhao = (factories.volunteer(w, family) for family in ("Li", "Wang", "Zhao"))
        usher, desk = w.shifts[0], w.shifts[2]
        places = {name: services.sign_up(v, shift, now=at(6)).id
                  for name, v, shift in (("li", li, usher), ("wang", wang, usher), ("zhao", zhao, desk))}
        db.session.commit()
        factories.lead(w, w.meeting_group, "meet-lead@example.org")
        factories.lead(w, w.services_group, "vol-lead@example.org")
        return {"usher": usher.id, "desk": desk.id, "places": places, "edition": w.edition.id,
                "url": f"/editions/2023/volunteers/shifts/{usher.id}/attendance"}


def _as(client, email):
    login(client, email, factories.PASSWORD)
    return client


def _post(client, url, page, data):
    return client.post(url, data={**data, "csrf_token": csrf_token(client, page)}, headers=EN)


def _place(place_id) -> ShiftPlace:
    return db.session.get(ShiftPlace, place_id)


@pytest.mark.parametrize("role, status", [("admin", 200), ("organizer", 200), ("lead", 200), ("other_lead", 403),
                                          ("volunteer", 403), ("viewer", 403), ("security", 403)])
def test_who_may_open_the_attendance_page(app, client, crew, role, status):
    emails = {"lead": "meet-lead@example.org", "other_lead": "vol-lead@example.org", "volunteer": "li@example.org"}
    if role in emails:
        _as(client, emails[role])
    else:
        login(client, make_user(app, role))
    clock.freeze(at(8, 20))
    assert client.get(crew["url"]).status_code == status
    place = crew["places"]["li"]
    token = csrf_token(client, "/account")
    for action, data in (("check-in", {}), ("check-out", {}), ("correct", {f"c{place}-minutes": "60", f"c{place}-reason": "x"})):
        response = client.post(f"{crew['url']}/{place}/{action}", data={**data, "csrf_token": token})
        assert response.status_code == (403 if status == 403 else 303), action
    with app.app_context():
        found = _place(place)
        if status == 403:
            assert (found.checked_in_at, found.corrected_minutes) == (None, None)
        else:
            assert (found.checked_in_at, found.corrected_minutes) == (at(8, 20), 60)


def test_signed_out_goes_to_the_login(client, crew):
    for url in (crew["url"], "/editions/2023/volunteers/no-shows"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_crew_with_a_no_show_in_red_with_words(app, client, crew):
    _as(client, "meet-lead@example.org")
    clock.freeze(at(8, 10))
    html = client.get(crew["url"], headers=EN).get_data(as_text=True)
    assert "Li志愿" in html and "Wang志愿" in html and "Zhao志愿" not in html
    assert '<span class="tag warn">No-show</span>' not in html  # within the 15 minutes' grace
    with app.app_context():
        services.check_in(_place(crew["places"]["wang"]), at(7, 50))
        db.session.commit()
    clock.freeze(at(8, 16))
    html = client.get(crew["url"], headers=EN).get_data(as_text=True)
    li = html.split(f'id="place-{crew["places"]["li"]}"')[1].split("</li>")[0]
    wang = html.split(f'id="place-{crew["places"]["wang"]}"')[1].split("</li>")[0]
    assert "vol-no-show" in html.split(f'id="place-{crew["places"]["li"]}"')[0][-80:]
    assert '<span class="tag warn">No-show</span>' in li
    assert "No-show" not in wang and "Checked in at 07:50" in wang


def test_a_lead_checks_in_and_out_by_hand_audited(app, client, crew):
    _as(client, "meet-lead@example.org")
    place = crew["places"]["li"]
    clock.freeze(at(8, 20))
    response = _post(client, f"{crew['url']}/{place}/check-in", crew["url"], {f"p{place}-at": ""})
    assert response.status_code == 303
    clock.freeze(at(11, 0))
    response = _post(client, f"{crew['url']}/{place}/check-out", crew["url"], {f"p{place}-at": "10:45"})
    assert response.status_code == 303
    with app.app_context():
        found = _place(place)
        assert (found.checked_in_at, found.checked_out_at) == (at(8, 20), at(10, 45))
        assert services.worked_minutes(found) == 145
        entries = db.session.execute(select(AuditEntry).where(AuditEntry.action.in_(("shift.check_in", "shift.check_out")))
                                     .order_by(AuditEntry.id)).scalars().all()
        assert [(e.action, e.actor) for e in entries] == [("shift.check_in", "meet-lead@example.org"),
                                                          ("shift.check_out", "meet-lead@example.org")]


def _refused(client, crew, action, field, typed, message):
    place = crew["places"]["li"]
    response = _post(client, f"{crew['url']}/{place}/{action}", crew["url"], {f"p{place}-at": typed})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    error = html.split(f'id="p{place}-{field}-error"')[1].split("</p>")[0]
    assert message in error
    assert f'value="{typed}"' in html.split(f'id="place-{place}"')[1]  # what was typed is kept


def test_checking_out_before_checking_in_is_refused_beside_the_time(app, client, crew):
    _as(client, "meet-lead@example.org")
    with app.app_context():
        services.check_in(_place(crew["places"]["li"]), at(9, 0))
        db.session.commit()
    clock.freeze(at(11, 0))
    _refused(client, crew, "check-out", "at", "08:30", "Checking out cannot come before checking in.")
    with app.app_context():
        assert _place(crew["places"]["li"]).checked_out_at is None


def test_checking_out_without_a_check_in_is_refused(app, client, crew):
    _as(client, "meet-lead@example.org")
    clock.freeze(at(11, 0))
    _refused(client, crew, "check-out", "at", "10:00", "has not checked in")


@pytest.mark.parametrize("typed, message", [
    ("11:30", "That time has not come yet."),  # the clock says 11:00
    ("06:00", "Give a time between 07:30 and 12:30."),
    ("25:99", "Not a valid time value."),
    ("eight", "Not a valid time value."),
])
def test_a_check_in_time_out_of_the_shift_or_to_come_is_refused(app, client, crew, typed, message):
    _as(client, "meet-lead@example.org")
    clock.freeze(at(11, 0))
    _refused(client, crew, "check-in", "at", typed, message)
    with app.app_context():
        assert _place(crew["places"]["li"]).checked_in_at is None


def test_a_check_in_by_hand_long_before_the_shift_is_refused(app, client, crew):
    _as(client, "meet-lead@example.org")
    clock.freeze(at(6, 0))
    place = crew["places"]["li"]
    response = _post(client, f"{crew['url']}/{place}/check-in", crew["url"], {f"p{place}-at": ""})
    assert response.status_code == 422 and "Give a time between 07:30 and 12:30." in response.get_data(as_text=True)


def _correct(client, crew, minutes, reason):
    place = crew["places"]["li"]
    return _post(client, f"{crew['url']}/{place}/correct", crew["url"],
                 {f"c{place}-minutes": minutes, f"c{place}-reason": reason})


def test_a_correction_without_a_reason_is_refused_beside_the_field(app, client, crew):
    _as(client, "meet-lead@example.org")
    clock.freeze(at(13, 0))
    place = crew["places"]["li"]
    response = _correct(client, crew, "230", "  ")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Say why the hours are corrected." in html.split(f'id="c{place}-reason-error"')[1].split("</p>")[0]
    assert 'value="230"' in html and "<details class=\"vol-correction\" open>" in html
    with app.app_context():
        assert _place(place).corrected_minutes is None


@pytest.mark.parametrize("minutes, message", [
    ("-5", "Enter the minutes worked, from 0 to 1440."),
    ("1441", "Enter the minutes worked, from 0 to 1440."),
    ("99999999999999999999999", "Enter the minutes worked, from 0 to 1440."),
    ("four hours", "Not a valid integer value."),
    ("", "Enter the minutes worked, from 0 to 1440."),
])
def test_impossible_minutes_are_refused_beside_the_field(app, client, crew, minutes, message):
    _as(client, "meet-lead@example.org")
    clock.freeze(at(13, 0))
    place = crew["places"]["li"]
    response = _correct(client, crew, minutes, "forgot to check out")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html.split(f'id="c{place}-minutes-error"')[1].split("</p>")[0]
    assert 'value="forgot to check out"' in html


def test_a_correction_counts_and_is_audited_with_its_reason(app, client, crew):
    _as(client, "meet-lead@example.org")
    clock.freeze(at(13, 0))
    assert _correct(client, crew, "230", "left at 11:50, forgot to check out").status_code == 303
    html = client.get(crew["url"], headers=EN).get_data(as_text=True)
    assert "3:50" in html and "left at 11:50, forgot to check out" in html
    with app.app_context():
        assert services.worked_minutes(_place(crew["places"]["li"])) == 230
        entry = db.session.execute(select(AuditEntry).where(AuditEntry.action == "shift.correct_hours")).scalar_one()
        assert entry.actor == "meet-lead@example.org"
        assert entry.detail == {"before": 0, "after": 230, "reason": "left at 11:50, forgot to check out"}


def test_hostile_ids_are_4xx(app, client, crew):
    _as(client, "meet-lead@example.org")
    clock.freeze(at(9, 0))
    base = "/editions/2023/volunteers/shifts"
    zhao = crew["places"]["zhao"]  # on the desk, another shift
    with app.app_context():
        editions.create_edition(replace(EDITION_2023, year=2024, starts_on=date(2024, 7, 18), ends_on=date(2024, 7, 19)))
        db.session.commit()
    for url in (f"{base}/999999/attendance", f"{base}/0/attendance", f"{base}/99999999999999999999/attendance",
                f"{base}/abc/attendance", f"/editions/2024/volunteers/shifts/{crew['usher']}/attendance",
                f"/editions/9999/volunteers/shifts/{crew['usher']}/attendance"):
        assert client.get(url).status_code == 404, url
    token = csrf_token(client, crew["url"])
    for place in (zhao, 999999, "99999999999999999999", "-1"):
        for action in ("check-in", "check-out", "correct"):
            response = client.post(f"{crew['url']}/{place}/{action}", data={"csrf_token": token})
            assert response.status_code == 404, (place, action)
    # The desk is another group's: its lead is refused, whatever the id says
    desk = f"{base}/{crew['desk']}/attendance"
    assert client.get(desk).status_code == 403
    assert client.post(f"{desk}/{zhao}/check-in", data={"csrf_token": token}).status_code == 403
    with app.app_context():
        assert _place(zhao).checked_in_at is None


def test_a_given_up_place_is_not_on_the_crew_and_cannot_be_checked_in(app, client, crew):
    with app.app_context():
        services.give_up(_place(crew["places"]["wang"]), now=at(7))
        db.session.commit()
    _as(client, "meet-lead@example.org")
    clock.freeze(at(9, 0))
    assert "Wang志愿" not in client.get(crew["url"]).get_data(as_text=True)
    token = csrf_token(client, crew["url"])
    assert client.post(f"{crew['url']}/{crew['places']['wang']}/check-in", data={"csrf_token": token}).status_code == 404


def test_no_shows_now_across_the_leads_groups(app, client, crew):
    clock.freeze(at(8, 30))
    with app.app_context():
        services.check_in(_place(crew["places"]["wang"]), at(7, 55))
        db.session.commit()
    _as(client, "meet-lead@example.org")
    html = client.get("/editions/2023/volunteers/no-shows", headers=EN).get_data(as_text=True)
    assert "Li志愿" in html and "30 minutes late" in html
    assert "Wang志愿" not in html  # checked in
    assert "Zhao志愿" not in html  # another group's desk
    assert f'/editions/2023/volunteers/shifts/{crew["usher"]}/attendance' in html
    client.post("/logout", data={"csrf_token": csrf_token(client, "/editions/2023/volunteers/no-shows")})
    login(client, make_user(app, "organizer"))
    html = client.get("/editions/2023/volunteers/no-shows", headers=EN).get_data(as_text=True)
    assert "Li志愿" in html and "Zhao志愿" in html
    clock.freeze(at(12, 30))  # the shifts are over: nobody to replace
    assert "Nobody is missing" in client.get("/editions/2023/volunteers/no-shows", headers=EN).get_data(as_text=True)


def test_no_shows_are_for_those_who_manage(app, client, crew):
    _as(client, "li@example.org")
    assert client.get("/editions/2023/volunteers/no-shows").status_code == 403
    assert client.get("/editions/2024/volunteers/no-shows").status_code in (403, 404)


def test_a_shift_past_midnight_takes_a_typed_time_on_its_second_day(app, client, crew):
    with app.app_context():
        group = db.session.execute(select(WorkingGroup).where(WorkingGroup.code == "MEET")).scalar_one()
        post = db.session.execute(select(Post).where(Post.group_id == group.id, Post.code == "USHER-8")).scalar_one()
        night = Shift(edition_id=crew["edition"], post_id=post.id, starts_at=at(22, 0), ends_at=at(2, 0, day=19), needed=1)
        db.session.add(night)
        db.session.commit()
        wang = db.session.get(Volunteer, _place(crew["places"]["wang"]).volunteer_id)
        services.give_up(_place(crew["places"]["wang"]), now=at(7))
        place = services.assign(wang, night, now=at(7), actor=None, confirmed=True).id
        db.session.commit()
        night_id = night.id
    _as(client, "meet-lead@example.org")
    clock.freeze(at(1, 30, day=19))
    url = f"/editions/2023/volunteers/shifts/{night_id}/attendance"
    assert _post(client, f"{url}/{place}/check-in", url, {f"p{place}-at": "00:10"}).status_code == 303
    with app.app_context():
        assert _place(place).checked_in_at == at(0, 10, day=19)


ODD = ["", "0", "-1", "99999999999999999999", "abc", "𠮷", "<script>", "\x00x", "2023-02-30", "25:99",
       "a" * 3000, "1e9", "None", " ", "２０２３", "1;DROP TABLE users", "08:00:00", "8", "-08:00"]


def test_odd_values_in_every_field_are_a_message_or_a_redirect(app, client, crew):
    _as(client, "meet-lead@example.org")
    clock.freeze(at(11, 0))
    place = crew["places"]["li"]
    token = csrf_token(client, crew["url"])
    for value in ODD:
        for action, data in (("check-in", {f"p{place}-at": value}),
                             ("correct", {f"c{place}-minutes": value, f"c{place}-reason": value}),
                             ("correct", {f"c{place}-minutes": "60", f"c{place}-reason": value})):
            response = client.post(f"{crew['url']}/{place}/{action}", data={**data, "csrf_token": token})
            assert response.status_code in (303, 422), (action, value, response.status_code)
            if response.status_code == 422:
                assert 'class="error"' in response.get_data(as_text=True), (action, value)
    assert "<script>" not in client.get(crew["url"]).get_data(as_text=True)


def test_two_check_ins_at_once_record_one(app, crew):
    place_id = crew["places"]["li"]
    typed = [time(8, minute) for minute in range(0, 40, 5)]

    def attempt(index):
        place = db.session.get(ShiftPlace, place_id)
        return committed(lambda: attendance.record_by_hand(place, services.check_in, typed[index], at(9), None))

    _results, errors = race(app, attempt, len(typed))
    assert errors == []
    with app.app_context():
        entries = db.session.execute(select(AuditEntry).where(AuditEntry.action == "shift.check_in")).scalars().all()
        assert len(entries) == 1
        assert _place(place_id).checked_in_at.isoformat() == entries[0].detail["at"]
