"""Volunteering for the demo 2023 edition: the ten working groups of 2023, leads for two of them,
400 fictional applicants (300 accepted, with a badge and an account each), three trainings, twelve
posts and about 300 two-hour shifts over 17–19 July, filled four places in five through the same
rules a sign-up checks, and a few setup shifts on 9–10 July already worked (checked in and out),
so hours and service records have something to show a week before the conference."""

import random
from datetime import date, time, timedelta

from flask import current_app
from sqlalchemy import func, select

from conference.accounts import services as accounts
from conference.accounts.models import User
from conference.badges.models import Badge
from conference.core import pii
from conference.core.i18n import name_search_keys
from conference.editions.localtime import at_local
from conference.editions.services import get_edition
from conference.extensions import db
from conference.hotels import services as hotels
from conference.hotels.models import Hotel, TravelPlace
from conference.people.models import Person
from conference.venues.models import Checkpoint, Hall
from conference.volunteers import services
from conference.volunteers.models import (
    AccountPerson,
    GroupMember,
    HallGroup,
    Post,
    Shift,
    ShiftPlace,
    Training,
    TrainingPlace,
    Volunteer,
    VolunteerConsent,
    WorkingGroup,
)

# code, zh, en, desk phone; 志愿服务组 screens the applications (seed 002: the ten groups of 2023).
GROUPS = [
    ("GEN", "综合组", "General Affairs", "0592-5550101"),
    ("RECEP", "接待组", "Reception", "0592-5550102"),
    ("MEET", "会务组", "Meeting Services", "0592-5550103"),
    ("BIZ", "企业对接组", "Business Liaison", "0592-5550104"),
    ("SEC", "安全保卫组", "Security", "0592-5550105"),
    ("COORD", "协调保障组", "Coordination and Logistics", "0592-5550106"),
    ("MED", "医疗保障组", "Medical Support", "0592-5550107"),
    ("PRESS", "宣传及舆情组", "Publicity and Media", "0592-5550108"),
    ("SIDE", "配套活动组", "Side Events", "0592-5550109"),
    ("VOL", "志愿服务组", "Volunteer Services", "0592-5550110"),
]
LEADS = [("lead@example.org", "MEET", "会务组 组长（演示）"), ("vol-lead@example.org", "VOL", "志愿服务组 组长（演示）")]
# code, group, kind, zh, en, where (checkpoint code, hall name, hotel code, travel place code), needed,
# self sign-up, training code, skills, languages, hours of the day (start of each two-hour shift)
POSTS = [
    ("GT-SCAN", "SEC", "checkpoint", "大剧院北广场验证", "Theatre north plaza badge check", ("GT-MAIN", None, None, None),
     6, True, "T-SCAN", [], [], (6, 8, 10, 12, 14, 16, 18, 20, 22)),
    ("CC-SCAN", "SEC", "checkpoint", "会议中心一号门验证", "Conference centre gate 1 badge check", ("CC-G1", None, None, None),
     6, True, "T-SCAN", [], [], (6, 8, 10, 12, 14, 16, 18, 20, 22)),
    ("MAIN-USHER", "MEET", "usher", "主论坛引导", "Main forum usher", (None, "大剧场", None, None),
     5, True, "T-USHER", [], [], (7, 9, 11, 13, 15, 17, 19, 21)),
    ("SUB8-USHER", "MEET", "usher", "分论坛八引导（英语）", "Sub-forum 8 usher (English)", (None, "五号会议厅", None, None),
     3, True, "T-USHER", [], ["en"], (7, 9, 11, 13, 15, 17, 19, 21)),
    ("HALLA-USHER", "MEET", "usher", "多功能厅A引导", "Multi-function Hall A usher", (None, "多功能厅A", None, None),
     4, True, "T-USHER", [], [], (7, 9, 11, 13, 15, 17, 19, 21)),
    ("INFO", "VOL", "info_desk", "综合咨询台", "Information desk", ("CC-G2", None, None, None),
     3, True, None, [], [], (7, 9, 11, 13, 15, 17, 19, 21)),
    ("PRESS", "PRESS", "press_centre", "新闻中心服务", "Press centre service", ("CC-PRESS", None, None, None),
     3, True, None, [], ["en"], (7, 9, 11, 13, 15, 17, 19, 21)),
    ("HOTEL-DESK", "RECEP", "hotel_desk", "酒店服务台", "Hotel desk", (None, None, "H-YUNDING", None),
     2, True, None, [], [], (7, 9, 11, 13, 15, 17, 19, 21)),
    ("AIR-PICKUP", "RECEP", "pickup", "机场接站", "Airport pickup", (None, None, None, "XMN"),
     3, False, None, [], ["en"], (7, 9, 11, 13, 15, 17, 19, 21)),
    ("RAIL-PICKUP", "RECEP", "pickup", "厦门北站接站", "Xiamen North Station pickup", (None, None, None, "XMN-NORTH"),
     2, False, None, [], [], (7, 9, 11, 13, 15, 17, 19, 21)),
    ("MEDIC", "MED", "medical", "医疗点协助", "Medical point support", ("CC-G1", None, None, None),
     2, False, None, ["first_aid"], [], (7, 9, 11, 13, 15, 17, 19, 21)),
    ("SETUP", "MEET", "other", "布展与物料", "Hall setup and materials", (None, "宴会厅", None, None),
     8, False, None, [], [], ()),  # its shifts are the setup days before the conference
]
TRAININGS = [
    ("T-GENERAL", "志愿者通用培训", "General volunteer training", date(2023, 7, 8), (9, 12), 400),
    ("T-USHER", "会场引导培训", "Usher training", date(2023, 7, 9), (14, 17), 250),
    ("T-SCAN", "证件验证与扫码培训", "Badge checking and scanner training", date(2023, 7, 15), (9, 11), 250),
]
# Setup before the conference: 9–10 July already worked when the demo's clock reads 11 July.
SETUP_DAYS = (date(2023, 7, 9), date(2023, 7, 10), date(2023, 7, 15), date(2023, 7, 16))
FAMILY = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蔡蒋余杜叶程苏魏吕丁任沈姚卢")
GIVEN = ["子涵", "欣怡", "梓萱", "思远", "浩然", "雨桐", "宇轩", "一诺", "佳怡", "俊杰", "晨曦", "嘉禾", "若溪", "明哲",
         "诗琪", "泽宇", "沐阳", "可馨", "语桐", "博文", "安然", "心怡", "天佑", "乐瑶", "家豪", "清扬", "铭远", "书瑶"]
SCHOOLS = ["厦门大学", "集美大学", "华侨大学", "厦门理工学院", "厦门医学院", "厦门城市职业学院", "厦门外国语学校", "中国移动厦门分公司"]
ACCEPTED, WAITLISTED, REJECTED, APPLIED = 300, 40, 30, 30
FILLED = 0.8  # the share of places the demo fills: some shifts stay understaffed (red on the coverage page)


def load_volunteers() -> list[str]:
    edition = get_edition(2023)
    if edition is None:
        return []
    if services.groups_of(edition):
        return ["Volunteers of 2023 already there."]
    rng = random.Random(2023)  # the same demo every time
    settings = services.settings_of(edition)
    settings.applications_open, settings.notice_version = True, 1
    settings.notice_zh, settings.notice_zh_hant, settings.notice_en = NOTICE
    groups = {code: WorkingGroup(edition_id=edition.id, code=code, name_zh=zh, name_en=en, desk_phone=phone,
                                 screens_volunteers=code == "VOL", position=position)
              for position, (code, zh, en, phone) in enumerate(GROUPS, start=1)}
    db.session.add_all(groups.values())
    db.session.flush()
    _leads(groups)
    halls = {hall.name_zh: hall for hall in db.session.execute(
        select(Hall).join(Hall.venue).where(Hall.venue.has(edition_id=edition.id))).scalars()}
    for name in ("大剧场", "多功能厅A", "五号会议厅", "宴会厅"):
        db.session.add(HallGroup(hall_id=halls[name].id, group_id=groups["MEET"].id))
    trainings = _trainings(edition)
    posts = _posts(edition, groups, halls, trainings)
    shifts = _shifts(edition, posts)
    volunteers = _applicants(edition, groups, rng)
    accepted = [v for v in volunteers if v.status == "accepted"]
    _people(edition, accepted, rng)
    _attend(trainings, accepted, rng)
    db.session.flush()
    places = _fill(edition, shifts, accepted, rng)
    worked = _worked(edition, shifts, rng)
    housed = _house(edition, accepted, rng)
    return [f"Volunteers of 2023: {len(groups)} working groups, {len(volunteers)} applicants ({len(accepted)} accepted), "
            f"{len(trainings)} trainings, {len(posts)} posts, {len(shifts)} shifts, {places} places taken, "
            f"{worked} setup places worked, {housed} volunteers housed."]


def demo_logins() -> list[str]:
    password = current_app.config["DEMO_PASSWORD"]
    first = db.session.execute(select(User.email).where(User.email.like("v%@volunteers.example.org"))
                               .order_by(User.id).limit(1)).scalar()
    lines = [f"Sign in as {email} with password {password} (group lead of {group})" for email, group, _ in LEADS]
    if first:
        lines.append(f"Sign in as {first} with password {password} (a volunteer; v001 … v300 alike)")
    return lines


def _leads(groups: dict[str, WorkingGroup]) -> None:
    for email, group, name in LEADS:
        user = accounts.find_by_email(email) or accounts.create_user(email, current_app.config["DEMO_PASSWORD"],
                                                                     "group_lead", name)
        db.session.flush()
        db.session.add(GroupMember(group_id=groups[group].id, user_id=user.id, lead=True))


def _trainings(edition) -> dict[str, Training]:
    desk = db.session.execute(select(Checkpoint).where(Checkpoint.code == "DEMO-DESK",
                                                       Checkpoint.venue.has(edition_id=edition.id))).scalar()
    trainings = {}
    for code, zh, en, day, (start, end), capacity in TRAININGS:
        trainings[code] = Training(edition_id=edition.id, code=code, title_zh=zh, title_en=en,
                                   starts_at=at_local(edition, day, time(start)), ends_at=at_local(edition, day, time(end)),
                                   place="厦门国际会议中心 B1 志愿者培训区", checkpoint_id=desk.id if desk else None,
                                   capacity=capacity)
    db.session.add_all(trainings.values())
    db.session.flush()
    return trainings


def _posts(edition, groups, halls, trainings) -> list[Post]:
    checkpoints = {c.code: c for c in db.session.execute(
        select(Checkpoint).where(Checkpoint.venue.has(edition_id=edition.id))).scalars()}
    hotel_ids = dict(db.session.execute(select(Hotel.code, Hotel.id).where(Hotel.edition_id == edition.id)).all())
    place_ids = dict(db.session.execute(select(TravelPlace.code, TravelPlace.id).where(TravelPlace.edition_id == edition.id)).all())
    posts = []
    for code, group, kind, zh, en, (checkpoint, hall, hotel, place), _needed, self_signup, training, skills, languages, _ in POSTS:
        posts.append(Post(edition_id=edition.id, group_id=groups[group].id, code=code, kind=kind, name_zh=zh, name_en=en,
                          checkpoint_id=checkpoints[checkpoint].id if checkpoint in checkpoints else None,
                          hall_id=halls[hall].id if hall else None, hotel_id=hotel_ids.get(hotel),
                          travel_place_id=place_ids.get(place), self_signup=self_signup,
                          training_id=trainings[training].id if training else None, skills=skills, languages=languages))
    db.session.add_all(posts)
    db.session.flush()
    return posts


def _shifts(edition, posts: list[Post]) -> list[Shift]:
    shifts = []
    days = [edition.starts_on - timedelta(days=1), edition.starts_on, edition.ends_on]  # 17, 18, 19 July
    for post, spec in zip(posts, POSTS, strict=True):
        needed, hours = spec[6], spec[11]
        if post.code == "SETUP":
            moments = [(day, start) for day in SETUP_DAYS for start in (9, 14)]
        else:
            moments = [(day, start) for day in days for start in hours]
            if post.kind == "checkpoint":  # a second team at the gates' two busiest hours
                moments += [(day, start) for day in days[1:] for start in (9, 13)]
        for day, start in moments:
            shifts.append(Shift(edition_id=edition.id, post_id=post.id, needed=needed,
                                starts_at=at_local(edition, day, time(start)),
                                ends_at=at_local(edition, day, time(start)) + timedelta(hours=2 if post.code != "SETUP" else 3)))
    db.session.add_all(shifts)
    db.session.flush()
    return shifts


def _applicants(edition, groups, rng: random.Random) -> list[Volunteer]:
    statuses = ["accepted"] * ACCEPTED + ["waitlisted"] * WAITLISTED + ["rejected"] * REJECTED + ["applied"] * APPLIED
    volunteer_days = [(edition.starts_on - timedelta(days=1)).isoformat(), edition.starts_on.isoformat(),
                      edition.ends_on.isoformat()]
    found = []
    for index, status in enumerate(statuses, start=1):
        family, given = FAMILY[index % len(FAMILY)], GIVEN[(index * 7) % len(GIVEN)]
        number = f"V{2023_0000 + index}"
        languages = [{"code": "zh", "level": "native"}]
        if rng.random() < 0.45:
            languages.append({"code": "en", "level": rng.choice(["basic", "fluent", "fluent"])})
        if rng.random() < 0.05:
            languages.append({"code": rng.choice(["ja", "ko", "fr"]), "level": "basic"})
        skills = [s for s, share in (("first_aid", 0.15), ("driving", 0.1), ("sign_language", 0.03),
                                     ("photography", 0.1), ("interpreting", 0.08)) if rng.random() < share]
        availability = [{"day": day, "part": part} for day in volunteer_days for part in ("morning", "afternoon", "evening")
                        if rng.random() < 0.85]
        if rng.random() < 0.3:  # free for the setup days too
            availability += [{"day": day.isoformat(), "part": part} for day in SETUP_DAYS for part in ("morning", "afternoon")]
        phone = f"1{rng.choice('3589')}{rng.randrange(10**8, 10**9)}"
        volunteer = Volunteer(
            edition_id=edition.id, status=status, family_name=family, given_name=given,
            email=f"v{index:03d}@volunteers.example.org", phone_sealed=pii.seal(phone), phone_masked=pii.mask_phone(phone),
            # keyed as the form keys a passport (nationality:number), so the demo's numbers count as taken
            id_type="passport", document_sealed=pii.seal(number), document_index=pii.blind_index(f"CN:{number}", "identity"),
            document_masked=pii.mask_document_number(number), nationality="CN",
            school_or_employer=SCHOOLS[index % len(SCHOOLS)], languages=languages, skills=skills,
            availability=availability, shirt_size=rng.choice(["S", "M", "M", "L", "L", "XL"]),
            emergency_name="家长（虚构）", emergency_phone_sealed=pii.seal(f"139{rng.randrange(10**7, 10**8)}"),
            first_time=rng.random() < 0.55, token_hash=pii.token_hash(f"demo-volunteer-{index}"),
            group_id=groups[GROUP_OF[index % len(GROUP_OF)]].id if status == "accepted" else None,
            decided_at=at_local(edition, date(2023, 7, 1), time(10)) if status in ("accepted", "rejected", "waitlisted") else None,
            decided_by="vol-lead@example.org" if status != "applied" else None,
            decision_reason="本届志愿者名额已满，感谢报名。" if status == "rejected" else "")
        volunteer.consents = [VolunteerConsent(kind=kind, notice_version=1) for kind in ("privacy_notice", "identity_document")]
        found.append(volunteer)
    db.session.add_all(found)
    db.session.flush()
    return found


# Which group an accepted volunteer works for, round-robin weighted by the posts each group has.
GROUP_OF = ["SEC", "SEC", "MEET", "MEET", "MEET", "VOL", "PRESS", "RECEP", "RECEP", "MED", "MEET", "SEC"]


def _people(edition, accepted: list[Volunteer], rng: random.Random) -> None:
    """Each accepted volunteer: a Person of category volunteer, a badge, and an account (the demo
    password, hashed once: argon2 three hundred times would slow the demo by half a minute)."""
    password_hash = accounts.password_hash(current_app.config["DEMO_PASSWORD"])
    serial = db.session.execute(select(func.count(Badge.id)).where(Badge.edition_id == edition.id)).scalar_one()
    for volunteer in accepted:
        pinyin, initials = name_search_keys(volunteer.family_name, volunteer.given_name)
        person = Person(edition_id=edition.id, family_name=volunteer.family_name, given_name=volunteer.given_name,
                        category="volunteer", email=volunteer.email, organisation=volunteer.school_or_employer,
                        phone_sealed=volunteer.phone_sealed, phone_masked=volunteer.phone_masked,
                        name_pinyin=pinyin, name_initials=initials)
        db.session.add(person)
        user = User(email=volunteer.email, display_name=f"{volunteer.family_name}{volunteer.given_name}", role="volunteer",
                    password_hash=password_hash)
        db.session.add(user)
        db.session.flush()
        volunteer.person_id = person.id
        serial += 1
        db.session.add(Badge(edition_id=edition.id, person_id=person.id, serial=f"{edition.year}-{serial:05d}", version=1))
        db.session.add(AccountPerson(user_id=user.id, edition_id=edition.id, person_id=person.id))


def _attend(trainings: dict[str, Training], accepted: list[Volunteer], rng: random.Random) -> None:
    """Everyone books the general training (8 July, attended by nine in ten); ushers and scanners
    book theirs: the usher training (9 July) is done, the scanner training (15 July) to come."""
    for volunteer in accepted:
        wanted = ["T-GENERAL", rng.choice(["T-USHER", "T-SCAN"])]
        if rng.random() < 0.3:
            wanted.append("T-SCAN" if wanted[1] == "T-USHER" else "T-USHER")
        for code in wanted:
            training = trainings[code]
            attended = training.ends_at if code != "T-SCAN" and rng.random() < 0.9 else None
            db.session.add(TrainingPlace(training_id=training.id, volunteer_id=volunteer.id, attended_at=attended))
            training.taken += 1
    # The scanner training is still ahead on the demo's clock; for the shifts' sake, the
    # volunteers who took the first session (a rehearsal at the training desk) count as trained.
    for place in db.session.execute(select(TrainingPlace).where(TrainingPlace.training_id == trainings["T-SCAN"].id)).scalars():
        if rng.random() < 0.7:
            place.attended_at = trainings["T-GENERAL"].ends_at


def _fill(edition, shifts: list[Shift], accepted: list[Volunteer], rng: random.Random) -> int:
    """Fill about four places in five, each volunteer only where every rule holds: the same
    conflicts_for a sign-up runs, on standings kept in memory as places are given."""
    settings = services.settings_of(edition)
    standings = services.standings(edition, accepted)
    crews: dict[int, list[Volunteer]] = {shift.id: [] for shift in shifts}
    taken = 0
    order = list(shifts)
    rng.shuffle(order)
    for shift in order:
        wanted = round(shift.needed * FILLED) if rng.random() < 0.85 else max(0, shift.needed - 3)
        pool = rng.sample(accepted, k=len(accepted))
        # experienced volunteers first, so that first-timers find someone beside them
        pool.sort(key=lambda v: v.first_time)
        for volunteer in pool:
            if len(crews[shift.id]) >= wanted:
                break
            standing = standings[volunteer.id]
            if services.conflicts_for(shift, standing, settings, crew=crews[shift.id]):
                continue
            db.session.add(ShiftPlace(shift_id=shift.id, volunteer_id=volunteer.id,
                                      assigned_by=None if shift.post.self_signup else "vol-lead@example.org"))
            standing.shifts.append(shift)
            crews[shift.id].append(volunteer)
        shift.taken = len(crews[shift.id])
        taken += shift.taken
    db.session.flush()
    return taken


def _worked(edition, shifts: list[Shift], rng: random.Random) -> int:
    """The setup shifts of 9–10 July were worked: checked in a few minutes either side of the
    start and out at the end, one no-show, one forgotten check-out corrected by the lead."""
    worked_before = at_local(edition, SETUP_DAYS[2], time(0))
    setup = [s.id for s in shifts if s.post.code == "SETUP" and s.starts_at < worked_before]
    places = list(db.session.execute(select(ShiftPlace).where(ShiftPlace.shift_id.in_(setup))
                                     .order_by(ShiftPlace.id)).scalars())
    for index, place in enumerate(places):
        if index == 0:
            continue  # a no-show
        place.checked_in_at = place.shift.starts_at + timedelta(minutes=rng.randint(-10, 8))
        if index == 1:
            place.corrected_minutes, place.correction_reason = 180, "忘记签退，按排班时长补记"
        else:
            place.checked_out_at = place.shift.ends_at + timedelta(minutes=rng.randint(-5, 15))
    return max(0, len(places) - 1)


def _house(edition, accepted: list[Volunteer], rng: random.Random) -> int:
    """Volunteers from out of town stay at the staff house, two to a twin room, for the nights
    of their shifts (and one or two with a night their shifts do not need, for the reception
    group's check)."""
    staff_house = next((h for h in hotels.hotels_of(edition) if h.kind == "staff"), None)
    if staff_house is None:
        return 0
    twin = next((t for t in staff_house.room_types if t.kind == "twin"), None)
    nights = hotels.conference_nights(edition)
    housed = 0
    for volunteer in accepted[::6]:
        person = db.session.get(Person, volunteer.person_id)
        stay = hotels.request_stay(person, hotels.StayWishes(check_in=nights[0], check_out=nights[-1] + timedelta(days=1),
                                                             room_kind="twin"))
        hotels.place(stay, staff_house, twin, confirmed=True, tell=False)
        housed += 1
    return housed


NOTICE = (
    "中国网络文明大会志愿者个人信息处理规则\n\n"
    "处理目的：志愿者招募、培训、排班与管理，以及依照《志愿服务条例》出具志愿服务记录证明。\n"
    "处理的信息：姓名、身份证件、联系电话、学校或工作单位、语言与技能、可服务时间、紧急联系人、照片（可选）。\n"
    "身份证件与照片单独征得同意；未满十八周岁须经监护人同意。\n"
    "保存期限：大会结束后180日内删除身份证件号码、电话与照片；志愿服务记录（姓名、服务时长、证明编号）依规长期保存。",
    "中國網絡文明大會志願者個人信息處理規則\n\n"
    "處理目的：志願者招募、培訓、排班與管理，以及依照《志願服務條例》出具志願服務記錄證明。\n"
    "處理的信息：姓名、身份證件、聯繫電話、學校或工作單位、語言與技能、可服務時間、緊急聯繫人、照片（可選）。\n"
    "身份證件與照片單獨徵得同意；未滿十八週歲須經監護人同意。\n"
    "保存期限：大會結束後180日內刪除身份證件號碼、電話與照片；志願服務記錄（姓名、服務時長、證明編號）依規長期保存。",
    "China Internet Civilization Conference: how volunteers' personal data is handled\n\n"
    "Purposes: recruiting, training, scheduling and managing volunteers, and issuing service record certificates "
    "under the Volunteer Service Regulations.\n"
    "Data: name, identity document, phone, school or employer, languages and skills, availability, emergency contact, "
    "photo (optional).\n"
    "The identity document and the photo need separate consent; under 18, a guardian's consent.\n"
    "Retention: identity numbers, phones and photos are deleted within 180 days after the conference; service records "
    "(name, hours, certificate serial) are kept as the regulations require.",
)
