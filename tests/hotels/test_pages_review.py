"""What a new organizer meets on the hotel pages: every page leads back to where it came from,
and a column of dates is not headed as if it held a count of nights."""

import re

from tests.hotels.test_pages import BASE, _placed, _world


def _headers(page: str) -> list[list[str]]:
    return [re.findall(r"<th[^>]*>([^<]*)</th>", head) for head in re.findall(r"<thead>(.*?)</thead>", page, re.S)]


def test_the_rooming_list_leads_back_to_its_hotel(app, organizer_client):
    _, audience_id = _world(app)
    _placed(app)
    page = organizer_client.get(f"{BASE}/{audience_id}/rooming?lang=en").get_data(as_text=True)
    assert f'href="{BASE}/{audience_id}"' in page
    assert f'href="{BASE}/{audience_id}/rooming"' in organizer_client.get(f"{BASE}/{audience_id}").get_data(as_text=True)


def test_the_stays_on_a_hotel_page_are_headed_with_dates_not_nights(app, organizer_client):
    _, audience_id = _world(app)
    stay_id = _placed(app)
    heads = _headers(organizer_client.get(f"{BASE}/{audience_id}?lang=en").get_data(as_text=True))
    stays = next(head for head in heads if "Room" in head and "Status" in head)
    assert "Dates" in stays and "Nights" not in stays
    cancel = organizer_client.get(f"{BASE}/stays/{stay_id}/cancel?lang=en").get_data(as_text=True)
    assert "<dt>Dates</dt>" in cancel and "<dt>Nights</dt>" not in cancel


def test_the_cancellation_mail_does_not_count_the_check_out_day_as_a_night(app):
    from flask import render_template
    from flask_babel import force_locale

    from conference.extensions import db
    from conference.hotels import services
    from conference.hotels.models import Stay

    _world(app)
    stay_id = _placed(app)
    with app.test_request_context():
        stay = db.session.get(Stay, stay_id)
        services.cancel_stay(stay)
        with force_locale("en"):
            text = render_template("hotels/mail/stay.txt", stay=stay, person=stay.person, edition=stay.person.edition,
                                   link=None)
    assert "nights of" not in text
    assert "checking out on" in text


def test_the_request_page_offers_only_the_kinds_of_room_the_category_s_hotels_have(app, client, demo_clock):
    from conference.editions.services import get_edition
    from conference.hotels import services
    from tests.hotels.test_attendee import attendee_world

    world = attendee_world(app)
    page = client.get(f"/r/{world['token']}/hotel?lang=en").get_data(as_text=True)
    offered = set(re.findall(r'name="room_kind"[^>]*value="(\w+)"', page)) | set(
        re.findall(r'value="(\w+)"[^>]*name="room_kind"', page))
    assert offered == {"king", "twin"}  # the audience hotel has no suite
    with app.app_context():
        edition = get_edition(2023)
        assert services.room_kinds_offered(edition, "media") == {"king", "twin"}
        assert services.room_kinds_offered(edition, "guest") == set()  # no guest hotel yet: every kind is shown
