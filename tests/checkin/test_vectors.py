"""The shared vectors (tests/checkin/vectors.json), answered by the server's own code: first its
rule on the snapshot alone, then the whole scan() against a database set up to match. The
scanner page's JavaScript answers the same file in tests/browser/test_scanner.py."""

import json
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import delete

from conference.badges.demo import set_up_zones
from conference.badges.models import Badge, BadgeKey
from conference.checkin import services
from conference.checkin.decision import BadgeFacts, Rule, decide, settle_entry, settle_exit
from conference.checkin.models import Presence, Scan
from conference.core import pii
from conference.core.database import committed
from conference.editions.services import get_edition
from conference.extensions import db
from conference.people import services as people
from conference.people.models import Person
from conference.venues.services import checkpoint_by_code
from tests.conftest import demo_steps

FILE = json.loads((Path(__file__).parent / "vectors.json").read_text(encoding="utf-8"))
VECTORS = FILE["cases"]
ZONE_CODES = "ABCDE"  # bit 0 … 4, as the demo's zones


def moment(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None


def rule_of(snapshot) -> Rule:
    r = snapshot["rule"]
    return Rule(categories=tuple(r["categories"]), zone_mask=r["zone_mask"], session_id=1 if r["session"] else None,
                opens_at=moment(r["opens_at"]), closes_at=moment(r["closes_at"]), mode=r["mode"], reentry=r["reentry"])


@pytest.mark.parametrize("case", VECTORS, ids=[case["name"] for case in VECTORS])
def test_the_servers_rule_answers_each_vector(case):
    snapshot = case["snapshot"]
    gate = services.Gate(0, 0, snapshot["edition"], "hall:0", rule_of(snapshot), False, snapshot["public_key"])
    problem, claim, code = services._read_code(case["payload"], gate)
    problem = problem or services._signature_problem(code, gate)  # in full, as the page does offline
    known = snapshot["badges"].get(str(claim.badge_id)) if claim and not problem else None
    facts = BadgeFacts(known["v"], known["s"], known["c"], known["h"]) if known else None
    decision = decide(problem, facts, claim.version if claim else 0, claim.zones if claim else 0, gate.rule,
                      moment(case["at"]), case["kind"])
    result, why = decision.result, decision.why
    if decision.counts and decision.kind == "entry":
        result, why = settle_entry(claim.badge_id in snapshot["inside"], claim.badge_id in snapshot["entered"],
                                   gate.rule.reentry)
    elif decision.counts:
        result, why = settle_exit(claim.badge_id in snapshot["inside"])
    assert {"result": result, "why": why} == case["expect"]


def _zones(mask: int) -> list[str]:
    if mask == services.NO_ZONE:
        return ["Z"]  # a zone that does not exist
    return [code for bit, code in enumerate(ZONE_CODES) if mask & (1 << bit)]


@pytest.mark.parametrize("path", ["session", "own connection"])
def test_the_whole_scan_answers_each_vector_from_the_database(app, path):
    """Every case without an invitation-only session (those need a booked programme and are
    covered by test_scan.py), through services.scan with matching rows: in the session's
    transaction (the scanner page) and on the scan's own connection (the API)."""
    with app.test_request_context(headers={"Accept-Language": "en"}):
        demo_steps("editions", "venues")
        edition = get_edition(2023)
        set_up_zones(edition)
        db.session.add(BadgeKey(edition_id=edition.id, public_key=VECTORS[0]["snapshot"]["public_key"],
                                private_key_sealed=pii.seal(FILE["private_key"])))
        door = checkpoint_by_code(edition, "DEMO-DESK")
        area = services.area_of(door)
        db.session.commit()
        checked = 0
        for index, case in enumerate(VECTORS):
            snapshot, r = case["snapshot"], case["snapshot"]["rule"]
            if r["session"]:
                continue
            for table in (Scan, Presence, Badge, Person):
                db.session.execute(delete(table))
            for badge_id, facts in snapshot["badges"].items():
                person = people.add_person(edition, "林", "晓梅", facts["c"])
                db.session.add(Badge(id=int(badge_id), edition_id=edition.id, person=person, serial=f"2023-{badge_id}",
                                     version=facts["v"], status=facts["s"], revoked_reason=facts.get("r", "")))
            db.session.flush()
            for badge_id in snapshot["entered"]:
                db.session.add(Presence(badge_id=badge_id, area=area, inside=badge_id in snapshot["inside"], entries=1,
                                        changed_at=moment(case["at"])))
            services.save_rule(door, r["categories"], _zones(r["zone_mask"]) if r["zone_mask"] else [], None,
                               moment(r["opens_at"]), moment(r["closes_at"]), r["mode"], r["reentry"])
            db.session.commit()
            if path == "session":
                answer = committed(lambda case=case, index=index: services.scan(
                    case["payload"], door, None, f"vector-{index}", moment(case["at"]), case["kind"]))
            else:
                answer = services.scan_now(case["payload"], door.id, None, f"vector-{index}", moment(case["at"]),
                                           case["kind"])
            assert {"result": answer.result, "why": answer.why} == case["expect"], case["name"]
            checked += 1
        assert checked == sum(1 for case in VECTORS if not case["snapshot"]["rule"]["session"])
