"""Check-in: the one place that decides a scan, whether it comes from the scanner page, the
JSON API, an offline sync, a manual look-up or a test; the rules of each entrance; the paired
scanner devices; the snapshot an offline scanner decides from.

A scan is the hot path of the conference's busiest minutes, so it stays lean: the entrance's
rules and the edition's public key are held in memory for a moment, the badge and its person
come in one joined query, the presence changes in one conditional statement and the scan is
recorded with the answer for what that change found (on PostgreSQL in the same statement); a
scan id its device sent before changes and records nothing. Those statements and the
connection they travel on are fastpath.py's; the answers, by decision.py's rule, are ours.
"""

import hmac
import logging
import math
import re
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from flask_babel import lazy_gettext as _l
from sqlalchemy import false, func, select
from sqlalchemy.exc import DBAPIError

from conference.badges import signing
from conference.badges.models import AccessZone, Badge, BadgeKey
from conference.badges.services import REASONS as badge_reasons
from conference.badges.signing import InvalidPayload
from conference.checkin import fastpath
from conference.checkin.decision import (
    BadgeFacts,
    Decision,
    Rule,
    decide,
    settle_entry,
    settle_exit,
)
from conference.checkin.models import (
    MODES,
    RESULTS,
    SCAN_KINDS,
    CheckpointRule,
    Presence,
    Scan,
    ScannerDevice,
)
from conference.core import audit, clock, deletion, pii
from conference.core.database import committed
from conference.core.deletion import Dependent, depends_on
from conference.core.encoding import b64url_decode
from conference.core.errors import Refusal
from conference.core.i18n import full_name, has_han, localized, pinyin_name, select_locale
from conference.core.models import utcnow
from conference.editions.localtime import utc
from conference.editions.models import Edition
from conference.extensions import db
from conference.people.models import Person
from conference.registration.services import holds_confirmed_seat
from conference.venues.models import Checkpoint, Venue
from conference.volunteers import scanning as volunteer_scanning

# What the badge itself says (unreadable, forged, another edition, superseded, revoked) is the
# badge domain's; what this entrance says, ours.
REASONS = {
    **badge_reasons,
    "category": _l("This category may not enter here."),
    "zone": _l("This badge does not open this zone."),
    "session": _l("By invitation only: this person holds no seat for this session."),
    "hours": _l("This entrance is closed now."),
    "reentry": _l("No re-entry through this entrance."),
    "not_inside": _l("No entry was recorded for this badge here."),
}
NO_ZONE = 1 << 16  # a bit no badge carries: the rule names only zones that no longer exist
GATE_SECONDS = 2.0  # rules edited in one worker reach the others within this
PLAUSIBLE_SINCE = datetime(2000, 1, 1, tzinfo=UTC)
CLIENT_SCAN_ID = re.compile(r"[\w.:-]{1,64}", re.ASCII)
PAIRING_MINUTES = 30
ATTENTION_MINUTES = 5  # a paired phone not synced for longer is flagged in the device list
OFFLINE_RESULTS = (*RESULTS, None)
log = logging.getLogger(__name__)


class ScanError(Refusal):
    pass


@dataclass
class Answer:
    result: str
    why: str
    reason: str
    person: dict | None
    scan_id: int
    repeated: bool = False
    conflict: bool = False
    training: str = ""  # "Training attended: …" at a training's checkpoint

    def as_json(self) -> dict:
        found = {"result": self.result, "why": self.why, "reason": self.reason, "person": self.person,
                 "scan_id": self.scan_id, "repeated": self.repeated, "conflict": self.conflict}
        if self.training:
            found["training"] = self.training
        return found


# Rules --------------------------------------------------------------------------------------


def _open_rule(checkpoint_id: int) -> CheckpointRule:
    """An entrance without rules of its own: every badge, any time, entries, re-entry."""
    return CheckpointRule(checkpoint_id=checkpoint_id, categories=[], zones=[], mode="entry", reentry=True,
                          checks_out_elsewhere=False)


def rule_for(checkpoint: Checkpoint) -> CheckpointRule:
    found = db.session.execute(select(CheckpointRule).where(CheckpointRule.checkpoint_id == checkpoint.id)).scalar_one_or_none()
    return found or _open_rule(checkpoint.id)


def rules_of(checkpoints: list[Checkpoint]) -> dict[int, CheckpointRule]:
    """The rules of many entrances in one query, for lists."""
    ids = [checkpoint.id for checkpoint in checkpoints]
    found = {rule.checkpoint_id: rule for rule in db.session.execute(
        select(CheckpointRule).where(CheckpointRule.checkpoint_id.in_(ids))).scalars()}
    return {checkpoint_id: found.get(checkpoint_id) or _open_rule(checkpoint_id) for checkpoint_id in ids}


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


def area_for(hall_id: int | None, venue_id: int) -> str:
    """Where a door leads: its hall, or for a venue's own entrances the venue."""
    return f"hall:{hall_id}" if hall_id else f"venue:{venue_id}"


def area_of(checkpoint: Checkpoint) -> str:
    return area_for(checkpoint.hall_id, checkpoint.venue_id)


@dataclass(frozen=True)
class Gate:
    """An entrance as a scan sees it."""

    checkpoint_id: int
    edition_id: int
    year: int
    area: str
    rule: Rule
    checks_out_elsewhere: bool
    public_key: str | None  # base64url; None before the edition's first badge
    private_key_sealed: str | None = None  # the server's own copy, for checking what it issued

    def verifier(self) -> Ed25519PublicKey | None:
        return _verifier(self.public_key) if self.public_key else None

    def signer(self) -> Ed25519PrivateKey | None:
        if not self.private_key_sealed:
            return None
        if self.private_key_sealed not in _signers:
            _signers[self.private_key_sealed] = Ed25519PrivateKey.from_private_bytes(
                pii.unseal_bytes(self.private_key_sealed))
        return _signers[self.private_key_sealed]


_gates: dict[int, tuple[float, Gate]] = {}
_verifiers: dict[str, Ed25519PublicKey] = {}
_signers: dict[str, Ed25519PrivateKey] = {}


def _verifier(text: str) -> Ed25519PublicKey:
    if text not in _verifiers:
        _verifiers[text] = Ed25519PublicKey.from_public_bytes(b64url_decode(text))
    return _verifiers[text]


def gate_for(checkpoint_id: int) -> Gate | None:
    """The entrance's rules, read at most every GATE_SECONDS per process."""
    cached = _gates.get(checkpoint_id)
    if cached and cached[0] > time.monotonic():
        return cached[1]
    row = db.session.execute(
        select(Checkpoint.id, Checkpoint.hall_id, Checkpoint.venue_id, Edition.id.label("edition_id"), Edition.year,
               BadgeKey.public_key, BadgeKey.private_key_sealed, CheckpointRule.categories, CheckpointRule.zones, CheckpointRule.session_id,
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
    area = area_for(row.hall_id, row.venue_id)
    gate = Gate(row.id, row.edition_id, row.year, area, rule, bool(row.checks_out_elsewhere), row.public_key,
                row.private_key_sealed)
    _gates[checkpoint_id] = (time.monotonic() + GATE_SECONDS, gate)
    return gate


def forget_gates() -> None:
    volunteer_scanning.forget_training_windows()
    _gates.clear()
    _devices.clear()
    _health.clear()
    _checked.clear()


# Deciding a scan ----------------------------------------------------------------------------


_checked: dict[tuple, tuple] = {}  # (payload, key) → what it says: a badge passes many doors in a day


def _read_code(payload: str, gate: Gate) -> tuple[str | None, signing.Claim | None, bytes]:
    """What a code says before its signature is checked: the problem if it is unreadable or of
    another edition, its claim, and its bytes (message and signature)."""
    try:
        claim, message, signature = signing.read(payload)
    except InvalidPayload as refusal:
        return refusal.reason, None, b""
    return ("wrong_edition" if claim.year != gate.year else None), claim, message + signature


def _signature_problem(code: bytes, gate: Gate) -> str | None:
    message, signature = code[:signing.BODY_LENGTH], code[signing.BODY_LENGTH:]
    signer = gate.signer()
    if signer is not None:
        # Ed25519 signs deterministically: a badge this server issued carries exactly this
        # signature. Signing again costs a quarter of verifying.
        return None if hmac.compare_digest(signer.sign(message), signature) else "bad_signature"
    verifier = gate.verifier()
    if verifier is None:
        return "unknown"
    try:
        verifier.verify(signature, message)
    except InvalidSignature:
        return "bad_signature"
    return None


def _read_badge(payload: str, gate: Gate, connection: fastpath.DriverConnection) -> tuple[str | None, signing.Claim | None, fastpath.Row | None]:
    """The code's problem if it has one, its claim, and the badge's row (none for a bad code).
    The code the server last printed on this badge is its own and needs no signature check;
    any other code is checked in full, once per process."""
    key = (payload, gate.year, gate.public_key)
    checked = _checked.get(key)
    problem, claim, code = checked or _read_code(payload, gate)
    if problem:
        return problem, claim, None
    row = fastpath.badge_row(connection, claim.badge_id, gate.edition_id, gate.rule.session_id)
    if checked is None:
        # In constant time: the stored code is a genuine signature, which timing must not reveal.
        if not (row and row.issued_code and hmac.compare_digest(code, bytes(row.issued_code))):
            problem = _signature_problem(code, gate)
        if len(_checked) > 50000:
            _checked.clear()
        _checked[key] = (problem, claim, code)
    return problem, claim, None if problem else row


def _latin_name(row, locale: str) -> str:
    """The name as printed in Latin letters; for an English reader, pinyin when none was given."""
    if row.name_latin or locale != "en":
        return row.name_latin or ""
    name = full_name(row.family_name, row.given_name)
    return pinyin_name(row.family_name, row.given_name) if has_han(name) else name


def _person(row) -> dict:
    name = full_name(row.family_name, row.given_name)
    locale = select_locale()  # the reader's choice itself: an admission needs no catalogue
    latin = _latin_name(row, locale)
    return {
        "name": name, "latin_name": latin, "category": row.category,
        "organisation": row.organisation if locale == "zh_Hans_CN" else localized(row.organisation, row.organisation_en),
        "serial": row.serial, "badge_id": row.id, "photo": bool(row.photo_file),
    }


def _let_in_meanwhile(inside: bool, entered_before: bool, reentry: bool) -> tuple[str, str]:
    """An entry the conditional upsert did not let in, by the presence found before it. On
    PostgreSQL that is the statement's snapshot: if it shows a presence the rule would admit,
    another door let the badge in between, and the answer is the one after that admission."""
    result, why = settle_entry(inside, entered_before, reentry)
    return settle_entry(True, True, reentry) if result == "admitted" else (result, why)


def _answer(result: str, why: str, revoked_reason: str, offline_result: str | None) -> tuple[str, str, str, bool]:
    """What a scan answers and records: its result, the reason's key and text, and whether it
    contradicts the offline phone, which admitted a person the server finds inside."""
    return result, why, reason_text(why, revoked_reason), offline_result == "admitted" and result == "already_inside"


def _answers(decision: Decision, reentry: bool, offline_result: str | None) -> dict[int, tuple[str, str, str, bool]]:
    """A counted entry's or exit's answer for each presence the database may find: by the
    rule of decision.py, which fastpath applies in SQL (PostgreSQL) or step by step (SQLite)."""
    if decision.kind == "exit":
        settled = {fastpath.CHANGED: settle_exit(True)} | dict.fromkeys(fastpath.FOUND, settle_exit(False))
    else:
        settled = {fastpath.CHANGED: (decision.result, decision.why)} | {
            code: _let_in_meanwhile(inside, before, reentry) for code, (inside, before) in fastpath.FOUND.items()}
    answers = {pair: _answer(*pair, "", offline_result) for pair in set(settled.values())}
    return {code: answers[pair] for code, pair in settled.items()}


def reason_text(why: str, revoked_reason: str = "") -> str:
    if not why or why not in REASONS:
        return ""
    text = str(REASONS[why])
    return f"{text} {revoked_reason}" if why == "revoked" and revoked_reason else text


def _stored(device_id: int, client_scan_id: str) -> Answer:
    scan_row = db.session.execute(select(Scan).where(Scan.device_id == device_id,
                                                     Scan.client_scan_id == client_scan_id)).scalar_one()
    gate = gate_for(scan_row.checkpoint_id)
    row = fastpath.badge_row(fastpath.DriverConnection.of_session(), scan_row.badge_id, gate.edition_id,
                             gate.rule.session_id) if scan_row.badge_id is not None and gate else None
    return Answer(scan_row.result, scan_row.why, reason_text(scan_row.why, row.revoked_reason if row else ""),
                  _person(row) if row else None, scan_row.id, repeated=True, conflict=scan_row.conflict)


def scan(payload: str, checkpoint: Checkpoint | int, device: "PairedDevice | None", client_scan_id: str,
         scanned_at: datetime | None = None, kind: str = "entry", offline_result: str | None = None,
         connection: fastpath.DriverConnection | None = None) -> Answer:
    """Verify, apply the entrance's rules, record, answer. The same client_scan_id sent twice
    by one device is recorded once and answered the same (without a device, every call is a
    scan of its own); one badge scanned at two doors at once is admitted once. A late scan from
    an offline phone keeps the phone's time, and says what the phone decided: an admission the
    server would have refused as already inside is a conflict.

    Runs in the session's transaction, or on `connection` (see scan_now). Must be the first
    work of its transaction: a repeated scan id rolls back and reads the stored answer."""
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
    # A phone whose clock is far off (a dead battery resets it to 1970) would put its scans
    # outside every opening hour and out of the log's order: those scans take the server's time.
    at = in_utc(scanned_at) if plausible(scanned_at) else clock.now()
    connection = connection or fastpath.DriverConnection.of_session()
    problem, claim, row = _read_badge(payload or "", gate, connection)
    facts = BadgeFacts(row.version, row.status, row.category, bool(row.holds_session)) if row else None
    decision = decide(problem, facts, claim.version if claim else 0, claim.zones if claim else 0, gate.rule, at, kind)
    person = _person(row) if row else None  # before queueing: the writer's turn stays short
    values = {"edition_id": gate.edition_id, "checkpoint_id": gate.checkpoint_id, "client_scan_id": client_scan_id,
              "device": device.name[:80] if device else "", "device_id": device.id if device else None,
              "kind": decision.kind, "badge_id": row.id if row else None, "scanned_at": at, "received_at": utcnow(),
              "offline_result": offline_result, "area": gate.area, "now": clock.now()}
    if decision.counts:
        # The presence changes and the scan is recorded with the answer for what the change
        # found (admitted, or already inside, …), at once: one statement on PostgreSQL.
        answers = _answers(decision, gate.rule.reentry, offline_result)
        fastpath.queue_to_write()
        recorded = fastpath.change_and_record(connection, values, "leave" if decision.kind == "exit" else "enter", answers,
                                              gate.rule.reentry, gate.checks_out_elsewhere)
    else:
        answer = _answer(decision.result, decision.why, row.revoked_reason if row else "", offline_result)
        fastpath.queue_to_write()
        recorded = fastpath.record(connection, values, answer)
    if recorded is None:  # this device sent this scan before: undo what this copy changed
        connection.rollback()
        return _stored(device.id, client_scan_id)
    scan_id, result, why, reason, conflict = recorded
    return Answer(result, why, reason, person, scan_id, conflict=conflict)


@dataclass
class BadgeCheck:
    """A badge as any entrance would see it, before the entrance's own rules: `result` is
    admitted for a genuine, current badge, else invalid, wrong_edition, superseded or revoked."""

    result: str
    why: str
    reason: str
    person: dict | None
    badge_id: int | None


def check_badge(payload: str, checkpoint_id: int, at: datetime) -> BadgeCheck:
    """The code's signature and edition and the badge's version and revocation, checked as a
    scan checks them (the same functions), without the entrance's rules and without recording
    anything: for the scanner's shift mode."""
    gate = gate_for(checkpoint_id)
    problem, claim, row = _read_badge(payload or "", gate, fastpath.DriverConnection.of_session())
    facts = BadgeFacts(row.version, row.status, row.category) if row else None
    decision = decide(problem, facts, claim.version if claim else 0, 0, Rule(), at, "lookup")
    return BadgeCheck(decision.result, decision.why, reason_text(decision.why, row.revoked_reason if row else ""),
                      _person(row) if row else None, row.id if row else None)


def scan_now(payload: str, checkpoint_id: int, device: "PairedDevice | None", client_scan_id: str,
             scanned_at: datetime | None = None, kind: str = "entry", offline_result: str | None = None) -> Answer:
    """scan(), committed, on a pooled connection of its own: the scanner API's path, which
    skips the session's bookkeeping (a third of a scan's time on SQLite). An admission at a
    training's checkpoint then marks the volunteer's attendance, in the session's transaction
    once the scan's own is committed (on SQLite the two could not both write)."""
    answer = fastpath.committed_on_own_connection(lambda connection: scan(
        payload, checkpoint_id, device, client_scan_id, scanned_at, kind, offline_result, connection))
    if answer.result == "admitted":
        at = in_utc(scanned_at) if plausible(scanned_at) else clock.now()
        if volunteer_scanning.training_on(checkpoint_id, at):
            answer.training = committed(lambda: _attend_training(answer.person["badge_id"], checkpoint_id, at))
    return answer


def _attend_training(badge_id: int, checkpoint_id: int, at: datetime) -> str:
    person_id = db.session.execute(select(Badge.person_id).where(Badge.id == badge_id)).scalar_one()
    training = volunteer_scanning.attend_training(person_id, checkpoint_id, at)
    return str(_l("Training attended: %(title)s", title=training.title)) if training is not None else ""


def in_utc(moment: datetime | None) -> datetime | None:
    """A device's time in UTC (without an offset it is UTC; see localtime.utc for the calendar's
    edges)."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else utc(moment)


def plausible(moment: datetime | None) -> bool:
    """Whether a device's clock can have said this: since 2000, and not more than a day ahead."""
    moment = in_utc(moment)
    return moment is not None and PLAUSIBLE_SINCE <= moment <= clock.now() + timedelta(days=1)


def inside_now(area: str) -> int:
    return db.session.execute(select(func.count(Presence.id)).where(Presence.area == area, Presence.inside.is_(True))).scalar_one()


# Scanner devices ----------------------------------------------------------------------------


def add_device(checkpoint: Checkpoint, name: str, actor=None) -> tuple[ScannerDevice, str]:
    """A device waiting to be paired, and its one-time pairing code (shown once, as a QR)."""
    name = (name or "").strip()
    if not name:
        raise ScanError(_l("Give the device a name, such as the volunteer's or the phone's."), "name")
    code = secrets.token_urlsafe(18)
    device = ScannerDevice(edition_id=checkpoint.venue.edition_id, checkpoint_id=checkpoint.id, name=name[:80],
                           pairing_hash=pii.token_hash(code), pairing_expires_at=clock.now() + timedelta(minutes=PAIRING_MINUTES))
    db.session.add(device)
    audit.record("device.add", device, detail={"checkpoint": checkpoint.code, "name": device.name}, actor=actor)
    return device, code


def pair(code: str) -> tuple[ScannerDevice, str] | None:
    """Exchange a pairing code for the device token, once, before the code expires."""
    if not code or len(code) > 64:
        return None
    device = db.session.execute(select(ScannerDevice).where(ScannerDevice.pairing_hash == pii.token_hash(code))).scalar_one_or_none()
    if device is None or device.revoked_at or device.pairing_expires_at < clock.now():
        return None
    token = "cd_" + secrets.token_urlsafe(32)
    device.token_hash, device.pairing_hash, device.paired_at = pii.token_hash(token), None, utcnow()
    audit.record("device.pair", device, detail={"name": device.name})
    return device, token


def pair_now(checkpoint: Checkpoint, name: str, actor=None) -> tuple[ScannerDevice, str]:
    """Add and pair in one step (the command line prints the token)."""
    device, code = add_device(checkpoint, name, actor=actor)
    db.session.flush()
    return pair(code)


@dataclass(frozen=True)
class PairedDevice:
    """A paired scanner as a request sees it."""

    id: int
    name: str
    checkpoint_id: int
    edition_id: int
    revoked_at: datetime | None = None  # unpaired then: it may still deliver what it scanned before
    # A volunteer's phone scans only around their shift (see checkin/volunteering.py).
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    user_id: int | None = None

    def in_window(self, moment: datetime) -> bool:
        """Whether the token may be used at `moment`: a paired device always."""
        return (self.valid_from is None or moment >= self.valid_from) and (self.valid_until is None or moment <= self.valid_until)


_devices: dict[str, tuple[float, PairedDevice | None]] = {}


def device_for_token(token: str) -> PairedDevice | None:
    """The device holding this token, paired or unpaired (see accepts). Held in memory for
    GATE_SECONDS, so a phone unpaired in one worker is refused by all of them within that."""
    if not token or len(token) > 100:
        return None
    digest = pii.token_hash(token)
    cached = _devices.get(digest)
    if cached and cached[0] > time.monotonic():
        return cached[1]
    # On the scan's own connection: the session would check a connection out (and ping it) for this alone.
    row = fastpath.committed_on_own_connection(lambda connection: fastpath.device_row(connection, digest))
    device = PairedDevice(*row) if row else None
    if len(_devices) > 10000:
        _devices.clear()
    _devices[digest] = (time.monotonic() + GATE_SECONDS, device)
    return device


def forget_devices() -> None:
    """A token replaced or withdrawn: this worker refuses it at once, the others within GATE_SECONDS."""
    _devices.clear()


def accepts(device: PairedDevice, scanned_at: datetime | None) -> bool:
    """Whether a device may have this scan recorded: a paired device any scan; an unpaired one
    only a scan it made before it was unpaired (its offline queue, sent late), by a clock that
    can be right. Such a scan counts at the device's own checkpoint, wherever the phone was
    paired since: pairing again makes a new device with a new token. A volunteer's shift token
    only within its window, now (the window is checked against the server's clock, never the
    scan's time a phone says, which it could set back)."""
    if not device.in_window(clock.now()):
        return False
    if device.revoked_at is None:
        return True
    return plausible(scanned_at) and in_utc(scanned_at) < device.revoked_at


# What each phone says about itself ------------------------------------------------------------

SYNC_WRITE_SECONDS = 30.0
SEEN_WRITE_SECONDS = 60.0
QUEUE_DIGITS = 7
_health: dict[int, tuple[int | None, float, float]] = {}  # device id → (unsent, synced, seen) as last written here


def queue_length(header: str | None) -> int | None:
    """The X-Scanner-Queue header's count of unsent scans; None for anything but a plain number."""
    header = (header or "").strip()
    return int(header) if header.isascii() and header.isdigit() and len(header) <= QUEUE_DIGITS else None


def note_health(device: PairedDevice, unsent: int | None, synced: bool) -> None:
    """Keep what the phone said about its queue, when it last synced (a snapshot or a scan call
    answered 2xx) and when it was last heard from.

    Every scan of a busy door would otherwise write the device's row once more, and the scan
    path is tuned to two waits for the database: so this writes only when the unsent count
    changed, or the stored last sync is SYNC_WRITE_SECONDS old (the list warns after five
    minutes; half a minute is precise enough), or the last seen time a minute old. What was last written is
    remembered in this process only: another worker may have written since, which at worst
    leaves the list that many seconds behind. One UPDATE on the scan path's own connection,
    after the answer's work is committed, so the scan never waits for it."""
    now = time.monotonic()
    known = _health.get(device.id)
    if known is not None and (unsent is None or unsent == known[0]) and now - known[2] < SEEN_WRITE_SECONDS \
            and (not synced or now - known[1] < SYNC_WRITE_SECONDS):
        return
    moment = clock.now()  # health_of compares it with the same clock

    def write(connection: fastpath.DriverConnection) -> None:
        fastpath.queue_to_write()
        fastpath.run(connection, "health", (unsent, moment if synced else None, moment, device.id))

    try:
        fastpath.committed_on_own_connection(write)
    except DBAPIError:
        # What a phone says about itself is worth no failed scan: the next call tries again.
        log.warning("could not note the health of scanner device %s", device.id, exc_info=True)
        return
    if len(_health) > 10000:
        _health.clear()
    _health[device.id] = (known[0] if unsent is None and known else unsent, now if synced else (known[1] if known else -math.inf),
                          now)


def health_of(device: ScannerDevice, now: datetime | None = None) -> str:
    """What the organizers should look at: "unsent" (scans wait on the phone), "silent" (a
    paired phone not synced for ATTENTION_MINUTES), or nothing."""
    now = now or clock.now()
    if device.state == "waiting":
        return ""
    if device.valid_until is not None and not device.valid_from <= now <= device.valid_until:
        return "unsent" if device.unsent else ""  # a volunteer's phone off shift is silent by design
    if device.unsent:
        return "unsent"
    since = device.last_sync_at or device.paired_at
    if device.state == "paired" and since and since < now - timedelta(minutes=ATTENTION_MINUTES):
        return "silent"
    return ""


def unpair(device: ScannerDevice, actor=None) -> None:
    """From now on the device's token is refused, except for scans the phone made before now
    (see accepts): its token's hash stays for them."""
    _devices.clear()  # this worker refuses it at once; the others within GATE_SECONDS
    device.revoked_at = utcnow()
    device.pairing_hash = None
    audit.record("device.unpair", device, detail={"name": device.name}, actor=actor)


@depends_on("scanner_devices")
def _device_scans(device: ScannerDevice) -> list[Dependent]:
    found = []
    if device.state == "paired":
        found.append(Dependent(_l("It is still paired: unpair it first, so that it can send the scans it still holds."), blocks=True))
    scans = db.session.execute(select(func.count(Scan.id)).where(Scan.device_id == device.id)).scalar_one()
    if scans:
        found.append(Dependent(_l("%(n)d scans it made stay in the log under its name.", n=scans), blocks=False))
    found.append(Dependent(_l("Anything it has not sent yet will be refused."), blocks=False))
    return found


def delete_device(device: ScannerDevice, actor=None) -> None:
    _devices.clear()
    deletion.remove(device, "device.delete", detail={"name": device.name}, actor=actor)


def device_in(edition: Edition, device_id: int) -> ScannerDevice | None:
    """The edition's scanner device of this id; another edition's is not found."""
    device = db.session.get(ScannerDevice, device_id)
    return device if device is not None and device.edition_id == edition.id else None


def devices_of(edition: Edition) -> list[ScannerDevice]:
    return list(db.session.execute(select(ScannerDevice).where(ScannerDevice.edition_id == edition.id)
                                   .order_by(ScannerDevice.revoked_at.is_not(None), ScannerDevice.created_at.desc())).scalars())


def photo_of(device: PairedDevice, badge_id: int) -> Person | None:
    person = db.session.execute(select(Person).join(Badge, Badge.person_id == Person.id).where(
        Badge.id == badge_id, Badge.edition_id == device.edition_id)).scalar_one_or_none()
    return person if person is not None and person.photo_file else None


# What an offline scanner holds --------------------------------------------------------------


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment else None


def snapshot(device: PairedDevice) -> dict:
    """Everything the scanner page needs to decide on its own while the network is down:
    the public key, this entrance's rules, every badge's current version, category and status
    (with names, to show who), and who is inside this entrance's area. No documents, no phones."""
    gate = gate_for(device.checkpoint_id)
    checkpoint = db.session.get(Checkpoint, device.checkpoint_id)
    holds = false() if gate.rule.session_id is None else holds_confirmed_seat(Badge.person_id, gate.rule.session_id)
    badges, locale = {}, select_locale()
    for row in db.session.execute(
        select(Badge.id, Badge.version, Badge.status, Badge.revoked_reason, Person.family_name,
               Person.given_name, Person.name_latin, Person.category, holds.label("holds_session"))
        .join(Person, Person.id == Badge.person_id).where(Badge.edition_id == gate.edition_id)
    ):
        badges[str(row.id)] = {"v": row.version, "s": row.status, "c": row.category,
                               "h": bool(row.holds_session), "n": full_name(row.family_name, row.given_name),
                               "l": _latin_name(row, locale),
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
        "generated_at": _iso(clock.now()),
    }


def clone_rules(source: Edition, target: Edition, required: dict) -> dict:
    mapping = required["venues"]["checkpoints"]
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


# What check-in keeps about rows of lower domains, asked before they are deleted ---------------


@depends_on("checkpoints")
def _checkpoint_scans(checkpoint: Checkpoint) -> list[Dependent]:
    scans = db.session.execute(select(func.count(Scan.id)).where(Scan.checkpoint_id == checkpoint.id)).scalar_one()
    devices = db.session.execute(
        select(func.count(ScannerDevice.id)).where(ScannerDevice.checkpoint_id == checkpoint.id)
    ).scalar_one()
    found = []
    if scans:
        found.append(Dependent(_l("%(n)d scans were made at this checkpoint; they are kept as a record.", n=scans), blocks=True))
    if devices:
        found.append(Dependent(_l("%(n)d scanner devices paired with it are deleted with it.", n=devices), blocks=False))
    return found


@depends_on("sessions")
def _session_rules(session) -> list[Dependent]:
    rules = db.session.execute(
        select(func.count(CheckpointRule.id)).where(CheckpointRule.session_id == session.id)
    ).scalar_one()
    if not rules:
        return []
    return [Dependent(_l("%(n)d checkpoint rules admit only this session's audience; change them first.", n=rules), blocks=True)]
