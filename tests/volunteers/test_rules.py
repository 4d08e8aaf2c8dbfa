"""Each rule of putting a volunteer on a shift, one test each: the rule's conflict when it is
broken (so the test fails without the rule), none at the edge where it is kept, and the same
answer through conflicts_for, which the sign-up page, the lead's page and the candidates use."""

from datetime import timedelta

import pytest

from conference.core.schedule import HARD, SOFT
from conference.extensions import db
from conference.volunteers import services
from conference.volunteers.models import Shift, Training, TrainingPlace
from tests.volunteers import factories


@pytest.fixture
def w(ctx):
    return factories.world()


def _shift(w, post, start, end, day=18, **kwargs):
    shift = Shift(edition_id=w.edition.id, post_id=post.id, starts_at=w.at(*start, day=day) if isinstance(start, tuple)
                  else w.at(start, day=day), ends_at=w.at(*end, day=day) if isinstance(end, tuple) else w.at(end, day=day),
                  needed=3, **kwargs)
    db.session.add(shift)
    db.session.commit()
    return shift


def _hold(volunteer, *shifts):
    """The volunteer holds these shifts (placed directly: the rules are what is under test)."""
    for shift in shifts:
        services.assign(volunteer, shift, now=shift.starts_at - timedelta(days=2), actor=None, confirmed=True)
    db.session.commit()


def _rules(rule, shift, volunteer, settings=None, crew=None):
    """(what the rule says, the rules conflicts_for names) for a place on `shift`."""
    standing = services.standing_of(volunteer)
    settings = settings or services.settings_of(volunteer.edition)
    said = rule(shift, standing, settings) if crew is None else rule(shift, standing, settings, crew)
    every = services.conflicts_for(shift, standing, settings, crew)
    return [(c.rule, c.severity) for c in said], {c.rule for c in every}


def test_no_overlap(w):
    one = factories.volunteer(w, "Li")
    _hold(one, w.shifts[0])  # usher 08:00–12:00
    said, every = _rules(services.no_overlap, w.shifts[2], one)  # desk 08:00–12:00
    assert said == [("overlap", HARD)] and "overlap" in every
    partly = _shift(w, w.desk_post, (11, 59), 14)
    assert _rules(services.no_overlap, partly, one)[0] == [("overlap", HARD)]
    touching = _shift(w, w.desk_post, 12, 13)  # begins as the other ends: [start, end) share no time
    assert _rules(services.no_overlap, touching, one)[0] == []
    assert _rules(services.no_overlap, w.shifts[0], one)[0] == []  # a shift never overlaps itself


def test_rest_between(w):
    one = factories.volunteer(w, "Li")
    _hold(one, w.shifts[2])  # desk 08:00–12:00; the edition's rest is 30 minutes
    close = _shift(w, w.usher_post, (12, 15), 15)
    said, every = _rules(services.rest_between, close, one)
    assert said == [("rest", SOFT)] and "rest" in every
    rested = _shift(w, w.usher_post, (12, 30), 15)
    assert _rules(services.rest_between, rested, one) == ([], set())
    before = _shift(w, w.usher_post, 6, (7, 45))
    assert _rules(services.rest_between, before, one)[0] == [("rest", SOFT)]
    settings = services.settings_of(w.edition)
    settings.rest_minutes = 0
    assert _rules(services.rest_between, close, one, settings)[0] == []
    assert _rules(services.rest_between, w.shifts[0], one)[0] == []  # overlap is no_overlap's, not rest's


def test_training_done(w):
    untrained = factories.volunteer(w, "Li", trained=False)
    usher = w.shifts[0]  # the usher post requires the usher training
    said, every = _rules(services.training_done, usher, untrained)
    assert said == [("training", HARD)] and every == {"training"}
    booked = TrainingPlace(training_id=w.training.id, volunteer_id=untrained.id)  # booked, never scanned there
    db.session.add(booked)
    db.session.commit()
    assert _rules(services.training_done, usher, untrained)[0] == [("training", HARD)]
    booked.attended_at = w.training.ends_at
    db.session.commit()
    assert _rules(services.training_done, usher, untrained) == ([], set())
    # the shift's own training adds to the post's
    other = Training(edition_id=w.edition.id, code="T-PRESS", title_zh="新闻中心培训", title_en="Press centre training",
                              starts_at=w.training.starts_at, ends_at=w.training.ends_at)
    db.session.add(other)
    db.session.commit()
    extra = _shift(w, w.usher_post, 18, 20, training_id=other.id)
    said = services.training_done(extra, services.standing_of(untrained), services.settings_of(w.edition))
    assert [(c.rule, c.other_id) for c in said] == [("training", other.id)]
    assert "Press centre training" in str(said[0].message) or "新闻中心培训" in str(said[0].message)


def test_skills_present(w):
    one = factories.volunteer(w, "Li")
    first_aid = _shift(w, w.desk_post, 18, 20, skills=["first_aid"])
    said, every = _rules(services.skills_present, first_aid, one)
    assert said == [("skill", HARD)] and every == {"skill"}
    w.desk_post.skills = ["driving"]  # the post's skills add to the shift's
    db.session.commit()
    medic = factories.volunteer(w, "Wang", skills=["first_aid"])
    assert _rules(services.skills_present, first_aid, medic)[0] == [("skill", HARD)]
    both = factories.volunteer(w, "Zhao", skills=["first_aid", "driving"])
    assert _rules(services.skills_present, first_aid, both) == ([], set())


def test_languages_present(w):
    chinese_only = factories.volunteer(w, "Li", languages=("zh",))
    usher = w.shifts[0]  # sub-forum 8's ushers need English
    said, every = _rules(services.languages_present, usher, chinese_only)
    assert said == [("language", HARD)] and every == {"language"}
    japanese = _shift(w, w.usher_post, 18, 20, languages=["ja"])
    english = factories.volunteer(w, "Wang", languages=("zh", "en"))
    assert _rules(services.languages_present, japanese, english)[0] == [("language", HARD)]
    assert _rules(services.languages_present, usher, english) == ([], set())


def test_daily_hours(w):
    one = factories.volunteer(w, "Li")
    _hold(one, w.shifts[0])  # 4 hours on 18 July
    settings = services.settings_of(w.edition)
    settings.max_daily_minutes = 7 * 60
    said, every = _rules(services.daily_hours, w.shifts[3], one, settings)  # 4 more: 8 > 7
    assert said == [("daily_hours", HARD)] and "daily_hours" in every
    settings.max_daily_minutes = 8 * 60
    assert _rules(services.daily_hours, w.shifts[3], one, settings)[0] == []  # 8 is the most, allowed
    next_day = _shift(w, w.desk_post, 13, 17, day=19)
    settings.max_daily_minutes = 5 * 60
    assert _rules(services.daily_hours, next_day, one, settings)[0] == []  # another day counts alone
    long = _shift(w, w.desk_post, 8, 14, day=19)
    assert _rules(services.daily_hours, long, one, settings)[0] == [("daily_hours", HARD)]  # alone over the most


def test_available_then(w):
    mornings = factories.volunteer(w, "Li", availability=[{"day": "2023-07-18", "part": "morning"}])
    said, every = _rules(services.available_then, w.shifts[3], mornings)  # desk 13:00–17:00
    assert said == [("availability", SOFT)] and every == {"availability"}
    assert _rules(services.available_then, w.shifts[2], mornings) == ([], set())  # 08–12 in the morning (07–12)
    early = _shift(w, w.desk_post, 6, 9)
    assert _rules(services.available_then, early, mornings)[0] == [("availability", SOFT)]  # 06–07 not covered
    whole = factories.volunteer(w, "Wang", availability=[{"day": "2023-07-18", "part": "morning"},
                                                         {"day": "2023-07-18", "part": "afternoon"}])
    across = _shift(w, w.desk_post, 11, 14)
    assert _rules(services.available_then, across, whole)[0] == []  # morning then afternoon, no gap
    other_day = factories.volunteer(w, "Zhao", availability=[{"day": "2023-07-19", "part": "afternoon"}])
    assert _rules(services.available_then, w.shifts[3], other_day)[0] == [("availability", SOFT)]


def test_first_timer_not_alone(w):
    newbie = factories.volunteer(w, "Li", first_time=True)
    desk = w.shifts[2]
    said, every = _rules(services.first_timer_not_alone, desk, newbie, crew=[])
    assert said == [("first_timer", SOFT)] and every == {"first_timer"}
    other_newbie = factories.volunteer(w, "Wang", first_time=True)
    _hold(other_newbie, desk)
    assert _rules(services.first_timer_not_alone, desk, newbie, crew=[other_newbie])[0] == [("first_timer", SOFT)]
    # read from the shift's crew when none is given
    assert [c.rule for c in services.first_timer_not_alone(desk, services.standing_of(newbie),
                                                           services.settings_of(w.edition))] == ["first_timer"]
    experienced = factories.volunteer(w, "Zhao")
    _hold(experienced, desk)
    assert [c.rule for c in services.first_timer_not_alone(desk, services.standing_of(newbie),
                                                           services.settings_of(w.edition))] == []
    assert _rules(services.first_timer_not_alone, desk, experienced, crew=[])[0] == []  # only first-timers


def test_a_sign_up_checks_every_rule_and_refuses_soft_ones_a_lead_may_confirm(w):
    from conference.core.schedule import ScheduleError

    newbie = factories.volunteer(w, "Li", first_time=True)
    with pytest.raises(ScheduleError) as refused:
        services.sign_up(newbie, w.shifts[2], now=w.at(6))
    assert [c.rule for c in refused.value.conflicts] == ["first_timer"]
    db.session.rollback()
    place = services.assign(newbie, w.shifts[2], now=w.at(6), actor=None, confirmed=True)
    assert place.status == "signed_up"
