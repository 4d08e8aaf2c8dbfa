"""Printing badges: who may, only by a POST with its token, never a revoked badge or a superseded
version, a warning only when this very version was printed before; reads record nothing."""

import re

import pytest
from sqlalchemy import select

from conference.badges import jobs, services
from conference.badges.models import Badge
from conference.core.jobs import result_folder
from conference.core.models import Job
from conference.extensions import db
from tests.conftest import badged_demo, csrf_token, login, make_user, registration_demo

ROLES = ("admin", "organizer", "group_lead", "volunteer", "security", "viewer")
PRINTERS = {"admin", "organizer"}
BATCH = {"category": "", "organisation": "", "sort": "serial", "layout": "single", "limit": ""}


def _badges(app, holders=(("王", "伟", "guest"), ("李", "芳", "media"))) -> list[int]:
    with app.app_context():
        _, badges = badged_demo(holders, steps=("editions",))
        db.session.commit()
        return [badge.id for badge in badges]


def _state(app) -> list[tuple]:
    """Everything printing could change, for every badge and batch."""
    with app.app_context():
        badges = db.session.execute(select(
            Badge.id, Badge.version, Badge.status, Badge.printed_count, Badge.printed_version, Badge.last_printed_at,
            Badge.last_printed_by, Badge.issued_code).order_by(Badge.id)).all()
        batches = db.session.execute(select(Job.id, Job.status)).all()
        return [tuple(row) for row in badges] + [tuple(row) for row in batches]


def _token(client) -> str:
    return csrf_token(client, "/account")


def _print(client, badge_id, version=1, **extra):
    return client.post(f"/editions/2023/badges/{badge_id}.pdf",
                       data={"csrf_token": _token(client), "version": version, "layout": "single", **extra},
                       headers={"Accept-Language": "en"})


def _revoke(app, badge_id, reason="证件冒用"):
    with app.app_context():
        services.revoke(db.session.get(Badge, badge_id), reason)
        db.session.commit()


def _reissue(app, badge_id):
    with app.app_context():
        services.reissue(db.session.get(Badge, badge_id), "丢失")
        db.session.commit()


# Who may print, and how -------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_printing_a_single_badge_needs_the_print_permission(app, client, role):
    badge_id, _ = _badges(app)
    login(client, make_user(app, role))
    before = _state(app)
    answer = _print(client, badge_id)
    if role in PRINTERS:
        assert answer.status_code == 200 and answer.mimetype == "application/pdf"
        with app.app_context():
            badge = db.session.get(Badge, badge_id)
            assert (badge.printed_count, badge.printed_version, badge.last_printed_by) == (1, 1, f"{role}@test.example")
            assert badge.issued_code is not None
    else:
        assert answer.status_code == 403
        assert _state(app) == before


@pytest.mark.parametrize("role", ROLES)
def test_starting_a_batch_and_fetching_its_pdf_need_the_print_permission(app, client, role):
    _badges(app)
    organizer = app.test_client()
    login(organizer, make_user(app, "organizer", "printer@test.example"))
    made = organizer.post("/editions/2023/badges/", data={**BATCH, "csrf_token": _token(organizer)})
    assert made.status_code == 302
    batch_url = made.headers["Location"]
    login(client, make_user(app, role))
    before = _state(app)
    started = client.post("/editions/2023/badges/", data={**BATCH, "csrf_token": _token(client)})
    progress, pdf = client.get(batch_url), client.get(f"{batch_url}.pdf")
    if role in PRINTERS:
        assert started.status_code == 302
        assert progress.status_code == 200 and pdf.mimetype == "application/pdf"
    else:
        assert {started.status_code, progress.status_code, pdf.status_code} == {403}
        assert _state(app) == before


@pytest.mark.parametrize("role", ROLES)
def test_no_get_prints_or_changes_anything(app, client, role):
    badge_id, _ = _badges(app)
    organizer = app.test_client()
    login(organizer, make_user(app, "organizer", "printer@test.example"))
    batch_url = organizer.post("/editions/2023/badges/", data={**BATCH, "csrf_token": _token(organizer)}).headers["Location"]
    login(client, make_user(app, role))
    before = _state(app)
    for url in (f"/editions/2023/badges/{badge_id}.pdf", f"/editions/2023/badges/{badge_id}.pdf?again=1",
                f"/editions/2023/badges/{badge_id}.pdf?layout=a4&again=1", "/editions/2023/badges/",
                f"/editions/2023/badges/{badge_id}", batch_url, f"{batch_url}.pdf"):
        answer = client.get(url)
        assert answer.status_code in (200, 403, 405), url
        if url.startswith(f"/editions/2023/badges/{badge_id}.pdf"):
            assert answer.status_code in (403, 405) and answer.mimetype != "application/pdf"
    assert _state(app) == before


def test_a_print_without_its_token_is_refused(app, organizer_client):
    badge_id, _ = _badges(app)
    _token(organizer_client)  # a session with a token, which the request does not send
    before = _state(app)
    assert organizer_client.post(f"/editions/2023/badges/{badge_id}.pdf", data={"version": 1}).status_code == 400
    assert organizer_client.post("/editions/2023/badges/", data=BATCH).status_code == 400
    assert _state(app) == before


def test_the_pages_print_through_post_forms_shown_to_printers_only(app, client):
    badge_id, _ = _badges(app)
    login(client, make_user(app, "viewer"))
    for url in ("/editions/2023/badges/", f"/editions/2023/badges/{badge_id}"):
        page = client.get(url).get_data(as_text=True)
        assert f"{badge_id}.pdf" not in page and "Make the PDF" not in page
    printer = app.test_client()
    login(printer, make_user(app, "organizer"))
    for url in ("/editions/2023/badges/", f"/editions/2023/badges/{badge_id}"):
        page = printer.get(url, headers={"Accept-Language": "en"}).get_data(as_text=True)
        form = re.search(rf'<form method="post" action="/editions/2023/badges/{badge_id}\.pdf"[^>]*>(.*?)</form>', page, re.S)
        assert form and 'name="csrf_token"' in form.group(1) and 'name="version" value="1"' in form.group(1)
    assert f'href="/editions/2023/badges/{badge_id}.pdf' not in page


# The attendee's own download: a read -------------------------------------------------------


def _approved_registration(app):
    from conference.editions.services import get_edition
    from conference.registration.services import RegistrationFields, decide, register
    from tests.registration.conftest import resident_id

    with app.test_request_context():
        registration_demo()
        edition = get_edition(2023)
        registration, token = register(edition, RegistrationFields(
            category="media", family_name="周", given_name="立", organisation="东南网", email="z@example.org",
            phone="13912345678", id_type="resident_id", id_number=resident_id(),
            consents={"privacy_notice": 1, "identity_document": 1}))
        decide([registration], "approved", "", None)
        db.session.commit()
        return token, services.badge_of(registration.person).id


def test_the_attendees_own_download_records_no_print_and_keeps_the_printed_code(app, organizer_client, demo_clock):
    token, badge_id = _approved_registration(app)
    assert _print(organizer_client, badge_id).mimetype == "application/pdf"
    before = _state(app)
    own = organizer_client.get(f"/r/{token}/badge.pdf")
    assert own.status_code == 200 and own.mimetype == "application/pdf"
    assert _state(app) == before  # no print recorded, the code the gate trusts unchanged
    with app.app_context():
        assert db.session.get(Badge, badge_id).printed_count == 1


def test_the_private_page_offers_no_revoked_badge(app, client, demo_clock):
    token, badge_id = _approved_registration(app)
    assert f"/r/{token}/badge.pdf" in client.get(f"/r/{token}").get_data(as_text=True)
    _revoke(app, badge_id)
    assert f"/r/{token}/badge.pdf" not in client.get(f"/r/{token}").get_data(as_text=True)
    assert client.get(f"/r/{token}/badge.pdf").status_code == 404


# Revoked badges and superseded versions -----------------------------------------------------


@pytest.mark.parametrize(("language", "words"), [("en", "has been revoked"), ("zh-CN", "已注销")])
def test_a_revoked_badge_is_not_printed_and_the_page_says_why(app, organizer_client, language, words):
    badge_id, _ = _badges(app)
    _revoke(app, badge_id)
    before = _state(app)
    for again in ("", "1"):
        answer = organizer_client.post(f"/editions/2023/badges/{badge_id}.pdf", headers={"Accept-Language": language},
                                       data={"csrf_token": _token(organizer_client), "version": 1, "again": again})
        page = answer.get_data(as_text=True)
        assert answer.status_code == 409 and answer.mimetype == "text/html"
        assert words in page and "证件冒用" in page
    assert _state(app) == before
    detail = organizer_client.get(f"/editions/2023/badges/{badge_id}").get_data(as_text=True)
    assert f"{badge_id}.pdf" not in detail


def test_a_superseded_version_is_not_printed(app, organizer_client):
    badge_id, _ = _badges(app)
    _reissue(app, badge_id)
    before = _state(app)
    stale = _print(organizer_client, badge_id, version=1)  # a page opened before the reissue
    assert stale.status_code == 409 and "superseded" in stale.get_data(as_text=True)
    assert _state(app) == before
    current = _print(organizer_client, badge_id, version=2)
    assert current.mimetype == "application/pdf"
    with app.app_context():
        badge = db.session.get(Badge, badge_id)
        assert services.signing.encode(badge.issued_code) == services.payload(badge)
        assert badge.issued_code[4] == badge.printed_version == 2


def test_a_service_never_prints_a_revoked_badge(app):
    badge_id, _ = _badges(app)
    _revoke(app, badge_id)
    with app.test_request_context():
        badge = db.session.get(Badge, badge_id)
        for attempt in (lambda: services.single_pdf(badge), lambda: services.own_pdf(badge),
                        lambda: services.record_printing([badge])):
            with pytest.raises(services.BadgeError):
                attempt()


def test_a_batch_skips_revoked_badges_and_says_how_many(app, organizer_client):
    first, second = _badges(app)
    _revoke(app, first)
    made = organizer_client.post("/editions/2023/badges/", data={**BATCH, "csrf_token": _token(organizer_client)})
    page = organizer_client.get(made.headers["Location"], headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "1/1" in page and "Revoked badges skipped: 1" in page
    with app.app_context():
        assert db.session.get(Badge, first).printed_count == 0
        assert db.session.get(Badge, second).printed_count == 1
        assert db.session.execute(select(Job.skipped)).scalar_one() == 1


def test_a_badge_revoked_while_its_batch_renders_fails_the_batch(app, monkeypatch):
    first, second = _badges(app)
    rendered = services.badges_html

    def revoke_meanwhile(badges, layout="single"):
        html = rendered(badges, layout)
        services.revoke(db.session.get(Badge, first), "证件冒用")
        db.session.commit()
        return html

    monkeypatch.setattr(services, "badges_html", revoke_meanwhile)
    with app.app_context():
        files = set(result_folder().iterdir())
        batch = services.start_batch(services.edition_for_year(2023), BATCH)
        db.session.commit()
        batch_id = batch.id
        jobs.render_batch(batch_id)  # the job marks its batch failed
        batch = db.session.get(Job, batch_id)
        assert batch.status == "failed" and "证件冒用" in batch.error and batch.file_path is None
        assert {db.session.get(Badge, i).printed_count for i in (first, second)} == {0}
        assert set(result_folder().iterdir()) == files


# Printing again -----------------------------------------------------------------------------


def test_printing_the_same_version_again_asks_first_through_a_post_form(app, organizer_client):
    badge_id, _ = _badges(app)
    assert _print(organizer_client, badge_id).mimetype == "application/pdf"
    again = _print(organizer_client, badge_id)
    page = again.get_data(as_text=True)
    assert again.status_code == 409 and "printed 1 times already" in page
    form = re.search(r'<form method="post" action="([^"]+)"[^>]*>(.*?)</form>', page.split("<main", 1)[-1], re.S)
    assert form.group(1) == f"/editions/2023/badges/{badge_id}.pdf"
    assert 'name="csrf_token"' in form.group(2) and 'name="again" value="1"' in form.group(2)
    assert _print(organizer_client, badge_id, again="1").mimetype == "application/pdf"
    with app.app_context():
        assert db.session.get(Badge, badge_id).printed_count == 2


def test_a_reissued_version_never_printed_prints_without_a_warning(app, organizer_client):
    badge_id, _ = _badges(app)
    assert _print(organizer_client, badge_id).mimetype == "application/pdf"
    _reissue(app, badge_id)
    first_of_v2 = _print(organizer_client, badge_id, version=2)
    assert first_of_v2.status_code == 200 and first_of_v2.mimetype == "application/pdf"
    assert _print(organizer_client, badge_id, version=2).status_code == 409  # v2 has been printed now


def test_only_badges_whose_version_was_not_printed_count_as_not_printed(app):
    first, second = _badges(app)
    with app.test_request_context():
        services.record_printing([db.session.get(Badge, first), db.session.get(Badge, second)])
        services.reissue(db.session.get(Badge, first), "丢失")
        db.session.commit()
        chosen = services.select_badges(services.edition_for_year(2023), not_printed=True)
        assert [badge.id for badge in chosen] == [first]


@pytest.mark.parametrize("fields", [{"version": "abc"}, {"version": "-1"}, {"version": "99999999999999999999"},
                                    {"version": ""}, {"layout": "a3"}, {}])
def test_odd_print_forms_are_refused_without_printing(app, organizer_client, fields):
    badge_id, _ = _badges(app)
    before = _state(app)
    answer = organizer_client.post(f"/editions/2023/badges/{badge_id}.pdf",
                                   data={"version": "1", "layout": "single", **fields, "csrf_token": _token(organizer_client)}
                                   if fields else {"csrf_token": _token(organizer_client)})
    assert answer.status_code == 400
    assert _state(app) == before


def test_a_printed_badge_carries_the_stored_photo(app, organizer_client, tmp_path):
    """The PDF fetcher reads the photo folder (and static files), nothing else."""
    import io
    import subprocess

    from PIL import Image

    from conference.people import services as people

    badge_id, _ = _badges(app)
    portrait = io.BytesIO()
    Image.new("RGB", (600, 800), (30, 90, 160)).save(portrait, "JPEG")
    with app.test_request_context():
        people.store_photo(db.session.get(Badge, badge_id).person, portrait.getvalue())
        db.session.commit()
    (tmp_path / "badge.pdf").write_bytes(_print(organizer_client, badge_id).data)
    images = subprocess.run(["pdfimages", "-list", str(tmp_path / "badge.pdf")], capture_output=True, check=True,
                            text=True).stdout.splitlines()[2:]
    assert [line.split()[3:5] for line in images] == [["600", "800"], ["45", "45"]]  # the photo, then the QR code


def test_badge_sheets_lay_out_the_same_without_weasyprints_html5_stylesheet(app, tmp_path, monkeypatch):
    """The sheets are laid out with core.pdf's few plain defaults for speed: every page, single and
    A4, in Simplified, Traditional and Latin, is drawn pixel for pixel as with WeasyPrint's own
    stylesheet; and WeasyPrint still asks for its stylesheet where the plain one is given."""
    import subprocess

    from conference.core import pdf

    asked = []
    hook = pdf._PlainHTML._ua_stylesheets
    monkeypatch.setattr(pdf._PlainHTML, "_ua_stylesheets", lambda self, forms=False: asked.append(forms) or hook(self, forms))
    with app.test_request_context():
        _, badges = badged_demo([("林", "晓雯", "guest"), ("Fernández", "Lucía", "media"), ("龘", "𪚥", "staff")],
                                steps=("editions",))
        pages = {}
        for layout in ("single", "a4"):
            html = services.badges_html(badges, layout)
            for plain in (False, True):
                (tmp_path / f"{layout}-{plain}.pdf").write_bytes(pdf.render(html, plain=plain))
                subprocess.run(["pdftoppm", "-png", "-r", "50", str(tmp_path / f"{layout}-{plain}.pdf"),
                                str(tmp_path / f"{layout}-{plain}")], check=True)
                pages[layout, plain] = [page.read_bytes() for page in sorted(tmp_path.glob(f"{layout}-{plain}-*.png"))]
    assert asked
    assert len(pages["single", True]) == 3 and len(pages["a4", True]) == 2
    for layout in ("single", "a4"):
        assert pages[layout, True] == pages[layout, False]
