"""Photo uploads: the size in pixels is checked from the header before anything is decoded, and
an accepted upload is decoded once per request, however often it is checked and stored."""

import io
import struct
import zlib

import pytest
from PIL import Image, ImageFile
from sqlalchemy import func, select

from conference.editions.services import get_edition
from conference.extensions import db
from conference.people import services
from conference.people.models import Person
from tests.conftest import demo_steps, submit


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def grey_png(width: int, height: int) -> bytes:
    """A complete, valid greyscale PNG of this size, made row by row: 40 megapixels of black
    compress to some 40 KB without the test ever holding the pixels."""
    packer = zlib.compressobj(9)
    row = bytes(width + 1)  # filter byte 0, then black pixels
    idat = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")


@pytest.fixture
def decodes(monkeypatch):
    """How many times image data is decoded: each ImageFile.load that still has tiles to read."""
    count = {"decodes": 0}
    load = ImageFile.ImageFile.load

    def counted_load(image):
        if image.tile:
            count["decodes"] += 1
        return load(image)

    monkeypatch.setattr(ImageFile.ImageFile, "load", counted_load)
    return count


@pytest.fixture(scope="module")
def forty_megapixels() -> bytes:
    data = grey_png(8000, 5000)
    assert len(data) < 200_000 and Image.open(io.BytesIO(data)).size == (8000, 5000)
    return data


def test_a_40_megapixel_png_is_refused_from_its_header_without_a_decode(app, decodes, forty_megapixels):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        with pytest.raises(services.PhotoError) as refused:
            services.check_photo(forty_megapixels)
        assert str(refused.value.message) == "The photo has more than 25 million pixels. Please send a smaller one."
    assert decodes["decodes"] == 0


def _header_only_png(width: int, height: int) -> bytes:
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + _chunk(b"IDAT", zlib.compress(b"\0" * 64)) + _chunk(b"IEND", b""))


@pytest.mark.parametrize("photo", [lambda: grey_png(5001, 5000), lambda: _header_only_png(20000, 20000)],
                         ids=["just-over-25-megapixels", "over-pillows-own-bomb-limit"])
def test_too_many_pixels_are_refused_without_a_decode(app, decodes, photo):
    with (app.test_request_context(headers={"Accept-Language": "en"}),
          pytest.raises(services.PhotoError, match="more than 25 million pixels")):
        services.check_photo(photo())
    assert decodes["decodes"] == 0


def test_a_truncated_image_is_refused(app):
    whole = io.BytesIO()
    Image.new("RGB", (400, 300), (10, 120, 60)).save(whole, "PNG")
    with (app.test_request_context(headers={"Accept-Language": "en"}),
          pytest.raises(services.PhotoError, match="not an image we can read")):
        services.check_photo(whole.getvalue()[:-200])


@pytest.fixture
def person(app):
    with app.app_context():
        demo_steps("editions")
        person = services.add_person(get_edition(2023), "林", "晓梅", "guest")
        db.session.commit()
        return person.id


def test_an_upload_checked_then_stored_is_decoded_once(app, decodes, person):
    buffer = io.BytesIO()
    Image.new("RGB", (1600, 2000), (10, 120, 60)).save(buffer, "PNG")
    with app.test_request_context():
        services.check_photo(buffer.getvalue())  # as registration does: check, then store
        services.store_photo(db.session.get(Person, person), buffer.getvalue())
        db.session.commit()
        stored = Image.open(services.photo_path(db.session.get(Person, person)))
    assert stored.format == "JPEG" and stored.size == (640, 800)
    assert decodes["decodes"] == 1


def test_the_people_form_refuses_a_40_megapixel_png_beside_the_field(app, organizer_client, person, decodes,
                                                                      forty_megapixels):
    form = {"family_name": "陈", "given_name": "静", "name_latin": "", "category": "guest", "organisation": "",
            "organisation_en": "", "title": "", "title_en": "", "bio_zh": "", "bio_en": "", "email": ""}
    response = submit(organizer_client, "/editions/2023/people/new",
                      {**form, "photo": (io.BytesIO(forty_megapixels), "big.png")},
                      headers={"Accept-Language": "zh-CN"}, content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="photo-error"' in html and "照片超过 2500 万像素" in html
    assert decodes["decodes"] == 0
    with app.app_context():
        assert db.session.execute(select(func.count(Person.id)).where(Person.given_name == "静")).scalar_one() == 0


def test_the_people_form_decodes_an_accepted_photo_once(app, organizer_client, person, decodes):
    buffer = io.BytesIO()
    Image.new("RGB", (900, 1200), (10, 120, 60)).save(buffer, "JPEG")
    response = submit(organizer_client, f"/editions/2023/people/{person}/edit",
                      {"family_name": "林", "given_name": "晓梅", "category": "guest",
                       "photo": (io.BytesIO(buffer.getvalue()), "portrait.jpg")},
                      content_type="multipart/form-data")
    assert response.status_code == 302
    assert decodes["decodes"] == 1


def _jpeg(colour) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (300, 400), colour).save(buffer, "JPEG")
    return buffer.getvalue()


def test_a_replaced_photo_goes_only_with_the_commit_and_a_failed_one_leaves_no_file(app, person):
    """The files follow the transaction: a replacement rolled back (a failed or retried commit)
    keeps the old photo and leaves no copy of the new one; a committed one removes the old."""
    with app.test_request_context():
        others = set(services.photo_dir().iterdir())  # other tests' photos share the folder
        services.store_photo(db.session.get(Person, person), _jpeg((200, 0, 0)))
        db.session.commit()
        first = services.photo_path(db.session.get(Person, person))
        services.store_photo(db.session.get(Person, person), _jpeg((0, 0, 200)))
        db.session.rollback()
        assert first.exists()
        assert set(services.photo_dir().iterdir()) - others == {first}
        assert services.photo_path(db.session.get(Person, person)) == first
        services.store_photo(db.session.get(Person, person), _jpeg((0, 200, 0)))
        db.session.commit()
        second = services.photo_path(db.session.get(Person, person))
        assert second != first and second.exists() and not first.exists()
        assert set(services.photo_dir().iterdir()) - others == {second}
