"""Registration for the demo 2023 edition: four categories, the privacy notice, seats for the
sub-forums and side events, and about 3,000 fictional people whose identity numbers are made
up but pass every check (region, birth date, check digit)."""

import random
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select
from stdnum.iso7064 import mod_11_2

from conference.core import pii
from conference.core.i18n import name_search_keys
from conference.editions.localtime import form_utc
from conference.editions.services import get_edition
from conference.extensions import db
from conference.people.models import Person
from conference.programme.models import Session
from conference.programme.services import programme_sessions
from conference.registration import services
from conference.registration.models import (
    Consent,
    PrivacyNotice,
    Registration,
    RegistrationCategory,
    SeatBooking,
    SessionQuota,
)

NOTICE_ZH = """2023年中国网络文明大会组委会（以下简称“我们”）为办理参会报名、证件制作、安全检查和会务服务，收集您的以下个人信息：姓名、单位、职务、电子邮箱、手机号码、身份证件类型和号码、照片（选填）以及您选择的活动。
身份证件号码属于敏感个人信息，仅用于大会安全检查和实名核验，加密存储，在各类名单中脱敏显示，每一次查看完整号码都会记录在案。照片仅用于制作证件和入口核验。
为安排住宿和接送站，经您另行同意，我们保存您的行程（抵离时间、航班或车次、抵离地点）和住宿安排，并向您入住的酒店（大会签约酒店，名单见个人报名页面）提供入住所需的姓名、房型、入住日期、同住人和特殊需求；仅在您另行同意时，才向酒店提供身份证件类型和号码用于预先登记。除此以外，不会向第三方提供您的个人信息，也不会公开。
您的身份证件号码、手机号码和照片将在大会结束后180天内删除，仅保留不含个人身份的统计数据。
您可以在个人报名页面查看、下载、更正您的信息，撤回同意，或申请删除。未满14周岁的参会者须由监护人同意。"""
NOTICE_EN = """The organizing committee of the 2023 China Internet Civilization Conference ("we") collects the following personal information to handle your registration, make your badge, run the security check and serve you at the conference: your name, organisation, position, email, mobile phone, identity document type and number, photo (optional) and the sessions you choose.
Your identity document number is sensitive personal information. It is used only for the security check and real-name verification, stored encrypted, masked in every list, and every look at the full number is logged. Your photo is used only for your badge and at the entrances.
To arrange your stay and your pickup, with your separate consent we keep your travel details (arrival and departure times, flight or train numbers, places) and your stay, and give the hotel you stay in (one of the conference's contracted hotels, named on your registration page) what it needs: your name, room type, nights, roommate and special requests; your identity document type and number go to the hotel for pre-registration only if you separately agree. Otherwise we give your personal information to no one and publish none of it.
Your identity document number, phone number and photo are deleted within 180 days after the conference; only statistics without personal identity are kept.
On your own registration page you can see, download and correct your information, withdraw your consent or ask for deletion. Participants under 14 need a guardian's consent."""

CATEGORIES = [
    # code, zh, en, open, approval, required fields, window (Asia/Shanghai)
    ("guest", "嘉宾", "Guest", False, True, ["organisation", "title", "phone"], ("2023-06-01T09:00", "2023-07-17T18:00")),
    ("audience", "特邀观众", "Invited audience", False, True, ["organisation", "phone"], ("2023-06-01T09:00", "2023-07-14T18:00")),
    ("media", "媒体记者", "Media", True, True, ["organisation", "email", "phone"], ("2023-06-20T09:00", "2023-07-16T18:00")),
    ("staff", "工作人员", "Staff", False, False, ["organisation", "phone"], ("2023-06-01T09:00", "2023-07-19T12:00")),
]
# The moment `make run` serves the demo as of: a week before the 2023 conference, every window open.
DEMO_NOW = "2023-07-11T10:00:00+08:00"


def _window(edition, local: str) -> datetime:
    return form_utc(edition, datetime.fromisoformat(local))
REGIONS = ["110101", "110105", "310104", "310115", "350203", "350206", "350211", "350102", "440305",
           "440106", "330106", "510107", "420106", "320102", "370202", "610113", "500103", "210102"]
FAMILY = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红鹏飞慧建国志宏晓光海燕文博思远嘉欣雨晨子涵浩然梓萱一鸣若曦天宇佳琪"
ORGANISATIONS = ["鹭江日报社", "海峡之声广播电台", "东南网", "华夏数字文明研究院", "星河互联网集团", "云帆短视频平台",
                 "明德大学", "厦门市网信办", "福建省网络社会组织联合会", "清源数据安全实验室", "山海文旅数字科技公司",
                 "启航青少年发展中心", "长风传媒集团", "新知算法研究所", "鹭岛公益基金会"]
MEDIA = ["央视记者站（虚构）", "海峡晨报（虚构）", "数字时代周刊（虚构）", "鹭岛新闻网（虚构）", "南方都会报（虚构）"]
TOTAL = 3000


def resident_id(rng: random.Random, born: date) -> str:
    body = f"{rng.choice(REGIONS)}{born:%Y%m%d}{rng.randint(0, 999):03d}"
    return body + mod_11_2.calc_check_digit(body)


def _document(rng: random.Random, index: int) -> tuple[str, str, str | None, date | None]:
    """(type, number, nationality, birth date) for the index-th demo person."""
    born = date(1958, 1, 1) + timedelta(days=rng.randint(0, 365 * 42))
    kind = index % 50
    if kind == 7:
        return "hk_macau_permit", f"H{rng.randint(10**7, 10**8 - 1)}", None, None
    if kind == 17:
        return "taiwan_permit", f"{rng.randint(10**7, 10**8 - 1)}", None, None
    if kind == 27:
        body = f"830000{born:%Y%m%d}{rng.randint(0, 999):03d}"
        return "residence_permit_hmt", body + mod_11_2.calc_check_digit(body), None, born
    if kind == 37:
        return "passport", f"P{rng.randint(10**7, 10**8 - 1)}", rng.choice(["GB", "FR", "NG", "SG", "BR", "KE"]), None
    return "resident_id", resident_id(rng, born), None, born


def set_up_registration(edition) -> tuple[dict, dict]:
    """Categories, the privacy notice and seat quotas: what the form needs before anyone comes."""
    sessions = programme_sessions(edition)
    choosable = [s for s in sessions if s.kind in ("sub_forum", "gala", "side_event")]
    sub_forums = [s.id for s in choosable if s.kind == "sub_forum"]
    categories = {}
    for position, (code, zh, en, is_open, approval, required, (opens, closes)) in enumerate(CATEGORIES):
        session_ids = [s.id for s in choosable] if code in ("guest", "media") else sub_forums if code == "audience" else []
        categories[code] = RegistrationCategory(
            edition_id=edition.id, code=code, name_zh=zh, name_en=en, open=is_open, approval_required=approval,
            required_fields=required, session_ids=session_ids, position=position,
            opens_at=_window(edition, opens), closes_at=_window(edition, closes),
        )
        db.session.add(categories[code])
    db.session.add(PrivacyNotice(edition_id=edition.id, version=1, text_zh=NOTICE_ZH, text_en=NOTICE_EN, retention_days=180))
    quotas = {}
    for session in choosable:
        seats = session.hall.capacity if session.hall else session.expected_audience
        if session.number == 5:
            seats = 120  # 算法治理 is popular: a waiting list forms
        quotas[session.id] = SessionQuota(session_id=session.id, seats=seats, taken=0)
        db.session.add(quotas[session.id])
    db.session.flush()
    return categories, quotas


def load_registration() -> list[str]:
    edition = get_edition(2023)
    if edition is None:
        return []
    if services.categories_of(edition):
        return ["Registration of 2023 already there."]
    categories, quotas = set_up_registration(edition)

    rng = random.Random(20230718)
    used_names, used_documents = set(), set()
    start = datetime(2023, 6, 1, 1, 0, tzinfo=UTC)
    for index in range(TOTAL):
        code = "audience" if index % 10 < 5 else "guest" if index % 10 < 7 else "media" if index % 10 < 9 else "staff"
        category = categories[code]
        while True:
            family, given = rng.choice(FAMILY), "".join(rng.sample(GIVEN, rng.choice([1, 2, 2])))
            if family + given not in used_names:
                break
        used_names.add(family + given)
        id_type, number, nationality, _born = _document(rng, index)
        while number in used_documents:
            id_type, number, nationality, _born = _document(rng, index)
        used_documents.add(number)
        duplicate_key = number[:9] if id_type == "hk_macau_permit" else number[:8] if id_type == "taiwan_permit" else f"{nationality}:{number}" if id_type == "passport" else number
        phone = f"+861{rng.choice('3578')}{rng.randint(0, 9)}{rng.randint(10**7, 10**8 - 1)}"
        pinyin, initials = name_search_keys(family, given)
        person = Person(
            edition_id=edition.id, family_name=family, given_name=given, category=code,
            organisation=rng.choice(MEDIA if code == "media" else ORGANISATIONS),
            title=rng.choice(["记者", "编辑", "摄影记者"]) if code == "media" else rng.choice(["主任", "研究员", "经理", "干事", "教授", "副处长"]),
            email=f"demo{index:04d}@example.org", phone_sealed=pii.seal(phone), phone_masked=pii.mask_phone(phone),
            name_pinyin=pinyin, name_initials=initials,
        )
        registered_at = start + timedelta(minutes=index * 13)
        status = "approved" if index % 7 else "pending"
        if index % 97 == 0:
            status = "rejected"
        token = f"demo-{index}-{rng.random()}"
        registration = Registration(
            edition_id=edition.id, person=person, category=category, status=status,
            token_hash=pii.token_hash(token), token_sealed=pii.seal(token), id_type=id_type,
            document_sealed=pii.seal(number), document_index=pii.blind_index(duplicate_key, "identity"),
            document_masked=pii.mask_document_number(number), nationality=nationality,
            source="online", created_at=registered_at, updated_at=registered_at,
            decided_by="organizer@example.org" if status != "pending" else None,
            decision_reason="名额已满" if status == "rejected" else "",
        )
        registration.consents = [
            Consent(kind="privacy_notice", notice_version=1, given_at=registered_at),
            Consent(kind="identity_document", notice_version=1, given_at=registered_at),
        ]
        db.session.add_all([person, registration])
        if status != "rejected" and category.session_ids and rng.random() < 0.6:
            for session_id in rng.sample(category.session_ids, k=min(len(category.session_ids), rng.choice([1, 1, 2]))):
                quota = quotas.get(session_id)
                if quota is None:
                    continue
                confirmed = quota.taken < quota.seats
                quota.taken += confirmed
                db.session.add(SeatBooking(registration=registration, session_id=session_id,
                                           status="confirmed" if confirmed else "waitlisted", created_at=registered_at))
    db.session.flush()
    codes = services.make_codes(edition, categories["guest"], 3, max_uses=1)
    total = db.session.execute(select(func.count(Registration.id)).where(Registration.edition_id == edition.id)).scalar_one()
    waiting = db.session.execute(select(func.count(SeatBooking.id)).join(Session).where(
        Session.edition_id == edition.id, SeatBooking.status == "waitlisted")).scalar_one()
    return [
        f"Registration of 2023: {total} fictional registrations, {waiting} on waiting lists; "
        "media may register without a code.",
        f"Guest invitation codes for trying the form: {', '.join(codes)}",
    ]
