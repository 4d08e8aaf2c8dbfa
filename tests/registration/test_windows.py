"""The one clock, registration windows, and a cloned edition that starts closed (issue 14)."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

import config
from conference import create_app
from conference.core import clock
from conference.core.database import committed
from conference.editions.services import clone_edition, get_edition
from conference.extensions import db
from conference.registration import services
from conference.registration.services import RegistrationError
from tests.conftest import submit
from tests.registration.test_pages import FORM, post_form

SHANGHAI = ZoneInfo("Asia/Shanghai")


# The one clock -----------------------------------------------------------------------------


def test_conference_now_sets_the_clock_in_testing_and_it_runs_on(tmp_path):
    create_app({"CONFERENCE_NOW": "2023-07-11T10:00:00+08:00", "SQLALCHEMY_DATABASE_URI": "sqlite://",
                "INSTANCE_DIR": str(tmp_path)})
    moment = datetime(2023, 7, 11, 2, 0, tzinfo=UTC)
    assert moment <= clock.now() < moment + timedelta(minutes=1)
    assert clock.now().tzinfo is not None
    assert clock.today("Asia/Shanghai").isoformat() == "2023-07-11"


def test_a_moment_without_an_offset_is_refused(tmp_path):
    with pytest.raises(ValueError, match="offset"):
        create_app({"CONFERENCE_NOW": "2023-07-11T10:00:00", "SQLALCHEMY_DATABASE_URI": "sqlite://",
                    "INSTANCE_DIR": str(tmp_path)})


def test_production_refuses_to_start_with_conference_now(monkeypatch, tmp_path):
    for name, value in {"SECRET_KEY": "x", "DATABASE_URL": "sqlite://", "PII_KEY": "k", "PUBLIC_URL": "https://c.example.org",
                        "CONFERENCE_ENV": "production", "CONFERENCE_NOW": "2023-07-11T10:00:00+08:00"}.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(RuntimeError, match="CONFERENCE_NOW"):
        config.config_from_environment()

    class Production(config.ProductionConfig):
        CONFERENCE_NOW = "2023-07-11T10:00:00+08:00"
        INSTANCE_DIR = str(tmp_path)

    with pytest.raises(RuntimeError, match="CONFERENCE_NOW"):
        create_app(Production)
    assert clock.now() > datetime(2026, 1, 1, tzinfo=UTC)  # the real time, never the one asked for


def test_code_expiry_reads_the_clock(app, reg, demo_clock):
    with app.test_request_context():
        edition = get_edition(2023)
        guest = services.category_by_code(edition, "guest")
        [code] = services.make_codes(edition, guest, 1, expires_at=datetime(2023, 7, 1, tzinfo=UTC))
        db.session.commit()
        assert services.check_code(edition, guest, code)
        demo_clock(datetime(2023, 7, 2, tzinfo=UTC))
        with pytest.raises(RegistrationError) as refused:
            services.check_code(edition, guest, code)
        assert list(refused.value.errors) == ["invitation_code"]
        assert "过期" in str(refused.value.errors["invitation_code"])


# Registration windows ----------------------------------------------------------------------


def test_before_its_window_a_category_is_refused_with_the_date_in_the_readers_language(app, client, reg, demo_clock):
    demo_clock(datetime(2023, 6, 19, 12, 0, tzinfo=SHANGHAI))  # media opens 6月20日 09:00
    zh = post_form(client, FORM, "zh-CN")
    assert zh.status_code == 422
    page = zh.get_data(as_text=True)
    assert "媒体记者报名将于2023年6月20日 09:00开放。" in page
    assert "陳" in page  # what they typed is kept
    en = post_form(client, FORM, "en").get_data(as_text=True)
    assert "Registration for Media opens on Jun 20, 2023 09:00." in en


def test_after_its_window_a_category_is_refused_through_the_api_too(app, client, reg, demo_clock):
    demo_clock(datetime(2023, 7, 16, 18, 0, tzinfo=SHANGHAI))  # media closes at this moment
    body = {"category": "media", "family_name": "陳", "given_name": "美玲", "organisation": "海峡之声广播电台",
            "email": "chen@example.org", "phone": "+886 912 345 678", "id_type": "taiwan_permit", "id_number": "12345678",
            "consents": {"privacy_notice": 1, "identity_document": 1}}
    answer = client.post("/api/v1/editions/2023/registrations", json=body, headers={"Accept-Language": "zh-CN"})
    assert answer.status_code == 422
    assert answer.get_json()["errors"]["category"] == "媒体记者报名已于2023年7月16日 18:00截止。"
    demo_clock(datetime(2023, 7, 16, 17, 59, tzinfo=SHANGHAI))
    assert client.post("/api/v1/editions/2023/registrations", json=body).status_code == 201


def test_the_form_offers_only_open_categories_and_says_when_the_others_open(client, reg, demo_clock):
    demo_clock(datetime(2023, 6, 19, 12, 0, tzinfo=SHANGHAI))
    page = client.get("/register/2023/", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert 'value="guest"' in page and 'value="media"' not in page
    assert "媒体记者报名将于2023年6月20日 09:00开放。" in page


def test_the_form_api_lists_each_categorys_window(client, reg, demo_clock):
    demo_clock(datetime(2023, 6, 19, 12, 0, tzinfo=SHANGHAI))
    answer = client.get("/api/v1/editions/2023/registration-form").get_json()
    media = next(c for c in answer["categories"] if c["code"] == "media")
    assert media["opens_at"] == "2023-06-20T01:00:00+00:00" and media["closes_at"] == "2023-07-16T10:00:00+00:00"
    assert media["open_now"] is False
    assert next(c for c in answer["categories"] if c["code"] == "guest")["open_now"] is True


def test_organizers_set_the_window_in_local_time_and_it_is_stored_in_utc(app, reg, organizer_client):
    url = "/editions/2023/registrations/categories/media"
    page = organizer_client.get(url).get_data(as_text=True)
    assert 'value="2023-06-20T09:00"' in page
    data = {"name_zh": "媒体记者", "name_en": "Media", "open": "y", "approval_required": "y",
            "opens_at": "2023-06-25T09:00", "closes_at": "2023-06-24T09:00"}
    wrong = submit(organizer_client, url, data)
    assert "报名截止时间须晚于开放时间。" in wrong.get_data(as_text=True)
    assert submit(organizer_client, url, {**data, "closes_at": "2023-07-01T18:00"}).status_code == 302
    with app.app_context():
        media = services.category_by_code(get_edition(2023), "media")
        assert media.opens_at == datetime(2023, 6, 25, 1, 0, tzinfo=UTC)
        assert media.closes_at == datetime(2023, 7, 1, 10, 0, tzinfo=UTC)


# A cloned edition starts closed -------------------------------------------------------------


def _clone(app):
    with app.test_request_context():
        committed(lambda: clone_edition(get_edition(2023), 2024, "厦门", "Xiamen"))


def test_a_cloned_edition_starts_closed_with_the_notice_to_be_reviewed(app, client, reg, organizer_client, demo_clock):
    _clone(app)
    demo_clock(datetime(2024, 7, 1, 10, 0, tzinfo=SHANGHAI))
    with app.app_context():
        edition = get_edition(2024)
        assert all(c.opens_at is None and c.closes_at is None for c in services.categories_of(edition))
        notice = services.current_notice(edition)
        assert notice.needs_review
        assert "2023" not in notice.text_zh and notice.text_zh.startswith("【届次】中国网络文明大会组委会")
        assert "2023" not in notice.text_en and "[edition] China Internet Civilization Conference" in notice.text_en
    page = client.get("/register/2024/").get_data(as_text=True)
    assert "报名尚未开放" in page and "2023年" not in page

    url = "/editions/2024/registrations/categories/media"
    data = {"name_zh": "媒体记者", "name_en": "Media", "open": "y", "approval_required": "y",
            "opens_at": "2024-06-20T09:00", "closes_at": "2024-07-16T18:00"}
    refused = submit(organizer_client, url, data).get_data(as_text=True)
    assert "请先审核个人信息保护告知书" in refused and 'href="/editions/2024/registrations/notice"' in refused
    with app.app_context():
        assert services.category_by_code(get_edition(2024), "media").opens_at is None
    # A window still ahead may be set; opening needs the review.
    assert submit(organizer_client, url, {**data, "opens_at": "2024-08-01T09:00", "closes_at": ""}).status_code == 302

    notice_page = organizer_client.get("/editions/2024/registrations/notice").get_data(as_text=True)
    assert "/editions/2024/registrations/notice/reviewed" in notice_page
    assert submit(organizer_client, "/editions/2024/registrations/notice/reviewed", {}).status_code == 302
    assert submit(organizer_client, url, data).status_code == 302
    assert 'value="media"' in client.get("/register/2024/").get_data(as_text=True)


# Small items on the form ---------------------------------------------------------------------


def test_an_empty_invitation_code_is_needed_not_invalid(client, reg):
    page = post_form(client, {**FORM, "category": "guest"}, "en").get_data(as_text=True)
    assert "An invitation code is needed for this category." in page
    assert "not valid for this category" not in page


def test_the_passport_nationality_error_stands_under_the_nationality(client, reg):
    page = post_form(client, {**FORM, "id_type": "passport", "id_number": "E12345678"}, "en").get_data(as_text=True)
    assert 'id="nationality-error"' in page and "Choose the nationality shown in the passport." in page
    assert 'id="id_number-error"' not in page


def test_required_fields_are_marked_with_the_categories_that_need_them(client, reg):
    page = client.get("/register/2023/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'class="required-for" data-categories="guest"' in page  # only guests give a position
    assert "required for: Guest" in page
    assert 'data-categories="media"' in page  # only media give an email


# The Traditional notice -----------------------------------------------------------------------


def test_the_traditional_notice_uses_taiwans_words_and_keeps_the_organisers_names(app, client, reg):
    with app.test_request_context():
        notice = services.current_notice(get_edition(2023))
        notice.text_zh = "中国网络社会组织联合会收集您的个人信息：电子邮箱、手机号码，加密存储。"
        db.session.commit()
    page = client.get("/register/2023/", headers={"Accept-Language": "zh-TW"}).get_data(as_text=True)
    assert "中國網絡社會組織聯合會收集您的個人資訊：電子郵件、手機號碼，加密儲存。" in page
    text = page.split('class="notice-text"', 1)[1].split("</div>", 1)[0]
    assert "個人信息" not in text and "電子郵箱" not in text and "存儲" not in text
