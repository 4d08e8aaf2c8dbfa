"""The handbook's rules: its settings and texts, the hash of everything it is made from, the
cache of finished PDFs under that hash, building one, publishing."""

import hashlib
import os
import time
from pathlib import Path

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from conference.core import audit, images, jobs
from conference.core.domains import installed
from conference.core.errors import Refusal
from conference.core.images import CheckedImage
from conference.core.models import Job
from conference.editions.models import Edition, EditionOrganisation
from conference.extensions import db
from conference.handbook import book as content
from conference.handbook import printing
from conference.handbook.models import (
    LANGUAGES,
    SIZES,
    TEXT_KEYS,
    HandbookBuild,
    HandbookSettings,
    HandbookText,
)
from conference.people.models import Person
from conference.programme.models import AgendaItem, AgendaSpeaker, Session
from conference.venues.models import Hall, Venue

BUILD_KIND = "handbook.build"
PROJECT = Path(__file__).resolve().parent.parent.parent


class HandbookError(Refusal):
    pass


# Settings and texts ----------------------------------------------------------------------------


def settings_for(edition: Edition) -> HandbookSettings:
    found = db.session.execute(
        select(HandbookSettings).where(HandbookSettings.edition_id == edition.id)).scalar_one_or_none()
    # Not added: reading the settings writes nothing (the inputs' hash reads them).
    return found or HandbookSettings(edition_id=edition.id, chapters=list(content.CHAPTERS), published=False)


def set_chapters(edition: Edition, chapters: list[str], actor=None) -> HandbookSettings:
    """The chapters the organizers chose, in their order; each known chapter once."""
    if not chapters:
        raise HandbookError(_l("Choose at least one chapter."), field="chapters")
    unknown = [key for key in chapters if key not in content.CHAPTERS]
    if unknown or len(set(chapters)) != len(chapters):
        raise HandbookError(_l("Choose each chapter at most once, from the list."), field="chapters")
    settings = settings_for(edition)
    settings.chapters = list(chapters)
    db.session.add(settings)
    audit.record("handbook.chapters", edition, detail={"chapters": chapters}, actor=actor)
    return settings


def set_published(edition: Edition, published: bool, actor=None) -> HandbookSettings:
    settings = settings_for(edition)
    settings.published = published
    db.session.add(settings)
    audit.record("handbook.publish" if published else "handbook.unpublish", edition, actor=actor)
    return settings


def texts_of(edition: Edition) -> dict[tuple[str, str], str]:
    rows = db.session.execute(select(HandbookText).where(HandbookText.edition_id == edition.id)).scalars()
    return {(row.key, row.language): row.body for row in rows}


MAX_TEXT = 20_000


def save_text(edition: Edition, key: str, language: str, body: str, actor=None) -> None:
    """An organizer's text in Markdown; it is sanitised when it is shown or printed."""
    if key not in TEXT_KEYS or language not in LANGUAGES:
        raise HandbookError(_l("No such text."), field="key")
    if len(body) > MAX_TEXT:
        raise HandbookError(_l("At most %(n)d characters.", n=MAX_TEXT), field=f"{key}_{language}")
    row = db.session.execute(select(HandbookText).where(
        HandbookText.edition_id == edition.id, HandbookText.key == key, HandbookText.language == language,
    )).scalar_one_or_none()
    if row is None:
        row = HandbookText(edition_id=edition.id, key=key, language=language)
        db.session.add(row)
    if row.body != body:
        row.body = body
        audit.record("handbook.text", edition, detail={"key": key, "language": language}, actor=actor)


# The cover's image ------------------------------------------------------------------------------
# One image per edition for the handbook's cover (the host city, the campaign's artwork), kept
# the way venues keep their floor plans.

COVER_MAX_BYTES = 10 * 2**20
COVERS = images.KeptImages(
    folder="handbook-covers", field="cover_image",
    edge=2600,  # an A5 cover with its bleed at 300 dpi needs 1,820 × 2,550 pixels
    max_pixels=40_000_000,
    too_large=_l("The cover image is larger than %(mb)d MB. Please send a smaller one."),
    too_many_pixels=_l("The cover image has more than %(mp)d million pixels. Please send a smaller one."),
    wrong_format=_l("The cover image must be a PNG, JPEG or WebP image."),
    unreadable=_l("This file is not an image we can read."),
)


def check_cover(data: bytes) -> CheckedImage:
    return COVERS.check(data, COVER_MAX_BYTES)


def _swap_cover(edition: Edition, new: str | None) -> str | None:
    """Name `new` as the cover's image in place of the one read, in one conditional statement:
    of two organizers changing it at once, one wins and the other is told, so that no file is
    left that no row names. Returns the old file's name."""
    settings = settings_for(edition)
    db.session.add(settings)
    db.session.flush()  # the edition's first settings get their row
    old = settings.cover_file
    read = HandbookSettings.cover_file.is_(None) if old is None else HandbookSettings.cover_file == old
    if db.session.execute(update(HandbookSettings).where(HandbookSettings.id == settings.id, read)
                          .values(cover_file=new)).rowcount != 1:
        raise HandbookError(_l("Someone changed the cover image a moment ago. Look at it again, then send yours."),
                            field="cover_image")
    COVERS.discard(old)
    return old


def set_cover(edition: Edition, checked: CheckedImage, actor=None) -> None:
    """Keep a cover image check_cover passed in place of the old one, whose file goes once this
    is committed; the new file goes if the transaction fails."""
    old = _swap_cover(edition, COVERS.store(checked))
    audit.record("handbook.cover", edition, detail={"cover": "replaced" if old else "added"}, actor=actor)


def remove_cover(edition: Edition, actor=None) -> None:
    if settings_for(edition).cover_file:
        _swap_cover(edition, None)
        audit.record("handbook.cover", edition, detail={"cover": "removed"}, actor=actor)


def cover_path(edition: Edition) -> Path | None:
    """The file of the cover's image, if the edition has one."""
    path = COVERS.path(settings_for(edition).cover_file)
    return path if path is not None and path.is_file() else None


def cover_mimetype(edition: Edition) -> str:
    return images.mimetype(settings_for(edition).cover_file)


# What a handbook is made from ------------------------------------------------------------------


def check_options(language: str, size: str = "a5", bleed: bool = False) -> content.Options:
    if language not in LANGUAGES:
        raise HandbookError(_l("Choose the language: zh_Hans, zh_Hant or en."), field="lang")
    if size not in SIZES:
        raise HandbookError(_l("Choose the size: a5 or a4."), field="size")
    return content.Options(language, size, bool(bleed))


def _rows(digest, query) -> None:
    for row in db.session.execute(query):
        digest.update(repr(tuple(row)).encode())


def inputs_hash(edition: Edition, options: content.Options) -> str:
    """A hash of everything the book is made from: the rows it reads, the photos and plans it
    shows, the organizers' settings and texts, the options, the installed domains, and the
    templates and catalogues it is written with. Nothing is laid out to compute it."""
    digest = hashlib.blake2b(digest_size=32)
    digest.update(repr((options, sorted(d.name for d in installed().domains))).encode())
    sessions = select(Session.id).where(Session.edition_id == edition.id, Session.status == "published")
    items = select(AgendaItem.id).where(AgendaItem.session_id.in_(sessions))
    speakers = select(AgendaSpeaker.person_id).where(AgendaSpeaker.item_id.in_(items))
    venues = select(Venue.id).where(Venue.edition_id == edition.id)
    for model, where in (
        (Edition, Edition.id == edition.id),
        (EditionOrganisation, EditionOrganisation.edition_id == edition.id),
        (HandbookText, HandbookText.edition_id == edition.id),
        (Session, Session.id.in_(sessions)),
        (AgendaItem, AgendaItem.id.in_(items)),
        (AgendaSpeaker, AgendaSpeaker.item_id.in_(items)),
        (Venue, Venue.id.in_(venues)),
        (Hall, Hall.venue_id.in_(venues)),
    ):
        _rows(digest, select(*model.__table__.columns).where(where).order_by(*model.__table__.primary_key.columns))
    digest.update(repr(settings_for(edition).chapters).encode())  # the chapters chosen, not whether published
    cover = cover_path(edition)
    digest.update(cover.read_bytes() if cover else b"no cover")  # its content: the same picture sent again is no change
    _rows(digest, select(Person.id, Person.family_name, Person.given_name, Person.name_latin, Person.organisation,
                         Person.organisation_en, Person.title, Person.title_en, Person.bio_zh, Person.bio_en,
                         Person.photo_file, Person.photo_updated_at, Person.public_profile)
          .where(Person.id.in_(speakers)).order_by(Person.id))
    names = {domain.name for domain in installed().domains}
    if "hotels" in names:
        from conference.hotels.models import Hotel, ShuttleRun, TravelTime

        hotels = select(Hotel.id).where(Hotel.edition_id == edition.id)
        for model, where in ((Hotel, Hotel.edition_id == edition.id), (ShuttleRun, ShuttleRun.edition_id == edition.id),
                             (TravelTime, TravelTime.hotel_id.in_(hotels))):
            _rows(digest, select(*model.__table__.columns).where(where).order_by(*model.__table__.primary_key.columns))
    if "volunteers" in names:
        from conference.volunteers.models import WorkingGroup

        _rows(digest, select(WorkingGroup.id, WorkingGroup.name_zh, WorkingGroup.name_zh_hant, WorkingGroup.name_en,
                             WorkingGroup.desk_phone, WorkingGroup.position)
              .where(WorkingGroup.edition_id == edition.id).order_by(WorkingGroup.id))
    for path in _written_with():
        digest.update(f"{path}:{path.stat().st_mtime_ns}".encode())
    return digest.hexdigest()


def _written_with() -> list[Path]:
    """The files the book is written with: its templates, its code, the catalogues."""
    templates = PROJECT / "templates" / "handbook" / "book"
    code = Path(__file__).resolve().parent
    return sorted([*templates.glob("*"), code / "book.py", code / "printing.py",
                   *(PROJECT / "translations").glob("*/LC_MESSAGES/messages.mo")])


# Building and the cache ------------------------------------------------------------------------


def _folder() -> Path:
    folder = Path(current_app.config["INSTANCE_DIR"]) / "handbooks"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def cached(edition: Edition, options: content.Options, inputs: str | None = None) -> HandbookBuild | None:
    """The finished handbook made from exactly the present inputs, if there is one."""
    inputs = inputs or inputs_hash(edition, options)
    found = db.session.execute(select(HandbookBuild).where(HandbookBuild.inputs == inputs)).scalar_one_or_none()
    if found is not None and not file_of(found).is_file():
        return None
    return found


def file_of(build: HandbookBuild) -> Path:
    return Path(current_app.config["INSTANCE_DIR"]) / build.file_path


def build(edition: Edition, options: content.Options, progress=None) -> HandbookBuild:
    """The handbook for the present inputs: the kept one if nothing changed, else laid out now
    and kept. Two builds of the same inputs at once both lay it out; the first kept wins."""
    inputs = inputs_hash(edition, options)
    found = cached(edition, options, inputs)
    if found is not None:
        return found
    started = time.perf_counter()
    target = _folder() / f"{inputs}.pdf"
    partial = target.with_suffix(f".{os.getpid()}.part")
    cover = cover_path(edition)
    with printing.press(target.parent, cover) as workers, force_locale(content.LOCALES[options.language]):
        book = content.gather(edition, settings_for(edition).chapters, options, cover)
        printed = printing.print_book(book, partial, workers, progress)
    os.replace(partial, target)
    made = HandbookBuild(edition_id=edition.id, inputs=inputs, language=options.language, size=options.size,
                         bleed=options.bleed, file_path=f"handbooks/{target.name}", pages=printed.pages,
                         seconds=round(time.perf_counter() - started, 2), log=printed.log)
    try:
        with db.session.begin_nested():
            db.session.add(made)
    except IntegrityError:
        return db.session.execute(select(HandbookBuild).where(HandbookBuild.inputs == inputs)).scalar_one()
    forget_superseded(made)
    return made


def forget_superseded(made: HandbookBuild) -> None:
    """Only the latest handbook of each language, size and bleed is kept (the published one is
    the latest A5 of its language): those it supersedes lose their rows now and their files once
    that is committed. Each file is named by its row's inputs, which are unique, so no row left
    names a file removed; a job's download is a link of its own to the file, so it stays."""
    older = db.session.execute(select(HandbookBuild).where(
        HandbookBuild.edition_id == made.edition_id, HandbookBuild.language == made.language,
        HandbookBuild.size == made.size, HandbookBuild.bleed == made.bleed, HandbookBuild.id < made.id,
    )).scalars().all()
    for build_ in older:
        db.session.delete(build_)
        jobs.after_commit(file_of(build_).unlink, True)


def latest_builds(edition: Edition, limit: int = 10) -> list[HandbookBuild]:
    return list(db.session.execute(select(HandbookBuild).where(HandbookBuild.edition_id == edition.id)
                                   .order_by(HandbookBuild.id.desc()).limit(limit)).scalars())


def start_build(edition: Edition, options: content.Options, actor=None) -> Job:
    job = jobs.start(BUILD_KIND, {"language": options.language, "size": options.size, "bleed": options.bleed},
                     edition.id, actor)
    audit.record("handbook.build", job, detail=job.params, actor=actor)
    return job


def run_build(job: Job, target: Path, report: jobs.Report) -> None:
    """The build job's work: the handbook (kept, or made and kept), linked as the job's file."""
    edition = db.session.get(Edition, job.edition_id)
    options = check_options(job.params["language"], job.params["size"], job.params["bleed"])
    made = build(edition, options, report)
    os.link(file_of(made), target)


def published_file(edition: Edition, language: str) -> HandbookBuild | None:
    """The published A5 handbook in a language, made now if its inputs changed since; None
    while the handbook is not published."""
    if not settings_for(edition).published:
        return None
    return build(edition, check_options(language))
