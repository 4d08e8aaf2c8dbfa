"""The organizers' handbook pages, the API and the build log, without laying out a book."""

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from conference import DOMAINS, create_app
from conference.core.models import AuditEntry
from conference.core.permissions import STAFF
from conference.editions.services import get_edition
from conference.extensions import db
from conference.handbook import book as content
from conference.handbook import printing, services
from conference.handbook.models import HandbookBuild, HandbookText
from conference.people import services as people
from conference.people.models import Person
from conference.venues import services as venues
from conference.venues.models import Venue
from tests.conftest import csrf_token, login, make_user, submit
from tests.handbook.conftest import picture, small_edition

ROLES = ("admin", "organizer", "group_lead", "volunteer", "security", "viewer")
MANAGERS = {"admin", "organizer"}


@pytest.fixture
def edition(app):
    with app.app_context():
        small_edition()


def _publish(app, published=True):
    with app.app_context():
        services.set_published(get_edition(2023), published)
        db.session.commit()


def test_anonymous_readers_are_sent_to_sign_in(client, edition):
    for url in ("/editions/2023/handbook/", "/editions/2023/handbook/texts", "/editions/2023/handbook/preview/welcome"):
        answer = client.get(url)
        assert answer.status_code == 302 and "/login" in answer.headers["Location"]
    assert client.post("/editions/2023/handbook/publish").status_code in (302, 400)
    with client.application.app_context():
        assert not services.settings_for(get_edition(2023)).published


@pytest.mark.parametrize("role", ROLES)
def test_who_may_see_and_who_may_change_the_handbook(app, client, edition, role):
    login(client, make_user(app, role))
    page = client.get("/editions/2023/handbook/")
    assert page.status_code == (200 if role in STAFF else 403)
    if role in MANAGERS:
        assert "/editions/2023/handbook/texts" in page.text
        assert client.get("/editions/2023/handbook/texts").status_code == 200
    else:
        assert client.get("/editions/2023/handbook/texts").status_code == 403
        token = csrf_token(client, "/account")
        for url in ("/editions/2023/handbook/publish", "/editions/2023/handbook/chapters",
                    "/editions/2023/handbook/build"):
            assert client.post(url, data={"csrf_token": token, "published": "1", "language": "en",
                                          "size": "a5"}).status_code == 403
        with app.app_context():
            assert not services.settings_for(get_edition(2023)).published


def test_texts_are_kept_as_written_and_shown_sanitised(app, organizer_client, edition):
    welcome = "## 欢迎\n\n<script>alert('x')</script><img src=x onerror=alert(1)>\n\n**厦门**"
    answer = submit(organizer_client, "/editions/2023/handbook/texts", {"welcome_zh_Hans": welcome, "notes_en": "Hi"})
    assert answer.status_code == 302
    with app.app_context():
        rows = {(row.key, row.language): row.body for row in db.session.execute(select(HandbookText)).scalars()}
        assert rows[("welcome", "zh_Hans")] == welcome and rows[("notes", "en")] == "Hi"
        assert rows[("welcome", "en")] == ""
        assert db.session.execute(select(AuditEntry).where(AuditEntry.action == "handbook.text")).first()
    preview = organizer_client.get("/editions/2023/handbook/preview/welcome?lang=zh_Hans")
    assert preview.status_code == 200
    assert "<h2>欢迎</h2>" in preview.text and "<strong>厦门</strong>" in preview.text
    assert "<script" not in preview.text and "alert" not in preview.text and "onerror" not in preview.text
    # The Traditional preview converts the Simplified text, as the pages do.
    assert "歡迎" in organizer_client.get("/editions/2023/handbook/preview/welcome?lang=zh_Hant").text


def test_a_text_too_long_is_refused_beside_its_field(app, organizer_client, edition):
    answer = submit(organizer_client, "/editions/2023/handbook/texts?lang=en",
                    {"notes_zh_Hans": "长" * (services.MAX_TEXT + 1)})
    assert answer.status_code == 422
    assert "At most 20000 characters." in answer.text
    with app.app_context():
        kept = db.session.execute(select(HandbookText).where(HandbookText.key == "notes",
                                                             HandbookText.language == "zh_Hans")).scalar_one()
        assert kept.body.startswith("## 医疗")


def test_chapters_are_chosen_and_ordered(app, organizer_client, edition):
    answer = submit(organizer_client, "/editions/2023/handbook/chapters",
                    {"include_sessions": "1", "order_sessions": "2", "include_contents": "1", "order_contents": "1",
                     "include_speakers": "1", "order_speakers": "9"})
    assert answer.status_code == 302
    with app.app_context():
        assert services.settings_for(get_edition(2023)).chapters == ["contents", "sessions", "speakers"]


@pytest.mark.parametrize("form", [{}, {"include_sessions": "1", "order_sessions": "x"},
                                  {"include_sessions": "1", "order_sessions": "-1"}])
def test_bad_chapters_are_refused_with_a_message(app, organizer_client, edition, form):
    answer = submit(organizer_client, "/editions/2023/handbook/chapters?lang=en", form)
    assert answer.status_code == 422 and 'id="chapters-error"' in answer.text
    with app.app_context():
        assert services.settings_for(get_edition(2023)).chapters == list(content.CHAPTERS)


@pytest.mark.parametrize("form", [{"language": "fr", "size": "a5"}, {"language": "en", "size": "a3"}])
def test_a_build_with_bad_options_is_refused(app, organizer_client, edition, form):
    assert submit(organizer_client, "/editions/2023/handbook/build", form).status_code == 422


def test_preview_of_an_unknown_chapter_or_language_is_not_found(organizer_client, edition):
    assert organizer_client.get("/editions/2023/handbook/preview/index").status_code == 404
    assert organizer_client.get("/editions/2023/handbook/preview/welcome?lang=fr").status_code == 404
    assert organizer_client.get("/editions/2023/handbook/files/999.pdf").status_code == 404


def test_the_api_serves_only_a_published_handbook(app, client, edition):
    assert client.get("/api/v1/editions/2023/handbook.pdf?lang=en").status_code == 404
    assert client.get("/api/v1/editions/2099/handbook.pdf").status_code == 404
    answer = client.get("/api/v1/editions/2023/handbook.pdf?lang=fr")
    assert answer.status_code == 422 and "lang" in answer.json["errors"]


def test_the_public_programme_links_the_published_handbook(app, client, edition):
    assert "handbook.pdf" not in client.get("/programme/2023/").text
    _publish(app)
    page = client.get("/programme/2023/")
    for language in ("zh_Hans", "zh_Hant", "en"):
        assert f"/api/v1/editions/2023/handbook.pdf?lang={language}" in page.text


def test_a_chapter_whose_domain_is_missing_is_left_out_and_named_in_the_log(app, edition):
    # and the domains that build on them: the agenda prints stays, privacy adds a card to volunteers' page
    without = [name for name in DOMAINS if name not in ("conference.hotels", "conference.volunteers", "conference.badges",
                                                       "conference.checkin",
                                                       "conference.privacy")]
    other = create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                        "INSTANCE_DIR": app.config["INSTANCE_DIR"]}, domains=without)
    with other.test_request_context(), force_locale("en"):
        book = content.gather(get_edition(2023), None, content.Options("en"))
        assert "hotels" not in book.chapters and "contacts" not in book.chapters and "sessions" in book.chapters
        assert book.log == ["Left out: Hotels and shuttles, since the hotels domain is not installed.",
                            "Left out: Working groups' desks, since the volunteers domain is not installed."]


def test_a_preview_shows_its_images_at_the_apps_addresses_never_as_files(app, organizer_client, edition):
    """A browser never loads a file: address from a web page; the PDF still reads the files."""
    with app.app_context():
        venue = db.session.execute(select(Venue).order_by(Venue.id)).scalars().first()
        hall = venue.halls[0]
        for place in (venue, hall):
            venues.set_plan(place, venues.check_plan(picture("PNG")))
        zhang = db.session.execute(select(Person).where(Person.family_name == "张")).scalar_one()
        people.store_photo(zhang, picture())
        services.set_cover(get_edition(2023), services.check_cover(picture()))
        db.session.commit()
        venue_id, hall_id, zhang_id = venue.id, hall.id, zhang.id
    for chapter, addresses in (
        ("venues", [f"/editions/2023/venues/{venue_id}/plan", f"/editions/2023/halls/{hall_id}/plan"]),
        ("speakers", [f"/editions/2023/people/{zhang_id}/photo"]),
        ("cover", ["/editions/2023/handbook/cover"]),
    ):
        preview = organizer_client.get(f"/editions/2023/handbook/preview/{chapter}?lang=en")
        assert preview.status_code == 200
        assert "file:" not in preview.text
        for address in addresses:
            assert f'src="{address}"' in preview.text
            assert organizer_client.get(address).status_code == 200


def test_a_new_build_removes_the_one_it_supersedes_and_keeps_the_others(app, edition, monkeypatch):
    """The latest build of each language, size and bleed is kept; the one it replaces goes, row
    and file. (The layout itself is test_book's: here each build writes a stand-in file.)"""
    def lay_out(book, target, workers, progress=None):
        target.write_bytes(b"%PDF-1.7 " + book.options.language.encode())
        return printing.Printed(4, [])

    monkeypatch.setattr(printing, "print_book", lay_out)
    with app.app_context():
        edition_ = get_edition(2023)

        def made(language, bleed=False):
            found = services.build(edition_, services.check_options(language, "a5", bleed))
            db.session.commit()
            return found.id, services.file_of(found)

        first, first_file = made("zh_Hans")
        english, english_file = made("en")
        bleed, bleed_file = made("zh_Hans", bleed=True)
        assert made("zh_Hans") == (first, first_file)  # nothing changed: the same, kept
        services.save_text(edition_, "welcome", "zh_Hans", "新的欢迎辞")
        db.session.commit()
        second, second_file = made("zh_Hans")
        kept = set(db.session.execute(select(HandbookBuild.id)).scalars())
    assert kept == {english, bleed, second}
    assert not first_file.exists()
    assert english_file.exists() and bleed_file.exists() and second_file.exists()
