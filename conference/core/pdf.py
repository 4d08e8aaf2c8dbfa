"""PDFs with WeasyPrint: the machine's own CJK fonts (Noto Sans CJK SC for Simplified, TC for
Traditional, chosen by the `lang` of each element), subset and embedded; nothing fetched.
Characters Noto Sans CJK lacks (𪚥 U+2A6A5 and others of CJK Extensions B to H, found in names)
fall back to BabelStone Han (Debian's fonts-babelstone-han), glyph by glyph."""

import gc
import itertools
import mimetypes
import multiprocessing
import os
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

_fonts: FontConfiguration | None = None

# The font-family of PDF text by language: listed after Noto, BabelStone Han is used only for
# the glyphs Noto does not have, so the rest keeps Noto's regional forms.
RARE_CHARACTER_FONT = '"BabelStone Han"'
FONT_FAMILIES = {
    "zh-Hans": f'"Noto Sans CJK SC", {RARE_CHARACTER_FONT}, sans-serif',
    "zh-Hant": f'"Noto Sans CJK TC", {RARE_CHARACTER_FONT}, sans-serif',
}


def fonts() -> FontConfiguration:
    """This process's fonts, loaded once, by a line in each CJK face. The PDF workers' fork
    server loads them (core.pdf_server) before it forks any worker, so each starts with them."""
    global _fonts
    if _fonts is None:
        _fonts = FontConfiguration()
        lines = "".join(f'<p style="font-family: {family}">中文 繁體 Latin</p>' for family in FONT_FAMILIES.values())
        HTML(string=f"<html><body>{lines}</body></html>").render(font_config=_fonts).write_pdf()
    return _fonts


class LocalFiles(URLFetcher):
    """Only files under the given folders (the static files, stored photos) and data: URLs;
    never the network. A file URL is unquoted and resolved, symbolic links included, before it
    is checked, and the file read is the one checked: `%2e%2e`, `..%2f` or a link cannot lead
    out of the folders."""

    def __init__(self, roots: tuple[Path, ...]):
        super().__init__(allowed_protocols={"data"})
        self.roots = tuple(root.resolve() for root in roots)

    def fetch(self, url, headers=None):
        if url[:5].lower() != "file:":
            return super().fetch(url, headers)  # data: URLs; any other scheme is refused there
        path = self.allowed(url)
        if path is None:
            raise ValueError(f"refusing to read {url[:200]} while rendering a PDF")
        mime_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": mime_type})

    def allowed(self, url: str) -> Path | None:
        """The real path of a file URL if it is a file under one of the folders, else None."""
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            return None
        try:
            path = Path(unquote(parts.path, errors="strict")).resolve(strict=True)
        except (OSError, RuntimeError, UnicodeDecodeError, ValueError):
            return None
        if not path.is_file() or not any(path.is_relative_to(root) for root in self.roots):
            return None
        return path


# WeasyPrint matches every element against the ~250 rules of its HTML5 stylesheet: a sixth of
# a badge's layout. A `plain` document (made only of html, body, div, p, span, br and img, as
# the badge sheets are) gets just what that stylesheet says of those elements, which lays it
# out the same, page for page.
PLAIN_ELEMENTS = CSS(string="""
head, style, title, meta, link, script { display: none }
html, body, div, p { display: block }
p { margin-top: 1em; margin-bottom: 1em }
body { margin: 8px }
br::before { content: "\\A"; white-space: pre-line }
img { overflow: hidden }
@page { margin: 75px }
""")


class _PlainHTML(HTML):
    def _ua_stylesheets(self, forms=False):  # WeasyPrint's hook for its own stylesheet
        return [PLAIN_ELEMENTS]


def document(html: str, folders: tuple[Path, ...] = (), plain: bool = False):
    """A laid-out WeasyPrint document. It may read the static files and the `folders` given
    (the stored photos), nothing else."""
    return _layout(html, _static(), folders, fonts(), plain)


def _static() -> Path:
    """The app's static folder, in the app's process (the workers have no app, nor Flask)."""
    from flask import current_app

    return Path(current_app.static_folder)


def render(html: str, folders: tuple[Path, ...] = (), plain: bool = False) -> bytes:
    """One document, in this process: a single badge, a short list."""
    return document(html, folders, plain).write_pdf()


def _layout(html: str, static: Path, folders: tuple[Path, ...], fonts: FontConfiguration, plain: bool = False):
    fetcher = LocalFiles((static, *folders))
    kind = _PlainHTML if plain else HTML
    return kind(string=html, base_url=str(static), url_fetcher=fetcher).render(font_config=fonts)


# Many documents: parts rendered in a pool of processes, then joined -----------------------------

_worker: tuple[Path, tuple[Path, ...], FontConfiguration] | None = None


def _start_worker(static: Path, folders: tuple[Path, ...]) -> None:
    """Once per worker process: the folders it may read and its fonts. No Flask app there.
    What the process holds now (160,000 objects) lives as long as it does, so it is frozen:
    the collection after each part walks only what the part left."""
    global _worker
    _worker = (static, folders, fonts())
    gc.collect()
    gc.freeze()


@dataclass(frozen=True)
class LaidOut:
    """Where a part's marked places landed: its page count, and each element with an id as
    (page index, x1, y1, x2, y2) in CSS pixels from the page's top left, on the page where it
    begins (an empty inline block's y1 is its line's baseline)."""

    pages: int
    anchors: dict[str, tuple[int, float, float, float, float]]


def _render_part(html: str, target: Path, plain: bool) -> LaidOut:
    """Lay out and write one part. The cycle collector is off meanwhile: a part's boxes live
    until the part is written, so the collections it would run while they pile up find nothing
    to free and cost a fifth of the layout; one collection after the part frees them."""
    static, folders, fonts = _worker
    gc.disable()
    try:
        laid_out = _layout(html, static, folders, fonts, plain)
        laid_out.write_pdf(target)
        anchors = {}
        for index, page in enumerate(laid_out.pages):
            for name, box in page.anchors.items():
                anchors.setdefault(name, (index, *box))  # an element over several pages: where it begins
        return LaidOut(len(laid_out.pages), anchors)
    finally:
        laid_out = None
        gc.enable()
        gc.collect()


def _pool(count: int, static: Path, folders: tuple[Path, ...]) -> ProcessPoolExecutor:
    """`count` rendering processes, forked from a server process that has imported WeasyPrint
    and loaded the fonts once (the first pool of this process starts it; later pools fork from
    it at once): forked from there, not from this process, a worker inherits neither the app's
    database connections nor its threads, and loads nothing again."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([f"{__package__}.pdf_server"])
    pool = ProcessPoolExecutor(count, mp_context=context, initializer=_start_worker, initargs=(static, folders))
    # The pool starts a process per task submitted, and starting one waits until the server
    # has loaded: that wait is a thread's, while this process goes on writing the first parts.
    threading.Thread(target=_start_processes, args=(pool, count), daemon=True).start()
    return pool


def _start_processes(pool: ProcessPoolExecutor, count: int) -> None:
    try:
        for _ in range(count):
            pool.submit(_warm)
    except RuntimeError:  # the pool was shut down first: nothing to start
        pass


def workers() -> int:
    """The processes a batch renders in: one per core this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def render_parts(parts: Iterable[str], target: Path, folders: tuple[Path, ...] = (),
                 progress: Callable[[int], None] | None = None, plain: bool = False) -> int:
    """Render each part (an HTML document) to its own PDF in a pool of processes, then join them
    in order into `target`; returns the number of pages. A part is made only when a worker is
    about to be free, so memory grows with the size of a part, not with the number of parts.
    `progress(n)` is told each time the first n parts are done, in this process. A single
    part is rendered here: starting the pool would cost more than it saves."""
    parts = iter(parts)
    first, second = next(parts, None), next(parts, None)
    if first is None:
        raise ValueError("no document to render")
    if second is None:
        laid_out = document(first, folders, plain)
        laid_out.write_pdf(target)
        if progress is not None:
            progress(1)
        return len(laid_out.pages)
    parts = itertools.chain((first, second), parts)
    static = _static()
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".parts-") as folder:
        files, pages, pending = [], 0, {}
        count = workers()
        with _pool(count, static, folders) as pool:
            for index, html in enumerate(parts):
                files.append(Path(folder) / f"{index:06d}.pdf")
                pending[index] = pool.submit(_render_part, html, files[-1], plain)
                while len(pending) > count:  # one part waiting per worker, no more
                    pages += _finish(pending, progress).pages
            while pending:
                pages += _finish(pending, progress).pages
        join_files(files, target)
    return pages


def _finish(pending: dict, progress: Callable[[int], None] | None) -> LaidOut:
    """Wait for the oldest part still pending, so progress counts parts done in order."""
    index = min(pending)
    laid_out = pending.pop(index).result()
    if progress is not None:
        progress(index + 1)
    return laid_out


def join_files(files: list[Path], target: Path) -> None:
    """Join PDFs page by page with qpdf, which copies the pages without laying anything out
    again. Keeping unreferenced resources spares it a scan of every page (37 s for 2,000)."""
    if len(files) == 1:
        shutil.move(files[0], target)
        return
    qpdf = shutil.which("qpdf")
    if qpdf is None:
        raise RuntimeError("qpdf is missing: scripts/system-packages.sh installs it")
    command = [qpdf, "--empty", "--remove-unreferenced-resources=no", "--pages", *map(str, files), "--", str(target)]
    subprocess.run(command, check=True, capture_output=True)  # noqa: S603  our own files, no shell


class Workers:
    """A pool of rendering processes kept for several rounds of parts, where each round needs
    what the one before learnt (a book: its chapters' page counts, then the page numbers laid
    over them). The workers start as soon as the pool is made, while the caller is still
    writing the first parts."""

    def __init__(self, folder: Path, folders: tuple[Path, ...] = (), plain: bool = False):
        self.folder, self.plain, self.count = folder, plain, workers()
        self.pool = _pool(self.count, _static(), folders)
        self.made = 0

    def __enter__(self) -> "Workers":
        return self

    def __exit__(self, *exc) -> None:
        self.pool.shutdown(cancel_futures=True)

    def render(self, parts: list[str], progress: Callable[[int], None] | None = None) -> list[tuple[Path, LaidOut]]:
        """Each part to a PDF of its own, all at once (a book has few parts: the longest should
        come first, so that no worker waits for it at the end). `progress(n)` counts parts done."""
        files = [self.folder / f"{self.made + index:04d}.pdf" for index in range(len(parts))]
        self.made += len(parts)
        futures = {self.pool.submit(_render_part, html, file, self.plain): index
                   for index, (html, file) in enumerate(zip(parts, files, strict=True))}
        results: list[LaidOut | None] = [None] * len(parts)
        for done, future in enumerate(as_completed(futures), start=1):
            results[futures[future]] = future.result()
            if progress is not None:
                progress(done)
        return list(zip(files, results, strict=True))


def _warm() -> None:
    """A worker's first task, which only makes the pool start the process now (it starts one
    per task submitted): the fork server has loaded WeasyPrint and the fonts already."""


def assemble(pages: list[tuple[Path, int]], target: Path, overlay: list[tuple[Path, int]] = (),
             outline: Iterable[tuple[int, str, int]] = (), title: str = "", language: str = "") -> None:
    """One PDF from pages of several files, (file, page index) in order, the same page as often
    as it is named (blank and notes pages); each page of `overlay`, named the same way, drawn
    over the page of the same rank (page numbers, running headers); a fresh outline of (level,
    label, page rank), since joined files keep none of their own; the title and language in
    the metadata."""
    import pikepdf

    sources: dict[Path, pikepdf.Pdf] = {}

    def page_of(file: Path, index: int):
        if file not in sources:
            sources[file] = pikepdf.Pdf.open(file)
        return sources[file].pages[index]

    book = pikepdf.Pdf.new()
    try:
        for file, index in pages:
            book.pages.append(page_of(file, index))
        if overlay:
            for page, (file, index) in zip(book.pages, overlay, strict=True):
                # Laid over the whole page, bleed included (qpdf would clip it to the trim box):
                # the overlay's crop marks stay visible over a picture that runs into the bleed.
                over = page_of(file, index)
                over.obj.TrimBox = over.mediabox
                page.add_overlay(over, pikepdf.Rectangle(page.mediabox))
        with book.open_outline() as tree:
            parents: list[tuple[int, pikepdf.OutlineItem]] = []
            for level, label, rank in outline:
                item = pikepdf.OutlineItem(label, rank)
                while parents and parents[-1][0] >= level:
                    parents.pop()
                (parents[-1][1].children if parents else tree.root).append(item)
                parents.append((level, item))
        with book.open_metadata(set_pikepdf_as_editor=False) as metadata:
            metadata["dc:title"] = title
            metadata["dc:language"] = {language}
        book.docinfo["/Title"] = title
        book.Root.Lang = pikepdf.String(language)
        book.Root.PageMode = pikepdf.Name.UseOutlines
        book.save(target)
    finally:
        book.close()
        for source in sources.values():
            source.close()
