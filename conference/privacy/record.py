"""The processing record of an edition (PIPL art. 55–56), generated from the code and the data,
for the personal-information impact assessment: what each form collects and what each category
must give, what is stored and how it is protected, why (the privacy notices), who receives it
(hotels, transport), how long it is kept, and which roles may see what."""

from collections import Counter
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from wtforms import BooleanField, HiddenField
from wtforms.fields.core import UnboundField

from conference.core import audit
from conference.core.domains import installed
from conference.core.models import AuditEntry
from conference.core.permissions import ROLES
from conference.core.retention import edition_clause
from conference.core.spreadsheet import workbook_of
from conference.editions.models import Edition
from conference.extensions import db
from conference.hotels.attendee import StayRequestForm
from conference.hotels.models import Hotel, Journey, PickupGroup, Stay, Traveller
from conference.people.forms import CATEGORY_LABELS
from conference.people.models import Person
from conference.privacy import retention
from conference.registration.forms import FIELD_LABELS, RegistrationForm
from conference.registration.models import Registration
from conference.registration.services import categories_of, current_notice
from conference.volunteers.apply_forms import ApplicationForm
from conference.volunteers.models import Volunteer, VolunteerSettings

# The forms through which people give their own data; their fields are read from the classes.
FORMS = (
    (_l("Registration form"), RegistrationForm),
    (_l("Hotel and travel request (the attendee's own page)"), StayRequestForm),
    (_l("Application to volunteer"), ApplicationForm),
)

PROTECTION = (  # how a stored column is protected, read from its name
    ("_sealed", _l("encrypted (AES-GCM), shown masked, every reveal audited")),
    ("_masked", _l("masked copy for lists")),
    ("_index", _l("keyed hash (HMAC) for duplicates and exact search")),
    ("_file", _l("file on the server, served to authorised users only")),
    ("file_path", _l("file on the server, served to authorised users only")),
)


@dataclass(frozen=True)
class Stored:
    domain: str
    table: str
    column: str
    protection: str
    at_retention: str  # what the purge does to it


@dataclass(frozen=True)
class ProcessingRecord:
    edition: Edition
    forms: list[tuple[str, list[str]]]  # form -> field labels
    categories: list[tuple[str, list[str], int]]  # category -> fields it must give, registrations
    subjects: list[tuple[str, int]]  # people by category, volunteers
    stored: list[Stored]
    purposes: list[tuple[str, int | None, str]]  # notice, version, text
    recipients: list[tuple[str, str, int]]  # who, what, how many people
    retention_days: int | None
    purge_from: date | None
    purged_at: object
    access: list[tuple[str, list[str]]]  # permission -> roles
    scoped_roles: list[str]
    protections: list[str]


def form_fields(form) -> list[str]:
    """The labels of the fields a form asks a person for, in order (consent boxes and hidden
    fields are not data about them)."""
    unbound = sorted(((name, value) for klass in reversed(form.__mro__) for name, value in vars(klass).items()
                      if isinstance(value, UnboundField)), key=lambda item: item[1].creation_counter)
    labels = []
    for name, field in unbound:
        if field.field_class is HiddenField or (field.field_class is BooleanField and name.startswith("consent_")):
            continue
        labels.append(str(field.kwargs.get("label", field.args[0] if field.args else name)))
    return labels


def _protection(column: str) -> str:
    return next((str(text) for suffix, text in PROTECTION if column.endswith(suffix)), str(_l("stored as given")))


def stored_data() -> list[Stored]:
    rows = []
    for domain in installed().domains:
        taken = {(model, column): step.kind for step in domain.purge for model, columns in step.columns.items()
                 for column in columns}
        for model, columns in domain.personal_data.items():
            for column in columns:
                kept = str(_l("kept (not an edition's: the account's own)"))
                if (model, column) in taken:
                    fate = str(taken[(model, column)])
                elif edition_clause(model.__table__, 0) is None:
                    fate = kept
                else:
                    fate = str(_l("emptied"))
                rows.append(Stored(domain.name, model.__tablename__, column, _protection(column), fate))
    return rows


def _count(query) -> int:
    return db.session.execute(query).scalar_one()


def build(edition: Edition) -> ProcessingRecord:
    categories = []
    counts = dict(db.session.execute(select(Registration.category_id, func.count()).where(
        Registration.edition_id == edition.id).group_by(Registration.category_id)).all())
    for category in categories_of(edition):
        must = [str(FIELD_LABELS.get(name, name)) for name in category.required_fields or []]
        categories.append((category.name, must, counts.get(category.id, 0)))
    people = Counter(dict(db.session.execute(select(Person.category, func.count()).where(
        Person.edition_id == edition.id).group_by(Person.category)).all()))
    subjects = [*((str(CATEGORY_LABELS.get(code, code)), count) for code, count in sorted(people.items())),
                (str(_l("volunteers' applications")),
                                         _count(select(func.count(Volunteer.id)).where(Volunteer.edition_id == edition.id)))]
    notice = current_notice(edition)
    settings = db.session.execute(select(VolunteerSettings).where(VolunteerSettings.edition_id == edition.id)).scalar()
    purposes = [(str(_l("Privacy notice of registration")), notice.version if notice else None,
                 notice.text if notice else str(_l("Not published yet.")))]
    published = settings is not None and settings.notice_version
    purposes.append((str(_l("Volunteers' privacy notice")), settings.notice_version if published else None,
                     settings.notice if published else str(_l("Not published yet."))))
    purged = db.session.execute(select(func.max(AuditEntry.at)).where(
        AuditEntry.action == "privacy.purge", AuditEntry.edition_id == edition.id)).scalar_one()
    domains = installed()
    return ProcessingRecord(
        edition=edition,
        forms=[(str(label), form_fields(form)) for label, form in FORMS],
        categories=categories,
        subjects=subjects,
        stored=stored_data(),
        purposes=purposes,
        recipients=_recipients(edition),
        retention_days=notice.retention_days if notice else None,
        purge_from=retention.purge_from(edition),
        purged_at=purged,
        access=sorted((name, sorted(str(ROLES.get(role, role)) for role in roles))
                      for name, roles in domains.permissions.items()),
        scoped_roles=sorted(str(ROLES.get(role, role)) for role in domains.scopes),
        protections=[str(text) for text in (
            _l("Identity numbers, phones and flight or train numbers are encrypted at rest (AES-GCM) with a key "
               "kept apart from the database and its backups."),
            _l("Lists and exports show them masked; a full number is shown only with a reason, and the reveal is "
               "written to the audit log."),
            _l("Every export of personal data and every change is written to the audit log."),
            _l("Photos are stored without their EXIF data and served only to those allowed to see them."),
            _l("After the retention period the data above is erased, and backups older than it are deleted."),
        )],
    )


def _recipients(edition: Edition) -> list[tuple[str, str, int]]:
    hotels = db.session.execute(select(Hotel).where(Hotel.edition_id == edition.id).order_by(Hotel.position, Hotel.id)).scalars()
    rows = []
    for hotel in hotels:
        guests = _count(select(func.count(func.distinct(Stay.person_id))).where(Stay.hotel_id == hotel.id))
        documents = _count(select(func.count(func.distinct(Stay.person_id))).join(
            Traveller, Traveller.person_id == Stay.person_id).where(
            Stay.hotel_id == hotel.id, Traveller.document_consent_at.is_not(None)))
        rows.append((hotel.name, str(_l("rooming list: names, nights, room and roommate; the identity document of "
                                        "those who agreed separately (%(n)d)", n=documents)), guests))
    groups = _count(select(func.count(PickupGroup.id)).where(PickupGroup.edition_id == edition.id))
    if groups:
        riders = _count(select(func.count(Journey.id)).where(Journey.edition_id == edition.id,
                                                             Journey.pickup_group_id.is_not(None)))
        rows.append((str(_l("Transport (%(n)d pickup groups)", n=groups)),
                     str(_l("pickup lists: names, flight or train numbers and times")), riders))
    return rows


def workbook(record: ProcessingRecord) -> bytes:
    """The record as an .xlsx, a sheet a section."""
    return workbook_of([
        (str(_l("Forms")), [_l("Form"), _l("Field")], [(form, field) for form, fields in record.forms for field in fields],
         [40, 60]),
        (str(_l("Categories")), [_l("Category"), _l("Must give besides name and document"), _l("How many")],
         [(name, ", ".join(fields), count) for name, fields, count in record.categories], [24, 60, 14]),
        (str(_l("Data subjects")), [_l("Who"), _l("How many")], record.subjects, [30, 12]),
        (str(_l("Stored data")), [_l("Domain"), _l("Table"), _l("Column"), _l("Protection"), _l("At the end of retention")],
         [(s.domain, s.table, s.column, s.protection, s.at_retention) for s in record.stored], [14, 22, 24, 50, 40]),
        (str(_l("Purposes")), [_l("Notice"), _l("Version"), _l("Text")], record.purposes, [30, 10, 120]),
        (str(_l("Recipients")), [_l("Recipient"), _l("What they receive"), _l("People")], record.recipients,
         [30, 80, 10]),
        (str(_l("Retention")), [_l("Days after the conference"), _l("Erased from"), _l("Last purge (UTC)")],
         [(record.retention_days, record.purge_from.isoformat() if record.purge_from else "",
           record.purged_at.isoformat() if record.purged_at else "")], [24, 16, 28]),
        (str(_l("Access")), [_l("Permission"), _l("Roles")], [(name, ", ".join(roles)) for name, roles in record.access],
         [30, 80]),
        (str(_l("Protection")), [_l("Measure")], [(text,) for text in record.protections], [120]),
    ])


def export(edition: Edition, actor=None) -> bytes:
    data = workbook(build(edition))
    audit.record("privacy.record_export", edition, actor=actor)
    return data
