"""Each conflict rule, through the one service that saves sessions and items."""

from datetime import date, time

import pytest
from sqlalchemy import func, select

from conference.core.schedule import ScheduleError
from conference.editions import services as editions
from conference.editions.demo import EDITION_2023
from conference.editions.localtime import local
from conference.extensions import db
from conference.people import services as people
from conference.programme import services as programme
from conference.programme.models import Session
from conference.programme.services import ItemFields, SessionFields
from conference.venues import services as venues
from conference.venues.services import HallFields, NameFields

DAY_1, DAY_2 = date(2023, 7, 18), date(2023, 7, 19)


@pytest.fixture
def place(ctx):
    edition = editions.create_edition(EDITION_2023)
    theatre = venues.save_venue(edition, NameFields("厦门海峡大剧院", "Xiamen Strait Grand Theatre"))
    centre = venues.save_venue(edition, NameFields("厦门国际会议中心", "Xiamen International Conference Center"))
    main_hall = venues.save_hall(theatre, HallFields(NameFields("大剧场", "Main Auditorium"), capacity=1500))
    hall_a = venues.save_hall(centre, HallFields(NameFields("一号厅", "Hall 1"), capacity=300))
    hall_b = venues.save_hall(centre, HallFields(NameFields("二号厅", "Hall 2"), capacity=200))
    db.session.commit()
    return {"edition": edition, "main": main_hall, "a": hall_a, "b": hall_b}


def plan(place, hall, start, end, day=DAY_1, audience=100, title="分论坛", **extra):
    return SessionFields(
        kind="sub_forum", title_zh=title, hall_id=place[hall].id, day=day,
        starts=time(*start), ends=time(*end), expected_audience=audience, **extra,
    )


def save(place, fields, **kwargs):
    session = programme.save_session(place["edition"], fields, **kwargs)
    db.session.commit()
    return session


def rules(error: ScheduleError) -> set[str]:
    return {conflict.rule for conflict in error.conflicts}


def test_a_hall_booked_twice_is_refused_even_when_confirmed(place):
    save(place, plan(place, "a", (14, 0), (16, 0), title="网络内容建设"))
    with pytest.raises(ScheduleError) as refused:
        save(place, plan(place, "a", (15, 0), (17, 0), title="网络生态建设"), confirmed=True)
    assert rules(refused.value) == {"hall_double_booked"}
    assert not refused.value.needs_confirmation
    assert "网络内容建设" in str(refused.value.conflicts[0].message)
    assert "14:00–16:00" in str(refused.value.conflicts[0].message)  # the host city's clock
    assert db.session.execute(select(func.count(Session.id))).scalar_one() == 1


def test_the_set_up_buffer_counts_as_booked(place):
    save(place, plan(place, "a", (9, 0), (11, 0)))
    with pytest.raises(ScheduleError) as refused:
        save(place, plan(place, "a", (11, 15), (12, 0)))  # 15 minutes later, 30 needed
    assert rules(refused.value) == {"hall_double_booked"}
    programme.save_settings(place["edition"], hall_buffer_minutes=10, venue_travel_minutes=30)
    db.session.commit()
    save(place, plan(place, "a", (11, 15), (12, 0)))  # with a 10-minute buffer it fits


def test_other_halls_and_other_days_are_free(place):
    save(place, plan(place, "a", (14, 0), (16, 0)))
    save(place, plan(place, "b", (14, 0), (16, 0)))
    save(place, plan(place, "a", (14, 0), (16, 0), day=DAY_2))
    assert db.session.execute(select(func.count(Session.id))).scalar_one() == 3


def test_moving_a_session_does_not_collide_with_itself(place):
    session = save(place, plan(place, "a", (14, 0), (16, 0)))
    save(place, plan(place, "a", (14, 30), (16, 30)), session=session)
    assert local(place["edition"], session.starts_at).time() == time(14, 30)


def test_over_capacity_needs_confirmation(place):
    with pytest.raises(ScheduleError) as refused:
        save(place, plan(place, "b", (9, 0), (11, 0), audience=250))
    assert rules(refused.value) == {"over_capacity"}
    assert refused.value.needs_confirmation
    assert "250" in str(refused.value.conflicts[0].message) and "200" in str(refused.value.conflicts[0].message)
    session = save(place, plan(place, "b", (9, 0), (11, 0), audience=250), confirmed=True)
    assert session.id is not None


def test_a_session_outside_the_edition_dates_is_refused(place):
    with pytest.raises(ScheduleError) as refused:
        save(place, plan(place, "a", (9, 0), (10, 0), day=date(2023, 7, 20)), confirmed=True)
    assert rules(refused.value) == {"session_outside_edition"}


def test_the_edition_dates_are_read_in_the_host_citys_time(place):
    # 07:30 in Xiamen on the first day is 23:30 UTC the day before: still inside the edition.
    session = save(place, plan(place, "a", (7, 30), (8, 30)))
    assert session.starts_at.day == 17


def test_a_session_ending_before_it_starts_is_refused(place):
    with pytest.raises(ScheduleError) as refused:
        save(place, plan(place, "a", (11, 0), (10, 0)))
    assert "ends_before_start" in rules(refused.value)


def item(kind="speech", start=None, end=None, speakers=(), title="主旨演讲", **extra):
    return ItemFields(
        kind=kind, title_zh=title, starts=time(*start) if start else None,
        ends=time(*end) if end else None, speakers=list(speakers), **extra,
    )


def test_an_item_outside_its_session_is_refused(place):
    session = save(place, plan(place, "a", (14, 0), (16, 0)))
    with pytest.raises(ScheduleError) as refused:
        programme.save_item(session, item(start=(15, 30), end=(16, 15)), confirmed=True)
    assert rules(refused.value) == {"item_outside_session"}
    programme.save_item(session, item(start=(15, 30), end=(16, 0)))
    db.session.commit()


def test_a_speaker_in_two_overlapping_items_needs_confirmation(place):
    speaker = people.add_person(place["edition"], "林", "晓峰", "guest")
    first = save(place, plan(place, "a", (14, 0), (16, 0), title="算法治理"))
    second = save(place, plan(place, "b", (14, 0), (16, 0), title="网络辟谣"))
    programme.save_item(first, item(start=(14, 0), end=(14, 20), speakers=[(speaker.id, "speaker")]))
    db.session.commit()
    with pytest.raises(ScheduleError) as refused:
        programme.save_item(second, item(start=(14, 10), end=(14, 30), speakers=[(speaker.id, "speaker")]))
    assert rules(refused.value) == {"speaker_double_booked"}
    assert refused.value.needs_confirmation
    assert "林晓峰" in str(refused.value.conflicts[0].message)
    # Same venue, back to back: no travel needed.
    programme.save_item(second, item(start=(14, 20), end=(14, 40), speakers=[(speaker.id, "speaker")]))
    db.session.commit()


def test_a_speaker_needs_travel_time_between_venues(place):
    speaker = people.add_person(place["edition"], "Smith", "Anna", "guest")
    forum = save(place, plan(place, "main", (9, 0), (11, 0), title="开幕式及主论坛", audience=1200))
    sub = save(place, plan(place, "a", (11, 0), (12, 30), title="网络文明国际交流互鉴"))
    programme.save_item(forum, item(start=(10, 30), end=(11, 0), speakers=[(speaker.id, "speaker")]))
    db.session.commit()
    with pytest.raises(ScheduleError) as refused:
        programme.save_item(sub, item(start=(11, 15), end=(11, 45), speakers=[(speaker.id, "speaker")]))
    assert rules(refused.value) == {"speaker_double_booked"}
    assert "30" in str(refused.value.conflicts[0].message)
    programme.save_item(sub, item(start=(11, 30), end=(11, 50), speakers=[(speaker.id, "speaker")]))
    db.session.commit()


def test_moving_a_session_moves_its_items(place):
    session = save(place, plan(place, "a", (14, 0), (16, 0)))
    programme.save_item(session, item(start=(14, 30), end=(15, 0)))
    db.session.commit()
    save(place, plan(place, "a", (15, 0), (17, 0)), session=session)
    assert local(place["edition"], session.items[0].starts_at).time() == time(15, 30)


def test_a_release_names_what_is_released(place):
    session = save(place, plan(place, "a", (14, 0), (16, 0)))
    with pytest.raises(ScheduleError) as refused:
        programme.save_item(session, item(kind="release", title="发布"))
    assert refused.value.field == "release_zh"
    release = programme.save_item(
        session, item(kind="release", title="发布", release_zh="《中国网络诚信发展报告2023》")
    )
    assert release.release == "《中国网络诚信发展报告2023》"


def test_the_grid_sees_the_same_conflicts(place):
    save(place, plan(place, "b", (9, 0), (11, 0), audience=250), confirmed=True)
    found = programme.edition_conflicts(place["edition"])
    assert [c.rule for conflicts in found.values() for c in conflicts] == ["over_capacity"]


def test_speakers_are_saved_in_the_organizers_order(place):
    session = save(place, plan(place, "a", (14, 0), (16, 0)))
    names = [("王", "芳"), ("Smith", "Anna"), ("陈", "伟")]
    ids = [people.add_person(place["edition"], f, g, "guest").id for f, g in names]
    saved = programme.save_item(session, item(kind="dialogue", speakers=[(i, "panelist") for i in reversed(ids)]))
    db.session.commit()
    assert [link.person.name for link in saved.speakers] == ["陈伟", "Anna Smith", "王芳"]
    # Saving again with the same people reorders without tripping the uniqueness rule.
    programme.save_item(session, item(kind="dialogue", speakers=[(i, "panelist") for i in ids]), item=saved)
    db.session.commit()
    assert [link.person.name for link in saved.speakers] == ["王芳", "Anna Smith", "陈伟"]
