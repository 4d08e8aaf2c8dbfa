"""A volunteer's own sign-up page, a lead's shift page (crew, assign, remove, candidates), the
coverage page and the shifts command: what each shows, who may use it, and hostile inputs."""

import re
from dataclasses import replace

import pytest
from sqlalchemy import select

from conference.core import clock
from conference.core.audit import AuditEntry
from conference.extensions import db
from conference.volunteers import services
from conference.volunteers.models import Shift, ShiftPlace, Volunteer
from tests.conftest import csrf_token, login, make_user
from tests.volunteers import factories

OPEN = "/volunteer/2023/me/shifts/open"


@pytest.fixture
def w(app):
    with app.app_context():
        built = factories.world()
        clock.freeze(built.at(6, day=17))
        ids = {"edition": built.edition.id, "shifts": [s.id for s in built.shifts], "meeting": built.meeting_group.id,
               "services": built.services_group.id, "usher": built.usher_post.id, "desk": built.desk_post.id}
        db.session.remove()
    return ids


def _volunteer(app, family, **kwargs):
    with app.app_context():
        w = _world()
        return factories.volunteer(w, family, **kwargs).id


def _world():
    """The world's rows again in this app context."""
    from conference.editions.services import get_edition
    from conference.venues.models import Checkpoint, Hall, Venue
    from conference.volunteers.models import Post, Training, WorkingGroup

    edition = get_edition(2023)
    groups = {g.code: g for g in db.session.execute(select(WorkingGroup)).scalars()}
    posts = {p.code: p for p in db.session.execute(select(Post)).scalars()}
    return factories.World(edition, db.session.execute(select(Venue)).scalar(), db.session.execute(select(Hall)).scalar(),
                           db.session.execute(select(Checkpoint)).scalar(), groups["VOL"], groups["MEET"],
                           db.session.execute(select(Training)).scalar(), posts["USHER-8"], posts["DESK"],
                           list(db.session.execute(select(Shift).order_by(Shift.id)).scalars()))


def _sign_in(client, family):
    login(client, f"{family.lower()}@example.org", factories.PASSWORD)


def _post(client, url, data=None, page=OPEN):
    return client.post(url, data={**(data or {}), "csrf_token": csrf_token(client, page)})


def _taken(app, shift_id):
    with app.app_context():
        return db.session.get(Shift, shift_id).taken


# The volunteer's sign-up ------------------------------------------------------------------------


def test_a_volunteer_sees_open_shifts_signs_up_and_gives_the_place_up(app, client, w):
    _volunteer(app, "Li")
    _sign_in(client, "Li")
    page = client.get(OPEN + "?lang=en")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert html.count('action="/volunteer/2023/me/shifts/') == 4  # the four shifts, each with its button
    assert "Sub-forum 8 usher" in html and "Information desk" in html and "Places left: 2 of 2" in html
    desk_morning = w["shifts"][2]
    answer = _post(client, f"/volunteer/2023/me/shifts/{desk_morning}/sign-up?lang=en")
    assert answer.status_code == 303
    assert _taken(app, desk_morning) == 1
    location = answer.headers["Location"]
    html = client.get(location + ("&" if "?" in location else "?") + "lang=en").get_data(as_text=True)
    assert "You are on the shift of Information desk" in html
    # the usher shift at the same time now says why not, without a button
    usher_morning = w["shifts"][0]
    card = html[html.index(f'id="shift-{usher_morning}"'):]
    card = card[:card.index("</li>")]
    assert "already has a shift at this time (08:00–12:00)" in card and "sign-up" not in card
    answer = _post(client, f"/volunteer/2023/me/shifts/{desk_morning}/give-up")
    assert answer.status_code == 303 and _taken(app, desk_morning) == 0


def test_each_rule_says_why_and_a_forced_sign_up_is_refused_with_the_message(app, client, w):
    _volunteer(app, "Li", languages=("zh",), trained=False)
    _sign_in(client, "Li")
    html = client.get(OPEN + "?lang=en").get_data(as_text=True)
    assert "has not attended the training Usher training" in html and "This shift needs English" in html
    usher = w["shifts"][0]
    answer = _post(client, f"/volunteer/2023/me/shifts/{usher}/sign-up", {"lang": "en"})
    assert answer.status_code == 422
    text = client.post(f"/volunteer/2023/me/shifts/{usher}/sign-up?lang=en",
                       data={"csrf_token": csrf_token(client, OPEN)}).get_data(as_text=True)
    assert "You could not sign up." in text and "This shift needs English" in text
    assert _taken(app, usher) == 0


def test_a_full_shift_says_so(app, client, w):
    desk = w["shifts"][2]
    with app.app_context():
        world = _world()
        for family in ("Wang", "Zhao"):
            services.sign_up(factories.volunteer(world, family), db.session.get(Shift, desk), clock.now())
        db.session.commit()
    _volunteer(app, "Li")
    _sign_in(client, "Li")
    assert f'id="shift-{desk}"' not in client.get(OPEN).get_data(as_text=True)  # full: not offered
    answer = client.post(f"/volunteer/2023/me/shifts/{desk}/sign-up?lang=en", data={"csrf_token": csrf_token(client, OPEN)})
    assert answer.status_code == 409 and "This shift is full." in answer.get_data(as_text=True)


def test_a_place_is_given_up_only_before_the_shift_begins(app, client, w):
    desk = w["shifts"][2]
    _volunteer(app, "Li")
    _sign_in(client, "Li")
    assert _post(client, f"/volunteer/2023/me/shifts/{desk}/sign-up").status_code == 303
    with app.app_context():
        clock.freeze(_world().at(8, 30))
    answer = client.post(f"/volunteer/2023/me/shifts/{desk}/give-up?lang=en", data={"csrf_token": csrf_token(client, OPEN)})
    assert answer.status_code == 409 and "ask your group" in answer.get_data(as_text=True)
    assert _taken(app, desk) == 1


def test_the_sign_up_page_is_for_the_editions_volunteers_only(app, client, w):
    assert client.get(OPEN).status_code == 302  # sign in first
    login(client, make_user(app, "organizer"))
    assert client.get(OPEN).status_code == 403  # an account that is no volunteer here
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    _volunteer(app, "Li")
    _sign_in(client, "Li")
    assert client.get("/volunteer/2031/me/shifts/open").status_code == 404
    assert client.post(f"/volunteer/2023/me/shifts/{w['shifts'][2]}/sign-up").status_code == 400  # no CSRF token
    for url in ("/volunteer/2023/me/shifts/999999/sign-up", "/volunteer/2023/me/shifts/0/sign-up",
                "/volunteer/2023/me/shifts/99999999999/sign-up", "/volunteer/2023/me/shifts/abc/sign-up",
                f"/volunteer/2023/me/shifts/{w['shifts'][2]}/give-up"):  # no place to give up
        assert _post(client, url).status_code == 404, url
    assert client.get(f"/volunteer/2023/me/shifts/{w['shifts'][2]}/sign-up").status_code == 405


@pytest.mark.parametrize(("day", "status", "said"), [
    ("2023-07-18", 200, "Places left"), ("2023-07-19", 404, "No shift is open for sign-up on 2023-07-19"),
    ("18.7.2023", 400, "is not a day"), ("", 400, "is not a day"), ("2023-02-30", 400, "is not a day"),
])
def test_the_open_shifts_of_a_day_and_a_bad_day_named(app, client, w, day, status, said):
    _volunteer(app, "Li")
    _sign_in(client, "Li")
    answer = client.get(f"{OPEN}?lang=en&day={day}")
    assert answer.status_code == status and said in answer.get_data(as_text=True)


def test_a_shift_of_another_edition_is_not_found(app, client, w):
    from conference.editions import services as editions
    from conference.editions.demo import EDITION_2023

    with app.app_context():
        other = editions.create_edition(replace(EDITION_2023, year=2024, starts_on=EDITION_2023.starts_on.replace(year=2024),
                                                ends_on=EDITION_2023.ends_on.replace(year=2024)))
        shift = db.session.get(Shift, w["shifts"][2])
        copy = Shift(edition_id=other.id, post_id=shift.post_id, starts_at=shift.starts_at, ends_at=shift.ends_at, needed=2)
        db.session.add(copy)
        db.session.commit()
        copy_id = copy.id
    _volunteer(app, "Li")
    _sign_in(client, "Li")
    assert _post(client, f"/volunteer/2023/me/shifts/{copy_id}/sign-up").status_code == 404
    login(client, make_user(app, "organizer"))
    assert client.get(f"/editions/2023/volunteers/shifts/{copy_id}").status_code == 404


# The lead's shift page ------------------------------------------------------------------------------


def _lead(app, group_code, email):
    with app.app_context():
        world = _world()
        factories.lead(world, world.meeting_group if group_code == "MEET" else world.services_group, email)
    return email


def test_a_lead_assigns_from_the_candidates_and_removes(app, client, w):
    usher = w["shifts"][0]
    li = _volunteer(app, "Li")
    _volunteer(app, "Wang", languages=("zh",))  # no English: not a candidate
    login(client, _lead(app, "MEET", "meet@example.org"), factories.PASSWORD)
    url = f"/editions/2023/volunteers/shifts/{usher}"
    html = client.get(url + "?lang=en").get_data(as_text=True)
    assert "Understaffed: 2 missing" in html and "Assign Li志愿" in html and "Assign Wang" not in html
    answer = client.post(url + "/assign", data={"volunteer_id": li, "csrf_token": csrf_token(client, url)})
    assert answer.status_code == 303 and _taken(app, usher) == 1
    with app.app_context():
        place = db.session.execute(select(ShiftPlace)).scalar_one()
        assert place.assigned_by == "meet@example.org"
        place_id = place.id
    html = client.get(url + "?lang=en").get_data(as_text=True)
    assert "Remove Li志愿" in html and "assigned by the lead" in html
    answer = client.post(f"{url}/places/{place_id}/remove", data={"csrf_token": csrf_token(client, url)})
    assert answer.status_code == 303 and _taken(app, usher) == 0
    with app.app_context():
        actions = db.session.execute(select(AuditEntry.action, AuditEntry.actor).order_by(AuditEntry.id)).all()
    assert [tuple(a) for a in actions if a[0].startswith("shift.")] == [
        ("shift.assign", "meet@example.org"), ("shift.give_up", "meet@example.org")]


def test_a_soft_conflict_is_assigned_once_confirmed_a_hard_one_never(app, client, w):
    usher = w["shifts"][0]
    newbie = _volunteer(app, "Li", first_time=True)
    untrained = _volunteer(app, "Wang", trained=False)
    login(client, _lead(app, "MEET", "meet@example.org"), factories.PASSWORD)
    url = f"/editions/2023/volunteers/shifts/{usher}"
    html = client.get(url + "?lang=en&q=Li").get_data(as_text=True)
    assert "volunteers for the first time" in html and "Assign Li志愿 all the same" in html
    answer = client.post(url + "/assign?lang=en", data={"volunteer_id": newbie, "csrf_token": csrf_token(client, url)})
    assert answer.status_code == 422 and 'name="confirm" value="1"' in answer.get_data(as_text=True)
    assert _taken(app, usher) == 0
    answer = client.post(url + "/assign", data={"volunteer_id": newbie, "confirm": "1", "csrf_token": csrf_token(client, url)})
    assert answer.status_code == 303 and _taken(app, usher) == 1
    answer = client.post(url + "/assign?lang=en", data={"volunteer_id": untrained, "confirm": "1",
                                                         "csrf_token": csrf_token(client, url)})
    assert answer.status_code == 422 and "has not attended the training" in answer.get_data(as_text=True)
    assert 'name="confirm" value="1"' not in answer.get_data(as_text=True) and _taken(app, usher) == 1


@pytest.mark.parametrize("volunteer_id", ["", "abc", "0", "-3", "99999999999", "424242", "1.5", "𠮷", "\x00x", "a" * 3000,
                                          "1;DROP TABLE users", "２"])
def test_a_forged_volunteer_is_refused(app, client, w, volunteer_id):
    login(client, make_user(app, "organizer"))
    url = f"/editions/2023/volunteers/shifts/{w['shifts'][2]}"
    answer = client.post(url + "/assign?lang=en", data={"volunteer_id": volunteer_id, "csrf_token": csrf_token(client, url)})
    assert answer.status_code == 422 and "Choose a volunteer of this edition." in answer.get_data(as_text=True)


@pytest.mark.parametrize("query", ["\x00x", "𠮷", "a" * 3000, "%", "_", "<script>", "'; --", " "])
def test_an_odd_search_is_answered(app, client, w, query):
    login(client, make_user(app, "organizer"))
    answer = client.get(f"/editions/2023/volunteers/shifts/{w['shifts'][0]}", query_string={"q": query})
    assert answer.status_code == 200 and "<script>" not in answer.get_data(as_text=True).split("</header>")[1]


def test_a_lead_reaches_only_their_groups_shifts(app, client, w):
    usher, desk = w["shifts"][0], w["shifts"][2]
    li = _volunteer(app, "Li")
    login(client, _lead(app, "MEET", "meet@example.org"), factories.PASSWORD)
    assert client.get(f"/editions/2023/volunteers/shifts/{usher}").status_code == 200
    assert client.get(f"/editions/2023/volunteers/shifts/{desk}").status_code == 403
    token = csrf_token(client, f"/editions/2023/volunteers/shifts/{usher}")
    assert client.post(f"/editions/2023/volunteers/shifts/{desk}/assign",
                       data={"volunteer_id": li, "csrf_token": token}).status_code == 403
    with app.app_context():
        place = services.sign_up(db.session.get(Volunteer, li), db.session.get(Shift, desk), clock.now())
        db.session.commit()
        place_id = place.id
    assert client.post(f"/editions/2023/volunteers/shifts/{desk}/places/{place_id}/remove",
                       data={"csrf_token": token}).status_code == 403
    # a place of another shift named under one's own shift is not found
    assert client.post(f"/editions/2023/volunteers/shifts/{usher}/places/{place_id}/remove",
                       data={"csrf_token": token}).status_code == 404
    assert _taken(app, desk) == 1


@pytest.mark.parametrize("role", ["viewer", "security"])
def test_staff_who_only_view_see_the_shift_without_its_actions(app, client, w, role):
    _volunteer(app, "Li")
    login(client, make_user(app, role))
    url = f"/editions/2023/volunteers/shifts/{w['shifts'][0]}"
    html = client.get(url + "?q=Li").get_data(as_text=True)
    assert client.get(url).status_code == 200 and "/assign" not in html
    assert client.post(url + "/assign", data={"volunteer_id": "1", "csrf_token": csrf_token(client, url)}).status_code == 403


def test_volunteers_and_strangers_do_not_reach_the_leads_pages(app, client, w):
    urls = [f"/editions/2023/volunteers/shifts/{w['shifts'][0]}", "/editions/2023/volunteers/coverage"]
    for url in urls:
        assert client.get(url).status_code == 302
    _volunteer(app, "Li")
    _sign_in(client, "Li")
    for url in urls:
        assert client.get(url).status_code == 403
    assert client.get("/editions/2023/volunteers/shifts/99999").status_code == 403  # no hint of what exists


# Coverage ----------------------------------------------------------------------------------------------


def _cells(html):
    return re.findall(r"(\d+) / (\d+) / (\d+)", html)


def test_coverage_counts_needed_assigned_and_checked_in_by_post_and_hour(app, client, w):
    desk = w["shifts"][2]
    with app.app_context():
        world = _world()
        place = services.sign_up(factories.volunteer(world, "Li"), db.session.get(Shift, desk), clock.now())
        services.sign_up(factories.volunteer(world, "Wang"), db.session.get(Shift, desk), clock.now())
        services.check_in(place, world.at(7, 50))
        db.session.commit()
    login(client, make_user(app, "organizer"))
    page = client.get("/editions/2023/volunteers/coverage?day=2023-07-18&lang=en")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert [f"{h:02d}:00" for h in range(8, 17)] == re.findall(r'<th scope="col">(\d\d:00)</th>', html)
    usher_row = html[html.index("Sub-forum 8 usher"):html.index("Information desk</th>") if "Information desk</th>" in html else None]
    rows = html.split('<th scope="row">')[1:]
    usher = next(r for r in rows if r.startswith("Sub-forum 8 usher"))
    desk_row = next(r for r in rows if r.startswith("Information desk"))
    totals = next(r for r in rows if r.startswith("All posts"))
    assert usher_row
    # usher: 08–12 and 13–17, nobody: 2/0/0 each hour, short; the lunch hour 12–13 empty
    assert _cells(usher)[:4] == [("2", "0", "0")] * 4 and "short 2" in usher
    assert _cells(usher)[-1] == ("4", "0", "0")  # the day's total: each shift once
    assert _cells(desk_row)[:4] == [("2", "2", "1")] * 4
    assert _cells(desk_row)[-1] == ("4", "2", "1")
    assert _cells(totals)[0] == ("4", "2", "1") and _cells(totals)[-1] == ("8", "2", "1")
    assert 'class="empty"' in usher  # 12:00, no shift at work


def test_a_lead_sees_only_their_groups_posts_on_the_coverage(app, client, w):
    login(client, _lead(app, "MEET", "meet@example.org"), factories.PASSWORD)
    html = client.get("/editions/2023/volunteers/coverage?day=2023-07-18&lang=en").get_data(as_text=True)
    assert "Sub-forum 8 usher" in html and "Information desk" not in html


@pytest.mark.parametrize(("day", "status", "said"), [
    ("2023-13-01", 400, "is not a day"), ("yesterday", 400, "is not a day"), ("", 400, "is not a day"),
    ("2023-08-01", 404, "no shifts on 2023-08-01"), ("9999-12-31", 404, "no shifts"), ("2023-07-18'--", 400, "is not a day"),
])
def test_a_bad_day_is_named(app, client, w, day, status, said):
    login(client, make_user(app, "organizer"))
    answer = client.get(f"/editions/2023/volunteers/coverage?lang=en&day={day}")
    assert answer.status_code == status and said in answer.get_data(as_text=True)


def test_the_coverage_page_prints_a4_landscape_without_navigation(app, client, w):
    login(client, make_user(app, "organizer"))
    html = client.get("/editions/2023/volunteers/coverage").get_data(as_text=True)
    assert "@page { size: A4 landscape" in html and 'class="day-tabs no-print"' in html
    css = client.get("/static/css/volunteer-shifts.css").get_data(as_text=True)
    assert "@media print" in css and ".no-print" in css


# The command ------------------------------------------------------------------------------------------


def test_the_shifts_command_lists_shifts_and_names_what_is_wrong(app, w):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["volunteers", "shifts", "--edition", "2023"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) == 6 and "USHER-8" in lines[1] and lines[1].startswith("2023-07-18 08:00–12:00")
    assert "4 shifts: 8 places needed, 0 taken, 0 checked in." in lines[-1]
    result = runner.invoke(args=["volunteers", "shifts", "--edition", "2023", "--post", "desk", "--day", "2023-07-18"])
    assert result.exit_code == 0 and "USHER" not in result.output and result.output.count("DESK") == 2
    for args, said, code in (
        (["--edition", "2031"], "There is no 2031 edition", 1),
        (["--edition", "99999999999"], "There is no 99999999999 edition", 1),
        (["--edition", "2023", "--post", "NOPE"], "no post 'NOPE' (its posts: DESK, USHER-8)", 1),
        (["--edition", "2023", "--day", "2023-13-01"], "2023-13-01", 2),
        (["--edition", "2023", "--day", "2023-08-01"], "no shifts on 2023-08-01 (its days: 2023-07-18)", 1),
    ):
        result = runner.invoke(args=["volunteers", "shifts", *args])
        assert result.exit_code == code and said in result.output, (args, result.output)
