"""The audit log is read on the demo edition with its registrations."""

from tests.registration.conftest import reg  # noqa: F401  the fixture
