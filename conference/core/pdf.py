"""PDFs with WeasyPrint: the machine's own CJK fonts (Noto Sans CJK SC for Simplified, TC for
Traditional, chosen by the `lang` of each element), subset and embedded; nothing fetched.
Characters Noto Sans CJK lacks (𪚥 U+2A6A5 and others of CJK Extensions B to H, found in names)
fall back to BabelStone Han (Debian's fonts-babelstone-han), glyph by glyph."""

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import current_app
from weasyprint import HTML
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


def _font_config() -> FontConfiguration:
    global _fonts
    if _fonts is None:
        _fonts = FontConfiguration()
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


def document(html: str, folders: tuple[Path, ...] = ()):
    """A laid-out WeasyPrint document, so that batches can join pages of several renders. It
    may read the static files and the `folders` given (the stored photos), nothing else."""
    static = Path(current_app.static_folder)
    return HTML(string=html, base_url=str(static), url_fetcher=LocalFiles((static, *folders))).render(
        font_config=_font_config()
    )


def render(html: str, folders: tuple[Path, ...] = ()) -> bytes:
    return document(html, folders).write_pdf()


def join(documents) -> bytes:
    documents = list(documents)
    pages = [page for doc in documents for page in doc.pages]
    return documents[0].copy(pages).write_pdf()
