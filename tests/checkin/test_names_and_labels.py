"""Check-in pages write names the way their language writes them and categories in words."""

import pytest

from conference.badges import services as badges
from conference.checkin import services
from conference.core.database import committed
from conference.editions.services import get_edition
from conference.extensions import db
from conference.venues.services import checkpoint_by_code
from tests.conftest import badged_demo, login, make_user, submit


@pytest.fixture
def scanned(app):
    with app.app_context():
        edition, (lucia, lin) = badged_demo([("Fernández", "Lucía", "media"), ("林", "晓梅", "guest")],
                                            ("editions", "venues", "programme"))
        desk = checkpoint_by_code(edition, "DEMO-DESK")
        services.save_rule(desk, ["media"], [], None, None, None, "entry", True)
        db.session.commit()
        payloads, desk_id = [badges.payload(lucia), badges.payload(lin)], desk.id
    for number, payload in enumerate(payloads):
        with app.test_request_context():
            committed(lambda payload=payload, number=number: services.scan(payload, desk_id, None, f"s{number}", None, "entry"))


def test_the_scan_log_writes_latin_names_given_name_first(app, client, scanned):
    login(client, make_user(app, "security"))
    html = client.get("/editions/2023/checkin/scans?lang=en").get_data(as_text=True)
    assert "Lucía Fernández" in html and "FernándezLucía" not in html
    assert "林晓梅" in html


@pytest.mark.parametrize(("lang", "media", "guest"), [("en", "Media", "Guest"), ("zh_Hans", "媒体", "嘉宾")])
def test_categories_are_words_on_check_in_pages(app, client, scanned, lang, media, guest):
    login(client, make_user(app, "organizer"))
    rules = client.get(f"/editions/2023/checkin/?lang={lang}").get_data(as_text=True)
    assert media in rules and ">media<" not in rules and "media," not in rules
    found = client.get(f"/editions/2023/checkin/lookup?q=林&lang={lang}").get_data(as_text=True)
    assert f"<td>{guest}</td>" in found and "<td>guest</td>" not in found


def test_the_pairing_qr_points_at_the_public_address_not_the_requests_host(app, client, scanned):
    login(client, make_user(app, "organizer"))
    with app.app_context():
        desk_id = checkpoint_by_code(get_edition(2023), "DEMO-DESK").id
    page = submit(client, "/editions/2023/checkin/devices", {"name": "门口 1", "checkpoint_id": desk_id}).get_data(as_text=True)
    assert f"{app.config['PUBLIC_URL']}/scan/?pair=" in page and "http://localhost" not in page  # the test client's host
