import pytest
from sqlalchemy import select
from stdnum.iso7064 import mod_11_2

from conference.extensions import db
from conference.programme.models import Session
from conference.registration.models import SessionQuota
from tests.conftest import registration_demo


def resident_id(birth: str = "19900307", region: str = "350203", serial: str = "123") -> str:
    body = f"{region}{birth}{serial}"
    return body + mod_11_2.calc_check_digit(body)


@pytest.fixture
def reg(app, demo_clock):
    """The demo edition with its programme, categories, notice and seats, but nobody registered."""
    with app.app_context():
        registration_demo()
    return 2023


def seats_of(app, number: int) -> tuple[int, int]:
    with app.app_context():
        quota = db.session.execute(
            select(SessionQuota).join(Session).where(Session.number == number)
        ).scalar_one()
        return quota.session_id, quota.seats


def set_seats(app, number: int, seats: int) -> int:
    with app.app_context():
        quota = db.session.execute(select(SessionQuota).join(Session).where(Session.number == number)).scalar_one()
        quota.seats = seats
        db.session.commit()
        return quota.session_id
