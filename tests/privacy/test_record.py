"""The processing record: generated from the forms, the declarations, the permission table and
the edition's data; a page for organizers and an .xlsx for the impact assessment, audited."""

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from conference.core.models import AuditEntry
from conference.extensions import db
from tests.conftest import login, make_user
from tests.privacy import world


@pytest.fixture
def built(app, demo_clock):
    with app.test_request_context():
        return world.build(app)


def test_the_page_says_what_why_to_whom_how_long_and_who_may_see(app, client, built):
    login(client, make_user(app, "organizer"))
    page = client.get("/editions/2023/privacy/record?lang=en").get_data(as_text=True)
    for said in ("Document number", "Flight or train number", "T-shirt size",  # the forms' fields
                 "phone_sealed", "encrypted (AES-GCM)", "photos of people (files deleted)",  # stored, protected
                 "Sea View", "the identity document of those who agreed separately (1)",  # recipients, from the data
                 "180 days after the conference", "pii.reveal", "Administrator, Organizer",  # retention, roles
                 "Privacy notice of registration"):
        assert said in page, said
    assert "consent_photo" not in page and "I agree separately" not in page  # consents are not data collected
    edition_page = client.get("/editions/2023?lang=en").get_data(as_text=True)
    assert "Processing record of personal data" in edition_page
    assert "180 days after the conference" in edition_page and "January 16, 2024" in edition_page


def test_the_workbook_holds_every_section_and_its_export_is_audited(app, client, built):
    login(client, make_user(app, "admin"))
    response = client.get("/editions/2023/privacy/record.xlsx?lang=en")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Forms", "Categories", "Data subjects", "Stored data", "Purposes", "Recipients",
                               "Retention", "Access", "Protection"]
    stored = [tuple(row) for row in book["Stored data"].iter_rows(min_row=2, values_only=True)]
    assert ("registration", "registrations", "document_sealed") in {row[:3] for row in stored}
    assert [row[:2] for row in book["Retention"].iter_rows(min_row=2, values_only=True)] == [(180, "2024-01-16")]
    with app.app_context():
        assert db.session.execute(select(AuditEntry.actor).where(
            AuditEntry.action == "privacy.record_export")).scalar_one() == "admin@test.example"


@pytest.mark.parametrize("role", ["viewer", "group_lead", "security", "volunteer"])
def test_only_admins_and_organizers_read_the_record(app, client, built, role):
    login(client, make_user(app, role))
    assert client.get("/editions/2023/privacy/record").status_code == 403
    assert client.get("/editions/2023/privacy/record.xlsx").status_code == 403
