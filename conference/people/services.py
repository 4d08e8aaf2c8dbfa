"""People: the one row per human per edition that other domains point at."""

from sqlalchemy import func, select

from conference.core import audit, pii
from conference.editions.models import Edition
from conference.extensions import db
from conference.people.models import CATEGORIES, Person


def add_person(
    edition: Edition,
    family_name: str,
    given_name: str,
    category: str,
    organisation: str = "",
    title: str = "",
    email: str | None = None,
    phone: str | None = None,
    actor=None,
) -> Person:
    if category not in CATEGORIES:
        raise ValueError(f"unknown category {category!r}")
    person = Person(
        edition=edition,
        family_name=family_name.strip(),
        given_name=given_name.strip(),
        category=category,
        organisation=organisation.strip(),
        title=title.strip(),
        email=email,
        phone_sealed=pii.seal(phone) if phone else None,
    )
    db.session.add(person)
    audit.record("person.create", person, detail={"category": category}, actor=actor)
    return person


def count_people(edition: Edition) -> int:
    return db.session.execute(
        select(func.count(Person.id)).where(Person.edition_id == edition.id)
    ).scalar_one()
