import re

from sqlalchemy import select

from conference.badges import services
from conference.badges.demo import set_up_zones
from conference.badges.models import Badge
from conference.core.encoding import b64url_decode
from conference.core.models import Job
from conference.editions.services import get_edition
from conference.extensions import db
from conference.people.models import Person
from tests.conftest import csrf_token, demo_steps, submit


def _people(app, count=5):
    with app.app_context():
        demo_steps("editions")
        edition = get_edition(2023)
        set_up_zones(edition)
        from conference.people import services as people

        for index in range(count):
            services.issue(people.add_person(edition, "王李张刘陈"[index], "伟芳娜敏静"[index], ["guest", "media"][index % 2]))
        db.session.commit()


def test_a_batch_runs_as_a_job_with_progress_and_a_download(app, organizer_client):
    _people(app)
    response = submit(organizer_client, "/editions/2023/badges/",
                      {"category": "", "organisation": "", "sort": "strokes", "layout": "single", "limit": ""})
    assert response.status_code == 302
    page = organizer_client.get(response.headers["Location"], headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "5/5" in page and "Download the PDF" in page  # jobs run at once in tests
    pdf_url = re.search(r'href="([^"]+\.pdf)"', page).group(1)
    pdf = organizer_client.get(pdf_url)
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    with app.app_context():
        assert db.session.execute(select(Job.status)).scalar_one() == "done"
        printed = db.session.execute(select(Badge)).scalars().all()
        assert {badge.printed_count for badge in printed} == {1}
        # each keeps the code printed on it, which the gate then knows as its own
        assert all(services.signing.encode(badge.issued_code) == services.payload(badge) for badge in printed)


def test_reissue_and_revoke_through_the_page_are_audited(app, organizer_client):
    _people(app, 1)
    with app.app_context():
        badge_id = db.session.execute(select(Badge.id)).scalar_one()
    url = f"/editions/2023/badges/{badge_id}"
    token = csrf_token(organizer_client, url)
    organizer_client.post(f"{url}/reissue", data={"csrf_token": token, "reason": "丢失"})
    organizer_client.post(f"{url}/revoke", data={"csrf_token": token, "reason": ""})
    with app.app_context():
        badge = db.session.get(Badge, badge_id)
        assert (badge.version, badge.status) == (2, "active")
    organizer_client.post(f"{url}/revoke", data={"csrf_token": token, "reason": "证件冒用"})
    with app.app_context():
        from conference.core.models import AuditEntry

        assert db.session.get(Badge, badge_id).status == "revoked"
        actions = db.session.execute(select(AuditEntry.action).where(AuditEntry.action.like("badge.%"))).scalars().all()
        assert {"badge.reissue", "badge.revoke"} <= set(actions)


def test_the_public_key_for_scanners(app, client):
    _people(app, 1)
    answer = client.get("/api/v1/editions/2023/badge-key").get_json()
    assert answer["algorithm"] == "Ed25519" and len(answer["public_key"]) == 43
    with app.app_context():
        badge = db.session.execute(select(Badge)).scalar_one()
        text = services.payload(badge)
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

        key = Ed25519PublicKey.from_public_bytes(b64url_decode(answer["public_key"]))
        assert services.signing.verify(text, 2023, key).badge_id == badge.id
    assert "/api/v1/editions/{year}/badge-key" in client.get("/api/v1/openapi.json").get_json()["paths"]


def test_cli_payload_public_key_and_pdf(app, tmp_path):
    _people(app, 2)
    runner = app.test_cli_runner()
    with app.app_context():
        person_id = db.session.execute(select(Person.id)).scalars().first()
    payload = runner.invoke(args=["badges", "payload", "--edition", "2023", "--person", str(person_id)])
    key = runner.invoke(args=["badges", "public-key", "--edition", "2023"])
    out = tmp_path / "b.pdf"
    made = runner.invoke(args=["badges", "pdf", "--edition", "2023", "--category", "guest", "--out", str(out)])
    assert payload.exit_code == 0 and payload.output.strip().startswith("C1")
    assert key.exit_code == 0 and len(key.output.strip()) == 43
    assert made.exit_code == 0 and out.read_bytes().startswith(b"%PDF")
    with app.app_context():
        assert services.verify(payload.output.strip(), get_edition(2023)).ok


def test_the_badge_list_searches_by_name_and_pinyin(app, organizer_client):
    _people(app, 5)
    assert "王伟" in organizer_client.get("/editions/2023/badges/?q=王伟").get_data(as_text=True)
    found = organizer_client.get("/editions/2023/badges/?q=zhangna").get_data(as_text=True)
    assert "张娜" in found and "王伟" not in found


def test_the_public_key_is_a_read_and_makes_no_key(app, client, edition_2023):
    from conference.badges.models import BadgeKey

    assert client.get("/api/v1/editions/2023/badge-key").status_code == 404  # no badge issued yet
    with app.app_context():
        assert db.session.execute(select(BadgeKey)).first() is None
