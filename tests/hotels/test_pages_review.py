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
