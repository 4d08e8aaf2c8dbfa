"""志愿服务记录证明: the service record certificate a volunteer receives free on request, as the
Volunteer Service Regulations ask, and the public page that verifies it.

A ServiceRecord freezes what the certificate states (the name as written, the group, the
minutes by local day) with an unguessable serial. Issuing again with the same facts gives the
current record back, so a second click prints the same certificate. When the facts changed (a
lead corrected the hours, the name was corrected) a new record is made and the old one revoked:
a certificate in circulation must never verify hours that are no longer the record. Zero hours
are refused: there is no service to certify.

A record is kept after the retention purge and copies what it shows, so the verification page
keeps working when the volunteer's row is gone; it holds no identity number.
"""

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from babel.dates import format_interval
from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from conference.core import audit, jobs, pdf
from conference.core.database import hold_rows
from conference.core.i18n import DEFAULT_LOCALE, LOCALES, current_locale, day_label, localized
from conference.core.links import public_url
from conference.core.models import Job
from conference.editions.localtime import local
from conference.editions.models import Edition
from conference.extensions import db
from conference.volunteers import services
from conference.volunteers.models import ServiceRecord, Volunteer, WorkingGroup
from conference.volunteers.services import VolunteerError

# Crockford's base32: no I, L, O or U, so a serial read aloud or typed back is not mistaken.
SERIAL_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
SERIAL_LENGTH = 20  # 100 bits from `secrets`: guessing one is hopeless, however many are issued
SERIAL_GROUP = 4
_LOOK_ALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = re.compile(r"[\s\-]+")


def new_serial() -> str:
    """XXXX-XXXX-XXXX-XXXX-XXXX: grouped for reading off paper."""
    chars = "".join(secrets.choice(SERIAL_ALPHABET) for _ in range(SERIAL_LENGTH))
    return "-".join(chars[i:i + SERIAL_GROUP] for i in range(0, SERIAL_LENGTH, SERIAL_GROUP))


def normalise_serial(text: object) -> str | None:
    """A serial as typed or scanned (any case, with or without hyphens, O for 0, I or L for 1)
    in its stored form; None for anything that cannot be one, which is then never looked up."""
    if not isinstance(text, str) or len(text) > 64:
        return None
    chars = _SEPARATORS.sub("", text).upper().translate(_LOOK_ALIKES)
    if len(chars) != SERIAL_LENGTH or any(ch not in SERIAL_ALPHABET for ch in chars):
        return None
    return "-".join(chars[i:i + SERIAL_GROUP] for i in range(0, SERIAL_LENGTH, SERIAL_GROUP))


def record_by_serial(text: object) -> ServiceRecord | None:
    """The record of a serial, by the unique index; malformed text is not even looked up."""
    serial = normalise_serial(text)
    if serial is None:
        return None
    return db.session.execute(select(ServiceRecord).where(ServiceRecord.serial == serial)).scalar()


# The facts a certificate states ----------------------------------------------------------------


@dataclass(frozen=True)
class Facts:
    name: str
    group_name_zh: str
    group_name_en: str
    minutes_by_day: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.minutes_by_day.values())


def facts_of(volunteer: Volunteer) -> Facts:
    """What a certificate issued now would state, from the hours services count."""
    group = volunteer.group
    return Facts(volunteer.name, group.name_zh if group else "", group.name_en if group else "",
                 {day.isoformat(): minutes for day, minutes in services.minutes_by_day(volunteer).items()})


def facts_of_record(record: ServiceRecord) -> Facts:
    return Facts(record.name, record.group_name_zh, record.group_name_en, dict(record.minutes_by_day))


def current_record(volunteer: Volunteer) -> ServiceRecord | None:
    """The volunteer's record that is not revoked, if any."""
    return db.session.execute(
        select(ServiceRecord).where(ServiceRecord.volunteer_id == volunteer.id, ServiceRecord.revoked_at.is_(None))
        .order_by(ServiceRecord.issued_at.desc(), ServiceRecord.id.desc())).scalars().first()


def records_of(volunteer: Volunteer) -> list[ServiceRecord]:
    """Every record issued to the volunteer, newest first."""
    return list(db.session.execute(
        select(ServiceRecord).where(ServiceRecord.volunteer_id == volunteer.id)
        .order_by(ServiceRecord.issued_at.desc(), ServiceRecord.id.desc())).scalars())


def up_to_date(record: ServiceRecord | None, volunteer: Volunteer) -> bool:
    """Whether a record states what the volunteer's hours are now."""
    return record is not None and record.revoked_at is None and facts_of_record(record) == facts_of(volunteer)


def issue(volunteer: Volunteer, now: datetime, actor=None) -> tuple[ServiceRecord, bool]:
    """The volunteer's certificate record: the current one when its facts still hold, else a
    new one (the old one revoked). Returns (record, whether it is new). Refused for a volunteer
    not accepted, and for zero hours."""
    if volunteer.status != "accepted":
        raise VolunteerError(_l("Only accepted volunteers receive a service record certificate."))
    # Two requests for one volunteer at once (a double click) go one after the other, so
    # exactly one record is current.
    hold_rows(Volunteer.status, [volunteer.id])
    facts = facts_of(volunteer)
    if facts.total <= 0:
        raise VolunteerError(_l("No hours are recorded for %(name)s yet: a service record certificate states hours "
                                "worked, so it is issued once shifts have been checked in and out.", name=volunteer.name))
    current = current_record(volunteer)
    if current is not None and facts_of_record(current) == facts:
        return current, False
    if current is not None:
        current.revoked_at = now
    days = sorted(facts.minutes_by_day)
    record = ServiceRecord(
        edition_id=volunteer.edition_id, volunteer_id=volunteer.id, serial=_unused_serial(), name=facts.name,
        group_name_zh=facts.group_name_zh, group_name_en=facts.group_name_en, minutes_by_day=facts.minutes_by_day,
        total_minutes=facts.total, first_day=date.fromisoformat(days[0]), last_day=date.fromisoformat(days[-1]),
        issued_at=now)
    db.session.add(record)
    db.session.flush()
    audit.record("service_record.issue", record, detail={
        "volunteer": volunteer.id, "serial": record.serial, "total_minutes": record.total_minutes,
        "replaces": current.serial if current is not None else None}, actor=actor)
    return record, True


def _unused_serial() -> str:
    # A clash of 100 random bits will not happen; checking costs one indexed lookup.
    while True:
        serial = new_serial()
        if db.session.execute(select(ServiceRecord.id).where(ServiceRecord.serial == serial)).first() is None:
            return serial


def issue_for(edition: Edition, now: datetime, group: WorkingGroup | None = None,
              actor=None) -> tuple[list[ServiceRecord], int]:
    """Records for every accepted volunteer of the edition (of one group) who has hours: the
    current one where it still holds, new ones where not. Returns them, by name, and how many
    volunteers were skipped for having no hours."""
    query = select(Volunteer).where(Volunteer.edition_id == edition.id, Volunteer.status == "accepted")
    if group is not None:
        query = query.where(Volunteer.group_id == group.id)
    volunteers = list(db.session.execute(query.options(selectinload(Volunteer.group))).scalars())
    records, skipped = [], 0
    for volunteer in volunteers:
        if not any(services.minutes_by_day(volunteer).values()):
            skipped += 1
            continue
        records.append(issue(volunteer, now, actor)[0])
    records.sort(key=lambda r: (r.group_name_zh, r.name, r.id))
    return records, skipped


@dataclass
class GroupLine:
    volunteer: Volunteer
    minutes: int  # worked so far
    record: ServiceRecord | None  # the current one
    up_to_date: bool


def group_lines(group: WorkingGroup) -> list[GroupLine]:
    """The group's accepted volunteers by name: their hours now and their current certificate."""
    volunteers = list(db.session.execute(
        select(Volunteer).where(Volunteer.group_id == group.id, Volunteer.status == "accepted")
        .options(selectinload(Volunteer.group)).order_by(Volunteer.family_name, Volunteer.given_name, Volunteer.id)).scalars())
    current = {r.volunteer_id: r for r in db.session.execute(
        select(ServiceRecord).where(ServiceRecord.volunteer_id.in_([v.id for v in volunteers]),
                                    ServiceRecord.revoked_at.is_(None))
        .order_by(ServiceRecord.issued_at, ServiceRecord.id)).scalars()}
    lines = []
    for volunteer in volunteers:
        facts, record = facts_of(volunteer), current.get(volunteer.id)
        lines.append(GroupLine(volunteer, facts.total, record,
                               record is not None and facts_of_record(record) == facts))
    return lines


def group_record(group: WorkingGroup, record_id: int) -> ServiceRecord | None:
    """A current record of one of the group's volunteers."""
    return db.session.execute(
        select(ServiceRecord).join(Volunteer, Volunteer.id == ServiceRecord.volunteer_id)
        .where(ServiceRecord.id == record_id, ServiceRecord.revoked_at.is_(None), Volunteer.group_id == group.id,
               ServiceRecord.edition_id == group.edition_id)).scalar()


# The certificate as a PDF ----------------------------------------------------------------------


def hours_text(minutes: int) -> str:
    """Exact hours and minutes, so the days add up to the total as printed."""
    hours, rest = divmod(int(minutes), 60)
    if not rest:
        return _("%(hours)d h", hours=hours)
    return _("%(hours)d h %(minutes)d min", hours=hours, minutes=rest)


def record_language(record: ServiceRecord) -> str:
    """The language a volunteer applied in; the default once their row is gone."""
    volunteer = db.session.get(Volunteer, record.volunteer_id) if record.volunteer_id else None
    return volunteer.locale if volunteer is not None and volunteer.locale in LOCALES else DEFAULT_LOCALE


def verify_url(record: ServiceRecord) -> str:
    return public_url("volunteers_records.verify", serial=record.serial)


def shown(record: ServiceRecord) -> dict:
    """What the certificate and the verification page state, in the current language."""
    edition = db.session.get(Edition, record.edition_id)
    locale = current_locale()
    issuer = next((g for g in services.groups_of(edition) if g.screens_volunteers), None)
    return {
        "issuer": issuer.name if issuer is not None else "",  # the group that keeps the service records
        "record": record, "edition": edition, "name": record.name,
        "group": localized(record.group_name_zh, record.group_name_en),
        "dates": format_interval(edition.starts_on, edition.ends_on, skeleton="yMMMd", locale=locale),
        "hosts": [host.name for host in edition.hosts],
        "days": [(day_label(date.fromisoformat(day), skeleton="yMMMEd"), hours_text(minutes))
                 for day, minutes in sorted(record.minutes_by_day.items())],
        "total": hours_text(record.total_minutes),
        "issued_on": day_label(local(edition, record.issued_at).date(), skeleton="yMMMd"),
        "revoked_on": day_label(local(edition, record.revoked_at).date(), skeleton="yMMMd") if record.revoked_at else None,
    }


def _page(record: ServiceRecord, locale: str) -> str:
    from conference.badges.services import qr_png  # volunteers sit above badges: their QR drawing

    with force_locale(locale):
        return render_template("volunteers/records/_certificate.html", lang=LOCALES[locale][0],
                               qr=qr_png(verify_url(record)), url=verify_url(record), **shown(record))


def certificates_html(records: list[ServiceRecord], language: str | None = None) -> str:
    """One document, a page per record, each in `language` or else its volunteer's own."""
    if not records:
        raise VolunteerError(_l("No service record to print."))
    pages = [Markup(_page(record, language or record_language(record))) for record in records]  # noqa: S704  rendered with autoescape
    html = render_template("volunteers/records/certificates.html", pages=pages, fonts=pdf.FONT_FAMILIES)
    return re.sub(r">\s+<", "><", html)


def certificate_pdf(record: ServiceRecord, language: str | None = None) -> bytes:
    return pdf.render(certificates_html([record], language))


# Many at once: the group's batch, the command -----------------------------------------------------

BATCH_KIND = "volunteers.certificates"
BATCH_CHUNK = 50  # certificates in a part laid out by one worker


def write_certificates(records: list[ServiceRecord], target: Path, language: str | None = None,
                       progress: Callable[[int], None] | None = None) -> int:
    """The certificates in one PDF at `target`, parts laid out in parallel; returns its pages."""
    if not records:
        raise VolunteerError(_l("No service record to print."))
    size = BATCH_CHUNK
    parts = (certificates_html(records[start:start + size], language) for start in range(0, len(records), size))

    def parts_done(count: int) -> None:
        if progress is not None:
            progress(min(count * size, len(records)))

    return pdf.render_parts(parts, target, progress=parts_done)


def start_batch(group: WorkingGroup, now: datetime, language: str | None = None, actor=None) -> Job:
    """The group's certificates: records issued (or kept) now, in this transaction, then a job
    that only lays them out."""
    records, skipped = issue_for(group.edition, now, group, actor)
    if not records:
        raise VolunteerError(_l("Nobody in %(group)s has recorded hours yet: there is no certificate to make.",
                                group=group.name))
    job = jobs.start(BATCH_KIND, {"group_id": group.id, "language": language, "skipped": skipped,
                                  "records": [r.id for r in records]}, group.edition_id, actor)
    audit.record("service_record.batch", job, detail={"group": group.code, "count": len(records)}, actor=actor)
    return job


def run_batch(job: Job, target: Path, report: jobs.Report) -> None:
    """The batch job's work: lay out the records it was started with; writes nothing else."""
    ids = list(job.params.get("records") or [])
    found = {r.id: r for r in db.session.execute(select(ServiceRecord).where(ServiceRecord.id.in_(ids))).scalars()}
    records = [found[i] for i in ids if i in found]
    report(0, len(records))
    write_certificates(records, target, job.params.get("language") or None, lambda done: report(done, len(records)))
    job.skipped = int(job.params.get("skipped") or 0)


def batch_group(job: Job) -> WorkingGroup | None:
    """The group a batch is for: who may see the job and its file is decided on it."""
    return db.session.get(WorkingGroup, (job.params or {}).get("group_id") or 0)
