"""Short dates as CLDR writes them in each language, never a skeleton read as a pattern."""

from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from conference.editions.services import get_edition
from conference.extensions import db
from conference.programme.models import AgendaItem
from conference.registration.demo import set_up_registration

SHANGHAI = ZoneInfo("Asia/Shanghai")

LANGUAGES = {
    "zh_Hans": ("7月18日周二", "7月19日周三"),
    "zh_Hant": ("7月18日週二", "7月19日週三"),
    "en": ("Tue, Jul 18", "Wed, Jul 19"),
}
GARBLED = ("JulTue18", "7月周二18", "7月週二18", "7月18 ")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_programme_day_tabs(client, demo, lang):
    html = client.get(f"/programme/2023/?lang={lang}").get_data(as_text=True)
    for day in LANGUAGES[lang]:
        assert f">{day}</a>" in html
    assert not any(bad in html for bad in GARBLED)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_grid_day_buttons(demo, organizer_client, lang):
    html = organizer_client.get(f"/editions/2023/programme/grid?day=2023-07-18&lang={lang}").get_data(as_text=True)
    for day in LANGUAGES[lang]:
        assert f">{day}</a>" in html
    assert not any(bad in html for bad in GARBLED)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_speaker_page_dates_each_talk(app, client, demo, lang):
    with app.app_context():
        item = db.session.execute(
            select(AgendaItem).where(AgendaItem.starts_at.is_not(None), AgendaItem.speakers.any())
            .order_by(AgendaItem.starts_at)
        ).scalars().first()
        person = item.speakers[0].person
        person.public_profile = True
        person_id, clock = person.id, item.starts_at.astimezone(SHANGHAI).strftime("%H:%M")
        db.session.commit()
    html = client.get(f"/programme/2023/speakers/{person_id}?lang={lang}").get_data(as_text=True)
    assert f"{LANGUAGES[lang][0]} {clock}" in html
    assert not any(bad in html for bad in GARBLED)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_registration_form_dates_its_sessions(app, client, demo, lang, demo_clock):
    with app.app_context():
        set_up_registration(get_edition(2023))
        db.session.commit()
    html = client.get(f"/register/2023/?lang={lang}").get_data(as_text=True)
    assert f"{LANGUAGES[lang][0]} 14:00" in html  # the sub-forums start at 14:00 host-city time
    assert not any(bad in html for bad in GARBLED)
