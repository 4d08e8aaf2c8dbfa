"""The one place that decides a scan, whether it comes from the scanner page, the JSON API,
an offline sync or a test."""

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from conference.badges import services as badges
from conference.checkin.models import MODES, SCAN_KINDS, CheckpointRule, Presence, Scan
from conference.core.database import insert_ignoring_conflicts
from conference.core.models import utcnow
from conference.editions.models import Edition
from conference.editions.services import clone_step
from conference.extensions import db
from conference.registration.models import Registration, SeatBooking
from conference.venues.models import Checkpoint, Venue

REFUSALS = {
    "invalid": _l("Not a valid badge."),
    "wrong_edition": _l("This badge is for another edition."),
    "superseded": _l("An older version of a reissued badge: the holder has a newer one."),
    "revoked": _l("This badge has been revoked."),
    "category": _l("This category may not enter here."),
    "zone": _l("This badge does not open this zone."),
    "session": _l("By invitation only: this person holds no seat for this session."),
    "hours": _l("This entrance is closed now."),
    "reentry": _l("No re-entry through this entrance."),
}
VERDICT_RESULTS = {"wrong_edition": "wrong_edition", "superseded": "superseded", "revoked": "revoked"}


class ScanError(ValueError):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@dataclass
class Answer:
    result: str
    reason: str
    person: dict | None
    scan_id: int
    repeated: bool = False


def rule_for(checkpoint: Checkpoint) -> CheckpointRule:
    found = db.session.execute(select(CheckpointRule).where(CheckpointRule.checkpoint_id == checkpoint.id)).scalar_one_or_none()
    return found or CheckpointRule(checkpoint_id=checkpoint.id, categories=[], zones=[], mode="entry", reentry=True)


def save_rule(checkpoint: Checkpoint, categories: list[str], zones: list[str], session_id: int | None,
              opens_at: datetime | None, closes_at: datetime | None, mode: str, reentry: bool) -> CheckpointRule:
    if mode not in MODES:
        raise ScanError(_l("Choose entry, exit or both."))
    if opens_at and closes_at and closes_at <= opens_at:
        raise ScanError(_l("The entrance must close after it opens."))
    rule = rule_for(checkpoint)
    rule.categories, rule.zones, rule.session_id = list(categories), list(zones), session_id
    rule.opens_at, rule.closes_at, rule.mode, rule.reentry = opens_at, closes_at, mode, reentry
    db.session.add(rule)
    return rule


def area_of(checkpoint: Checkpoint) -> str:
    return f"hall:{checkpoint.hall_id}" if checkpoint.hall_id else f"venue:{checkpoint.venue_id}"


def _refusal(rule: CheckpointRule, badge, zone_codes: set[str], at: datetime) -> str | None:
    """Which rule, if any, keeps this badge out of this entrance at this moment."""
    if rule.categories and badge.person.category not in rule.categories:
        return "category"
    if rule.zones and not zone_codes & set(rule.zones):
        return "zone"
    if rule.session_id is not None:
        holds = db.session.execute(
            select(SeatBooking.id).join(Registration).where(
                SeatBooking.session_id == rule.session_id, SeatBooking.status == "confirmed",
                Registration.person_id == badge.person_id)
        ).first()
        if holds is None:
            return "session"
    if (rule.opens_at and at < rule.opens_at) or (rule.closes_at and at > rule.closes_at):
        return "hours"
    return None


def _enter(badge_id: int, area: str, reentry: bool) -> str:
    db.session.execute(insert_ignoring_conflicts(Presence.__table__).values(
        badge_id=badge_id, area=area, inside=False, entries=0, changed_at=utcnow()))
    conditions = [Presence.badge_id == badge_id, Presence.area == area, Presence.inside.is_(False)]
    if not reentry:
        conditions.append(Presence.entries == 0)
    entered = db.session.execute(
        update(Presence).where(*conditions).values(inside=True, entries=Presence.entries + 1, changed_at=utcnow())
    ).rowcount
    if entered == 1:
        return "admitted"
    inside = db.session.execute(
        select(Presence.inside).where(Presence.badge_id == badge_id, Presence.area == area)).scalar_one()
    return "already_inside" if inside else "reentry"


def _leave(badge_id: int, area: str) -> None:
    db.session.execute(update(Presence).where(Presence.badge_id == badge_id, Presence.area == area,
                                              Presence.inside.is_(True)).values(inside=False, changed_at=utcnow()))


def _person(badge) -> dict:
    person = badge.person
    return {"name": person.name, "latin_name": person.latin_name, "category": person.category,
            "organisation": person.organisation, "serial": badge.serial, "photo": bool(person.photo_file)}


def _stored(client_scan_id: str) -> Answer | None:
    scan = db.session.execute(select(Scan).where(Scan.client_scan_id == client_scan_id)).scalar_one_or_none()
    if scan is None:
        return None
    from conference.badges.models import Badge

    badge = db.session.get(Badge, scan.badge_id) if scan.badge_id else None
    return Answer(scan.result, scan.reason, _person(badge) if badge else None, scan.id, repeated=True)


def scan(payload: str, checkpoint: Checkpoint, device: str, client_scan_id: str, scanned_at: datetime | None = None,
         kind: str = "entry") -> Answer:
    """Verify, apply the checkpoint's rules, record, answer. The same client_scan_id sent twice
    is recorded once and answered the same; one badge scanned at two doors at once is admitted
    once."""
    if not client_scan_id or len(client_scan_id) > 64:
        raise ScanError(_l("Every scan needs its own id of at most 64 characters."))
    if kind not in SCAN_KINDS:
        raise ScanError(_l("Unknown kind of scan."))
    scanned_at = scanned_at or utcnow()
    venue = db.session.get(Venue, checkpoint.venue_id)
    edition = db.session.get(Edition, venue.edition_id)
    # Claim the scan id first: a second copy of this scan waits here for the first, then reads it.
    claimed = db.session.execute(insert_ignoring_conflicts(Scan.__table__).values(
        edition_id=edition.id, checkpoint_id=checkpoint.id, client_scan_id=client_scan_id, device=(device or "")[:64],
        kind=kind, result="invalid", reason="", scanned_at=scanned_at, received_at=utcnow(),
    ).returning(Scan.__table__.c.id)).scalar()
    if claimed is None:
        return _stored(client_scan_id)
    record = db.session.get(Scan, claimed)

    verdict = badges.verify(payload or "", edition)
    badge = verdict.badge
    if not verdict.ok:
        result, why = VERDICT_RESULTS.get(verdict.reason, "invalid"), verdict.reason
        if why == "revoked" and badge is not None and badge.revoked_reason:
            reason = f"{REFUSALS['revoked']} {badge.revoked_reason}"
        else:
            reason = str(REFUSALS.get(why, REFUSALS["invalid"]))
    else:
        rule = rule_for(checkpoint)
        zone_codes = {z.code for z in badges.zones_in(verdict.claim.zones, badges.zones_of(edition))}
        refusal = _refusal(rule, badge, zone_codes, scanned_at)
        if kind == "entry" and rule.mode == "exit":
            kind = "exit"
        if refusal:
            result, reason = ("outside_hours" if refusal == "hours" else "not_allowed_here"), str(REFUSALS[refusal])
        elif kind in ("print", "lookup"):
            result, reason = "admitted", ""  # may pass; nothing is counted
        elif kind == "exit":
            _leave(badge.id, area_of(checkpoint))
            result, reason = "left", ""
        else:
            outcome = _enter(badge.id, area_of(checkpoint), rule.reentry)
            result = "not_allowed_here" if outcome == "reentry" else outcome
            reason = str(REFUSALS["reentry"]) if outcome == "reentry" else ""
    record.kind, record.result, record.reason = kind, result, reason
    record.badge_id = badge.id if badge is not None else None
    return Answer(result, reason, _person(badge) if badge is not None else None, record.id)


def inside_now(area: str) -> int:
    from sqlalchemy import func

    return db.session.execute(select(func.count(Presence.id)).where(Presence.area == area, Presence.inside.is_(True))).scalar_one()


@clone_step("checkin", _l("checkpoint rules"), order=70)
def _clone_rules(source: Edition, target: Edition, carried: dict) -> dict:
    mapping = carried.get("venues", {}).get("checkpoints", {})
    for rule in db.session.execute(
        select(CheckpointRule).join(Checkpoint).join(Venue).where(Venue.edition_id == source.id)
    ).scalars():
        if rule.checkpoint_id in mapping:
            db.session.add(CheckpointRule(
                checkpoint_id=mapping[rule.checkpoint_id], categories=list(rule.categories), zones=list(rule.zones),
                mode=rule.mode, reentry=rule.reentry,  # no session and no hours: those change every year
            ))
    return {}
