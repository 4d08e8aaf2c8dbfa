"""Editions: create, update, clone from last year.

Cloning is shared work: each domain declares the clone steps that carry its part into the new
edition (Domain.clone_steps), so the editions package never needs to know about sessions or
badges. A step receives (source, target, required) after the target has an id, adds rows to
the session, and never copies people, registrations, stays or scans; `required` holds the
results of the steps it requires (the programme gets the venues' map of last year's halls to
the copies).
"""

from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l
from pypinyin import lazy_pinyin
from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError

from conference.core import audit
from conference.core.domains import installed
from conference.core.errors import Refusal
from conference.editions.models import Edition, EditionOrganisation
from conference.extensions import db

MAX_EDITION_DAYS = 14


class EditionError(Refusal):
    pass


@dataclass
class OrganisationName:
    zh: str
    en: str = ""
    zh_hant: str | None = None


@dataclass
class EditionFields:
    year: int
    city_zh: str
    starts_on: date
    ends_on: date
    city_en: str = ""
    city_zh_hant: str | None = None
    theme_zh: str = ""
    theme_en: str = ""
    theme_zh_hant: str | None = None
    timezone: str = "Asia/Shanghai"
    hosts: list[OrganisationName] = field(default_factory=list)
    organizers: list[OrganisationName] = field(default_factory=list)


def clone_step_names() -> list[str]:
    return [step.name for step in installed().clone_steps]


def clone_step_labels() -> list[str]:
    """What a clone carries over, in the reader's language."""
    return [str(step.label) for step in installed().clone_steps]


def romanise_city(city_zh: str) -> str:
    """福州 -> Fuzhou: a starting point for the English name, which the organizer can edit."""
    return "".join(lazy_pinyin(city_zh)).capitalize() if city_zh else ""


# Built once: every page and API call of an edition starts with this read.
_BY_YEAR = select(Edition).where(Edition.year == bindparam("year"))


def get_edition(year: int) -> Edition | None:
    return db.session.execute(_BY_YEAR, {"year": year}).scalar_one_or_none()


def year_of(edition_id: int) -> int:
    """The year of an edition known by its id (a job's, which keeps only the id)."""
    return db.session.get(Edition, edition_id).year


def list_editions() -> list[Edition]:
    return list(db.session.execute(select(Edition).order_by(Edition.year.desc())).scalars())


def current_edition() -> Edition | None:
    """The edition the public pages show: the newest one."""
    return db.session.execute(select(Edition).order_by(Edition.year.desc()).limit(1)).scalar()


def check_dates(year: int, starts_on: date, ends_on: date) -> None:
    if not 2000 <= year <= 2100:
        raise EditionError(_l("Enter a year between 2000 and 2100."), "year")
    if starts_on.year != year:
        raise EditionError(_l("The edition must start in its own year."), "starts_on")
    if ends_on < starts_on:
        raise EditionError(_l("The last day cannot be before the first day."), "ends_on")
    if (ends_on - starts_on).days + 1 > MAX_EDITION_DAYS:
        raise EditionError(
            _l("An edition lasts at most %(n)d days.", n=MAX_EDITION_DAYS), "ends_on"
        )


def _check_year_free(year: int, edition: Edition | None = None) -> None:
    existing = get_edition(year)
    if existing is not None and existing is not edition:
        raise EditionError(_l("There is already an edition for %(year)d.", year=year), "year")


def _apply(edition: Edition, fields: EditionFields) -> None:
    edition.year = fields.year
    edition.city_zh = fields.city_zh.strip()
    edition.city_zh_hant = (fields.city_zh_hant or "").strip() or None
    edition.city_en = fields.city_en.strip() or romanise_city(edition.city_zh)
    edition.theme_zh = fields.theme_zh.strip()
    edition.theme_zh_hant = (fields.theme_zh_hant or "").strip() or None
    edition.theme_en = fields.theme_en.strip()
    edition.starts_on = fields.starts_on
    edition.ends_on = fields.ends_on
    edition.timezone = fields.timezone


def _set_organisations(edition: Edition, role: str, names: list[OrganisationName]) -> None:
    for existing in edition.organisations_in(role):
        edition.organisations.remove(existing)
    db.session.flush()  # the (edition, role, position) slots must be free before refilling them
    for position, name in enumerate(names, start=1):
        edition.organisations.append(
            EditionOrganisation(
                role=role,
                position=position,
                name_zh=name.zh.strip(),
                name_en=name.en.strip(),
                name_zh_hant=(name.zh_hant or "").strip() or None,
            )
        )


def _flush_or_year_taken(year: int) -> None:
    """Two organizers saving the same year at once: the unique index decides, not a race."""
    try:
        db.session.flush()
    except IntegrityError as error:
        db.session.rollback()
        raise EditionError(
            _l("There is already an edition for %(year)d.", year=year), "year"
        ) from error


def create_edition(fields: EditionFields, actor=None) -> Edition:
    check_dates(fields.year, fields.starts_on, fields.ends_on)
    _check_year_free(fields.year)
    edition = Edition()
    _apply(edition, fields)
    db.session.add(edition)
    _flush_or_year_taken(fields.year)
    _set_organisations(edition, "host", fields.hosts)
    _set_organisations(edition, "organizer", fields.organizers)
    audit.record("edition.create", edition, detail={"year": edition.year}, actor=actor)
    return edition


def update_edition(edition: Edition, fields: EditionFields, actor=None) -> Edition:
    check_dates(fields.year, fields.starts_on, fields.ends_on)
    _check_year_free(fields.year, edition)
    previous_year = edition.year
    _apply(edition, fields)
    _flush_or_year_taken(fields.year)
    _set_organisations(edition, "host", fields.hosts)
    _set_organisations(edition, "organizer", fields.organizers)
    audit.record(
        "edition.update", edition, detail={"year": edition.year, "was": previous_year}, actor=actor
    )
    return edition


def shift_to_year(day: date, year: int) -> date:
    try:
        return day.replace(year=year)
    except ValueError:  # 29 February into a common year
        return day.replace(year=year, day=28)


def clone_edition(
    source: Edition,
    year: int,
    city_zh: str,
    city_en: str = "",
    starts_on: date | None = None,
    ends_on: date | None = None,
    actor=None,
) -> Edition:
    """Next year's edition from this one: the structure, never the people.

    Dates default to the same calendar days in the new year; the theme is left for the
    organizers to decide, as it changes every year.
    """
    if not city_zh or not city_zh.strip():
        raise EditionError(_l("Enter the host city."), "city_zh")
    starts_on = starts_on or shift_to_year(source.starts_on, year)
    ends_on = ends_on or (starts_on + (source.ends_on - source.starts_on))
    check_dates(year, starts_on, ends_on)
    _check_year_free(year)
    edition = Edition(cloned_from=source)
    _apply(
        edition,
        EditionFields(
            year=year,
            city_zh=city_zh,
            city_en=city_en,
            starts_on=starts_on,
            ends_on=ends_on,
            timezone=source.timezone,
        ),
    )
    db.session.add(edition)
    _flush_or_year_taken(year)
    results: dict[str, dict] = {}
    for step in installed().clone_steps:
        required = {name: results[name] for name in step.requires}
        results[step.name] = step.run(source, edition, required) or {}
    audit.record(
        "edition.clone",
        edition,
        detail={"from": source.year, "steps": list(results)},
        actor=actor,
    )
    return edition


def clone_organisations(source: Edition, target: Edition, required: dict) -> None:
    for org in source.organisations:
        target.organisations.append(
            EditionOrganisation(
                role=org.role,
                position=org.position,
                name_zh=org.name_zh,
                name_zh_hant=org.name_zh_hant,
                name_en=org.name_en,
            )
        )
