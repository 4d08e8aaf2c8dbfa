import pytest

from conference.core.demo import load_demo
from conference.extensions import db


@pytest.fixture
def demo(app):
    """The whole 2023 demo: venues, 17 sessions, about 120 speakers."""
    with app.app_context():
        load_demo()
        db.session.commit()
    return 2023
