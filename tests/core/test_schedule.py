"""core/schedule for every domain that places things in time: sessions, hotel stays (date
intervals, counted in nights) and volunteers' shifts (with time to get between them)."""

from datetime import date, datetime, timedelta

import pytest

from conference.core.errors import Refusal
from conference.core.schedule import (
    HARD,
    SOFT,
    Conflict,
    Interval,
    ScheduleError,
    confirm_or_refuse,
    overlaps,
)

pytestmark = pytest.mark.database_free


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2023, 7, 18, hour, minute)


def test_intervals_that_only_touch_do_not_overlap():
    assert overlaps(at(9), at(10), at(9, 30), at(11))
    assert not overlaps(at(9), at(10), at(10), at(11))
    assert not overlaps(at(10), at(11), at(9), at(10))


def test_a_buffer_keeps_two_shifts_apart():
    morning, afternoon = Interval(at(8), at(12)), Interval(at(12, 20), at(16))
    assert not morning.overlaps(afternoon)
    assert morning.overlaps(afternoon, buffer=timedelta(minutes=30))  # no time to get to the other gate
    assert afternoon.overlaps(morning, buffer=timedelta(minutes=30))
    assert not morning.overlaps(afternoon, buffer=timedelta(minutes=20))


def test_hotel_stays_are_date_intervals_counted_in_nights():
    first = Interval(date(2023, 7, 17), date(2023, 7, 20))
    next_guest = Interval(date(2023, 7, 20), date(2023, 7, 21))  # arrives the day the first leaves
    assert first.nights() == [date(2023, 7, 17), date(2023, 7, 18), date(2023, 7, 19)]
    assert not first.overlaps(next_guest)
    assert first.overlaps(Interval(date(2023, 7, 19), date(2023, 7, 21)))  # both sleep on the 19th
    assert first.overlaps(next_guest, buffer=timedelta(days=1))  # a room that needs a day's repair
    assert Interval(date(2023, 7, 18), date(2023, 7, 18)).nights() == []


def test_hard_conflicts_refuse_and_soft_ones_wait_for_a_confirmation():
    hall = Conflict("hall_double_booked", HARD, "The hall is already booked.", 1, other_id=2)
    audience = Conflict("over_capacity", SOFT, "250 people are expected but the hall seats 200.", 1)

    confirm_or_refuse([], confirmed=False)
    confirm_or_refuse([audience], confirmed=True)
    with pytest.raises(ScheduleError) as soft:
        confirm_or_refuse([audience], confirmed=False)
    assert soft.value.needs_confirmation and soft.value.conflicts == [audience]
    with pytest.raises(ScheduleError) as hard:
        confirm_or_refuse([hall, audience], confirmed=True)
    assert not hard.value.needs_confirmation and hard.value.conflicts == [hall, audience]


def test_a_schedule_refusal_is_a_refusal_with_one_argument_order():
    wrong_field = ScheduleError("Enter between 0 and 240 minutes.", "hall_buffer_minutes")
    assert isinstance(wrong_field, Refusal)
    assert (wrong_field.message, wrong_field.field, wrong_field.conflicts) == (
        "Enter between 0 and 240 minutes.", "hall_buffer_minutes", [])
    conflicts = ScheduleError(conflicts=[Conflict("over_capacity", SOFT, "250 expected, 200 seats.")])
    assert conflicts.field is None and str(conflicts) == "250 expected, 200 seats."
