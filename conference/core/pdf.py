"""PDFs with WeasyPrint: the machine's own CJK fonts (Noto Sans CJK SC for Simplified, TC for
Traditional, chosen by the `lang` of each element), subset and embedded; nothing fetched."""

from pathlib import Path

from flask import current_app
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

_fonts: FontConfiguration | None = None


def _font_config() -> FontConfiguration:
    global _fonts
    if _fonts is None:
        _fonts = FontConfiguration()
    return _fonts


class LocalFiles(URLFetcher):
    """Only files of this app (static files, stored photos) and data: URLs; never the network."""

    def __init__(self, roots: tuple[Path, ...]):
        super().__init__(allowed_protocols={"file", "data"})
        self.roots = roots

    def fetch(self, url, headers=None):
        if url.startswith("file://"):
            path = Path(url[len("file://"):].split("?")[0]).resolve()
            if not any(path.is_relative_to(root) for root in self.roots):
                raise ValueError(f"refusing to read {path} while rendering a PDF")
        return super().fetch(url, headers)


def _local_only() -> LocalFiles:
    return LocalFiles((Path(current_app.static_folder).resolve(), Path(current_app.config["INSTANCE_DIR"]).resolve()))


def document(html: str):
    """A laid-out WeasyPrint document, so that batches can join pages of several renders."""
    return HTML(string=html, base_url=str(Path(current_app.static_folder)), url_fetcher=_local_only()).render(
        font_config=_font_config()
    )


def render(html: str) -> bytes:
    return document(html).write_pdf()


def join(documents) -> bytes:
    documents = list(documents)
    pages = [page for doc in documents for page in doc.pages]
    return documents[0].copy(pages).write_pdf()
