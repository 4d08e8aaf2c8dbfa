"""Floor plans of venues and halls: upload, refusals beside the field, replace, remove, delete
without orphans, who may see and change them, and the public copy where a session is public."""

import io
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from PIL import Image
from sqlalchemy import select

from conference.core.database import committed
from conference.core.models import AuditEntry
from conference.editions import services as editions
from conference.editions.demo import EDITION_2023
from conference.editions.services import get_edition
from conference.extensions import db
from conference.programme.models import Session
from conference.venues import services
from conference.venues.models import Hall, Venue
from conference.venues.services import HallFields, NameFields, VenueError
from tests.conftest import csrf_token, login, make_user, race, submit

EN = {"Accept-Language": "en"}
BASE = "/editions/2023/venues"


def _exif() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "Camera maker"
    exif[0x0132] = "2023:07:18 09:00:00"
    return exif


def _image(fmt="PNG", size=(60, 40), **save) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (30, 60, 200)).save(buffer, fmt, **save)
    return buffer.getvalue()


def _place(app) -> tuple[int, int]:
    """A venue with one hall, committed: their ids."""
    with app.app_context():
        venue = services.save_venue(get_edition(2023), NameFields("厦门国际会议中心", "Xiamen International Conference Center"))
        hall = services.save_hall(venue, HallFields(NameFields("报告厅", "Lecture Hall"), 400, "2F"))
        db.session.commit()
        return venue.id, hall.id


def _venue_form(**changes) -> dict:
    return {"name_zh": "厦门国际会议中心", "name_zh_hant": "", "name_en": "Xiamen International Conference Center",
            "address_zh": "", "address_en": "", "position": "0", **changes}


def _hall_form(**changes) -> dict:
    return {"name_zh": "报告厅", "name_zh_hant": "", "name_en": "Lecture Hall", "capacity": "400", "floor": "2F",
            "layout": "theatre", "step_free": "y", "position": "0", **changes}


def _upload(client, url, form, image, name="plan.png", **kwargs):
    return submit(client, url, {**form, "plan_image": (io.BytesIO(image), name)},
                  content_type="multipart/form-data", **kwargs)


def _plan_file(app, model, row_id) -> str | None:
    with app.app_context():
        return db.session.get(model, row_id).plan_file


def _plans_folder(app):
    with app.test_request_context():
        return services.plan_folder()


def _files(app) -> set:
    """The plan files kept (the instance folder is shared by the tests of a worker)."""
    return set(_plans_folder(app).iterdir())


def test_a_plan_is_uploaded_shown_to_staff_and_found_by_the_handbook(app, edition_2023, organizer_client):
    venue_id, hall_id = _place(app)
    jpeg = _image("JPEG", exif=_exif())
    assert Image.open(io.BytesIO(jpeg)).getexif()
    response = _upload(organizer_client, f"{BASE}/{venue_id}/edit", _venue_form(), jpeg, "plan.jpg")
    assert response.status_code == 302
    with app.test_request_context():
        venue = db.session.get(Venue, venue_id)
        path = services.plan_path(venue)
        assert path is not None and path.suffix == ".jpg" and path.parent == services.plan_folder()
        assert services.plan_path(db.session.get(Hall, hall_id)) is None
    stored = Image.open(path)
    assert stored.format == "JPEG" and not stored.getexif()  # re-encoded without the camera's metadata
    page = organizer_client.get(f"{BASE}", headers=EN).get_data(as_text=True)
    assert f"{BASE}/{venue_id}/plan" in page and "Floor plan of Xiamen International Conference Center" in page
    image = organizer_client.get(f"{BASE}/{venue_id}/plan")
    assert image.status_code == 200 and image.mimetype == "image/jpeg" and image.data == path.read_bytes()
    assert "private" in image.headers["Cache-Control"]
    # the hall's plan, on its form and on its checklist page
    assert _upload(organizer_client, f"{BASE}/{venue_id}/halls/{hall_id}/edit", _hall_form(), _image("WEBP"),
                   "hall.webp").status_code == 302
    assert organizer_client.get(f"/editions/2023/halls/{hall_id}/plan").mimetype == "image/webp"
    assert f"/editions/2023/halls/{hall_id}/plan" in organizer_client.get(f"/editions/2023/checklist/halls/{hall_id}").get_data(as_text=True)
    assert "Remove the floor plan" in organizer_client.get(f"{BASE}/{venue_id}/halls/{hall_id}/edit", headers=EN).get_data(as_text=True)


@pytest.mark.parametrize(("image", "name", "message"), [
    (b"Hall A: the stage is at the north end.\n", "plan.png", "This file is not an image we can read."),
    (_image("GIF"), "plan.png", "The plan must be a PNG, JPEG or WebP image."),
    (_image("PNG")[:-30], "plan.png", "This file is not an image we can read."),  # cut short
])
def test_a_file_that_is_not_a_plan_image_is_refused_beside_the_field(app, edition_2023, organizer_client, image, name, message):
    venue_id, _hall_id = _place(app)
    kept = _files(app)
    response = _upload(organizer_client, f"{BASE}/{venue_id}/edit", _venue_form(name_en="Renamed"), image, name, headers=EN)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'<p class="error" id="plan_image-error" role="alert">{message}</p>' in page
    assert 'value="Renamed"' in page  # the form comes back as typed
    with app.app_context():
        venue = db.session.get(Venue, venue_id)
        assert venue.plan_file is None and venue.name_en == "Xiamen International Conference Center"  # nothing saved
    assert _files(app) == kept


def test_a_plan_larger_than_the_limit_is_refused(app, edition_2023, organizer_client, monkeypatch):
    venue_id, hall_id = _place(app)
    monkeypatch.setattr(services, "PLAN_MAX_BYTES", 2 * 2**20)
    large = _image("PNG", (1500, 1500), compress_level=0)
    assert len(large) > 2 * 2**20
    response = _upload(organizer_client, f"{BASE}/{venue_id}/halls/{hall_id}/edit", _hall_form(), large, headers=EN)
    assert response.status_code == 422
    assert "The plan is larger than 2 MB. Please send a smaller one." in response.get_data(as_text=True)
    assert _plan_file(app, Hall, hall_id) is None


def test_a_new_plan_replaces_the_old_file_and_removing_it_deletes_it_all_audited(app, edition_2023, organizer_client):
    venue_id, hall_id = _place(app)
    url = f"{BASE}/{venue_id}/halls/{hall_id}/edit"
    kept = _files(app)
    _upload(organizer_client, url, _hall_form(), _image("PNG"))
    first = _plans_folder(app) / _plan_file(app, Hall, hall_id)
    assert first.exists()
    _upload(organizer_client, url, _hall_form(), _image("PNG", (80, 50)))
    second = _plans_folder(app) / _plan_file(app, Hall, hall_id)
    assert not first.exists() and second.exists() and Image.open(second).size == (80, 50)
    assert submit(organizer_client, url, _hall_form(remove_plan="y")).status_code == 302
    assert not second.exists() and _plan_file(app, Hall, hall_id) is None
    assert _files(app) == kept
    with app.app_context():
        said = db.session.execute(select(AuditEntry.detail).where(AuditEntry.action == "hall.plan")
                                  .order_by(AuditEntry.id)).scalars().all()
        assert [entry["plan"] for entry in said] == ["added", "replaced", "removed"]
    assert organizer_client.get(f"/editions/2023/halls/{hall_id}/plan").status_code == 404


def test_deleting_a_hall_then_its_venue_leaves_no_plan_behind(app, edition_2023, organizer_client):
    venue_id, hall_id = _place(app)
    kept = _files(app)
    _upload(organizer_client, f"{BASE}/{venue_id}/edit", _venue_form(), _image())
    _upload(organizer_client, f"{BASE}/{venue_id}/halls/{hall_id}/edit", _hall_form(), _image())
    assert len(_files(app) - kept) == 2
    refused = submit(organizer_client, f"{BASE}/{venue_id}/delete", {})  # the hall is still in it
    assert refused.status_code == 409 and len(_files(app) - kept) == 2
    assert submit(organizer_client, f"{BASE}/{venue_id}/halls/{hall_id}/delete", {}).status_code == 302
    assert _files(app) - kept == {_plans_folder(app) / _plan_file(app, Venue, venue_id)}
    assert submit(organizer_client, f"{BASE}/{venue_id}/delete", {}).status_code == 302
    assert _files(app) == kept
    with app.app_context():
        assert db.session.execute(select(Venue)).first() is None and db.session.execute(select(Hall)).first() is None


def test_only_those_who_manage_venues_change_plans_staff_see_them(app, edition_2023, client):
    venue_id, hall_id = _place(app)
    login(client, make_user(app, "organizer"))
    _upload(client, f"{BASE}/{venue_id}/edit", _venue_form(), _image())
    stored = _plan_file(app, Venue, venue_id)
    client.post("/logout", data={})
    anonymous = app.test_client()
    for url in (f"{BASE}/{venue_id}/plan", f"/editions/2023/halls/{hall_id}/plan", f"{BASE}/{venue_id}/edit"):
        assert anonymous.get(url).status_code == 302  # to the login page
    viewer = app.test_client()
    login(viewer, make_user(app, "viewer"))
    assert viewer.get(f"{BASE}/{venue_id}/plan").status_code == 200
    assert viewer.get(f"{BASE}/{venue_id}/edit").status_code == 403
    token = csrf_token(viewer, f"/editions/2023/checklist/halls/{hall_id}")
    changed = viewer.post(f"{BASE}/{venue_id}/edit", data={**_venue_form(remove_plan="y"), "csrf_token": token})
    assert changed.status_code == 403 and _plan_file(app, Venue, venue_id) == stored
    assert "Remove the floor plan" not in viewer.get(BASE, headers=EN).get_data(as_text=True)


def test_the_public_sees_the_plans_of_a_venue_where_a_published_session_is_held(app, edition_2023, organizer_client):
    venue_id, hall_id = _place(app)
    _upload(organizer_client, f"{BASE}/{venue_id}/edit", _venue_form(), _image())
    _upload(organizer_client, f"{BASE}/{venue_id}/halls/{hall_id}/edit", _hall_form(), _image("JPEG"), "hall.jpg")
    anonymous = app.test_client()
    venue_plan, hall_plan = f"/programme/2023/venues/{venue_id}/plan", f"/programme/2023/halls/{hall_id}/plan"
    assert anonymous.get(venue_plan).status_code == 404 and anonymous.get(hall_plan).status_code == 404
    with app.app_context():
        session = Session(edition_id=get_edition(2023).id, kind="sub_forum", title_zh="算法治理", title_en="Algorithm governance",
                          hall_id=hall_id, status="draft", starts_at=datetime(2023, 7, 19, 1, tzinfo=UTC),
                          ends_at=datetime(2023, 7, 19, 4, tzinfo=UTC))
        db.session.add(session)
        db.session.commit()
        session_id = session.id
    assert anonymous.get(venue_plan).status_code == 404  # a draft shows nothing
    with app.app_context():
        db.session.get(Session, session_id).status = "published"
        db.session.commit()
    shown = anonymous.get(venue_plan)
    assert shown.status_code == 200 and shown.mimetype == "image/png" and "public" in shown.headers["Cache-Control"]
    assert anonymous.get(hall_plan).mimetype == "image/jpeg"
    page = anonymous.get(f"/programme/2023/forums/{session_id}", headers=EN).get_data(as_text=True)
    assert hall_plan in page and venue_plan in page and "Floor plan of Lecture Hall" in page
    assert anonymous.get("/programme/2024/venues/1/plan").status_code == 404


def test_a_cloned_venue_and_hall_get_their_own_copies_of_the_plans(app, edition_2023, organizer_client):
    venue_id, hall_id = _place(app)
    _upload(organizer_client, f"{BASE}/{venue_id}/halls/{hall_id}/edit", _hall_form(), _image())
    with app.test_request_context():
        target = editions.create_edition(replace(EDITION_2023, year=2024, starts_on=date(2024, 7, 16), ends_on=date(2024, 7, 17)))
        services.clone_venues(get_edition(2023), target, {})
        db.session.commit()
        original = db.session.get(Hall, hall_id)
        copy = db.session.execute(select(Hall).join(Venue).where(Venue.edition_id == target.id)).scalar_one()
        assert copy.plan_file and copy.plan_file != original.plan_file
        assert services.plan_path(copy).read_bytes() == services.plan_path(original).read_bytes()


def test_two_organizers_replacing_a_plan_at_once_leave_one_plan_and_no_stray_file(app, edition_2023, organizer_client):
    venue_id, hall_id = _place(app)
    _upload(organizer_client, f"{BASE}/{venue_id}/halls/{hall_id}/edit", _hall_form(), _image())
    kept = _files(app)
    first = _plans_folder(app) / _plan_file(app, Hall, hall_id)

    def replace_plan(index):
        def work():
            hall = services.get_hall(get_edition(2023), hall_id)
            services.set_plan(hall, services.check_plan(_image("PNG", (50 + index, 40))))
        return committed(work)

    results, errors = race(app, replace_plan, 2)
    assert all(isinstance(error, VenueError) and error.field == "plan_image" for error in errors)
    assert len(errors) <= 1  # one may be told someone else was quicker; never both
    with app.app_context():
        hall = db.session.get(Hall, hall_id)
        assert _files(app) == (kept - {first}) | {_plans_folder(app) / hall.plan_file}
        said = db.session.execute(select(AuditEntry.detail).where(AuditEntry.action == "hall.plan")).scalars().all()
        assert len(said) == 1 + 2 - len(errors)
