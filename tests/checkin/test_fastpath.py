"""The scan's own connection and SQL: it asks registration's rule of who holds a seat, as the
ORM does; it queues for SQLite's one writer and gives up its turn however its transaction ends;
on PostgreSQL only it commits before the disk has the log."""

import fcntl
import os

import pytest
from sqlalchemy import select, text

from conference.badges import services as badges
from conference.badges.demo import set_up_zones
from conference.checkin import fastpath, services
from conference.core.database import committed
from conference.editions.services import get_edition
from conference.extensions import db
from conference.people import services as people
from conference.people.models import Person
from conference.registration import services as registration
from conference.venues.services import checkpoint_by_code
from tests.conftest import registration_demo
from tests.registration.conftest import resident_id, set_seats

# Who registered for which sub-forum, in this order: sub-forum 3 has two seats, so the first two
# are seated, the next two wait; "cancelled" then cancels and "promoted" gets the seat.
REGISTERED = {"seated": 3, "cancelled": 3, "promoted": 3, "waiting": 3, "no_seat": None, "elsewhere": 4}
HOLD_SEATS = {"seated", "promoted"}


@pytest.fixture
def audience(app, demo_clock):
    """Everyone with a badge, and the invitation-only entrance of sub-forum 3."""
    with app.app_context():
        registration_demo()
        set_up_zones(get_edition(2023))
        db.session.commit()
    session_id = set_seats(app, 3, 2)
    other_id = set_seats(app, 4, 2)
    with app.test_request_context():
        edition = get_edition(2023)
        found = {}
        for serial, (who, number) in enumerate(REGISTERED.items()):
            fields = registration.RegistrationFields(
                category="media", family_name="林", given_name=who, organisation="东南网", email=f"{who}@example.org",
                phone="13812345678", id_type="resident_id", id_number=resident_id(serial=f"{serial:03d}"),
                consents={"privacy_notice": 1, "identity_document": 1},
                sessions={3: [session_id], 4: [other_id], None: []}[number])
            found[who] = committed(lambda fields=fields: registration.register(edition, fields))[0]
        volunteer = people.add_person(edition, "陈", "no_registration", "volunteer")
        badge_ids = {who: badges.issue(found[who].person).id for who in REGISTERED}
        badge_ids["no_registration"] = badges.issue(volunteer).id
        registration.cancel(found["cancelled"])
        desk = checkpoint_by_code(edition, "DEMO-DESK")
        services.save_rule(desk, [], [], session_id, None, None, "entry", True)
        device, _token = services.pair_now(desk, "phone")
        db.session.commit()
        return {"session": session_id, "edition": edition.id, "badges": badge_ids, "desk": desk.id,
                "device": services.PairedDevice(device.id, device.name, device.checkpoint_id, device.edition_id),
                "payloads": {who: badges.payload(db.session.get(badges.Badge, badge_id)) for who, badge_id in badge_ids.items()}}


def test_the_fast_path_and_the_orm_agree_on_who_holds_a_confirmed_seat(app, audience):
    session_id, edition_id = audience["session"], audience["edition"]
    names = {badge_id: who for who, badge_id in audience["badges"].items()}

    def fast(connection) -> set[str]:
        return {who for who, badge_id in audience["badges"].items()
                if fastpath.badge_row(connection, badge_id, edition_id, session_id).holds_session}

    with app.test_request_context():
        orm = set(db.session.execute(select(Person.given_name).where(
            Person.edition_id == edition_id, registration.holds_confirmed_seat(Person.id, session_id))).scalars())
        printed = {badge.person.given_name for badge in badges.select_badges(get_edition(2023), session_id=session_id)}
        offline = {names[int(badge_id)] for badge_id, badge in services.snapshot(audience["device"])["badges"].items()
                   if badge["h"]}
        in_session = fast(fastpath.DriverConnection.of_session())
        on_own_connection = fastpath.committed_on_own_connection(fast)
        assert orm == printed == offline == in_session == on_own_connection == HOLD_SEATS
        db.session.rollback()
        results = {}
        for who, payload in audience["payloads"].items():
            answer = services.scan_now(payload, audience["desk"], audience["device"], f"scan-{who}")
            results[who] = (answer.result, answer.why)
    assert results == {
        "seated": ("admitted", ""), "promoted": ("admitted", ""), "cancelled": ("revoked", "revoked"),
        "waiting": ("not_allowed_here", "session"), "no_seat": ("not_allowed_here", "session"),
        "elsewhere": ("not_allowed_here", "session"), "no_registration": ("not_allowed_here", "session"),
    }


def _writers_turn_taken() -> bool:
    """Whether another worker would wait here to write: on SQLite for the lock's file (another
    open file of this process stands for it); PostgreSQL queues writers on rows, never here."""
    if db.engine.dialect.name != "sqlite":
        return False
    fd = os.open(f"{db.engine.url.database}.writer-lock", os.O_CREAT | os.O_RDWR, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


@pytest.mark.parametrize("end", ["commit", "rollback", "close"])
def test_a_scan_in_the_sessions_transaction_gives_up_the_writers_turn_however_it_ends(app, end):
    with app.app_context():
        db.session.execute(text("SELECT 1"))
        fastpath.queue_to_write()
        held = _writers_turn_taken()
        getattr(db.session, end)()
        assert (held, _writers_turn_taken()) == (db.engine.dialect.name == "sqlite", False)


def _setting(connection: fastpath.DriverConnection, statement: str):
    cursor = connection.dbapi_connection.cursor()
    cursor.execute(statement)
    return cursor.fetchone()[0]


def test_only_the_scans_commit_before_the_disk_has_their_log(app):
    """On PostgreSQL the scan's own connections commit without waiting for the disk, and the
    session's work still waits; on SQLite (WAL, synchronous NORMAL) neither waits but at
    checkpoints."""
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            own = fastpath.committed_on_own_connection(lambda connection: _setting(connection, "SHOW synchronous_commit"))
            assert (own, db.session.execute(text("SHOW synchronous_commit")).scalar_one()) == ("off", "on")
        else:
            own = fastpath.committed_on_own_connection(lambda connection: _setting(connection, "PRAGMA synchronous"))
            assert own == db.session.execute(text("PRAGMA synchronous")).scalar_one() == 1
