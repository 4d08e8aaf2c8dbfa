"""People: the one row per human per edition that other domains point at, and their photos."""

import hashlib
import io
import secrets
from dataclasses import dataclass
from pathlib import Path

from flask import current_app, g
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import func, select

from conference.core import audit, jobs, pii
from conference.core.errors import Refusal
from conference.core.i18n import name_search_keys, search_key
from conference.core.models import utcnow
from conference.editions.models import Edition
from conference.extensions import db
from conference.people.models import CATEGORIES, Person

PINYIN_LENGTH = Person.__table__.c.name_pinyin.type.length
INITIALS_LENGTH = Person.__table__.c.name_initials.type.length
PHOTO_FORMATS = {"JPEG", "PNG", "WEBP"}
PHOTO_MAX_PIXELS = 25_000_000  # checked in the header: a decompression bomb is refused before it is decoded
PHOTO_EDGE = 800  # stored photos are at most this many pixels on the long edge


class PhotoError(Refusal):
    pass


@dataclass
class PersonFields:
    family_name: str
    given_name: str = ""
    category: str = "guest"
    name_latin: str = ""
    organisation: str = ""
    organisation_en: str = ""
    title: str = ""
    title_en: str = ""
    bio_zh: str = ""
    bio_en: str = ""
    email: str = ""
    public_profile: bool = False


def _apply(person: Person, fields: PersonFields) -> None:
    if fields.category not in CATEGORIES:
        raise ValueError(f"unknown category {fields.category!r}")
    person.family_name = fields.family_name.strip()
    person.given_name = fields.given_name.strip()
    pinyin, initials = name_search_keys(person.family_name, person.given_name)
    # The longest names a form allows spell out longer than their search keys' columns.
    person.name_pinyin, person.name_initials = pinyin[:PINYIN_LENGTH], initials[:INITIALS_LENGTH]
    person.category = fields.category
    person.name_latin = fields.name_latin.strip() or None
    person.organisation = fields.organisation.strip()
    person.organisation_en = fields.organisation_en.strip()
    person.title = fields.title.strip()
    person.title_en = fields.title_en.strip()
    person.bio_zh = fields.bio_zh.strip()
    person.bio_en = fields.bio_en.strip()
    person.email = fields.email.strip() or None
    person.public_profile = fields.public_profile


def create_person(edition: Edition, fields: PersonFields, phone: str | None = None, actor=None) -> Person:
    """A person written at once, with their id."""
    person = new_person(edition, fields, phone)
    record_creation(person, actor)
    db.session.flush()
    return person


def new_person(edition: Edition, fields: PersonFields, phone: str | None = None) -> Person:
    """A person added to the session, not yet written: a caller writing other rows with it
    (a registration) records the creation and writes them all in one flush."""
    person = Person(edition=edition)
    _apply(person, fields)
    set_phone(person, phone)
    db.session.add(person)
    return person


def record_creation(person: Person, actor=None) -> None:
    """The creation's audit entry, written with the person (audit.record_new)."""
    audit.record_new("person.create", person, detail={"category": person.category}, actor=actor)


def set_phone(person: Person, phone: str | None) -> None:
    """Sealed for storage, masked for lists (138****5678)."""
    person.phone_sealed = pii.seal(phone) if phone else None
    person.phone_masked = pii.mask_phone(phone) if phone else ""


def update_person(person: Person, fields: PersonFields, actor=None) -> Person:
    _apply(person, fields)
    audit.record("person.update", person, actor=actor)
    return person


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
    return create_person(
        edition,
        PersonFields(
            family_name=family_name,
            given_name=given_name,
            category=category,
            organisation=organisation,
            title=title,
            email=email or "",
        ),
        phone=phone,
        actor=actor,
    )


def get_person(edition: Edition, person_id: int) -> Person | None:
    return db.session.execute(
        select(Person).where(Person.edition_id == edition.id, Person.id == person_id)
    ).scalar_one_or_none()


def count_people(edition: Edition) -> int:
    return db.session.execute(
        select(func.count(Person.id)).where(Person.edition_id == edition.id)
    ).scalar_one()


def photo_dir() -> Path:
    path = Path(current_app.config["INSTANCE_DIR"]) / "photos"
    path.mkdir(parents=True, exist_ok=True)
    return path


def photo_path(person: Person) -> Path | None:
    return photo_dir() / person.photo_file if person.photo_file else None


@dataclass(frozen=True)
class CheckedPhoto:
    """An upload decoded once: the upright JPEG, at most PHOTO_EDGE pixels, without EXIF, that
    is stored."""

    jpeg: bytes


def check_photo(data: bytes) -> CheckedPhoto:
    """Open an upload as an image or say, in the reader's language, why it is not one. The size
    in pixels is read from the header and checked before anything is decoded; the image is then
    decoded once per request, however often a caller checks and stores the same upload."""
    limit = current_app.config["PHOTO_MAX_BYTES"]
    if len(data) > limit:
        raise PhotoError(
            _l("The photo is larger than %(mb)d MB. Please send a smaller one.", mb=limit // 2**20)
        )
    key = hashlib.sha256(data).digest()
    checked = g.setdefault("checked_photos", {})
    if key not in checked:
        checked[key] = _decode_once(data)
    return checked[key]


def _decode_once(data: bytes) -> CheckedPhoto:
    too_many = PhotoError(_l("The photo has more than %(mp)d million pixels. Please send a smaller one.",
                             mp=PHOTO_MAX_PIXELS // 1_000_000))
    try:
        probe = Image.open(io.BytesIO(data))  # reads the header only
        if probe.format not in PHOTO_FORMATS:
            raise PhotoError(_l("The photo must be a JPEG, PNG or WebP image."))
        if probe.width * probe.height > PHOTO_MAX_PIXELS:
            raise too_many
        # A PNG's chunk checksums and its end, without decompressing: WeasyPrint has Pillow
        # load truncated images (ImageFile.LOAD_TRUNCATED_IMAGES), so the decode would not say.
        probe.verify()
        image = Image.open(io.BytesIO(data))
        image.thumbnail((PHOTO_EDGE, PHOTO_EDGE))  # the one decode (a JPEG at a reduced scale)
        image = ImageOps.exif_transpose(image).convert("RGB")
    except PhotoError:
        raise
    except Image.DecompressionBombError as error:  # Pillow's own limit, far above ours
        raise too_many from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise PhotoError(_l("This file is not an image we can read.")) from error
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85, optimize=True)
    return CheckedPhoto(buffer.getvalue())


def store_photo(person: Person, data: bytes, actor=None) -> None:
    """Keep the checked copy: upright, at most PHOTO_EDGE pixels, without EXIF (which can hold
    the place and time the picture was taken)."""
    photo = check_photo(data)
    stored = photo_dir() / f"{secrets.token_hex(16)}.jpg"
    stored.write_bytes(photo.jpeg)
    # The files follow the transaction: the old photo goes only once the new one is committed,
    # and a new one whose transaction fails (or is retried) leaves no copy behind.
    jobs.after_rollback(stored.unlink, True)
    old = photo_path(person)
    person.photo_file = stored.name
    person.photo_updated_at = utcnow()
    audit.record("person.photo", person, actor=actor)
    if old is not None:
        jobs.after_commit(old.unlink, True)


def name_matches(query: str):
    """The one name search of every list: the name as written (张伟, Lucía), its pinyin from the
    start (zhangwei, lü, lv), its initials (zw), the Latin name without diacritics
    (fernandez finds Fernández)."""
    query = (query or "").strip()
    key = search_key(query)
    return (
        Person.family_name.concat(Person.given_name).contains(query, autoescape=True)
        | Person.given_name.concat(Person.family_name).contains(query, autoescape=True)
        | Person.name_latin.contains(query, autoescape=True)
        | Person.name_pinyin.startswith(key, autoescape=True)
        | (Person.name_initials == key)
    )


def search_people(
    edition: Edition, query: str, category: str | None, page: int, page_size: int
) -> tuple[list[Person], int]:
    """A page of people matching a name or organisation, and how many match in all."""
    conditions = [Person.edition_id == edition.id]
    if category:
        conditions.append(Person.category == category)
    if query:
        conditions.append(
            name_matches(query)
            | Person.organisation.contains(query, autoescape=True)
            | Person.organisation_en.contains(query, autoescape=True)
        )
    total = db.session.execute(select(func.count(Person.id)).where(*conditions)).scalar_one()
    people = db.session.execute(
        select(Person).where(*conditions).order_by(Person.family_name, Person.given_name, Person.id)
        .limit(page_size).offset((page - 1) * page_size)
    ).scalars()
    return list(people), total


# The retention purge's part of people (core/retention.py) --------------------------------------


def initials(family_name: str, given_name: str) -> tuple[str, str]:
    """张伟 -> ("Z.", "W."), Anna Maria Smith -> ("S.", "A.M."): what is left of a name where
    the row must stay after the retention purge."""

    def letters(text: str) -> str:
        return "".join(f"{letter.upper()}." for letter in text)

    return letters(name_search_keys(family_name, "")[1]), letters(name_search_keys("", given_name)[1])


def delete_photo_files(model, edition_id: int, dry_run: bool) -> int:
    """The photos of `model`'s rows (people, volunteers) of an edition: the files go once the
    purge has committed, and the column with them."""
    rows = db.session.execute(
        select(model).where(model.edition_id == edition_id, model.photo_file.is_not(None))).scalars().all()
    if not dry_run:
        for row in rows:
            jobs.after_commit((photo_dir() / row.photo_file).unlink, True)
            row.photo_file = None
            if hasattr(row, "photo_updated_at"):
                row.photo_updated_at = None
        db.session.flush()
    return len(rows)


def purge_photos(edition_id: int, dry_run: bool) -> int:
    return delete_photo_files(Person, edition_id, dry_run)


# A speaker whose page is public keeps the profile they agreed to publish (PIPL art. 25): the
# edition's programme stays as it was; everyone else keeps initials, no organisation, no bio.
PROFILE = ("family_name", "given_name", "name_latin", "name_pinyin", "organisation", "organisation_en", "title",
           "title_en", "bio_zh", "bio_en")


def purge_names(edition_id: int, dry_run: bool) -> int:
    changed = 0
    for person in db.session.execute(select(Person).where(
            Person.edition_id == edition_id, Person.public_profile.is_(False))).scalars():
        family, given = initials(person.family_name, person.given_name)
        kept = {"family_name": family, "given_name": given, "name_latin": None, "name_pinyin": person.name_initials,
                "organisation": "", "organisation_en": "", "title": "", "title_en": "", "bio_zh": "", "bio_en": ""}
        if any(getattr(person, name) != value for name, value in kept.items()):
            changed += 1
            if not dry_run:
                for name, value in kept.items():
                    setattr(person, name, value)
    db.session.flush()
    return changed
