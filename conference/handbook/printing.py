"""The handbook laid out in parallel parts, its page numbers carried between them.

One WeasyPrint call lays out about eleven Chinese A5 pages a second on one core, so the book is
cut into parts (a chapter, a few sessions, a stretch of the speakers' index) laid out at once in
core/pdf's pool of processes. No part needs to know where it will fall: the body of every page
has the same margins on both sides, and whatever depends on the page number (the page numbers
themselves, the running headers, the contents' numbers and the index's page references) is laid
over the pages afterwards. The contents and the index leave an empty slot of fixed width where
a number goes, so their own length never depends on the numbers; once every part's pages and
every slot's place are known, one light overlay document (two parts, laid out in parallel too)
draws the numbers, and the pages, the overlay, the blank left-hand pages before each chapter and
the notes pages that make the count a multiple of four are put together with the bookmarks."""

import itertools
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from pathlib import Path

from flask import render_template, url_for
from markupsafe import Markup

from conference.core import pdf
from conference.core.i18n import day_label
from conference.handbook.book import CHAPTER_TITLES, HTML_LANG, Book, halls_in_use, plan_of
from conference.people.services import photo_dir
from conference.programme.forms import ITEM_KIND_LABELS, KIND_LABELS, ROLE_LABELS
from conference.venues.models import Venue
from conference.venues.services import plan_folder

PAGES = {  # millimetres; the type size in points
    "a5": {"width": 148, "height": 210, "top": 17, "bottom": 15, "side": 14, "font": 8.5},
    "a4": {"width": 210, "height": 297, "top": 22, "bottom": 20, "side": 20, "font": 10},
}
GLANCE_HALLS = {"a5": 4, "a4": 6}  # halls across one page of the programme at a glance
SESSIONS_PER_PART = 8
SPEAKERS_PER_PART = 100
# Where a line's baseline sits below the top of a one-line box in Noto Sans CJK, in ems
# (ascender 1.16, descender 0.288, at line-height 1).
BASELINE = 0.936
PX_PER_PT = 96 / 72


@dataclass
class Piece:
    """A chapter, or a stretch of a long one, as it goes into a part."""

    chapter: str
    body: str
    weight: int  # the work it is likely to be, in tenths of a page of an agenda (a denser page counts more)
    opens: bool = True  # the chapter's beginning: it opens on a right-hand page


@dataclass
class Part:
    pieces: list[Piece]
    html: str = ""

    @property
    def weight(self) -> int:
        return sum(piece.weight for piece in self.pieces)

    @property
    def opens(self) -> bool:
        return self.pieces[0].opens


@dataclass
class Printed:
    pages: int
    log: list[str]
    outline: list[tuple[int, str, int]] = field(default_factory=list)
    contents: list[tuple[str, int]] = field(default_factory=list)  # (title, page number) as printed


def _fonts(language: str) -> str:
    return pdf.FONT_FAMILIES["zh-Hant" if language == "zh_Hant" else "zh-Hans"]


def _page(book: Book) -> dict:
    return {**PAGES[book.options.size], "bleed": book.options.bleed}


class FileLinks:
    """The images as the PDF reads them: files (core/pdf reads only the folders it is given)."""

    def cover(self, book: Book) -> str | None:
        return book.cover.as_uri() if book.cover else None

    def plan(self, place) -> str | None:
        path = plan_of(place)
        return path.as_uri() if path else None

    def photo(self, speaker) -> str | None:
        return speaker.photo.as_uri() if speaker.photo else None


class WebLinks:
    """The images as a browser previewing a chapter loads them: the app's own addresses, for
    those who may preview (a web page never loads a file: address)."""

    def __init__(self, year: int):
        self.year = year

    def cover(self, book: Book) -> str | None:
        return url_for("handbook.cover_image", year=self.year) if book.cover else None

    def plan(self, place) -> str | None:
        if plan_of(place) is None:
            return None
        if isinstance(place, Venue):
            return url_for("venues.venue_plan", year=self.year, venue_id=place.id)
        return url_for("venues.hall_plan", year=self.year, hall_id=place.id)

    def photo(self, speaker) -> str | None:
        return url_for("people.photo", year=self.year, person_id=speaker.person.id) if speaker.photo else None


FILES = FileLinks()


def _render(template: str, book: Book, **context) -> str:
    return render_template(f"handbook/book/{template}", book=book, lang=HTML_LANG[book.options.language],
                           page=_page(book), fonts=_fonts(book.options.language), day_label=day_label, **context)


def _chunks(items: list, size: int) -> list[list]:
    return [items[start:start + size] for start in range(0, len(items), size)] or [[]]


def _glance(book: Book) -> list:
    """Per day and page: the halls across, half-hours down, each session in its rows."""
    grids = []
    for day, sessions in book.days:
        placed = [s for s in sessions if s.hall_id is not None]
        starts = [book.local(s.starts_at) for s in placed]
        ends = [book.local(s.ends_at) for s in placed]
        first_hour = min([t.hour for t in starts], default=8)
        last_hour = max([t.hour + (1 if t.minute else 0) for t in ends], default=18)
        first = datetime.combine(day, time(first_hour), tzinfo=starts[0].tzinfo if starts else None)
        rows = (last_hour - first_hour) * 2
        hours = [(1 + 2 * h, f"{first_hour + h:02d}:00") for h in range(last_hour - first_hour)]
        for halls in _chunks(halls_in_use(book, placed), GLANCE_HALLS[book.options.size]):
            columns = {hall.id: index + 2 for index, hall in enumerate(halls)}
            blocks = []
            for session, start, end in zip(placed, starts, ends, strict=True):
                if session.hall_id in columns:
                    top = int((start - first) / timedelta(minutes=30)) + 1
                    bottom = max(int(-(-(end - first) // timedelta(minutes=30))) + 1, top + 1)
                    blocks.append((columns[session.hall_id], top, bottom, session))
            grids.append((day, halls, rows, hours, blocks))
    return grids


# Chapters cut into stretches of this many, each a part of its own; the others go together into
# parts of several chapters (each a font subset less to make), split by the longer ones.
LONG_CHAPTERS = {"sessions", "speakers"}


def contents_entries(book: Book) -> list[dict]:
    """The contents: (level, title, target, slot) of each chapter after the cover and each session."""
    entries = []
    for key in book.chapters:
        if key == "contents":
            continue
        entries.append({"level": 1, "title": str(CHAPTER_TITLES[key]), "target": f"chapter-{key}"})
        if key == "sessions":
            entries += [{"level": 2, "title": session.title, "target": f"session-{session.id}"}
                        for session in book.sessions]
    for number, entry in enumerate(entries):
        entry["slot"] = f"toc-{number}"
    return entries


def parts_of(book: Book) -> tuple[list[Part], list[dict]]:
    """The book's parts in print order, and the contents' entries. The first part also holds, at
    its end, a notes page and a blank page, copied wherever the book needs one."""
    entries = contents_entries(book)
    parts: list[Part] = [Part(_chapter_pieces(book, "cover", entries, FILES))]
    for key in book.chapters:
        for piece in _chapter_pieces(book, key, entries, FILES):
            if key in LONG_CHAPTERS or parts[-1].pieces[-1].chapter in LONG_CHAPTERS:
                parts.append(Part([piece]))
            else:
                parts[-1].pieces.append(piece)
    page = _page(book)
    lines = int((page["height"] - page["top"] - page["bottom"] - 22) // 8)
    spares = [Piece("spare-notes", _render("notes_page.html", book, title=CHAPTER_TITLES["notes_pages"], lines=lines), 10),
              Piece("spare-blank", "", 0)]
    parts[0].pieces += spares
    for part in parts:
        part.html = _document(book, part.pieces)
    return parts, entries


def _document(book: Book, pieces: list[Piece]) -> str:
    laid = []
    for index, piece in enumerate(pieces):
        spare = piece.chapter.startswith("spare-")
        kind = "spare" if spare else "opens" if piece.opens and index else "piece"
        anchor = piece.chapter if spare else f"chapter-{piece.chapter}" if piece.opens else None
        laid.append({"kind": kind, "anchor": anchor, "body": Markup(piece.body)})  # noqa: S704  rendered templates
    return _render("part.html", book, pieces=laid)


def _chapter_pieces(book: Book, key: str, entries: list[dict], links, whole: bool = False) -> list[Piece]:
    """A chapter's pieces, its images at `links`; `whole`: in one piece (a preview)."""
    page = _page(book)
    title = CHAPTER_TITLES[key]
    parts: list[Piece] = []
    if key == "cover":
        parts.append(Piece(key, _render("cover.html", book, dates=_dates(book), image=links.cover(book)), 10))
    elif key == "sessions":
        firsts = {}
        for session in book.sessions:
            for item in session.items:
                for on_stage in item.speakers:
                    firsts.setdefault((session.id, on_stage.person_id), item.id)
        for index, sessions in enumerate(_chunks(book.sessions, max(1, len(book.sessions)) if whole else SESSIONS_PER_PART)):
            html = _render("sessions.html", book, title=title, sessions=sessions, first=index == 0,
                           speakers=book.speakers_by_id, firsts=firsts, kinds=KIND_LABELS,
                           item_kinds=ITEM_KIND_LABELS, roles=ROLE_LABELS)
            parts.append(Piece(key, html, sum(6 + len(s.items) + sum(len(i.speakers) for i in s.items) // 2 for s in sessions),
                               opens=index == 0))
    elif key == "speakers":
        for index, speakers in enumerate(_chunks(book.speakers, max(1, len(book.speakers)) if whole else SPEAKERS_PER_PART)):
            html = _render("speakers.html", book, title=title, speakers=speakers, first=index == 0, links=links)
            parts.append(Piece(key, html, sum(1 + len(s.bio) // 100 for s in speakers), opens=index == 0))
    elif key == "contents":
        parts.append(Piece(key, _render("contents.html", book, title=title, entries=entries), 10 + len(entries) // 4))
    elif key == "glance":
        grids = _glance(book)
        row_height = min(12, (page["height"] - page["top"] - page["bottom"] - 30) / max([g[2] for g in grids] or [1]))
        # A page of the grid takes twice an agenda page's work (measured), and so does a hotel's.
        parts.append(Piece(key, _render("glance.html", book, title=title, grids=grids, row_height=round(row_height, 2)),
                          20 * len(grids)))
    elif key == "venues":
        plans = {place: links.plan(place) for venue in book.venues for place in (venue, *venue.halls)}
        parts.append(Piece(key, _render("venues.html", book, title=title, plans=plans),
                           sum(5 + len(venue.halls) for venue in book.venues)))
    elif key == "hotels":
        from conference.hotels.forms import KIND_LABELS as HOTEL_KINDS
        from conference.hotels.travel import run_from, run_to

        parts.append(Piece(key, _render("hotels.html", book, title=title, hotel_kinds=HOTEL_KINDS,
                                       run_from=run_from, run_to=run_to),
                           sum(16 + sum(len(runs) for _, runs in days) // 2 for _, days in book.hotels)))
    elif key == "hosts":
        parts.append(Piece(key, _render("hosts.html", book, title=title), 10))
    elif key == "contacts":
        parts.append(Piece(key, _render("contacts.html", book, title=title), 10))
    else:
        parts.append(Piece(key, _render("text.html", book, title=title, text=book.texts[key]), 10))
    return parts


def chapter_html(book: Book, key: str) -> str:
    """One chapter (or the cover) as a single HTML document for the browser."""
    return _document(book, _chapter_pieces(book, key, contents_entries(book), WebLinks(book.edition.year), whole=True))


def _dates(book: Book) -> str:
    edition = book.edition
    first, last = day_label(edition.starts_on, skeleton="yMMMd"), day_label(edition.ends_on, skeleton="yMMMd")
    return first if first == last else f"{first} – {last}"


@contextmanager
def press(folder: Path, cover: Path | None) -> Iterator[pdf.Workers]:
    """The processes that lay out a book's parts, with a scratch folder under `folder`. Made
    before the book is gathered, so that they start and load their fonts meanwhile."""
    with tempfile.TemporaryDirectory(dir=folder, prefix=".handbook-") as scratch, \
            pdf.Workers(Path(scratch), folders=(photo_dir(), plan_folder(), *([cover.parent] if cover else [])),
                        plain=True) as workers:
        yield workers


def print_book(book: Book, target: Path, workers: pdf.Workers,
               progress: Callable[[int, int], None] | None = None) -> Printed:
    """The handbook's PDF at `target`: its parts laid out at once by `workers` (a press), then
    numbered and joined."""
    parts, entries = parts_of(book)
    total = len(parts) + 2
    order = sorted(range(len(parts)), key=lambda index: -parts[index].weight)
    laid = workers.render([parts[index].html for index in order],
                          lambda done: progress(done, total) if progress else None)
    results = [None] * len(parts)
    for index, result in zip(order, laid, strict=True):
        results[index] = result

    sequence: list[tuple[Path, int]] = []  # (file, page) for each page of the book
    kinds: list[tuple[str, str]] = []  # (chapter, "cover" | "opening" | "running" | "blank")
    starts: dict[str, int] = {}
    anchors: dict[str, tuple[int, float, float, float]] = {}
    spares = results[0]
    notes, blank = (spares[0], spares[1].anchors["spare-notes"][0]), (spares[0], spares[1].anchors["spare-blank"][0])
    for part, (file, laid_out) in zip(parts, results, strict=True):
        if part.opens and len(sequence) % 2:
            sequence.append(blank)
            kinds.append((part.pieces[0].chapter, "blank"))
        offset = len(sequence)
        for name, (page, x1, y1, x2, _) in laid_out.anchors.items():
            anchors[name] = (offset + page, x1, y1, x2)
        chapter_of = {}  # page in the part -> (chapter, kind); pages in none: blank
        for piece in part.pieces:
            if piece.chapter.startswith("spare-"):
                continue
            if not piece.opens:
                chapter_of.update({page: (piece.chapter, "running") for page in range(laid_out.pages)})
                continue
            first, last = laid_out.anchors[f"chapter-{piece.chapter}"][0], laid_out.anchors[f"end-chapter-{piece.chapter}"][0]
            starts[piece.chapter] = offset + first
            chapter_of.update({page: (piece.chapter, "running") for page in range(first + 1, last + 1)})
            chapter_of[first] = (piece.chapter, "cover" if piece.chapter == "cover" else "opening")
        pages = laid_out.anchors["spare-notes"][0] if "spare-notes" in laid_out.anchors else laid_out.pages
        for page in range(pages):
            sequence.append((file, page))
            kinds.append(chapter_of.get(page, (part.pieces[0].chapter, "blank")))
    while len(sequence) % 4:
        sequence.append(notes)
        kinds.append(("notes_pages", "opening"))

    numbers: dict[int, list[dict]] = {}
    size = _page(book)["font"] * PX_PER_PT

    def slot(name: str, text: str, kind: str) -> None:
        rank, x1, baseline, x2 = anchors[name]
        numbers.setdefault(rank, []).append({"kind": kind, "left": round(x1, 2), "width": round(x2 - x1, 2),
                                             "top": round(baseline - BASELINE * size, 2), "text": text})

    contents = []
    for entry in entries:
        number = anchors[entry["target"]][0] + 1
        contents.append((entry["title"], number))
        if entry["slot"] in anchors:
            slot(entry["slot"], str(number), "contents")
    for speaker in book.speakers:
        name = f"pages-{speaker.person.id}"
        if name in anchors:
            pages = sorted({anchors[f"at-{session.id}-{speaker.person.id}"][0] + 1 for session in speaker.sessions})
            slot(name, ", ".join(map(str, pages)), "pages")

    overlay_pages = []
    for rank, (chapter, kind) in enumerate(kinds):
        side = "right" if rank % 2 == 0 else "left"
        shown = kind in ("opening", "running")
        overlay_pages.append({"side": side, "folio": rank + 1 if shown else "",
                              "header": str(CHAPTER_TITLES[chapter]) if kind == "running" else "",
                              "numbers": numbers.get(rank, [])})
    # Two stretches of about the same work per worker, handed out as workers come free: a page's
    # numbers are most of it (the index's pages carry dozens), and one stretch per worker still
    # left one idle for a third of the round while the other finished.
    work = list(itertools.accumulate(1 + len(page_["numbers"]) for page_ in overlay_pages))
    count = min(2 * workers.count, len(overlay_pages))
    ends = [next(rank for rank, done in enumerate(work) if count * done >= share * work[-1]) + 1
            for share in range(1, count + 1)]
    stretches = [overlay_pages[start:end] for start, end in zip([0, *ends[:-1]], ends, strict=True) if end > start]
    overlays = [_render("overlay.html", book, pages=stretch) for stretch in stretches]
    overlay = [(file, page) for file, laid_out in workers.render(overlays) for page in range(laid_out.pages)]
    if progress:
        progress(total, total)

    outline = [(1, str(CHAPTER_TITLES[chapter]), rank) for chapter, rank in starts.items()]
    if "sessions" in starts:
        at = outline.index((1, str(CHAPTER_TITLES["sessions"]), starts["sessions"]))
        outline[at + 1:at + 1] = [(2, session.title, anchors[f"session-{session.id}"][0]) for session in book.sessions]
    pdf.assemble(sequence, target, overlay=overlay, outline=outline, title=book.title,
                 language=HTML_LANG[book.options.language])
    return Printed(len(sequence), book.log, outline, contents)
