"""Check-in: the one place that decides a scan, whether it comes from the scanner page, the
JSON API, an offline sync, a manual look-up or a test; the rules of each entrance; the paired
scanner devices; the snapshot an offline scanner decides from.

A scan is the hot path of the conference's busiest minutes, so it stays lean: the entrance's
rules and the edition's public key are held in memory for a moment, the badge and its person
come in one joined query, the presence changes in one conditional statement, and the scan is
recorded with INSERT … ON CONFLICT DO NOTHING, which also makes it idempotent.
"""

import base64
import hashlib
import re
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, exists, func, literal, select, update

from conference.badges import signing
from conference.badges.models import AccessZone, Badge, BadgeKey
from conference.badges.signing import InvalidPayload
from conference.checkin.decision import BadgeFacts, Rule, decide
from conference.checkin.models import (
    MODES,
    RESULTS,
    SCAN_KINDS,
    CheckpointRule,
    Presence,
    Scan,
    ScannerDevice,
)
from conference.core import audit
from conference.core.database import insert_ignoring_conflicts, upsert
from conference.core.i18n import current_locale, full_name, localized
from conference.core.models import utcnow
from conference.editions.models import Edition
from conference.editions.services import clone_step
from conference.extensions import db
from conference.people.models import Person
from conference.registration.models import Registration, SeatBooking
from conference.venues.models import Checkpoint, Venue

REASONS = {
    "not_a_badge": _l("This code is not a conference badge."),
    "malformed": _l("The code is damaged or incomplete."),
    "bad_signature": _l("The signature does not match: the badge is forged or altered."),
    "unknown": _l("No such badge."),
    "wrong_edition": _l("This badge is for another edition."),
    "superseded": _l("An older version of a reissued badge: the holder has a newer one."),
    "revoked": _l("This badge has been revoked."),
    "category": _l("This category may not enter here."),
    "zone": _l("This badge does not open this zone."),
    "session": _l("By invitation only: this person holds no seat for this session."),
    "hours": _l("This entrance is closed now."),
    "reentry": _l("No re-entry through this entrance."),
}
NO_ZONE = 1 << 16  # a bit no badge carries: the rule names only zones that no longer exist
GATE_SECONDS = 2.0  # rules edited in one worker reach the others within this
CLIENT_SCAN_ID = re.compile(r"[\w.:-]{1,64}", re.ASCII)
PAIRING_MINUTES = 30
OFFLINE_RESULTS = (*RESULTS, None)


class ScanError(ValueError):
    def __init__(self, message, field: str = "body"):
        super().__init__(str(message))
        self.message = message
        self.field = field


@dataclass
class Answer:
    result: str
    why: str
    reason: str
    person: dict | None
    scan_id: int
    repeated: bool = False
    conflict: bool = False

    def as_json(self) -> dict:
        return {"result": self.result, "why": self.why, "reason": self.reason, "person": self.person,
                "scan_id": self.scan_id, "repeated": self.repeated, "conflict": self.conflict}


# Rules --------------------------------------------------------------------------------------


def rule_for(checkpoint: Checkpoint) -> CheckpointRule:
    found = db.session.execute(select(CheckpointRule).where(CheckpointRule.checkpoint_id == checkpoint.id)).scalar_one_or_none()
    return found or CheckpointRule(checkpoint_id=checkpoint.id, categories=[], zones=[], mode="entry", reentry=True,
                                   checks_out_elsewhere=False)


def save_rule(checkpoint: Checkpoint, categories: list[str], zones: list[str], session_id: int | None,
              opens_at: datetime | None, closes_at: datetime | None, mode: str, reentry: bool,
              checks_out_elsewhere: bool = False, actor=None) -> CheckpointRule:
    if mode not in MODES:
        raise ScanError(_l("Choose entry, exit or both."), "mode")
    if opens_at and closes_at and closes_at <= opens_at:
        raise ScanError(_l("The entrance must close after it opens."), "closes_at")
    if checks_out_elsewhere and not checkpoint.hall_id:
        raise ScanError(_l("Only a hall's door can check people out of the other halls."), "checks_out_elsewhere")
    rule = rule_for(checkpoint)
    rule.categories, rule.zones, rule.session_id = list(categories), list(zones), session_id
    rule.opens_at, rule.closes_at, rule.mode, rule.reentry = opens_at, closes_at, mode, reentry
    rule.checks_out_elsewhere = checks_out_elsewhere
    db.session.add(rule)
    audit.record("checkpoint.rules", checkpoint, detail={
        "categories": rule.categories, "zones": rule.zones, "session": session_id, "mode": mode,
        "reentry": reentry, "checks_out_elsewhere": checks_out_elsewhere,
        "opens_at": opens_at.isoformat() if opens_at else None, "closes_at": closes_at.isoformat() if closes_at else None,
    }, actor=actor)
    _gates.pop(checkpoint.id, None)
    return rule


def area_of(checkpoint: Checkpoint) -> str:
    return f"hall:{checkpoint.hall_id}" if checkpoint.hall_id else f"venue:{checkpoint.venue_id}"


@dataclass(frozen=True)
class Gate:
    """An entrance as a scan sees it."""

    checkpoint_id: int
    edition_id: int
    year: int
    area: str
    rule: Rule
    zones: tuple[str, ...]  # the rule's zone codes, for the snapshot
    checks_out_elsewhere: bool
    public_key: str | None  # base64url; None before the edition's first badge

    def verifier(self) -> Ed25519PublicKey | None:
        return _verifier(self.public_key) if self.public_key else None


_gates: dict[int, tuple[float, Gate]] = {}
_verifiers: dict[str, Ed25519PublicKey] = {}


def _verifier(text: str) -> Ed25519PublicKey:
    if text not in _verifiers:
        _verifiers[text] = Ed25519PublicKey.from_public_bytes(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    return _verifiers[text]


def gate_for(checkpoint_id: int) -> Gate | None:
    """The entrance's rules, read at most every GATE_SECONDS per process."""
    cached = _gates.get(checkpoint_id)
    if cached and cached[0] > time.monotonic():
        return cached[1]
    row = db.session.execute(
        select(Checkpoint.id, Checkpoint.hall_id, Checkpoint.venue_id, Edition.id.label("edition_id"), Edition.year,
               BadgeKey.public_key, CheckpointRule.categories, CheckpointRule.zones, CheckpointRule.session_id,
               CheckpointRule.opens_at, CheckpointRule.closes_at, CheckpointRule.mode, CheckpointRule.reentry,
               CheckpointRule.checks_out_elsewhere)
        .join(Venue, Venue.id == Checkpoint.venue_id).join(Edition, Edition.id == Venue.edition_id)
        .outerjoin(BadgeKey, BadgeKey.edition_id == Edition.id)
        .outerjoin(CheckpointRule, CheckpointRule.checkpoint_id == Checkpoint.id)
        .where(Checkpoint.id == checkpoint_id)
    ).one_or_none()
    if row is None:
        return None
    zone_codes = tuple(row.zones or ())
    mask = 0
    if zone_codes:
        for bit in db.session.execute(select(AccessZone.bit).where(
                AccessZone.edition_id == row.edition_id, AccessZone.code.in_(zone_codes))).scalars():
            mask |= 1 << bit
        mask = mask or NO_ZONE
    rule = Rule(categories=tuple(row.categories or ()), zone_mask=mask, session_id=row.session_id,
                opens_at=row.opens_at, closes_at=row.closes_at, mode=row.mode or "entry",
                reentry=True if row.reentry is None else row.reentry)
    area = f"hall:{row.hall_id}" if row.hall_id else f"venue:{row.venue_id}"
    gate = Gate(row.id, row.edition_id, row.year, area, rule, zone_codes, bool(row.checks_out_elsewhere), row.public_key)
    _gates[checkpoint_id] = (time.monotonic() + GATE_SECONDS, gate)
    return gate


def forget_gates() -> None:
    _gates.clear()


# Deciding a scan ----------------------------------------------------------------------------


def _read_code(payload: str, gate: Gate) -> tuple[str | None, signing.Claim | None]:
    try:
        claim, message, signature = signing.read(payload)
    except InvalidPayload as refusal:
        return refusal.reason, None
    if claim.year != gate.year:
        return "wrong_edition", claim
    verifier = gate.verifier()
    if verifier is None:
        return "unknown", claim
    try:
        verifier.verify(signature, message)
    except Exception:  # cryptography's InvalidSignature
        return "bad_signature", claim
    return None, claim


def _badge_row(badge_id: int, gate: Gate):
    holds = literal(False)
    if gate.rule.session_id is not None:
        holds = exists().where(
            SeatBooking.session_id == gate.rule.session_id, SeatBooking.status == "confirmed",
            SeatBooking.registration_id == Registration.id, Registration.person_id == Badge.person_id)
    return db.session.execute(
        select(Badge.id, Badge.version, Badge.status, Badge.revoked_reason, Badge.serial, Person.id.label("person_id"),
               Person.family_name, Person.given_name, Person.name_latin, Person.category, Person.organisation,
               Person.organisation_en, Person.photo_file, holds.label("holds_session"))
        .join(Person, Person.id == Badge.person_id)
        .where(Badge.id == badge_id, Badge.edition_id == gate.edition_id)
    ).one_or_none()


def _person(row) -> dict:
    person = Person(family_name=row.family_name, given_name=row.given_name, name_latin=row.name_latin)
    return {
        "name": person.name, "latin_name": person.latin_name if current_locale() == "en" else (row.name_latin or ""),
        "category": row.category, "organisation": localized(row.organisation, row.organisation_en),
        "serial": row.serial, "badge_id": row.id, "photo": bool(row.photo_file),
    }


def _enter(badge_id: int, gate: Gate) -> tuple[str, str]:
    """One conditional upsert: of two doors scanning one badge at once, exactly one admits."""
    table = Presence.__table__
    now = utcnow()
    may_enter = table.c.inside.is_(False)
    if not gate.rule.reentry:
        may_enter = and_(may_enter, table.c.entries == 0)
    statement = upsert(table).values(badge_id=badge_id, area=gate.area, inside=True, entries=1, changed_at=now)
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.badge_id, table.c.area],
        set_={"inside": True, "entries": table.c.entries + 1, "changed_at": now}, where=may_enter)
    entered = db.session.execute(statement.returning(table.c.id)).first()
    if entered is not None:
        if gate.checks_out_elsewhere:
            db.session.execute(update(Presence).where(
                Presence.badge_id == badge_id, Presence.area != gate.area, Presence.area.like("hall:%"),
                Presence.inside.is_(True)).values(inside=False, changed_at=now))
        return "admitted", ""
    inside = db.session.execute(select(Presence.inside).where(Presence.badge_id == badge_id, Presence.area == gate.area)).scalar_one()
    return ("already_inside", "") if inside else ("not_allowed_here", "reentry")


def _leave(badge_id: int, gate: Gate) -> None:
    db.session.execute(update(Presence).where(Presence.badge_id == badge_id, Presence.area == gate.area,
                                              Presence.inside.is_(True)).values(inside=False, changed_at=utcnow()))


def reason_text(why: str, revoked_reason: str = "") -> str:
    if not why or why not in REASONS:
        return ""
    text = str(REASONS[why])
    return f"{text} {revoked_reason}" if why == "revoked" and revoked_reason else text


def _stored(client_scan_id: str) -> Answer:
    scan_row = db.session.execute(select(Scan).where(Scan.client_scan_id == client_scan_id)).scalar_one()
    gate = gate_for(scan_row.checkpoint_id)
    row = _badge_row(scan_row.badge_id, gate) if scan_row.badge_id is not None and gate else None
    return Answer(scan_row.result, scan_row.why, reason_text(scan_row.why, row.revoked_reason if row else ""),
                  _person(row) if row else None, scan_row.id, repeated=True, conflict=scan_row.conflict)


def scan(payload: str, checkpoint: Checkpoint | int, device: ScannerDevice | None, client_scan_id: str,
         scanned_at: datetime | None = None, kind: str = "entry", offline_result: str | None = None) -> Answer:
    """Verify, apply the entrance's rules, record, answer. The same client_scan_id sent twice
    is recorded once and answered the same; one badge scanned at two doors at once is admitted
    once. A late scan from an offline phone keeps the phone's time, and says what the phone
    decided: an admission the server would have refused as already inside is a conflict.

    Must be the first work of its transaction: a repeated scan id rolls back and reads the
    stored answer."""
    if not CLIENT_SCAN_ID.fullmatch(client_scan_id or ""):
        raise ScanError(_l("Every scan needs its own id: up to 64 letters, digits, dots, colons, hyphens or underscores."),
                        "client_scan_id")
    if kind not in SCAN_KINDS:
        raise ScanError(_l("Unknown kind of scan."))
    if offline_result not in OFFLINE_RESULTS:
        raise ScanError(_l("Unknown offline result."))
    gate = gate_for(checkpoint if isinstance(checkpoint, int) else checkpoint.id)
    if gate is None:
        raise ScanError(_l("No such checkpoint."))
    at = scanned_at or utcnow()
    problem, claim = _read_code(payload or "", gate)
    row = None if problem else _badge_row(claim.badge_id, gate)
    facts = BadgeFacts(row.version, row.status, row.category, bool(row.holds_session)) if row else None
    decision = decide(problem, facts, claim.version if claim else 0, claim.zones if claim else 0, gate.rule, at, kind)
    result, why = decision.result, decision.why
    if decision.counts and decision.kind == "exit":
        _leave(row.id, gate)
    elif decision.counts:
        result, why = _enter(row.id, gate)
    conflict = offline_result == "admitted" and result == "already_inside"
    reason = reason_text(why, row.revoked_reason if row else "")
    scan_id = db.session.execute(insert_ignoring_conflicts(Scan.__table__).values(
        edition_id=gate.edition_id, checkpoint_id=gate.checkpoint_id, client_scan_id=client_scan_id,
        device=device.name if device else "", device_id=device.id if device else None, kind=decision.kind,
        badge_id=row.id if row else None, result=result, why=why, reason=reason, scanned_at=at,
        received_at=utcnow(), offline_result=offline_result, conflict=conflict,
    ).returning(Scan.__table__.c.id)).scalar()
    if scan_id is None:
        db.session.rollback()  # this scan was recorded before: undo what this copy changed
        return _stored(client_scan_id)
    return Answer(result, why, reason, _person(row) if row else None, scan_id, conflict=conflict)


def inside_now(area: str) -> int:
    return db.session.execute(select(func.count(Presence.id)).where(Presence.area == area, Presence.inside.is_(True))).scalar_one()


# Scanner devices ----------------------------------------------------------------------------


def _token_hash(secret: str) -> str:
    # Tokens are 256 random bits: a plain hash suffices and costs microseconds per scan.
    return hashlib.sha256(secret.encode()).hexdigest()


def add_device(checkpoint: Checkpoint, name: str, actor=None) -> tuple[ScannerDevice, str]:
    """A device waiting to be paired, and its one-time pairing code (shown once, as a QR)."""
    name = (name or "").strip()
    if not name:
        raise ScanError(_l("Give the device a name, such as the volunteer's or the phone's."), "name")
    code = secrets.token_urlsafe(18)
    device = ScannerDevice(edition_id=checkpoint.venue.edition_id, checkpoint_id=checkpoint.id, name=name[:80],
                           pairing_hash=_token_hash(code), pairing_expires_at=utcnow() + timedelta(minutes=PAIRING_MINUTES))
    db.session.add(device)
    audit.record("device.add", device, detail={"checkpoint": checkpoint.code, "name": device.name}, actor=actor)
    return device, code


def pair(code: str) -> tuple[ScannerDevice, str] | None:
    """Exchange a pairing code for the device token, once, before the code expires."""
    if not code or len(code) > 64:
        return None
    device = db.session.execute(select(ScannerDevice).where(ScannerDevice.pairing_hash == _token_hash(code))).scalar_one_or_none()
    if device is None or device.revoked_at or device.pairing_expires_at < utcnow():
        return None
    token = "cd_" + secrets.token_urlsafe(32)
    device.token_hash, device.pairing_hash, device.paired_at = _token_hash(token), None, utcnow()
    audit.record("device.pair", device, detail={"name": device.name})
    return device, token


def pair_now(checkpoint: Checkpoint, name: str, actor=None) -> tuple[ScannerDevice, str]:
    """Add and pair in one step (the command line prints the token)."""
    device, code = add_device(checkpoint, name, actor=actor)
    db.session.flush()
    return pair(code)


def device_for_token(token: str) -> ScannerDevice | None:
    if not token or len(token) > 100:
        return None
    device = db.session.execute(select(ScannerDevice).where(
        ScannerDevice.token_hash == _token_hash(token), ScannerDevice.revoked_at.is_(None))).scalar_one_or_none()
    if device is not None and (device.last_seen_at is None or device.last_seen_at < utcnow() - timedelta(minutes=1)):
        device.last_seen_at = utcnow()  # at most once a minute: not a write per scan
    return device


def unpair(device: ScannerDevice, actor=None) -> None:
    device.revoked_at = utcnow()
    device.token_hash = device.pairing_hash = None
    audit.record("device.unpair", device, detail={"name": device.name}, actor=actor)


def devices_of(edition: Edition) -> list[ScannerDevice]:
    return list(db.session.execute(select(ScannerDevice).where(ScannerDevice.edition_id == edition.id)
                                   .order_by(ScannerDevice.revoked_at.is_not(None), ScannerDevice.created_at.desc())).scalars())


def photo_of(device: ScannerDevice, badge_id: int) -> Person | None:
    person = db.session.execute(select(Person).join(Badge, Badge.person_id == Person.id).where(
        Badge.id == badge_id, Badge.edition_id == device.edition_id)).scalar_one_or_none()
    return person if person is not None and person.photo_file else None


# What an offline scanner holds --------------------------------------------------------------


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment else None


def snapshot(device: ScannerDevice) -> dict:
    """Everything the scanner page needs to decide on its own while the network is down:
    the public key, this entrance's rules, every badge's current version, category and status
    (with names, to show who), and who is inside this entrance's area. No documents, no phones."""
    gate = gate_for(device.checkpoint_id)
    checkpoint = db.session.get(Checkpoint, device.checkpoint_id)
    holders = set()
    if gate.rule.session_id is not None:
        holders = set(db.session.execute(
            select(Registration.person_id).join(SeatBooking, SeatBooking.registration_id == Registration.id)
            .where(SeatBooking.session_id == gate.rule.session_id, SeatBooking.status == "confirmed")).scalars())
    badges = {}
    for row in db.session.execute(
        select(Badge.id, Badge.version, Badge.status, Badge.revoked_reason, Badge.person_id, Person.family_name,
               Person.given_name, Person.category)
        .join(Person, Person.id == Badge.person_id).where(Badge.edition_id == gate.edition_id)
    ):
        badges[str(row.id)] = {"v": row.version, "s": row.status, "c": row.category,
                               "h": row.person_id in holders, "n": full_name(row.family_name, row.given_name),
                               **({"r": row.revoked_reason} if row.status == "revoked" else {})}
    presences = db.session.execute(select(Presence.badge_id, Presence.inside).where(Presence.area == gate.area)).all()
    return {
        "edition": gate.year,
        "public_key": gate.public_key,
        "checkpoint": {"id": checkpoint.id, "code": checkpoint.code, "name": checkpoint.name, "area": gate.area},
        "rule": {"categories": list(gate.rule.categories), "zone_mask": gate.rule.zone_mask,
                 "session": gate.rule.session_id is not None, "opens_at": _iso(gate.rule.opens_at),
                 "closes_at": _iso(gate.rule.closes_at), "mode": gate.rule.mode, "reentry": gate.rule.reentry},
        "badges": badges,
        "inside": sorted(badge_id for badge_id, inside in presences if inside),
        "entered": sorted(badge_id for badge_id, _inside in presences),
        "reasons": {key: str(text) for key, text in REASONS.items()},
        "generated_at": _iso(utcnow()),
    }


@clone_step("checkin", _l("checkpoint rules"), order=70)
def _clone_rules(source: Edition, target: Edition, carried: dict) -> dict:
    mapping = carried.get("venues", {}).get("checkpoints", {})
    for rule in db.session.execute(
        select(CheckpointRule).join(Checkpoint).join(Venue).where(Venue.edition_id == source.id)
    ).scalars():
        if rule.checkpoint_id in mapping:
            db.session.add(CheckpointRule(
                checkpoint_id=mapping[rule.checkpoint_id], categories=list(rule.categories), zones=list(rule.zones),
                mode=rule.mode, reentry=rule.reentry, checks_out_elsewhere=rule.checks_out_elsewhere,
                # no session and no hours: those change every year
            ))
    return {}
