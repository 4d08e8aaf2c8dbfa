"""Trainings: their fields checked beside each field, booking accepted volunteers (the last seat
goes to exactly one, on SQLite and PostgreSQL), attendance marked by hand and audited, and a
group lead reaching only their own groups' volunteers."""

import pytest
from sqlalchemy import func, select

from conference.core.database import committed
from conference.core.models import AuditEntry
from conference.editions import services as editions
from conference.extensions import db
from conference.venues.models import Checkpoint
from conference.volunteers import groups
from conference.volunteers.groups import GroupError
from conference.volunteers.models import Training, TrainingPlace, Volunteer, WorkingGroup
from tests.conftest import race, submit
from tests.volunteers import factories
from tests.volunteers.test_groups import BASE, EN, ids_fixture, sign_in  # noqa: F401  the ids fixture


def training_form(**changes) -> dict:
    data = {"code": "T-DESK", "title_zh": "咨询台培训", "title_zh_hant": "", "title_en": "Information desk training",
            "starts_at": "2023-07-16T14:00", "ends_at": "2023-07-16T16:00", "place": "会议中心 B1",
            "checkpoint_id": "", "capacity": "30"}
    data.update(changes)
    return data


def _crew(app, count: int, group_key: str = "vol", prefix: str = "Crew") -> list[int]:
    """Accepted volunteers of a group, not booked on the training."""
    with app.app_context():
        group = db.session.execute(select(WorkingGroup).where(WorkingGroup.code == group_key.upper())).scalar_one()
        training = db.session.execute(select(Training)).scalar_one()
        w = factories.World(editions.get_edition(2023), None, None, None, group, None, training, None, None)
        return [factories.volunteer(w, f"{prefix}{n}", account=False, trained=False, group=group).id for n in range(count)]


def test_an_organizer_creates_a_training_on_the_editions_clock(app, client, ids):
    sign_in(app, client, "organizer")
    with app.app_context():
        checkpoint = db.session.execute(select(Checkpoint.id).where(Checkpoint.code == "EAST")).scalar_one()
    response = submit(client, f"{BASE}/trainings/new", training_form(checkpoint_id=str(checkpoint)), headers=EN)
    assert response.status_code == 303
    with app.app_context():
        made = db.session.execute(select(Training).where(Training.code == "T-DESK")).scalar_one()
        assert (made.starts_at.hour, made.capacity, made.taken, made.checkpoint_id) == (6, 30, 0, checkpoint)
    page = client.get(response.headers["Location"], headers=EN).get_data(as_text=True)
    assert "14:00–16:00" in page and "Badges scanned at East gate" in page
    edit = client.get(f"{response.headers['Location']}/edit", headers=EN).get_data(as_text=True)
    assert 'value="2023-07-16T14:00"' in edit


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"code": ""}, "code", "Give the training a short code."),
    ({"code": "T-USHER"}, "code", "Another training of this edition has this code."),
    ({"title_zh": ""}, "title_zh", "Enter the Chinese text."),
    ({"starts_at": "0001-01-01T00:00"}, "starts_at", "Choose a day within a year of the conference."),
    ({"starts_at": "9999-12-31T23:59", "ends_at": "9999-12-31T23:59"}, "starts_at", "Choose a day within a year"),
    ({"starts_at": "yesterday"}, "starts_at", "Not a valid datetime value."),
    ({"ends_at": "2023-07-16T13:00"}, "ends_at", "A training ends after it begins, within 12 hours."),
    ({"capacity": "0"}, "capacity", "Give the seats, from 1 to 5000."),
    ({"capacity": "99999999999999999999"}, "capacity", "Give the seats, from 1 to 5000."),
    ({"capacity": "lots"}, "capacity", "Enter a whole number."),
    ({"checkpoint_id": "abc"}, "checkpoint_id", "Choose a checkpoint of this edition."),
    ({"checkpoint_id": "424242"}, "checkpoint_id", "Choose a checkpoint of this edition."),
])
def test_a_wrong_training_field_is_answered_beside_it(app, client, ids, changes, field, message):
    sign_in(app, client, "organizer")
    response = submit(client, f"{BASE}/trainings/new", training_form(**changes), headers=EN)
    html = response.get_data(as_text=True)
    assert response.status_code == 422, html[:300]
    assert f'id="{field}-error"' in html and message in html
    assert 'value="会议中心 B1"' in html
    with app.app_context():
        assert db.session.execute(select(func.count(Training.id))).scalar_one() == 1


def test_booking_one_volunteer_or_a_whole_group_while_seats_last(app, client, ids):
    crew = _crew(app, 3)
    wang = _crew(app, 1, "meet", "Wang")[0]
    with app.app_context():
        training = db.session.get(Training, ids["training"])
        training.capacity, training.taken = 4, 1  # Li, booked and trained by the factory
        db.session.commit()
    sign_in(app, client, "organizer")
    url = f"{BASE}/trainings/{ids['training']}/book"
    assert submit(client, url, {"volunteer_id": str(wang)}, headers=EN).status_code == 303
    twice = submit(client, url, {"volunteer_id": str(wang)}, headers=EN)
    assert twice.status_code == 422 and "is booked on this training already" in twice.get_data(as_text=True)
    group = submit(client, url, {"group_id": str(ids["vol"])}, headers=EN)
    assert group.status_code == 303
    assert "Booked on the training: 2." in client.get(group.headers["Location"], headers=EN).get_data(as_text=True)
    full = submit(client, url, {"group_id": str(ids["vol"])}, headers=EN)
    assert full.status_code == 422 and "This training is full." in full.get_data(as_text=True)
    for hostile in ({}, {"volunteer_id": "abc"}, {"volunteer_id": "999999"}, {"group_id": "-1"}):
        assert submit(client, url, hostile, headers=EN).status_code == 422, hostile
    with app.app_context():
        training = db.session.get(Training, ids["training"])
        booked = db.session.execute(select(func.count(TrainingPlace.id)).where(TrainingPlace.training_id == training.id)).scalar_one()
        assert (training.taken, booked) == (4, 4)
        assert len(set(crew) & {p.volunteer_id for p in db.session.execute(select(TrainingPlace)).scalars()}) == 2


def test_a_lead_books_and_marks_only_their_groups_volunteers(app, client, ids):
    crew = _crew(app, 1)  # of the volunteer-services group
    wang = _crew(app, 1, "meet", "Wang")[0]
    with app.app_context():
        organizer_booked = committed(lambda: groups.book(db.session.get(Training, ids["training"]),
                                                         db.session.get(Volunteer, crew[0]))).id
    sign_in(app, client, "meet-lead")
    url = f"{BASE}/trainings/{ids['training']}/book"
    page = client.get(f"{BASE}/trainings/{ids['training']}", headers=EN).get_data(as_text=True)
    assert "Li" in page and "Wang" in page and "Crew0" not in page
    assert submit(client, url, {"volunteer_id": str(crew[0])}, headers=EN).status_code == 403
    assert submit(client, url, {"group_id": str(ids["vol"])}, headers=EN).status_code == 403
    assert submit(client, url, {"volunteer_id": str(wang)}, headers=EN).status_code == 303
    with app.app_context():
        place = db.session.execute(select(TrainingPlace).where(TrainingPlace.volunteer_id == wang)).scalar_one().id
    attended = f"{BASE}/trainings/{ids['training']}/places/{place}/attended"
    assert submit(client, attended, {"attended": "y"}, headers=EN).status_code == 303
    other = f"{BASE}/trainings/{ids['training']}/places/{organizer_booked}/attended"
    assert submit(client, other, {"attended": "y"}, headers=EN).status_code == 403
    with app.app_context():
        assert db.session.get(TrainingPlace, place).attended_at is not None
        assert db.session.get(TrainingPlace, organizer_booked).attended_at is None
        entry = db.session.execute(select(AuditEntry).where(AuditEntry.action == "training.attendance")).scalar_one()
        assert entry.actor == "meet-lead@example.org" and entry.detail["attended"] is True
    # once attended, the booking stays on the record
    submit(client, f"{BASE}/trainings/{ids['training']}/places/{place}/remove", {}, headers=EN)
    with app.app_context():
        assert db.session.get(TrainingPlace, place) is not None
    assert submit(client, attended, {}, headers=EN).status_code == 303  # unticked: not attended
    assert submit(client, f"{BASE}/trainings/{ids['training']}/places/{place}/remove", {}, headers=EN).status_code == 303
    with app.app_context():
        assert db.session.get(TrainingPlace, place) is None
        assert db.session.get(Training, ids["training"]).taken == 2  # the seats of Li (booked by the factory) and Crew0


def test_the_seats_never_go_below_those_booked(app, client, ids):
    crew = _crew(app, 2)
    with app.app_context():
        training = db.session.get(Training, ids["training"])
        for one in crew:
            groups.book(training, db.session.get(Volunteer, one))
        db.session.commit()
    sign_in(app, client, "organizer")
    response = submit(client, f"{BASE}/trainings/{ids['training']}/edit",
                      training_form(code="T-USHER", capacity="1"), headers=EN)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="capacity-error"' in html
    assert "3 volunteers are booked; the seats cannot go below that." in html  # the crew and the factory's Li


@pytest.mark.parametrize("trial", range(3))
def test_exactly_one_booking_wins_the_last_seat(app, trial):
    with app.app_context():
        w = factories.world()
        w.training.capacity, w.training.taken = 1, 0
        db.session.commit()
        training_id = w.training.id
        crew = [factories.volunteer(w, f"Racer{n}", account=False, trained=False).id for n in range(6)]

    def attempt(index):
        try:
            committed(lambda: groups.book(db.session.get(Training, training_id), db.session.get(Volunteer, crew[index])))
        except GroupError:
            return False
        return True

    results, errors = race(app, attempt, len(crew))
    assert not errors, errors
    assert results.count(True) == 1
    with app.app_context():
        training = db.session.get(Training, training_id)
        assert training.taken == 1
        assert db.session.execute(select(func.count(TrainingPlace.id))).scalar_one() == 1
