import pytest

from tests.conftest import demo_steps


@pytest.fixture
def demo(app):
    """The 2023 demo programme: venues, 16 sessions, about 120 speakers (no registrations)."""
    with app.app_context():
        demo_steps("accounts", "editions", "venues", "programme")
    return 2023
