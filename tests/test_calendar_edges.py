"""Filters and forms typed with the calendar's first or last day (0001-01-01, 9999-12-31): a page,
an export or the form again, never a 500 (the host city's 0001-01-01 00:00 has no UTC spelling)."""

from sqlalchemy import select

from conference.extensions import db
from conference.registration.models import RegistrationCategory
from conference.venues.models import Checkpoint
from tests.conftest import csrf_token, demo_steps, login, make_user

EDGES = ["0001-01-01T00:00", "9999-12-31T23:59"]


def test_filters_and_windows_on_the_calendars_edges(app, client, demo_clock):
    with app.app_context():
        demo_steps("accounts", "editions", "venues", "programme", "registration")
        checkpoint = db.session.execute(select(Checkpoint.id)).scalars().first()
        category = db.session.execute(select(RegistrationCategory.code)).scalars().first()
    login(client, make_user(app, "admin", "admin@edges.example"))
    for edge in EDGES:
        for url in ("/editions/2023/audit/", "/editions/2023/audit/export.xlsx", "/editions/2023/checkin/scans",
                    "/editions/2023/checkin/scans.xlsx"):
            assert client.get(url, query_string={"since": edge, "until": edge}).status_code == 200, (url, edge)
        for url in (f"/editions/2023/checkin/checkpoints/{checkpoint}", f"/editions/2023/registrations/categories/{category}"):
            sent = client.post(url, data={"opens_at": edge, "closes_at": edge, "csrf_token": csrf_token(client, url)})
            assert sent.status_code < 500, (url, edge, sent.status_code)
            assert client.get(url).status_code == 200, (url, edge)
