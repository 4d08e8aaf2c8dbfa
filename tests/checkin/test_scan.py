"""checkin.services.scan: every answer, idempotency, and one badge at two doors at once."""

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, text

from conference.badges import services as badges
from conference.checkin import fastpath, services
from conference.checkin.models import Presence, Scan
from conference.core.database import committed
from conference.editions.services import get_edition
from conference.extensions import db
from conference.venues.models import Checkpoint
from tests.conftest import badged_demo, race


@pytest.fixture
def gate(app):
    """The demo venues, zones, and two people with badges: a guest and a volunteer."""
    with app.app_context():
        _edition, (guest, volunteer) = badged_demo([("林", "晓梅", "guest"), ("陈", "小军", "volunteer")],
                                                   ("editions", "venues", "programme"))
        door = db.session.execute(select(Checkpoint).where(Checkpoint.name_zh == "北广场主入口")).scalar_one()
        answer = {"guest": badges.payload(guest), "volunteer": badges.payload(volunteer), "door": door.id,
                  "guest_id": guest.id}
        db.session.commit()  # with the edition's new key pair
        return answer


def scan(app, payload, door, client_id, kind="entry", at=None, device=None):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        checkpoint = db.session.get(Checkpoint, door)
        answer = committed(lambda: services.scan(payload, checkpoint, device, client_id, at, kind))
        return answer


def paired(app, door, name="test phone") -> services.PairedDevice:
    """A scanner paired at the door, as a request sees it: scan ids are a device's own."""
    with app.app_context():
        device, _token = services.pair_now(db.session.get(Checkpoint, door), name)
        db.session.commit()
        return services.PairedDevice(device.id, device.name, device.checkpoint_id, device.edition_id)


def rule(app, door, **fields):
    with app.app_context():
        values = {"categories": [], "zones": [], "session_id": None, "opens_at": None, "closes_at": None,
                  "mode": "entry", "reentry": True, **fields}
        services.save_rule(db.session.get(Checkpoint, door), **values)
        db.session.commit()


def test_admitted_then_already_inside_with_who(app, gate):
    first = scan(app, gate["guest"], gate["door"], "s1")
    assert first.result == "admitted" and first.person["name"] == "林晓梅" and first.person["category"] == "guest"
    assert scan(app, gate["guest"], gate["door"], "s2").result == "already_inside"


def test_the_same_scan_sent_twice_is_recorded_once_and_answered_the_same(app, gate):
    phone = paired(app, gate["door"])
    first = scan(app, gate["guest"], gate["door"], "same-id", device=phone)
    again = scan(app, gate["guest"], gate["door"], "same-id", device=phone)
    assert (again.result, again.repeated, again.scan_id) == ("admitted", True, first.scan_id)
    with app.app_context():
        assert db.session.execute(select(func.count(Scan.id))).scalar_one() == 1


def test_a_scan_id_is_its_devices_own(app, gate):
    """Another device, or none (an admission by hand), with the same id makes a scan of its own."""
    first = scan(app, gate["guest"], gate["door"], "same-id", device=paired(app, gate["door"], "phone A"))
    other = scan(app, gate["volunteer"], gate["door"], "same-id", device=paired(app, gate["door"], "phone B"))
    by_hand = [scan(app, gate["volunteer"], gate["door"], "same-id") for _ in range(2)]
    assert (first.result, other.result, other.repeated, other.person["name"]) == ("admitted", "admitted", False, "陈小军")
    assert [answer.repeated for answer in by_hand] == [False, False]
    with app.app_context():
        assert db.session.execute(select(func.count(Scan.id))).scalar_one() == 4


def test_invalid_forged_and_other_edition_codes(app, gate):
    assert scan(app, "hello", gate["door"], "a").result == "invalid"
    assert scan(app, gate["guest"][:-4], gate["door"], "b").result == "invalid"
    with app.app_context():
        other = badges.signing.sign(badges.signing.new_key(), badges.signing.Claim(2024, 1, 1, 3))
    assert scan(app, other, gate["door"], "c").result == "wrong_edition"


def test_the_code_printed_on_a_badge_needs_no_signature_check_and_any_other_is_checked(app, gate, monkeypatch):
    """Each badge keeps the code last printed on it: exactly that code is the server's own.
    Anything else is checked in full: more zones under the printed signature and another
    key's signature are refused, an earlier genuine print is admitted."""
    with app.app_context():
        badges.record_printing(db.session.execute(select(badges.Badge)).scalars().all())
        db.session.commit()
    checked = []
    check = services._signature_problem
    monkeypatch.setattr(services, "_signature_problem", lambda code, gate: checked.append(code) or check(code, gate))
    assert scan(app, gate["guest"], gate["door"], "printed").result == "admitted"
    assert checked == []
    signing = badges.signing
    claim, _message, signature = signing.read(gate["guest"])
    more_zones = signing.encode(signing.body(claim.year, claim.badge_id, claim.version, 0xFFFF) + signature)
    forged = scan(app, more_zones, gate["door"], "more-zones")
    assert (forged.result, forged.why, forged.person) == ("invalid", "bad_signature", None)
    assert scan(app, signing.sign(signing.new_key(), claim), gate["door"], "other-key").why == "bad_signature"
    assert len(checked) == 2
    with app.app_context():
        volunteer = db.session.execute(select(badges.Badge).where(badges.Badge.id != gate["guest_id"])).scalar_one()
        badges.set_extra_zones(volunteer, ["E"])
        reprinted = badges.payload(volunteer)
        badges.record_printing([volunteer])
        db.session.commit()
    assert reprinted != gate["volunteer"]
    assert scan(app, gate["volunteer"], gate["door"], "first-print").result == "admitted"
    assert len(checked) == 3


def test_reissued_and_revoked_badges(app, gate):
    with app.app_context():
        badge = db.session.get(badges.Badge, gate["guest_id"])
        badges.reissue(badge, "lost")
        db.session.commit()
        new = badges.payload(badge)
    assert scan(app, gate["guest"], gate["door"], "old").result == "superseded"
    assert scan(app, new, gate["door"], "new").result == "admitted"
    with app.app_context():
        badges.revoke(db.session.get(badges.Badge, gate["guest_id"]), "冒用")
        db.session.commit()
    refused = scan(app, new, gate["door"], "gone")
    assert refused.result == "revoked" and "冒用" in refused.reason


def test_categories_zones_hours_and_reentry(app, gate):
    rule(app, gate["door"], categories=["guest"])
    assert scan(app, gate["volunteer"], gate["door"], "v1").result == "not_allowed_here"
    rule(app, gate["door"], zones=["E"])  # VIP lounge: guests only by default
    refused = scan(app, gate["volunteer"], gate["door"], "v2")
    assert refused.result == "not_allowed_here" and "zone" in refused.reason
    now = datetime.now(UTC)
    rule(app, gate["door"], opens_at=now + timedelta(hours=1), closes_at=now + timedelta(hours=2))
    assert scan(app, gate["guest"], gate["door"], "g1").result == "outside_hours"
    rule(app, gate["door"], reentry=False)
    assert scan(app, gate["guest"], gate["door"], "g2").result == "admitted"
    assert scan(app, gate["guest"], gate["door"], "g3", kind="exit").result == "left"
    again = scan(app, gate["guest"], gate["door"], "g4")
    assert again.result == "not_allowed_here" and "re-entry" in again.reason


def test_a_lookup_never_counts_as_an_entry(app, gate):
    assert scan(app, gate["guest"], gate["door"], "l1", kind="lookup").result == "admitted"
    assert scan(app, gate["guest"], gate["door"], "l2").result == "admitted"  # still the first entry
    with app.app_context():
        assert services.inside_now(services.area_of(db.session.get(Checkpoint, gate["door"]))) == 1


def test_an_exit_then_a_new_entry(app, gate):
    scan(app, gate["guest"], gate["door"], "e1")
    scan(app, gate["guest"], gate["door"], "e2", kind="exit")
    assert scan(app, gate["guest"], gate["door"], "e3").result == "admitted"


@pytest.mark.parametrize("trial", range(2))
@pytest.mark.parametrize("path", ["session", "own connection"])
def test_fifty_scanners_one_badge_exactly_one_admitted(app, gate, trial, path):
    """Fifty scans of one badge at once at every door of the venue, ten of them the same scan
    sent again: one admission, one record per scan id, the API's path and the session's."""
    with app.app_context():
        doors = db.session.execute(select(Checkpoint.id).where(Checkpoint.venue_id == db.session.get(
            Checkpoint, gate["door"]).venue_id, Checkpoint.hall_id.is_(None))).scalars().all()
    count, repeated = 50, 10
    phone = paired(app, gate["door"])

    def attempt(index):
        scan_id = f"t{trial}-same" if index < repeated else f"t{trial}-{index}"
        door = doors[index % len(doors)]
        if path == "session":
            answer = committed(lambda: services.scan(gate["guest"], door, phone, scan_id))
        else:
            answer = services.scan_now(gate["guest"], door, phone, scan_id)
        return scan_id, answer.result

    results, errors = race(app, attempt, count)
    assert errors == []
    distinct = dict(results)  # the repeated scan answers the same every time
    assert len({result for scan_id, result in results if scan_id.endswith("-same")}) == 1
    assert list(distinct.values()).count("admitted") == 1
    assert list(distinct.values()).count("already_inside") == count - repeated
    with app.app_context():
        assert db.session.execute(select(func.count(Scan.id))).scalar_one() == count - repeated + 1
        assert db.session.execute(select(func.count(Scan.id)).where(Scan.result == "admitted")).scalar_one() == 1


def test_the_clone_takes_the_rules_without_session_or_hours(app, gate):
    rule(app, gate["door"], categories=["guest", "staff"], opens_at=datetime.now(UTC))
    with app.app_context():
        from conference.checkin.models import CheckpointRule
        from conference.editions.services import clone_edition

        clone = clone_edition(get_edition(2023), 2024, "福州")
        db.session.commit()
        copied = db.session.execute(select(CheckpointRule).join(Checkpoint).join(services.Venue).where(
            services.Venue.edition_id == clone.id)).scalar_one()
        assert copied.categories == ["guest", "staff"] and copied.opens_at is None


@pytest.mark.parametrize("kind", ["entry", "exit"])
@pytest.mark.parametrize("path", ["session", "own connection"])
def test_copies_of_one_scan_sent_at_once_change_the_presence_once(app, gate, kind, path):
    """A phone that sends its scan again before the first answer arrives: every copy answers
    the first's answer, one scan is recorded, and the presence changed once."""
    phone = paired(app, gate["door"])
    if kind == "exit":
        scan(app, gate["guest"], gate["door"], "in", device=phone)
    copies = 12

    def attempt(_index):
        if path == "session":
            answer = committed(lambda: services.scan(gate["guest"], gate["door"], phone, "copy", None, kind))
        else:
            answer = services.scan_now(gate["guest"], gate["door"], phone, "copy", None, kind)
        return answer.result, answer.scan_id, answer.repeated

    results, errors = race(app, attempt, copies)
    assert errors == []
    assert {(result, scan_id) for result, scan_id, _repeated in results} == {("left" if kind == "exit" else "admitted",
                                                                             results[0][1])}
    assert sorted(repeated for _result, _scan_id, repeated in results) == [False] + [True] * (copies - 1)
    with app.app_context():
        assert db.session.execute(select(func.count(Scan.id)).where(Scan.client_scan_id == "copy")).scalar_one() == 1
        presence = db.session.execute(select(Presence)).scalar_one()
        assert (presence.inside, presence.entries) == (kind == "entry", 1)


class Queue:
    """Scans of other threads waiting for this thread's transaction: on PostgreSQL for a row or
    an index entry, on SQLite for the writer's turn (counted as they ask for it)."""

    def __init__(self, monkeypatch):
        self.asked, owner = 0, threading.get_ident()
        ask = fastpath.queue_to_write

        def counted():
            if threading.get_ident() != owner:
                self.asked += 1
            ask()

        monkeypatch.setattr(fastpath, "queue_to_write", counted)

    def waiting(self) -> int:
        if db.engine.dialect.name != "postgresql":
            return self.asked
        with db.engine.connect() as connection:
            return connection.execute(text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                                           "AND wait_event_type = 'Lock'")).scalar_one()

    def until(self, count: int) -> None:
        deadline = time.monotonic() + 30
        while self.waiting() < count:
            assert time.monotonic() < deadline, f"fewer than {count} scans waiting"


def _in_thread(app, work) -> tuple[threading.Thread, list]:
    found = []

    def run():
        with app.test_request_context(headers={"Accept-Language": "en"}):
            try:
                found.append(work())
            finally:
                db.session.remove()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, found


def test_a_copy_that_waited_behind_its_first_and_an_entry_changes_nothing(app, gate, monkeypatch):
    """The first copy of an exit lets the person out and is not committed yet; an entry at
    another phone waits for it, and behind the entry the exit's second copy. The entry goes
    first and lets the person in again, so the second copy finds someone to let out: it must
    change nothing even so, since its record is refused."""
    queue = Queue(monkeypatch)
    phone, other_phone = paired(app, gate["door"]), paired(app, gate["door"], "entry phone")
    scan(app, gate["guest"], gate["door"], "in", device=other_phone)
    with app.test_request_context(headers={"Accept-Language": "en"}):
        first = services.scan(gate["guest"], gate["door"], phone, "copy", kind="exit")
        entry_thread, entered = _in_thread(app, lambda: services.scan_now(gate["guest"], gate["door"], other_phone, "again"))
        queue.until(1)
        copy_thread, copied = _in_thread(app, lambda: services.scan_now(gate["guest"], gate["door"], phone, "copy",
                                                                        kind="exit"))
        queue.until(2)
        db.session.commit()
    entry_thread.join()
    copy_thread.join()
    assert (first.result, first.why, entered[0].result) == ("left", "", "admitted")
    assert (copied[0].result, copied[0].scan_id, copied[0].repeated) == ("left", first.scan_id, True)
    with app.app_context():
        presence = db.session.execute(select(Presence)).scalar_one()
        assert (presence.inside, presence.entries) == (True, 2)
        assert db.session.execute(select(func.count(Scan.id))).scalar_one() == 3


def test_two_doors_without_reentry_at_once_the_later_hears_already_inside(app, gate, monkeypatch):
    """A first entry at one door, not committed yet, and the same badge at another door of the
    area: the later finds the person inside, not a second entry refused as re-entry. (On
    PostgreSQL its statement saw the presence as it was before the first door's commit.)"""
    queue = Queue(monkeypatch)
    with app.app_context():
        door = db.session.get(Checkpoint, gate["door"])
        other = db.session.execute(select(Checkpoint.id).where(
            Checkpoint.venue_id == door.venue_id, Checkpoint.hall_id.is_(None), Checkpoint.id != door.id)).scalars().first()
    for each in (gate["door"], other):
        rule(app, each, reentry=False)
    phone = paired(app, other)
    with app.test_request_context(headers={"Accept-Language": "en"}):
        first = services.scan(gate["guest"], gate["door"], None, "first")
        thread, later = _in_thread(app, lambda: services.scan_now(gate["guest"], other, phone, "later"))
        queue.until(1)
        db.session.commit()
    thread.join()
    assert (first.result, later[0].result, later[0].why) == ("admitted", "already_inside", "")
    with app.app_context():
        assert db.session.execute(select(Presence.entries)).scalar_one() == 1
