"""The PDF renderer reads only the static files and the stored photos, whatever a URL spells."""

import os
from pathlib import Path

import pytest

from conference.core import pdf
from conference.people.services import photo_dir


@pytest.fixture
def folders(app, ctx):
    """The static folder, the photo folder with a photo in it, and a secret in the instance folder."""
    static, photos, instance = Path(app.static_folder), photo_dir(), Path(app.config["INSTANCE_DIR"])
    photo = photos / "portrait.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0 a photo")
    secret = instance / "test-secret.key"
    secret.write_text("the key file")
    yield static, photos, secret
    photo.unlink()
    secret.unlink()


def _fetcher(static, photos):
    return pdf.LocalFiles((static, photos))


def _dotted(start: Path, target: Path, dots: str, slash: str = "/") -> str:
    """A file URL from `start` to `target` whose parent steps are spelt `dots`."""
    steps = os.path.relpath(target, start).split(os.sep)
    return f"file://{start}/" + slash.join(dots if step == ".." else step for step in steps)


def test_static_files_photos_and_data_urls_are_read(folders):
    static, photos, _ = folders
    fetcher = _fetcher(static, photos)
    assert b"body" in fetcher.fetch((static / "css" / "app.css").as_uri()).read()
    assert fetcher.fetch((photos / "portrait.jpg").as_uri()).read().startswith(b"\xff\xd8")
    assert fetcher.fetch("file://localhost" + str(photos / "portrait.jpg")).read().startswith(b"\xff\xd8")
    assert fetcher.fetch("data:text/plain;base64,aGk=").read() == b"hi"


@pytest.mark.parametrize("spelling", [
    lambda static, photos, secret: _dotted(static, secret, "%2e%2e"),
    lambda static, photos, secret: _dotted(static, secret, "%2E%2E"),
    lambda static, photos, secret: _dotted(static, secret, ".%2e"),
    lambda static, photos, secret: _dotted(photos, secret, "%2e%2e"),
    lambda static, photos, secret: _dotted(static, secret, "..", "%2f"),
    lambda static, photos, secret: _dotted(static, secret, "..", "%2F"),
    lambda static, photos, secret: _dotted(static, secret, ".."),
    lambda static, photos, secret: secret.as_uri(),
    lambda static, photos, secret: "file://localhost" + str(secret),
    lambda static, photos, secret: "file://" + str(secret).replace("/", "%2f"),
    lambda static, photos, secret: f"file://{static}/%2e%2e/config.py",
    lambda static, photos, secret: (photos.parent / "pii.key").as_uri(),
    lambda static, photos, secret: "file:///etc/passwd",
    lambda static, photos, secret: "file:///etc/passwd?x=/static/",
    lambda static, photos, secret: f"file://example.org{static}/css/app.css",
    lambda static, photos, secret: (static / "css").as_uri(),
    lambda static, photos, secret: "http://127.0.0.1/static/css/app.css",
    lambda static, photos, secret: "ftp://127.0.0.1/secret",
], ids=["%2e%2e", "%2E%2E", ".%2e", "from-photos", "..%2f", "..%2F", "dots", "absolute", "localhost",
        "encoded-slashes", "project-file", "instance-pii-key", "etc-passwd", "query", "other-host", "folder",
        "http", "ftp"])
def test_everything_else_is_refused(folders, spelling):
    static, photos, secret = folders
    with pytest.raises(ValueError, match="refusing|disallowed"):
        _fetcher(static, photos).fetch(spelling(static, photos, secret))


def test_a_symbolic_link_out_of_the_photo_folder_is_refused(folders):
    static, photos, secret = folders
    link = photos / "link.jpg"
    link.symlink_to(secret)
    try:
        with pytest.raises(ValueError, match="refusing"):
            _fetcher(static, photos).fetch(link.as_uri())
    finally:
        link.unlink()


@pytest.mark.parametrize("href", [
    lambda static, sheet: _dotted(static, sheet, "%2e%2e"),
    lambda static, sheet: sheet.as_uri(),  # the instance folder, which holds the key file in development
], ids=["%2e%2e", "instance-folder"])
def test_a_rendered_document_reads_nothing_outside_the_folders(app, folders, href):
    """End to end: a stylesheet in the instance folder, if it were read, would shrink the page."""
    static, photos, secret = folders
    sheet = secret.with_suffix(".css")
    sheet.write_text("@page { size: 50mm 50mm }")
    try:
        html = f'<link rel="stylesheet" href="{href(static, sheet)}"><p>x</p>'
        assert round(pdf.document(html).pages[0].width) == 794  # A4 in CSS pixels, not 50 mm (189)
    finally:
        sheet.unlink()
