"""The cover's image: uploaded on the handbook page, checked by its content, replaced and
removed, seen by staff only, carried by backups, and part of what the book is made from.
(That the cover prints it is read from the books test_book makes.)"""

import io

import pytest
from PIL import Image
from sqlalchemy import select

from conference.core import images
from conference.core.models import AuditEntry
from conference.editions.services import get_edition
from conference.extensions import db
from conference.handbook import services
from conference.handbook.book import Options
from tests.conftest import csrf_token, login, make_user
from tests.handbook.conftest import picture, small_edition

PAGE = "/editions/2023/handbook/"
COVER = "/editions/2023/handbook/cover"
EN = {"Accept-Language": "en"}


@pytest.fixture
def edition(app):
    with app.app_context():
        small_edition()


def send(client, image: bytes | None, name="cover.jpg", **form):
    data = {"csrf_token": csrf_token(client, PAGE), **form}
    if image is not None:
        data["cover_image"] = (io.BytesIO(image), name)
    return client.post(f"{COVER}?lang=en", data=data, content_type="multipart/form-data")


def _kept(app) -> str | None:
    with app.app_context():
        return services.settings_for(get_edition(2023)).cover_file


def _folder(app):
    with app.app_context():
        return services.COVERS.directory()


def test_a_cover_image_is_kept_re_encoded_and_shown_to_staff(app, organizer_client, edition):
    exif = Image.Exif()
    exif[0x010F] = "Camera maker"
    answer = send(organizer_client, picture(exif=exif))
    assert answer.status_code == 302
    name = _kept(app)
    stored = Image.open(_folder(app) / name)
    assert stored.format == "JPEG" and not stored.getexif()  # without the camera's metadata
    page = organizer_client.get(PAGE, headers=EN).text
    assert f'src="{COVER}"' in page and "Remove the cover image" in page
    image = organizer_client.get(COVER)
    assert image.status_code == 200 and image.mimetype == "image/jpeg"
    assert "private" in image.headers["Cache-Control"]
    with app.app_context():
        entry = db.session.execute(select(AuditEntry).where(AuditEntry.action == "handbook.cover")).scalar_one()
        assert entry.detail == {"cover": "added"}
    assert "handbook-covers" in images.KEPT_FOLDERS  # backups carry it


SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>'
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.mark.parametrize(("image", "name", "message"), [
    (b"The cover: the bay at dusk.\n", "cover.png", "This file is not an image we can read."),
    (SVG, "cover.svg", "This file is not an image we can read."),
    (PDF, "cover.png", "This file is not an image we can read."),  # a PDF renamed
    (picture("GIF"), "cover.png", "The cover image must be a PNG, JPEG or WebP image."),
    (picture("PNG")[:-30], "cover.png", "This file is not an image we can read."),  # cut short
])
def test_a_file_that_is_not_a_cover_image_is_refused_beside_the_field(app, organizer_client, edition, image, name,
                                                                      message):
    kept = set(_folder(app).iterdir())
    answer = send(organizer_client, image, name)
    assert answer.status_code == 422
    assert f'<p class="error" id="cover_image-error" role="alert">{message}</p>' in answer.text
    assert _kept(app) is None and set(_folder(app).iterdir()) == kept


def test_a_cover_image_over_the_limit_is_refused(app, organizer_client, edition, monkeypatch):
    monkeypatch.setattr(services, "COVER_MAX_BYTES", 2**20)
    large = picture("PNG", (1000, 1000), compress_level=0)
    assert len(large) > 2**20
    answer = send(organizer_client, large, "cover.png")
    assert answer.status_code == 422 and "The cover image is larger than 1 MB." in answer.text
    assert _kept(app) is None


def test_a_new_cover_replaces_the_old_file_and_removing_it_deletes_it(app, organizer_client, edition):
    send(organizer_client, picture())
    first = _kept(app)
    assert send(organizer_client, picture("PNG"), "cover.png").status_code == 302
    second = _kept(app)
    assert second != first and second.endswith(".png")
    assert not (_folder(app) / first).exists() and (_folder(app) / second).exists()
    assert send(organizer_client, None, remove_cover="y").status_code == 302
    assert _kept(app) is None and not (_folder(app) / second).exists()
    assert organizer_client.get(COVER).status_code == 404
    with app.app_context():
        details = [entry.detail["cover"] for entry in db.session.execute(
            select(AuditEntry).where(AuditEntry.action == "handbook.cover").order_by(AuditEntry.id)).scalars()]
    assert details == ["added", "replaced", "removed"]


def test_staff_see_the_cover_image_only_managers_change_it(app, client, edition):
    login(client, make_user(app, "organizer", "boss@test.example"))
    send(client, picture())
    client.post("/logout", data={"csrf_token": csrf_token(client, PAGE)})
    login(client, make_user(app, "viewer"))
    assert client.get(COVER).status_code == 200
    assert send(client, picture("PNG"), remove_cover="y").status_code == 403
    assert _kept(app) is not None


def test_a_changed_cover_changes_what_the_book_is_made_from(app, edition):
    with app.app_context():
        edition_ = get_edition(2023)
        before = services.inputs_hash(edition_, Options())
        assert services.inputs_hash(edition_, Options()) == before  # nothing changed, the same
        services.set_cover(edition_, services.check_cover(picture()))
        db.session.commit()
        with_cover = services.inputs_hash(edition_, Options())
        services.set_cover(edition_, services.check_cover(picture()))  # the same picture sent again
        db.session.commit()
        assert services.inputs_hash(edition_, Options()) == with_cover
        services.set_cover(edition_, services.check_cover(picture("PNG")))
        db.session.commit()
        replaced = services.inputs_hash(edition_, Options())
        services.remove_cover(edition_)
        db.session.commit()
        assert len({before, with_cover, replaced}) == 3
        assert services.inputs_hash(edition_, Options()) == before
