import pytest

from conference.core.demo import load_demo
from conference.extensions import db


@pytest.fixture
def demo(app):
    """The 2023 demo programme: venues, 16 sessions, about 120 speakers (no registrations)."""
    with app.app_context():
        load_demo(only={"accounts", "editions", "venues", "programme"})
        db.session.commit()
    return 2023
