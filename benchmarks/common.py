"""What several benchmarks prepare the same way: badges for the demo's people, registration
forms with valid identity numbers, a percentile."""

from sqlalchemy import func, select
from stdnum.iso7064 import mod_11_2

from conference.badges.models import Badge
from conference.extensions import db
from conference.people.models import Person


def percentile(ordered: list[float], share: float) -> float:
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def top_up_badges(edition, badges: int) -> None:
    """The demo gives a badge to the approved and the speakers (≈2,700); the pending get one too,
    up to `badges`."""
    have = db.session.execute(select(func.count(Badge.id)).where(Badge.edition_id == edition.id)).scalar_one()
    people = db.session.execute(select(Person.id).where(Person.edition_id == edition.id, Person.id.not_in(
        select(Badge.person_id).where(Badge.edition_id == edition.id))).order_by(Person.id).limit(max(0, badges - have))).scalars()
    db.session.add_all(Badge(edition_id=edition.id, person_id=person_id, serial=f"{edition.year}-{serial:05d}", version=1)
                       for serial, person_id in enumerate(people, start=have + 1))
    db.session.commit()


def resident_id(serial: int) -> str:
    """A valid mainland resident identity number, a different one for each serial below 84,000
    of a block of 100,000."""
    body = f"440305{1970 + serial // 100000 % 30}{(serial // 1000) % 12 + 1:02d}{(serial // 10) % 28 + 1:02d}{serial % 1000:03d}"
    return body + mod_11_2.calc_check_digit(body)


def form(serial: int, session_id: int | None) -> dict:
    """The registration form of a journalist (media: open to all), numbered `serial`."""
    data = {
        "category": "media", "family_name": "测", "given_name": f"试{serial}", "organisation": "基准测试报",
        "title": "记者", "email": f"bench{serial}@example.org", "phone": "13912345678",
        "id_type": "resident_id", "id_number": resident_id(serial), "notice_version": "1",
        "consent_privacy": "y", "consent_identity": "y",
    }
    if session_id:
        data["sessions"] = str(session_id)
    return data
