"""Edition-local time: what a host-city clock says, stored as UTC, and back."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from conference.editions.localtime import (
    at_local,
    edition_zone,
    form_local,
    form_utc,
    local,
    local_day,
    utc,
)
from conference.editions.models import Edition

pytestmark = pytest.mark.database_free

XIAMEN = Edition(year=2023, city_zh="厦门", starts_on=date(2023, 7, 18), ends_on=date(2023, 7, 19),
                 timezone="Asia/Shanghai")


def test_a_host_city_clock_time_is_stored_in_utc_and_read_back():
    stored = at_local(XIAMEN, date(2023, 7, 18), time(9, 0))
    assert stored == datetime(2023, 7, 18, 1, 0, tzinfo=UTC) and stored.tzinfo is UTC
    shown = local(XIAMEN, stored)
    assert (shown.tzinfo, shown.date(), shown.time()) == (edition_zone(XIAMEN), date(2023, 7, 18), time(9, 0))


def test_the_day_is_the_host_citys_not_utcs():
    late = datetime(2023, 7, 18, 17, 30, tzinfo=UTC)  # 01:30 the next morning in Xiamen
    assert local_day(XIAMEN, late) == date(2023, 7, 19)


def test_a_form_field_shows_and_takes_the_host_citys_wall_clock():
    typed = datetime(2023, 6, 20, 9, 0)
    stored = form_utc(XIAMEN, typed)
    assert stored == datetime(2023, 6, 20, 1, 0, tzinfo=UTC)
    assert form_local(XIAMEN, stored) == typed
    assert form_utc(XIAMEN, None) is None and form_local(XIAMEN, None) is None


def test_the_calendars_first_and_last_hours_are_its_first_and_last_moments():
    """0001-01-01 00:00 in Xiamen is before the first moment Python can write in UTC, and
    9999-12-31 23:59 in a zone behind UTC after the last: a filter or a form typed so is
    answered, not a 500."""
    first = form_utc(XIAMEN, datetime(1, 1, 1, 0, 0))
    assert first == datetime.min.replace(tzinfo=UTC)
    assert form_utc(XIAMEN, datetime(9999, 12, 31, 23, 59)) == datetime(9999, 12, 31, 15, 59, tzinfo=UTC)
    honolulu = datetime(9999, 12, 31, 23, 59, tzinfo=ZoneInfo("Pacific/Honolulu"))
    assert utc(honolulu) == datetime.max.replace(tzinfo=UTC)
    assert utc(datetime(2023, 7, 18, 9, tzinfo=edition_zone(XIAMEN))) == datetime(2023, 7, 18, 1, tzinfo=UTC)
