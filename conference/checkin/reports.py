"""What organizers and security read from the scans: who is inside where, the flow in and out
per five minutes, refusals by reason, the scan log and its Excel export, and the manual
look-up for a person without their badge."""

import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import aliased, contains_eager, selectinload

from conference.badges import services as badges
from conference.badges.models import Badge
from conference.checkin import services
from conference.checkin.forms import KIND_LABELS, RESULT_LABELS
from conference.checkin.models import Presence, Scan
from conference.core import audit, clock
from conference.core.spreadsheet import local_time, time_header, workbook
from conference.editions.localtime import local
from conference.editions.models import Edition
from conference.extensions import db
from conference.people.models import Person
from conference.venues.models import Checkpoint, Venue

BUCKET_MINUTES = 5
WINDOW = timedelta(hours=2)
REFUSED = ("not_allowed_here", "outside_hours", "revoked", "superseded", "wrong_edition", "invalid")
LOG_PAGE = 100


def occupancy(edition: Edition) -> list[dict]:
    """Inside now, per venue and per hall with an entrance. One grouped count over the
    (area, inside) index: it stays fast however many scans there are."""
    areas = []
    for venue in db.session.execute(select(Venue).where(Venue.edition_id == edition.id).order_by(Venue.position)).scalars():
        hall_ids = {checkpoint.hall_id for checkpoint in venue.checkpoints if checkpoint.hall_id}
        if any(checkpoint.hall_id is None for checkpoint in venue.checkpoints):
            areas.append({"area": services.area_for(None, venue.id), "name": venue.name, "venue": venue.name, "capacity": None, "kind": "venue"})
        for hall in venue.halls:
            if hall.id in hall_ids:
                areas.append({"area": services.area_for(hall.id, venue.id), "name": hall.name, "venue": venue.name, "capacity": hall.capacity, "kind": "hall"})
    counts = dict(db.session.execute(
        select(Presence.area, func.count(Presence.id)).where(Presence.area.in_([a["area"] for a in areas]),
                                                             Presence.inside.is_(True)).group_by(Presence.area)).all())
    for area in areas:
        area["inside"] = counts.get(area["area"], 0)
    return areas


def _window(edition: Edition, until: datetime | None) -> tuple[datetime, datetime]:
    """The last two hours; before the doors open (or after the conference), the two hours up to
    the last scan, so the chart is never an empty frame on the day after."""
    until = until or clock.now()
    last = db.session.execute(select(func.max(Scan.scanned_at)).where(Scan.edition_id == edition.id,
                                                                      Scan.scanned_at <= until)).scalar()
    if last is not None and last < until - WINDOW:
        until = last + timedelta(minutes=BUCKET_MINUTES)
    start = until - WINDOW
    return start.replace(minute=start.minute - start.minute % BUCKET_MINUTES, second=0, microsecond=0), until


def flow(edition: Edition, until: datetime | None = None) -> dict:
    """Entries, exits and refusals per five minutes, and refusals by reason, over two hours."""
    start, until = _window(edition, until)
    rows = db.session.execute(
        select(Scan.scanned_at, Scan.result, Scan.why).where(
            Scan.edition_id == edition.id, Scan.scanned_at >= start, Scan.scanned_at <= until,
            Scan.kind.in_(("entry", "exit")))
    ).all()
    size = timedelta(minutes=BUCKET_MINUTES)
    buckets = []
    moment = start
    while moment <= until:
        buckets.append({"at": moment, "label": local(edition, moment).strftime("%H:%M"), "entries": 0, "exits": 0, "refused": 0})
        moment += size
    reasons = Counter()
    for scanned_at, result, why in rows:
        index = min(int((scanned_at - start) / size), len(buckets) - 1)
        if result == "admitted":
            buckets[index]["entries"] += 1
        elif result == "left":
            buckets[index]["exits"] += 1
        elif result in REFUSED:
            buckets[index]["refused"] += 1
            reasons[why or result] += 1
    return {
        "from": local(edition, start).strftime("%Y-%m-%d %H:%M"), "until": local(edition, until).strftime("%H:%M"),
        "buckets": [{k: v for k, v in bucket.items() if k != "at"} for bucket in buckets],
        "refusals": [{"why": why, "reason": services.reason_text(why) or str(RESULT_LABELS.get(why, why)), "count": count}
                     for why, count in reasons.most_common()],
    }


# The scan log -------------------------------------------------------------------------------


@dataclass
class LogFilters:
    checkpoint_id: int | None = None
    result: str | None = None
    device_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None
    conflicts_only: bool = False

    def as_args(self, edition: Edition) -> dict:
        """The filters as the page's query string names them (times on the host city's clock)."""
        given = {"checkpoint": self.checkpoint_id, "result": self.result, "device": self.device_id,
                 "since": self.since and local(edition, self.since).strftime("%Y-%m-%dT%H:%M"),
                 "until": self.until and local(edition, self.until).strftime("%Y-%m-%dT%H:%M"),
                 "conflicts": "1" if self.conflicts_only else None}
        return {key: value for key, value in given.items() if value}


def _log_query(edition: Edition, filters: LogFilters):
    holder = aliased(Person)
    query = (
        select(Scan, Checkpoint.code, holder.family_name, holder.given_name, Badge.serial)
        .join(Checkpoint, Checkpoint.id == Scan.checkpoint_id)
        .outerjoin(Badge, Badge.id == Scan.badge_id).outerjoin(holder, holder.id == Badge.person_id)
        .where(Scan.edition_id == edition.id)
    )
    if filters.checkpoint_id:
        query = query.where(Scan.checkpoint_id == filters.checkpoint_id)
    if filters.result:
        query = query.where(Scan.result == filters.result)
    if filters.device_id:
        query = query.where(Scan.device_id == filters.device_id)
    if filters.since:
        query = query.where(Scan.scanned_at >= filters.since)
    if filters.until:
        query = query.where(Scan.scanned_at <= filters.until)
    if filters.conflicts_only:
        query = query.where(Scan.conflict.is_(True))
    return query


def scan_log(edition: Edition, filters: LogFilters, page: int = 1) -> tuple[list, int]:
    query = _log_query(edition, filters)
    total = db.session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = db.session.execute(query.order_by(Scan.scanned_at.desc(), Scan.id.desc())
                              .limit(LOG_PAGE).offset((max(page, 1) - 1) * LOG_PAGE)).all()
    return rows, total


def export_log(edition: Edition, filters: LogFilters, actor=None) -> bytes:
    """The scan log with the page's filters, every page of it; times on the host city's clock."""
    from conference.core.i18n import full_name

    rows = db.session.execute(_log_query(edition, filters).order_by(Scan.scanned_at, Scan.id)).all()
    audit.record("checkin.export", edition, detail={"rows": len(rows), "filters": filters.as_args(edition)}, actor=actor)
    zone = edition.timezone
    return workbook(
        _("Scans"),
        [time_header(_("Scanned at"), zone), time_header(_("Received at"), zone), _("Checkpoint"), _("Device"), _("Kind"),
         _("Result"), _("Reason"), _("Serial number"), _("Name"), _("Decided offline"), _("Conflict")],
        ([local_time(scan.scanned_at, zone), local_time(scan.received_at, zone), code, scan.device,
          str(KIND_LABELS.get(scan.kind, scan.kind)), str(RESULT_LABELS.get(scan.result, scan.result)),
          services.reason_text(scan.why) or scan.reason, serial or "", full_name(family, given) if family else "",
          str(RESULT_LABELS.get(scan.offline_result, "")) if scan.offline_result else "", _("Yes") if scan.conflict else ""]
         for scan, code, family, given, serial in rows),
        [22, 22, 12, 18, 8, 14, 40, 12, 16, 14, 8],
    )


def checkpoints_of(edition: Edition) -> list[Checkpoint]:
    """The edition's entrances with their venue and hall, for lists."""
    return list(db.session.execute(
        select(Checkpoint).join(Venue).where(Venue.edition_id == edition.id)
        .options(contains_eager(Checkpoint.venue), selectinload(Checkpoint.hall))
        .order_by(Venue.position, Checkpoint.position)).scalars())


# Manual look-up -----------------------------------------------------------------------------


def look_up(edition: Edition, text: str, actor=None) -> list[Badge]:
    """People with a current badge whose name, pinyin or serial matches. Audited: a look-up
    shows who is at the conference without their badge in hand."""
    text = (text or "").strip()[:100]
    if not text:
        return []
    found = badges.select_badges(edition, limit=20, query_text=text)
    audit.record("checkin.lookup", edition, detail={"query": text, "found": len(found)}, actor=actor)
    return found


def admit_by_hand(badge: Badge, checkpoint: Checkpoint, reason: str, actor=None) -> services.Answer:
    """A person without their badge, found by name and checked by a supervisor: the same rules
    as a scan, with the reason in the audit log."""
    answer = services.scan(badges.payload(badge), checkpoint, None, f"manual-{uuid.uuid4().hex}", None, "entry")
    audit.record("checkin.manual_entry", badge, detail={"checkpoint": checkpoint.code, "reason": reason.strip(),
                                                        "result": answer.result}, actor=actor)
    return answer
