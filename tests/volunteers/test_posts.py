"""Posts and their shifts on the organizers' pages: a post's place among the edition's
checkpoints, halls, hotels and travel places (or in words), shifts added on several days at
once, a headcount never below the places taken, and deleting a post or a shift with volunteers
on it: their places are given up (audited), hours already worked refuse the delete."""

import re
from datetime import datetime

import pytest
from sqlalchemy import func, select

from conference.core.models import AuditEntry
from conference.editions import services as editions
from conference.editions.demo import EDITION_2023
from conference.editions.localtime import local
from conference.extensions import db
from conference.hotels.models import Hotel, TravelPlace
from conference.venues.models import Hall, Venue
from conference.volunteers import services
from conference.volunteers.models import Post, Shift, ShiftPlace, Training, Volunteer
from tests.conftest import submit
from tests.volunteers import factories
from tests.volunteers.test_groups import BASE, EN, ids_fixture, sign_in  # noqa: F401  the ids fixture


def post_form(**changes) -> dict:
    data = {"code": "PRESS", "kind": "press_centre", "name_zh": "新闻中心", "name_zh_hant": "", "name_en": "Press centre",
            "description_zh": "", "description_en": "", "place": "", "place_text": "国际会议中心二楼", "self_signup": "y",
            "training_id": ""}
    data.update(changes)
    return data


def shift_form(**changes) -> dict:
    data = {"days": ["2023-07-17", "2023-07-18", "2023-07-19"], "starts": "08:00", "ends": "12:30", "needed": "3",
            "training_id": "", "note": ""}
    data.update(changes)
    return data


def _places(app) -> dict[str, int]:
    """A hotel, a travel place and a hall of another edition."""
    with app.app_context():
        edition = editions.get_edition(2023)
        hotel = Hotel(edition_id=edition.id, code="H-HAIYUE", name_zh="海悦山庄酒店", name_en="Haiyue Hotel")
        airport = TravelPlace(edition_id=edition.id, code="XMN", kind="airport", name_zh="高崎国际机场",
                              name_en="Gaoqi International Airport")
        other = editions.create_edition(EDITION_2023.__class__(**{**EDITION_2023.__dict__, "year": 2024,
                                                                 "starts_on": EDITION_2023.starts_on.replace(year=2024),
                                                                 "ends_on": EDITION_2023.ends_on.replace(year=2024)}))
        venue = Venue(edition_id=other.id, name_zh="别处", name_en="Elsewhere")
        db.session.add_all([hotel, airport, venue])
        db.session.flush()
        foreign = Hall(venue_id=venue.id, name_zh="别的厅", name_en="Another hall")
        db.session.add(foreign)
        db.session.commit()
        return {"hotel": hotel.id, "airport": airport.id, "foreign_hall": foreign.id}


# Posts ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["text", "hotel", "travel", "hall", "checkpoint"])
def test_a_post_takes_its_place_from_the_edition_or_in_words(app, client, ids, kind):
    places = _places(app)
    with app.app_context():
        checkpoint = db.session.get(Post, ids["desk"]).checkpoint_id
    choice = {"text": "", "hotel": f"hotel:{places['hotel']}", "travel": f"travel:{places['airport']}",
              "hall": f"hall:{ids['hall']}", "checkpoint": f"checkpoint:{checkpoint}"}[kind]
    sign_in(app, client, "meet-lead")
    form = client.get(f"{BASE}/groups/{ids['meet']}/posts/new", headers=EN).get_data(as_text=True)
    assert "Haiyue Hotel" in form and "Gaoqi International Airport" in form and "Another hall" not in form
    response = submit(client, f"{BASE}/groups/{ids['meet']}/posts/new",
                      post_form(place=choice, skills=["photography"], languages=["en", "ja"],
                                training_id=str(ids["training"])), headers=EN)
    assert response.status_code == 303, response.get_data(as_text=True)
    with app.app_context():
        post = db.session.execute(select(Post).where(Post.code == "PRESS")).scalar_one()
        assert post.group_id == ids["meet"] and post.skills == ["photography"] and post.languages == ["en", "ja"]
        assert post.training_id == ids["training"]
        held = [post.checkpoint_id, post.hall_id, post.hotel_id, post.travel_place_id]
        assert sum(1 for value in held if value) == (0 if kind == "text" else 1)
        assert post.place_text == ("国际会议中心二楼" if kind == "text" else "")
    page = client.get(response.headers["Location"], headers=EN).get_data(as_text=True)
    assert {"text": "国际会议中心二楼", "hotel": "Haiyue Hotel", "travel": "Gaoqi International Airport",
            "hall": "Sub-forum 8 hall", "checkpoint": "East gate"}[kind] in page


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"kind": "astronaut"}, "kind", "Choose the kind of post."),
    ({"place": "hall:999999"}, "place", "Choose a place of this edition."),
    ({"place": "hall:abc"}, "place", "Choose a place of this edition."),
    ({"place": "garden:1"}, "place", "Choose a place of this edition."),
    ({"place": "hall:99999999999999999999"}, "place", "Choose a place of this edition."),
    ({"place": "", "place_text": "  "}, "place", "Say where the post is"),
    ({"skills": ["flying"]}, "skills", "Choose skills from the list."),
    ({"languages": ["klingon"]}, "languages", "Choose languages from the list."),
    ({"training_id": "abc"}, "training_id", "Choose a training of this edition."),
    ({"training_id": "999999"}, "training_id", "Choose a training of this edition."),
    ({"code": "USHER-8"}, "code", "Another post of this edition has this code."),
    ({"code": "press centre"}, "code", "Use capital letters, digits and hyphens"),
    ({"name_zh": ""}, "name_zh", "Enter the Chinese text."),
    ({"place_text": "x" * 201}, "place_text", "Field cannot be longer than 200 characters."),
])
def test_a_wrong_post_field_is_answered_beside_it(app, client, ids, changes, field, message):
    places = _places(app)
    if changes.get("place") == "hall:999999":
        changes = {**changes, "place": f"hall:{places['foreign_hall']}"}  # another edition's hall
    sign_in(app, client, "organizer")
    response = submit(client, f"{BASE}/groups/{ids['meet']}/posts/new", post_form(**changes), headers=EN)
    html = response.get_data(as_text=True)
    assert response.status_code == 422, html[:300]
    assert f'id="{field}-error"' in html and message in html
    assert 'value="Press centre"' in html
    with app.app_context():
        assert db.session.execute(select(func.count(Post.id))).scalar_one() == 2


def test_editing_a_post_shows_its_place_chosen(app, client, ids):
    sign_in(app, client, "organizer")
    html = client.get(f"{BASE}/posts/{ids['usher']}/edit", headers=EN).get_data(as_text=True)
    assert f'<option selected value="hall:{ids["hall"]}">' in html


# Shifts --------------------------------------------------------------------------------------


def test_a_shift_is_added_on_each_day_ticked(app, client, ids):
    sign_in(app, client, "meet-lead")
    form = client.get(f"{BASE}/posts/{ids['usher']}/shifts/new", headers=EN).get_data(as_text=True)
    assert all(f'value="2023-07-{day}"' in form for day in (17, 18, 19)) and 'value="2023-07-16"' not in form
    response = submit(client, f"{BASE}/posts/{ids['usher']}/shifts/new", shift_form(languages=["en"]), headers=EN)
    assert response.status_code == 303
    with app.app_context():
        edition = editions.get_edition(2023)
        made = db.session.execute(select(Shift).where(Shift.post_id == ids["usher"], Shift.needed == 3)).scalars().all()
        assert sorted((local(edition, s.starts_at).isoformat(), local(edition, s.ends_at).strftime("%H:%M")) for s in made) == [
            ("2023-07-17T08:00:00+08:00", "12:30"), ("2023-07-18T08:00:00+08:00", "12:30"),
            ("2023-07-19T08:00:00+08:00", "12:30")]
        assert all(s.languages == ["en"] and s.edition_id == edition.id for s in made)
    page = client.get(f"{BASE}/posts/{ids['usher']}", headers=EN).get_data(as_text=True)
    assert page.count('<span class="short">0 / 3</span>') == 3


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"days": []}, "days", "Choose the day of the shift."),
    ({"days": ["2023-07-20"]}, "days", "Choose among the volunteering days."),
    ({"days": ["0001-01-01"]}, "days", "Choose among the volunteering days."),
    ({"days": ["9999-12-31"]}, "days", "Choose among the volunteering days."),
    ({"days": ["tomorrow"]}, "days", "Choose among the volunteering days."),
    ({"starts": "25:00"}, "starts", "Not a valid time value."),
    ({"starts": ""}, "starts", "Give the time the shift begins"),
    ({"ends": "07:00"}, "ends", "A shift ends after it begins, on the same day."),
    ({"starts": "06:00", "ends": "19:00"}, "ends", "A shift lasts 12 hours at most"),
    ({"needed": "0"}, "needed", "Give the volunteers needed, from 1 to 500."),
    ({"needed": "100000000000"}, "needed", "Give the volunteers needed, from 1 to 500."),
    ({"needed": "three"}, "needed", "Enter a whole number."),
    ({"skills": ["juggling"]}, "skills", "Choose skills from the list."),
    ({"training_id": "0"}, "training_id", "Choose a training of this edition."),
    ({"note": "长" * 301}, "note", "Field cannot be longer than 300 characters."),
])
def test_a_wrong_shift_field_is_answered_beside_it_and_nothing_is_added(app, client, ids, changes, field, message):
    sign_in(app, client, "organizer")
    response = submit(client, f"{BASE}/posts/{ids['usher']}/shifts/new", shift_form(**changes), headers=EN)
    html = response.get_data(as_text=True)
    assert response.status_code == 422, html[:300]
    assert f'id="{field}-error"' in html and message in html
    assert f'value="{changes.get("starts", "08:00")}"' in html or field == "starts"
    with app.app_context():
        assert db.session.execute(select(func.count(Shift.id))).scalar_one() == 4


def _take_places(app, shift_id: int, count: int, checked_in: bool = False) -> list[int]:
    """`count` trained volunteers of the shift's group on it, assigned on 17 July."""
    with app.app_context():
        shift = db.session.get(Shift, shift_id)
        training = db.session.execute(select(Training)).scalar_one()
        w = factories.World(editions.get_edition(2023), None, None, None, shift.post.group, None, training, None, None)
        taken = []
        for n in range(count):
            one = factories.volunteer(w, f"Crew{n}", account=False, group=shift.post.group)
            place = services.assign(one, shift, now=w.at(6, day=17), actor=None, confirmed=True)
            if checked_in:
                services.check_in(place, shift.starts_at)
            db.session.commit()
            taken.append(place.id)
        return taken


def test_the_headcount_never_goes_below_the_places_taken(app, client, ids):
    _take_places(app, ids["desk_shift"], 2)
    sign_in(app, client, "organizer")
    url = f"{BASE}/shifts/{ids['desk_shift']}/edit"
    form = client.get(url, headers=EN).get_data(as_text=True)
    assert 'value="08:00"' in form and 'value="2"' in form
    data = {"day": "2023-07-18", "starts": "08:00", "ends": "12:00", "needed": "1", "training_id": "", "note": "x"}
    response = submit(client, url, data, headers=EN)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="needed-error"' in html
    assert "2 volunteers hold places on this shift; the headcount cannot go below that." in html
    moved = submit(client, url, {**data, "needed": "4", "starts": "09:00"}, headers=EN)
    assert moved.status_code == 422 and "give their places up first" in moved.get_data(as_text=True)
    assert submit(client, url, {**data, "needed": "4", "note": "东门集合"}, headers=EN).status_code == 303
    with app.app_context():
        shift = db.session.get(Shift, ids["desk_shift"])
        assert (shift.needed, shift.taken, shift.note) == (4, 2, "东门集合")


def test_deleting_a_shift_gives_the_volunteers_places_up_and_leaves_nothing_behind(app, client, ids):
    places = _take_places(app, ids["desk_shift"], 2)
    sign_in(app, client, "organizer")
    url = f"{BASE}/shifts/{ids['desk_shift']}/delete"
    page = client.get(url, headers=EN).get_data(as_text=True)
    assert "2 volunteers lose their place (given up, in the audit log)" in page
    assert submit(client, url, {}, headers=EN).status_code == 302
    with app.app_context():
        assert db.session.get(Shift, ids["desk_shift"]) is None
        assert not db.session.execute(select(ShiftPlace).where(ShiftPlace.id.in_(places))).first()
        given_up = db.session.execute(select(AuditEntry).where(AuditEntry.action == "shift.give_up")).scalars().all()
        assert sorted(int(e.target_id) for e in given_up) == sorted(places)
        assert db.session.execute(select(AuditEntry).where(AuditEntry.action == "shift.delete")).scalar()
        assert db.session.execute(select(func.count(Volunteer.id))).scalar_one() == 3  # Li and the crew stay


def test_a_shift_someone_checked_in_to_is_not_deleted(app, client, ids):
    _take_places(app, ids["desk_shift"], 1, checked_in=True)
    sign_in(app, client, "organizer")
    url = f"{BASE}/shifts/{ids['desk_shift']}/delete"
    assert "1 volunteers checked in: their hours are part of their service record" in client.get(url, headers=EN).get_data(as_text=True)
    assert submit(client, url, {}, headers=EN).status_code == 409
    with app.app_context():
        assert db.session.get(Shift, ids["desk_shift"]).taken == 1


def test_deleting_a_post_deletes_its_shifts_and_gives_their_places_up(app, client, ids):
    places = _take_places(app, ids["desk_shift"], 1)
    sign_in(app, client, "vol-lead")
    url = f"{BASE}/posts/{ids['desk']}/delete"
    page = client.get(url, headers=EN).get_data(as_text=True)
    assert "2 shifts are deleted with it" in page and "1 volunteers lose their place" in page
    assert submit(client, url, {}, headers=EN).status_code == 302
    with app.app_context():
        assert db.session.get(Post, ids["desk"]) is None
        assert not db.session.execute(select(Shift).where(Shift.post_id == ids["desk"])).first()
        assert not db.session.execute(select(ShiftPlace).where(ShiftPlace.id.in_(places))).first()
        assert db.session.get(Shift, ids["usher_shift"]) is not None


def test_a_shift_of_another_edition_is_not_found(app, client, ids):
    sign_in(app, client, "organizer")
    assert client.get(f"{BASE}/shifts/99999/edit").status_code == 404
    assert client.get("/editions/2024/volunteers/shifts/1/edit").status_code == 404
    assert client.get(f"{BASE}/shifts/99999999999999/edit").status_code == 404


def test_edition_local_times_survive_an_edit(app, client, ids):
    sign_in(app, client, "organizer")
    url = f"{BASE}/shifts/{ids['usher_shift']}/edit"
    data = {"day": "2023-07-19", "starts": "18:30", "ends": "22:00", "needed": "2", "training_id": ""}
    assert submit(client, url, data, headers=EN).status_code == 303
    with app.app_context():
        shift = db.session.get(Shift, ids["usher_shift"])
        edition = editions.get_edition(2023)
        assert local(edition, shift.starts_at).replace(tzinfo=None) == datetime(2023, 7, 19, 18, 30)
        assert shift.starts_at.utcoffset().total_seconds() == 0 and shift.starts_at.hour == 10


@pytest.mark.parametrize("like", ["usher_shift", "desk_shift", "abc", "99999999999999"])
def test_repeating_a_shift_offers_its_hours_on_the_other_days(app, client, ids, like):
    sign_in(app, client, "organizer")
    value = str(ids[like]) if like in ids else like
    html = client.get(f"{BASE}/posts/{ids['usher']}/shifts/new?like={value}", headers=EN).get_data(as_text=True)
    if like == "usher_shift":  # this post's 18 July 08:00–12:00: offered on 17 and 19 July
        assert 'value="08:00"' in html and 'value="12:00"' in html
        ticked = [re.search(r'value="([^"]+)"', box).group(1)
                  for box in re.findall(r'<input[^>]*name="days"[^>]*>', html) if " checked" in box]
        assert ticked == ["2023-07-17", "2023-07-19"]
    else:  # another post's shift, or no shift: an empty form
        assert 'value="08:00"' not in html and " checked" not in html
