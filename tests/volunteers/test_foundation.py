"""The foundation: a sign-up takes a place from the shift's counter, and a group lead's scope
reaches their own groups' subjects only, halls included."""

import pytest

from conference.core.permissions import can
from conference.core.schedule import ScheduleError
from conference.extensions import db
from conference.volunteers import services
from conference.volunteers.services import VolunteerError
from tests.volunteers import factories


@pytest.fixture
def w(ctx):
    return factories.world()


def test_sign_up_takes_a_place_and_giving_it_up_gives_it_back(w):
    shift = w.shifts[2]  # the desk, 08:00–12:00
    one = factories.volunteer(w, "Li")
    place = services.sign_up(one, shift, now=w.at(6))
    db.session.commit()
    assert (place.status, shift.taken) == ("signed_up", 1)
    services.give_up(place, now=w.at(7))
    db.session.commit()
    db.session.refresh(shift)
    assert (place.status, shift.taken) == ("cancelled", 0)


def test_a_full_shift_refuses(w):
    shift = w.shifts[2]
    for family in ("Li", "Wang"):
        services.sign_up(factories.volunteer(w, family), shift, now=w.at(6))
    with pytest.raises(VolunteerError) as refused:
        services.sign_up(factories.volunteer(w, "Zhao"), shift, now=w.at(6))
    assert refused.value.field == "shift"


def test_overlapping_shifts_refuse(w):
    one = factories.volunteer(w, "Li")
    services.sign_up(one, w.shifts[0], now=w.at(6))  # usher 08–12
    with pytest.raises(ScheduleError) as refused:
        services.sign_up(one, w.shifts[2], now=w.at(6))  # desk 08–12
    assert [c.rule for c in refused.value.conflicts] == ["overlap"]


def test_a_lead_reaches_only_their_groups(w, app):
    from flask_login import login_user

    lead = factories.lead(w, w.meeting_group, "meet-lead@example.org")
    with app.test_request_context():
        login_user(lead)
        assert can(lead, "volunteers.manage", w.usher_post)
        assert not can(lead, "volunteers.manage", w.desk_post)
        assert can(lead, "checklist.tick", w.hall)
        other_hall_lead = factories.lead(w, w.services_group, "vol-lead@example.org")
        assert not can(other_hall_lead, "checklist.tick", w.hall)
        assert services.visible_groups(lead, w.edition) == {w.meeting_group.id}


def test_hours_run_from_check_in_to_check_out_and_a_correction_needs_a_reason(w):
    one = factories.volunteer(w, "Li")
    place = services.sign_up(one, w.shifts[2], now=w.at(6))
    settings = services.settings_of(w.edition)
    assert services.no_show(place, w.at(8, 16), settings)
    services.check_in(place, w.at(7, 55))
    assert services.current_place(one, w.at(7, 40)) is place
    services.check_out(place, w.at(12, 5))
    assert services.minutes_by_day(one) == {w.at(8).date(): 250}
    with pytest.raises(VolunteerError) as refused:
        services.correct_minutes(place, 240, " ", actor=None)
    assert refused.value.field == "reason"
    services.correct_minutes(place, 240, "left at noon", actor=None)
    assert services.worked_minutes(place) == 240


def test_a_volunteer_lands_on_their_own_page_after_signing_in(w, client):
    from tests.conftest import submit

    factories.volunteer(w, "Li")
    response = submit(client, "/login", {"email": "li@example.org", "password": factories.PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/volunteer/2023/me/")
    assert client.get(response.headers["Location"]).status_code == 200
