"""checkin.services.scan: every answer, idempotency, and one badge at two doors at once."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from conference.badges import services as badges
from conference.checkin import services
from conference.checkin.models import Scan
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
