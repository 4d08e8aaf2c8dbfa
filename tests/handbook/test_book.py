"""The handbook as printed: one build per language of a small edition (through the service, the
job and the command), then everything read back from the PDFs themselves."""

import re
import subprocess
from pathlib import Path

import pikepdf
import pytest
from flask_babel import force_locale
from PIL import Image
from sqlalchemy import select

from conference.core.i18n import to_traditional
from conference.editions.services import get_edition
from conference.extensions import db
from conference.handbook import printing, services
from conference.handbook.book import CHAPTER_TITLES, LOCALES
from conference.handbook.models import HandbookBuild
from tests.conftest import login, make_user
from tests.handbook.conftest import RARE, picture, small_edition

COVER_SIZE, PALE = (600, 400), (240, 225, 190)


def _text(path: Path, page: int | None = None, layout: bool = False) -> str:
    command = ["pdftotext", *(["-layout"] if layout else []),
               *(["-f", str(page), "-l", str(page)] if page else []), str(path), "-"]
    return subprocess.run(command, capture_output=True, check=True, text=True).stdout


def _fonts(path: Path, page: int | None = None) -> list[list[str]]:
    command = ["pdffonts", *(["-f", str(page), "-l", str(page)] if page else []), str(path)]
    lines = subprocess.run(command, capture_output=True, check=True, text=True).stdout.splitlines()[2:]
    return [line.split() for line in lines]


@pytest.fixture(scope="module")
def made(app, tmp_path_factory):
    """The three books, each made once: Simplified by the service, Traditional by the organizers'
    button (a job), English by `flask handbook pdf` for the printer (bleed and crop marks); then
    the Simplified one asked for again, with nothing changed, counting the layouts."""
    folder = tmp_path_factory.mktemp("handbooks")
    with app.app_context():
        facts = small_edition()
        edition = get_edition(2023)
        services.set_cover(edition, services.check_cover(picture("PNG", COVER_SIZE, colour=PALE)))
        db.session.commit()
        first = services.build(edition, services.check_options("zh_Hans"))
        db.session.commit()
        (folder / "zh_Hans.pdf").write_bytes(services.file_of(first).read_bytes())
        facts["log"] = first.log

        laid_out = []
        original = printing.print_book
        printing.print_book = lambda *args, **kwargs: laid_out.append(1) or original(*args, **kwargs)
        try:
            again = services.build(edition, services.check_options("zh_Hans"))
            facts["again_same"] = again.id == first.id
            facts["again_layouts"] = len(laid_out)
            services.set_published(edition, True)
            db.session.commit()
            answer = app.test_client().get("/api/v1/editions/2023/handbook.pdf?lang=zh_Hans")
            facts["api"] = (answer.status_code, answer.data == (folder / "zh_Hans.pdf").read_bytes(), len(laid_out))
        finally:
            printing.print_book = original

    client = app.test_client()
    login(client, make_user(app, "organizer"))
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get("/editions/2023/handbook/").text).group(1)
    answer = client.post("/editions/2023/handbook/build", data={"csrf_token": token, "language": "zh_Hant",
                                                                "size": "a5"})
    facts["job_redirect"] = answer.headers["Location"]
    with app.app_context():
        built = db.session.execute(select(HandbookBuild).where(HandbookBuild.language == "zh_Hant")).scalar_one()
        (folder / "zh_Hant.pdf").write_bytes(services.file_of(built).read_bytes())

    result = app.test_cli_runner().invoke(args=["handbook", "pdf", "--edition", "2023", "--lang", "en", "--bleed",
                                                "--out", str(folder / "en.pdf")])
    assert result.exit_code == 0, result.output
    facts["cli"] = result.output
    facts["paths"] = {language: folder / f"{language}.pdf" for language in ("zh_Hans", "zh_Hant", "en")}
    return facts


LANGUAGES = ("zh_Hans", "zh_Hant", "en")


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_file_passes_qpdf_check(made, language):
    subprocess.run(["qpdf", "--check", str(made["paths"][language])], check=True, capture_output=True)


def test_each_interface_made_its_book(made):
    assert made["job_redirect"].startswith("/jobs/")
    assert re.search(r"^\d+ pages written to ", made["cli"], re.M)


@pytest.mark.parametrize(("language", "family", "other"), [("zh_Hans", "SC", "TC"), ("zh_Hant", "TC", "SC")])
def test_only_embedded_subsets_of_the_languages_font(made, language, family, other):
    path = made["paths"][language]
    fonts = _fonts(path)
    assert fonts and all(row[-5:-3] == ["yes", "yes"] for row in fonts), fonts  # emb, sub
    names = {row[0].split("+", 1)[1] for row in fonts}
    assert any(f"notosanscjk{family.lower()}" in name.replace("-", "").lower() for name in names), names
    assert not any(f"notosanscjk{other.lower()}" in name.replace("-", "").lower() for name in names), names
    # BabelStone Han only in the parts where the rare character is printed (a part's pages share
    # their fonts): on its pages, not on the cover nor the hotel's page.
    def babelstone(page: int) -> bool:
        return any("BabelStone" in row[0] for row in _fonts(path, page))

    rare_pages = [n for n in range(1, _pages(path) + 1) if RARE in _text(path, n)]
    hotel_page = next(n for n in range(1, _pages(path) + 1) if "0592-1234567" in _text(path, n))
    assert rare_pages and all(babelstone(page) for page in rare_pages)
    assert not babelstone(1) and not babelstone(hotel_page)


def _pages(path: Path) -> int:
    with pikepdf.open(path) as book:
        return len(book.pages)


def _title(app, key: str, language: str) -> str:
    with app.test_request_context(), force_locale(LOCALES[language]):
        return str(CHAPTER_TITLES[key])


def _contents(app, path: Path, language: str) -> list[tuple[str, int]]:
    """The contents page's entries as printed: (title, page number)."""
    heading = _title(app, "contents", language)
    for page in range(1, 8):
        text = _text(path, page, layout=True)
        if text.lstrip().startswith(heading):
            return [(m.group(1).strip(), int(m.group(2))) for m in re.finditer(r"^\s*(\S.*?)\s{2,}(\d+)\s*$", text, re.M)
                    if not m.group(1).strip().isdigit()]
    raise AssertionError("no contents page")


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_contents_entry_is_on_the_page_it_names(app, made, language):
    path = made["paths"][language]
    entries = _contents(app, path, language)
    assert len(entries) >= 8
    for title, number in entries:
        assert title in _text(path, number).replace("\n", " "), (title, number)


@pytest.mark.parametrize("language", LANGUAGES)
def test_chapters_open_on_right_hand_pages_and_pages_come_in_fours(app, made, language):
    path = made["paths"][language]
    titles = {_title(app, key, language) for key in CHAPTER_TITLES}
    chapters = [number for title, number in _contents(app, path, language) if title in titles]
    assert len(chapters) == 9 and all(number % 2 == 1 for number in chapters), chapters
    assert _pages(path) % 4 == 0
    assert _text(path, 2).strip() == ""  # the left-hand page left blank after the cover: no header, no number


def test_every_published_session_and_speaker_appears_and_no_draft(made):
    text = _text(made["paths"]["zh_Hans"])
    for title in made["published"]:
        assert title in text
    for key in ("zhang", "li", "smith", "rare"):
        assert made["speakers"][key] in text
    assert made["draft"] not in text and made["speakers"]["hidden"] not in text
    assert "《中国网络文明发展报告2023》" in text  # the release is named


def test_a_speaker_without_the_consent_is_printed_by_name_only(made):
    for language in LANGUAGES:
        text = _text(made["paths"][language])
        assert "隐秘研究所" not in text and "首席秘书" not in text and "这段简介" not in text
        assert "網絡文明研究院" in text or "网络文明研究院" in text  # a consenting speaker's organisation is


def test_the_index_names_the_pages_where_each_speaker_speaks(app, made):
    path = made["paths"]["zh_Hans"]
    heading = _title(app, "speakers", "zh_Hans")
    index_page = next(n for n in range(1, _pages(path) + 1) if _text(path, n).lstrip().startswith(heading))
    lines = _text(path, index_page, layout=True)
    zhang = re.search(r"^\s*张伟\s+([\d, ]+)$", lines, re.M)
    assert zhang, lines
    pages = [int(n) for n in zhang.group(1).split(",")]
    assert len(pages) == 3  # the opening, sub-forum 5 and sub-forum 7
    for page in pages:
        assert "张伟" in _text(path, page)


def test_the_traditional_books_own_text_is_what_s2tw_would_leave(made):
    text = _text(made["paths"]["zh_Hant"])
    for name in made["speakers"].values():
        text = text.replace(name, "")  # people's names stay as written
    assert to_traditional(text) == text
    assert "歡迎來到" in text  # the organizers' Simplified welcome, converted


def test_bookmarks_for_every_chapter_and_session_and_the_metadata(made):
    with pikepdf.open(made["paths"]["en"]) as book:
        with book.open_outline() as outline:
            chapters = [item.title for item in outline.root]
            sessions = [child.title for item in outline.root for child in item.children]
        assert book.docinfo["/Title"] == "2023 China Internet Civilization Conference"
        assert str(book.Root.Lang) == "en"
    assert {"Contents", "Agendas of the sessions", "Speakers", "Hotels and shuttles"} <= set(chapters)
    assert sessions == [f"EN {title}" for title in made["published"]]


def test_the_printers_book_has_3_mm_bleed_around_its_a5_pages(made):
    with pikepdf.open(made["paths"]["en"]) as book, pikepdf.open(made["paths"]["zh_Hans"]) as plain:
        for page in book.pages:
            media, trim = [float(v) for v in page.mediabox], [float(v) for v in page.trimbox]
            assert [round(t - m, 1) for m, t in zip(media, trim, strict=True)] == [8.5, 8.5, -8.5, -8.5]  # 3 mm
            assert round(trim[2] - trim[0]) == 420 and round(trim[3] - trim[1]) == 595  # A5
        assert [float(v) for v in plain.pages[0].trimbox] == [float(v) for v in plain.pages[0].mediabox]


def test_the_same_inputs_are_served_without_laying_out_again(made):
    assert made["again_same"] and made["again_layouts"] == 0
    assert made["api"] == (200, True, 0)


def test_raw_html_in_a_text_never_reaches_the_book(made):
    text = _text(made["paths"]["zh_Hans"])
    assert "欢迎来到" in text and "alert" not in text and "script" not in text



@pytest.mark.parametrize("language", LANGUAGES)
def test_the_cover_prints_the_organizers_image(made, language):
    listed = subprocess.run(["pdfimages", "-list", "-f", "1", "-l", "1", str(made["paths"][language])],
                            capture_output=True, check=True, text=True).stdout.splitlines()[2:]
    assert [line.split()[3:5] for line in listed] == [[str(n) for n in COVER_SIZE]]


def test_the_cover_image_runs_into_the_bleed_under_visible_crop_marks(made, tmp_path):
    """The English book has 3 mm of bleed: its top left corner, outside the trimmed page, shows
    the picture, and the crop marks over it."""
    subprocess.run(["pdftoppm", "-png", "-r", "300", "-f", "1", "-l", "1", "-x", "0", "-y", "0", "-W", "35", "-H", "35",
                    str(made["paths"]["en"]), str(tmp_path / "corner")], check=True)
    corner = Image.open(next(tmp_path.glob("corner*.png"))).convert("RGB")
    assert max(abs(a - b) for a, b in zip(corner.getpixel((2, 2)), PALE, strict=True)) < 12  # the picture
    assert any(sum(corner.getpixel((x, y))) < 200 for x in range(35) for y in range(35))  # the marks on it
