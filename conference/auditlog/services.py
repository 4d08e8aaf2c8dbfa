"""Reading the audit log (core.audit writes it): one edition's entries, narrowed by person,
action, user and time, a page at a time or all at once for Excel. The export is itself an
entry of the log."""

import json
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select

from conference.core import audit
from conference.core.models import AuditEntry
from conference.core.spreadsheet import local_time, time_header, workbook
from conference.editions.models import Edition
from conference.extensions import db
from conference.people.models import Person
from conference.people.services import name_matches

PAGE_SIZE = 50
EXPORT_LIMIT = 100_000


@dataclass
class AuditFilters:
    person: str = ""  # a name as the name search reads it (张伟, zhangwei, zw)
    action: str = ""
    user: str = ""  # part of the user's email
    since: datetime | None = None  # UTC
    until: datetime | None = None

    def as_args(self, edition: Edition) -> dict:
        """The filters as the page's query string names them, times on the host city's clock."""
        given = {"person": self.person, "action": self.action, "user": self.user,
                 "since": self.since and local_time(self.since, edition.timezone).strftime("%Y-%m-%dT%H:%M"),
                 "until": self.until and local_time(self.until, edition.timezone).strftime("%Y-%m-%dT%H:%M")}
        return {key: value for key, value in given.items() if value}


def _query(edition: Edition, filters: AuditFilters):
    query = (select(AuditEntry, Person).outerjoin(Person, Person.id == AuditEntry.person_id)
             .where(AuditEntry.edition_id == edition.id))
    if filters.person.strip():
        query = query.where(AuditEntry.person_id.in_(
            select(Person.id).where(Person.edition_id == edition.id, name_matches(filters.person))))
    if filters.action:
        query = query.where(AuditEntry.action == filters.action)
    if filters.user.strip():
        query = query.where(AuditEntry.actor.contains(filters.user.strip(), autoescape=True))
    if filters.since:
        query = query.where(AuditEntry.at >= filters.since)
    if filters.until:
        query = query.where(AuditEntry.at <= filters.until)
    return query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())


def entries(edition: Edition, filters: AuditFilters, page: int = 1) -> tuple[list, int]:
    """A page of (entry, person or None), newest first, and how many match in all."""
    query = _query(edition, filters)
    total = db.session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = db.session.execute(query.limit(PAGE_SIZE).offset((max(page, 1) - 1) * PAGE_SIZE)).all()
    return list(rows), total


def actions_of(edition: Edition) -> list[str]:
    return list(db.session.execute(
        select(AuditEntry.action).where(AuditEntry.edition_id == edition.id).distinct().order_by(AuditEntry.action)
    ).scalars())


def detail_text(entry: AuditEntry) -> str:
    return json.dumps(entry.detail or {}, ensure_ascii=False, sort_keys=True) if entry.detail else ""


def export(edition: Edition, filters: AuditFilters, actor=None) -> bytes:
    """Every entry the page shows with these filters, on all its pages; the export is audited
    with the filters and the number of rows."""
    rows = db.session.execute(_query(edition, filters).limit(EXPORT_LIMIT)).all()
    zone = edition.timezone
    data = workbook(
        _("Audit log"),
        [time_header(_("Time"), zone), _("User"), _("Action"), _("Person"), _("Record"), _("Details"), _("IP address")],
        ([local_time(entry.at, zone), entry.actor, entry.action, person.name if person else "",
          f"{entry.target_type} {entry.target_id}" if entry.target_type else "", detail_text(entry), entry.ip or ""]
         for entry, person in rows),
        [20, 28, 24, 16, 20, 60, 16],
    )
    audit.record("audit.export", edition, detail={"filters": filters.as_args(edition), "rows": len(rows)}, actor=actor)
    return data
