"""Helpers of the application and screening tests: an edition whose applications are open, a
form's answers, the mails sent."""

import email
import email.policy
from pathlib import Path

from conference.extensions import db
from conference.volunteers import applications
from conference.volunteers.applications import ApplicationFields
from tests.registration.conftest import resident_id
from tests.volunteers import factories

ADULT = resident_id(birth="20000307", serial="201")
MINOR = resident_id(birth="20080101", serial="202")  # 15 on 17 July 2023


def open_world(open_applications: bool = True):
    """In an app context: the volunteers' test world with the notice (version 1) published and
    applications open."""
    built = factories.world()
    text_zh, text_en = applications.default_notice(built.edition)
    applications.publish_notice(built.edition, text_zh, "", text_en)
    if open_applications:
        applications.update_settings(built.edition, True, 8 * 60, 30, 15)
    db.session.commit()
    return built


def fields(**overrides) -> ApplicationFields:
    data = dict(
        family_name="林", given_name="小雨", email="lin@example.org", phone="13812345678", id_type="resident_id",
        id_number=ADULT, school_or_employer="厦门大学", languages=[{"code": "zh", "level": "native"},
                                                                {"code": "en", "level": "fluent"}],
        skills=["first_aid"], availability=[{"day": "2023-07-18", "part": "morning"}], shirt_size="M",
        emergency_name="林大海", emergency_phone="13900001111", consents={"privacy_notice": 1, "identity_document": 1},
        locale="en",
    )
    data.update(overrides)
    return ApplicationFields(**data)


def form_data(**overrides) -> dict:
    """The public form's answers as a browser sends them."""
    data = {
        "family_name": "林", "given_name": "小雨", "email": "lin@example.org", "phone": "13812345678",
        "id_type": "resident_id", "id_number": ADULT, "school_or_employer": "厦门大学",
        "language-0-code": "zh", "language-0-level": "native", "language-1-code": "en", "language-1-level": "fluent",
        "skills": ["first_aid"], "availability": ["2023-07-18:morning", "2023-07-18:afternoon"], "shirt_size": "M",
        "emergency_name": "林大海", "emergency_phone": "13900001111", "notice_version": "1",
        "consent_privacy": "y", "consent_identity": "y",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def mails(app) -> list:
    outbox = Path(app.config["INSTANCE_DIR"]) / "outbox"
    return [email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            for path in sorted(outbox.glob("*.eml"))] if outbox.exists() else []


def mails_to(app, address: str) -> list:
    return [m for m in mails(app) if m["To"] == address]


def empty_outbox(app) -> None:
    """Mails of earlier tests out of the way (each worker has its own instance folder)."""
    outbox = Path(app.config["INSTANCE_DIR"]) / "outbox"
    for path in outbox.glob("*.eml") if outbox.exists() else []:
        path.unlink()


def now():
    """Before the volunteering days (12 July 2023 in Xiamen), as UTC."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    return datetime(2023, 7, 12, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
