"""What the handbook prints, gathered from the domains below in one language: the chapters the
organizers chose (less those whose domain is not installed, said in the log), the published
sessions, their speakers, venues, hotels and shuttles, the working groups' desks, and the
organizers' own texts."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import nh3
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markdown_it import MarkdownIt
from markupsafe import Markup
from sqlalchemy import select

from conference.badges.services import stroke_key
from conference.core.domains import installed
from conference.core.i18n import current_locale, has_han, to_traditional
from conference.editions.localtime import local, local_day
from conference.editions.models import Edition
from conference.extensions import db
from conference.handbook.models import HandbookText
from conference.people.models import Person
from conference.people.services import photo_path
from conference.programme import services as programme
from conference.programme.models import Session
from conference.venues.models import Hall, Venue
from conference.venues.services import venues_of

# The chapters, in their usual order; the cover comes first and the notes pages last, always.
CHAPTERS = ("hosts", "welcome", "contents", "glance", "sessions", "speakers", "venues", "hotels", "contacts", "notes")
CHAPTER_TITLES = {
    "cover": _l("Cover"),
    "hosts": _l("Hosts and organizers"),
    "welcome": _l("Welcome"),
    "contents": _l("Contents"),
    "glance": _l("Programme at a glance"),
    "sessions": _l("Agendas of the sessions"),
    "speakers": _l("Speakers"),
    "venues": _l("Venues and halls"),
    "hotels": _l("Hotels and shuttles"),
    "contacts": _l("Working groups' desks"),
    "notes": _l("Practical notes"),
    "notes_pages": _l("Your notes"),
}
# A chapter printed from a domain the app may be built without.
REQUIRES = {"hotels": "hotels", "contacts": "volunteers"}
# The chapters made of the organizers' own texts (models.TEXT_KEYS).
TEXT_CHAPTERS = {"welcome": "welcome", "contacts": "contacts", "notes": "notes"}

LOCALES = {"zh_Hans": "zh_Hans_CN", "zh_Hant": "zh_Hant_TW", "en": "en"}
HTML_LANG = {"zh_Hans": "zh-Hans", "zh_Hant": "zh-Hant", "en": "en"}

# Markdown as CommonMark; what it makes, raw HTML included, is sanitised to these elements
# before it goes near WeasyPrint or a browser (a <script> goes with its content).
_markdown = MarkdownIt("commonmark", {"html": True, "linkify": False}).disable("image")
ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "h2", "h3", "blockquote", "hr", "code", "a"}


def markdown_html(text: str) -> Markup:
    """An organizer's Markdown as safe HTML: no raw HTML, scripts, styles, images or events."""
    cleaned = nh3.clean(_markdown.render(text or ""), tags=ALLOWED_TAGS, attributes={"a": {"href"}},
                        url_schemes={"http", "https", "mailto", "tel"}, link_rel=None)
    return Markup(cleaned)  # noqa: S704  sanitised just above


@dataclass(frozen=True)
class Options:
    language: str = "zh_Hans"  # LANGUAGES
    size: str = "a5"  # SIZES
    bleed: bool = False


@dataclass
class Speaker:
    person: Person
    name: str  # as the edition's readers see it
    sort: tuple
    public: bool  # PIPL art. 25: organisation, title, bio and photo only with the speaker's agreement
    organisation: str = ""
    title: str = ""
    bio: str = ""
    photo: Path | None = None
    sessions: list[Session] = field(default_factory=list)


@dataclass
class Book:
    edition: Edition
    options: Options
    chapters: list[str]  # in print order, those present
    log: list[str]
    title: str
    texts: dict[str, Markup]
    sessions: list[Session]
    days: list[tuple[date, list[Session]]]
    speakers: list[Speaker]
    speakers_by_id: dict[int, Speaker]
    venues: list[Venue]
    hotels: list = field(default_factory=list)  # (hotel, [(day, runs)])
    groups: list = field(default_factory=list)
    cover: Path | None = None  # the cover's image, if the organizers gave one

    @property
    def traditional(self) -> bool:
        return self.options.language == "zh_Hant"

    def text(self, value: str | None) -> str:
        """The book's own words in its language: Simplified text kept by a Traditional reader's
        field (an organisation, a bio) is converted as the pages convert it."""
        return (to_traditional(value) if self.traditional else value) or ""

    def local(self, moment):
        return local(self.edition, moment)


def chapters_of(chosen: list[str] | None) -> list[str]:
    """The organizers' chapters in their order, unknown ones dropped; all of them by default."""
    return [key for key in (chosen if chosen else CHAPTERS) if key in CHAPTERS]


def person_name(person: Person) -> str:
    """Chinese names as written; for English readers with their pinyin first (Zhang Wei 张伟);
    foreign names as written."""
    if current_locale() == "en" and (has_han(person.family_name) or has_han(person.given_name)):
        return f"{person.latin_name} {person.name}"
    return person.name


def _sort_key(person: Person, english: bool) -> tuple:
    """姓氏笔画 for Chinese readers (family name first, by strokes); by surname for English ones."""
    if english:
        family = person.latin_name.split(" ")[0] if has_han(person.family_name) else person.family_name
        return (family.casefold(), person.latin_name.casefold(), person.id)
    return (stroke_key(person.family_name + person.given_name), person.id)


def _text(edition: Edition, key: str, language: str, texts: dict) -> str:
    """The organizers' text in the language; a Traditional reader gets their Traditional text,
    else their Simplified text converted as the pages convert it."""
    own = texts.get((key, language), "")
    if own.strip() or language != "zh_Hant":
        return own
    return to_traditional(texts.get((key, "zh_Hans"), "")) or ""


def gather(edition: Edition, chosen: list[str] | None, options: Options, cover: Path | None = None) -> Book:
    """Everything the handbook prints, read in the reader's locale (the caller forces it), with
    the cover's image given."""
    english = options.language == "en"
    domains = {domain.name for domain in installed().domains}
    chapters, log = [], []
    rows = db.session.execute(select(HandbookText).where(HandbookText.edition_id == edition.id)).scalars()
    stored = {(row.key, row.language): row.body for row in rows}
    texts: dict[str, Markup] = {}
    for key in chapters_of(chosen):
        needed = REQUIRES.get(key)
        if needed and needed not in domains:
            log.append(_("Left out: %(chapter)s, since the %(domain)s domain is not installed.",
                         chapter=CHAPTER_TITLES[key], domain=needed))
            continue
        if key in TEXT_CHAPTERS and key != "contacts":
            body = _text(edition, TEXT_CHAPTERS[key], options.language, stored)
            if not body.strip():
                log.append(_("Left out: %(chapter)s, since it has no text in this language.",
                             chapter=CHAPTER_TITLES[key]))
                continue
            texts[key] = markdown_html(body)
        chapters.append(key)
    texts["contacts"] = markdown_html(_text(edition, "contacts", options.language, stored))

    sessions = programme.programme_sessions(edition)
    speakers: dict[int, Speaker] = {}
    for session in sessions:
        for item in session.items:
            for on_stage in item.speakers:
                person = on_stage.person
                speaker = speakers.get(person.id)
                if speaker is None:
                    public = programme.public_speaker(person)
                    speaker = speakers[person.id] = Speaker(
                        person, person_name(person), _sort_key(person, english), public)
                    if public:
                        speaker.organisation = person.organisation_text
                        speaker.title = person.title_text
                        speaker.bio = person.bio
                        speaker.photo = photo_path(person)
                if session not in speaker.sessions:
                    speaker.sessions.append(session)
    days: dict[date, list[Session]] = defaultdict(list)
    for session in sessions:
        if session.scheduled:
            days[local_day(edition, session.starts_at)].append(session)

    book = Book(
        edition=edition, options=options, chapters=chapters, log=log, title=edition.title, texts=texts,
        sessions=sessions, days=sorted(days.items()), speakers=sorted(speakers.values(), key=lambda s: s.sort),
        speakers_by_id=speakers, venues=venues_of(edition) if "venues" in chapters or "glance" in chapters else [],
        cover=cover,
    )
    for speaker in book.speakers:
        speaker.organisation, speaker.title, speaker.bio = (book.text(speaker.organisation), book.text(speaker.title),
                                                            book.text(speaker.bio))
    if "hotels" in chapters:
        book.hotels = _hotels(edition)
    if "contacts" in chapters:
        from conference.volunteers.services import groups_of

        book.groups = [group for group in groups_of(edition) if group.desk_phone]
    return book


def _hotels(edition: Edition) -> list:
    """Each hotel with the shuttle runs that call at it, by day."""
    from conference.hotels.services import hotels_of
    from conference.hotels.travel import runs_of

    runs = defaultdict(lambda: defaultdict(list))
    for run in runs_of(edition):
        if run.hotel_id is not None:
            runs[run.hotel_id][local_day(edition, run.departs_at)].append(run)
    return [(hotel, sorted(runs[hotel.id].items())) for hotel in hotels_of(edition)]


def halls_in_use(book: Book, sessions: list[Session]) -> list[Hall]:
    """The halls a day's sessions use, in the venues' order."""
    used = {session.hall_id for session in sessions}
    return [hall for venue in book.venues for hall in venue.halls if hall.id in used]


def plan_of(place: Venue | Hall) -> Path | None:
    """The floor plan uploaded for a venue or a hall, if it has one."""
    from conference.venues import services as venues

    return venues.plan_path(place)
