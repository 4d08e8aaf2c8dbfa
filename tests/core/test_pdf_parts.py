"""Many documents rendered in a pool of processes and joined in order, without laying them out again."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from conference.core import pdf

pytestmark = pytest.mark.database_free


def _document(part: int, pages: int) -> str:
    sheets = "".join(f'<p style="break-after: page">part {part} page {page}</p>' for page in range(1, pages + 1))
    return f"<!doctype html><html><body>{sheets}</body></html>"


def test_parts_are_joined_in_order_with_every_page(app, ctx, tmp_path):
    done = []
    target = tmp_path / "joined.pdf"
    parts = [_document(part, part) for part in range(1, 5)]  # 1 + 2 + 3 + 4 pages, more parts than workers
    assert pdf.render_parts(iter(parts), target, progress=done.append) == 10
    text = subprocess.run(["pdftotext", str(target), "-"], capture_output=True, check=True, text=True).stdout
    pages = [page.strip() for page in text.split("\f") if page.strip()]
    assert pages == [f"part {part} page {page}" for part in range(1, 5) for page in range(1, part + 1)]
    assert done == [1, 2, 3, 4]  # parts done, in order
    info = subprocess.run(["pdfinfo", str(target)], capture_output=True, check=True, text=True).stdout
    assert re.search(r"^Pages: +10$", info, re.M)
    assert [path.name for path in tmp_path.iterdir()] == ["joined.pdf"]  # the parts' files are gone


def test_one_part_is_rendered_without_a_pool(app, ctx, tmp_path, monkeypatch):
    monkeypatch.setattr(pdf, "ProcessPoolExecutor", None)  # would fail if used
    target = tmp_path / "one.pdf"
    assert pdf.render_parts([_document(1, 2)], target) == 2
    assert target.read_bytes().startswith(b"%PDF")


def test_workers_read_only_the_folders_given(app, ctx, tmp_path):
    """The pool's workers have no app: they get the static folder and the photos as paths, and
    the same fetcher, which reads a photo there and nothing elsewhere."""
    photos, elsewhere = tmp_path / "photos", tmp_path / "elsewhere"
    for folder, size in ((photos, 30), (elsewhere, 40)):
        folder.mkdir()
        Image.new("RGB", (size, size), (200, 30, 30)).save(folder / "face.png")
    parts = [f'<!doctype html><html><body><img src="{(folder / "face.png").as_uri()}"></body></html>'
             for folder in (photos, elsewhere)]
    target = tmp_path / "out.pdf"
    assert pdf.render_parts(parts, target, folders=(photos,)) == 2
    images = subprocess.run(["pdfimages", "-list", str(target)], capture_output=True, check=True,
                            text=True).stdout.splitlines()[2:]
    assert [(line.split()[0], line.split()[3]) for line in images] == [("1", "30")]  # page 1's photo only


def test_a_rendering_process_imports_no_database_or_web_extensions():
    """The workers' fork server imports core/pdf, hence the conference package: Flask and the
    extensions (SQLAlchemy, Alembic, Huey…) stay unimported, a second of a core saved before
    the first part of a cold build can start."""
    check = ("import sys, conference.core.pdf_server; "
             "print(sorted(m for m in sys.modules if m.split('.')[0] in ('alembic', 'huey', 'sqlalchemy', 'flask_migrate',"
             " 'flask', 'werkzeug') or m == 'conference.extensions'))")
    loaded = subprocess.run([sys.executable, "-c", check], capture_output=True, check=True, text=True).stdout
    assert loaded.strip() == "[]"


def test_rendering_processes_are_forked_from_a_server_that_outlives_the_pool(app, ctx, tmp_path):
    """Not forked from this process (its database connections and threads stay here), not
    spawned afresh (each would import WeasyPrint and load the fonts again): forked from one
    server, which loaded them once and serves the next pool too."""
    parents = set()
    for _ in range(2):
        with pdf._pool(2, tmp_path, ()) as pool:
            parents |= {pool.submit(os.getppid).result() for _ in range(4)}
    assert len(parents) == 1 and os.getpid() not in parents
    server = Path(f"/proc/{parents.pop()}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    assert "multiprocessing.forkserver" in server and "conference.core.pdf_server" in server
