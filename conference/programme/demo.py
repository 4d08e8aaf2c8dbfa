"""The 2023 programme as the press conference announced it (seeds/002): the opening ceremony
and main forum with its releases, the Internet Integrity Summit Forum with its three releases,
the twelve sub-forums with their themes, the gala and the enterprise networking event.
Speakers, their organisations and all times are fictional."""

import random
from datetime import date, time

from sqlalchemy import func, select

from conference.editions.services import get_edition
from conference.extensions import db
from conference.people.services import PersonFields, create_person
from conference.programme import services
from conference.programme.models import Session
from conference.programme.services import ItemFields, SessionFields
from conference.venues.services import halls_of

DAY_1, DAY_2 = date(2023, 7, 18), date(2023, 7, 19)

SUB_FORUMS = [
    ("互联网与文明创建", "Internet and Civilization Building"),
    ("网络内容建设", "Online Content Building"),
    ("网络生态建设", "Online Ecosystem Building"),
    ("网络文明社会共建", "Building Online Civilization Together"),
    ("算法治理", "Algorithm Governance"),
    ("网络法治建设", "Rule of Law Online"),
    ("网络辟谣", "Debunking Online Rumours"),
    ("网络文明国际交流互鉴", "International Exchange on Online Civilization"),
    ("数字公益慈善发展", "Digital Philanthropy"),
    ("数字文旅发展", "Digital Culture and Tourism"),
    ("数据安全和个人信息保护", "Data Security and Personal Information Protection"),
    ("海峡两岸青少年网络素养建设", "Cross-Strait Youth Digital Literacy"),
]

FAMILY = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤欧阳司马上官"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红鹏飞慧建国志宏晓光海燕文博思远嘉欣雨晨子涵浩然梓萱一鸣若曦天宇佳琪"
ORGANISATIONS = [
    ("华夏数字文明研究院", "Huaxia Institute of Digital Civilization"),
    ("海峡网络科技有限公司", "Strait Network Technology Co."),
    ("星河互联网集团", "Xinghe Internet Group"),
    ("东南政法研究中心", "Southeast Centre for Law and Policy"),
    ("明德大学新闻传播学院", "Mingde University School of Journalism"),
    ("清源数据安全实验室", "Qingyuan Data Security Lab"),
    ("云帆短视频平台", "Yunfan Short Video Platform"),
    ("鹭岛公益基金会", "Ludao Charity Foundation"),
    ("山海文旅数字科技公司", "Shanhai Digital Culture & Tourism Tech"),
    ("启航青少年发展中心", "Qihang Youth Development Centre"),
    ("新知算法研究所", "Xinzhi Algorithm Research Institute"),
    ("正言辟谣联盟", "Zhengyan Fact-Checking Alliance"),
    ("长风传媒集团", "Changfeng Media Group"),
    ("博观网络社会研究中心", "Boguan Centre for Internet Society"),
]
TITLES = [
    ("院长", "Dean"), ("教授", "Professor"), ("总裁", "President"), ("秘书长", "Secretary-General"),
    ("研究员", "Research Fellow"), ("主任", "Director"), ("副总裁", "Vice President"),
    ("首席执行官", "Chief Executive Officer"), ("理事长", "Chair"), ("总编辑", "Editor-in-Chief"),
]
INTERNATIONAL = [
    ("Okafor", "Amara", "Lagos Digital Society Forum", "Director"),
    ("Lindqvist", "Erik", "Nordic Centre for Online Dialogue", "Senior Fellow"),
    ("Fernández", "Lucía", "Ibero-American Media Lab", "Founder"),
    ("Nguyen", "Thi Lan", "Mekong Youth Internet Network", "Coordinator"),
    ("Haddad", "Karim", "Mediterranean Digital Rights Initiative", "Researcher"),
    ("Sato", "Yuki", "Pacific Information Ethics Institute", "Professor"),
]
CROSS_STRAIT = [
    ("陳", "志明", "Chen Chih-ming", "臺灣青少年數位素養協會", "理事長"),
    ("林", "淑芬", "Lin Shu-fen", "臺中數位教育中心", "主任"),
    ("黃", "家豪", "Wong Ka-ho", "香港青年網絡素養學會", "會長"),
    ("何", "嘉欣", "Ho Ka-yan", "澳門青年創新協會", "秘書長"),
    ("張", "育誠", "Chang Yu-cheng", "高雄媒體素養研究室", "研究員"),
]


class SpeakerFactory:
    """Fictional speakers, the same every time the demo is loaded."""

    def __init__(self, edition):
        self.edition = edition
        self.random = random.Random(2023)
        self.count = 0
        self.used: set[str] = set()

    def chinese(self, public: bool = True):
        while True:
            family = self.random.choice(["欧阳", "司马", "上官"]) if self.random.random() < 0.04 else self.random.choice(FAMILY[:-6])
            given = "".join(self.random.sample(GIVEN, self.random.choice([1, 2, 2])))
            if family + given not in self.used:
                break
        self.used.add(family + given)
        org = self.random.choice(ORGANISATIONS)
        title = self.random.choice(TITLES)
        return self._create(PersonFields(
            family_name=family, given_name=given, category="guest",
            organisation=org[0], organisation_en=org[1], title=title[0], title_en=title[1],
            bio_zh=f"{org[0]}{title[0]}，长期从事网络文明建设相关研究与实践。",
            bio_en=f"{title[1]} at {org[1]}, working on online civilization for many years.",
            public_profile=public,
        ))

    def international(self, index: int):
        family, given, org, title = INTERNATIONAL[index % len(INTERNATIONAL)]
        return self._create(PersonFields(
            family_name=family, given_name=given, category="guest", organisation=org,
            organisation_en=org, title=title, title_en=title, public_profile=True,
            bio_en=f"{title} at {org}.",
        ))

    def cross_strait(self, index: int):
        family, given, latin, org, title = CROSS_STRAIT[index % len(CROSS_STRAIT)]
        return self._create(PersonFields(
            family_name=family, given_name=given, name_latin=latin, category="guest",
            organisation=org, title=title, public_profile=True,
        ))

    def _create(self, fields):
        self.count += 1
        return create_person(self.edition, fields)


def _session(edition, hall, kind, title, day, start, end, audience, number=None, theme=("", ""), host=("", "")):
    return services.save_session(
        edition,
        SessionFields(
            kind=kind, number=number, title_zh=title[0], title_en=title[1],
            theme_zh=theme[0], theme_en=theme[1], hall_id=hall.id, day=day,
            starts=time(*start), ends=time(*end), expected_audience=audience,
            host_organisation_zh=host[0], host_organisation_en=host[1], status="published",
        ),
    )


def _item(session, kind, title, start, end, speakers=(), release=("", ""), role="speaker"):
    services.save_item(
        session,
        ItemFields(
            kind=kind, title_zh=title[0], title_en=title[1], release_zh=release[0], release_en=release[1],
            starts=_t(start), ends=_t(end),
            speakers=[(person.id, role) for person in speakers],
        ),
    )


def _dialogue(session, start, end, moderator, panelists):
    services.save_item(
        session,
        ItemFields(
            kind="dialogue", title_zh="圆桌对话", title_en="Round-table dialogue",
            starts=_t(start), ends=_t(end),
            speakers=[(moderator.id, "moderator")] + [(p.id, "panelist") for p in panelists],
        ),
    )


def _sub_forum(edition, hall, number, theme, day, start, people_for):
    """A sub-forum of three hours: welcome, three keynotes, a release for some, a dialogue."""
    h = start[0]
    session = _session(
        edition, hall, "sub_forum", (f"分论坛{number_zh(number)}：{theme[0]}", f"Sub-forum {number}: {theme[1]}"),
        day, (h, 0), (h + 3, 0), min(hall.capacity, 180 + 10 * number), number=number, theme=theme,
    )
    speakers = people_for(7)
    _item(session, "speech", ("致辞", "Welcome address"), (h, 0), (h, 15), speakers[:1])
    for index, person in enumerate(speakers[1:4]):
        _item(session, "keynote", ("主旨演讲", "Keynote"), (h, 15 + 20 * index), (h, 35 + 20 * index), [person])
    _item(session, "break", ("茶歇", "Break"), (h + 1, 15), (h + 1, 30))
    _dialogue(session, (h + 1, 30), (h + 2, 45), speakers[4], speakers[5:7])
    _item(session, "ceremony", ("总结", "Closing remarks"), (h + 2, 45), (h + 3, 0))
    return session


def _t(at: tuple[int, int]) -> time:
    """(14, 80) -> 15:20, so the demo can count minutes past the hour."""
    hours, minutes = at
    return time(hours + minutes // 60, minutes % 60)


def _later(at: tuple[int, int], minutes: int) -> tuple[int, int]:
    return at[0], at[1] + minutes


def number_zh(n: int) -> str:
    digits = "一二三四五六七八九十"
    return digits[n - 1] if n <= 10 else "十" + digits[n - 11]


def load_programme() -> list[str]:
    edition = get_edition(2023)
    if edition is None:
        return []
    existing = db.session.execute(select(func.count(Session.id)).where(Session.edition_id == edition.id)).scalar_one()
    if existing:
        return ["Programme of 2023 already there."]
    halls = {hall.name_zh: hall for hall in halls_of(edition)}
    factory = SpeakerFactory(edition)

    def chinese(n, public=True):
        return [factory.chinese(public) for _ in range(n)]

    # Day 1 morning, the grand theatre: opening ceremony and main forum.
    main = _session(
        edition, halls["大剧场"], "main_forum", ("开幕式及主论坛", "Opening Ceremony and Main Forum"),
        DAY_1, (9, 0), (12, 0), 1400, theme=("网聚文明力量 奋进伟大征程", "Pooling the Strength of Civilization Online for the Great Journey Ahead"),
        host=("中央网信办、中央文明办", "Office of the Central Cyberspace Affairs Commission; Office of the Central Commission for Guiding Cultural and Ethical Progress"),
    )
    _item(main, "ceremony", ("开幕式", "Opening ceremony"), (9, 0), (9, 20), chinese(1))
    officials = chinese(3)
    for index, person in enumerate(officials):
        _item(main, "speech", ("致辞", "Address"), (9, 20 + 12 * index), (9, 32 + 12 * index), [person])
    for index, person in enumerate(chinese(4)):
        _item(main, "keynote", ("主旨演讲", "Keynote"), (10, 15 * index), _later((10, 15 * index), 15), [person])
    releases = [
        ("《中国网络文明发展报告2023》", "China Online Civilization Development Report 2023"),
        ("2022年网评工作“创四优”结果", "Results of the 2022 online commentary “Four Excellences” evaluation"),
        ("青少年网络文明公约", "Youth Online Civilization Convention"),
    ]
    for index, release in enumerate(releases):
        _item(main, "release", ("发布", "Release"), (11, 10 * index), (11, 10 * index + 10), chinese(1), release=release)
    for index, person in enumerate(chinese(4)):
        _item(main, "speech", ("正能量网络名人主题演讲", "Talk by a positive-energy internet figure"), (11, 30 + 7 * index), (11, 37 + 7 * index), [person])

    # Day 1 afternoon: the summit forum and sub-forums 1–6.
    summit = _session(
        edition, halls["多功能厅A"], "summit_forum", ("网络诚信建设高峰论坛", "Internet Integrity Summit Forum"),
        DAY_1, (14, 0), (17, 30), 750, theme=("网聚诚信力量 共享美好生活", "Pooling the Power of Integrity for a Better Life Together"),
    )
    _item(summit, "speech", ("致辞", "Address"), (14, 0), (14, 20), chinese(1))
    for index, person in enumerate(chinese(3)):
        _item(summit, "keynote", ("主旨演讲", "Keynote"), (14, 20 + 20 * index), (14, 40 + 20 * index), [person])
    summit_releases = [
        ("2022年中国网络诚信十件大事", "Top ten events of China's internet integrity in 2022"),
        ("《中国网络诚信发展报告2023》", "China Internet Integrity Development Report 2023"),
        ("《互联网平台企业履行社会责任评估报告2023》", "Assessment Report on the Social Responsibility of Internet Platform Companies 2023"),
    ]
    for index, release in enumerate(summit_releases):
        _item(summit, "release", ("发布", "Release"), (15, 20 + 10 * index), (15, 30 + 10 * index), chinese(1), release=release)
    moderator, *panelists = chinese(4)
    _dialogue(summit, (16, 0), (17, 30), moderator, panelists)

    day1_halls = ["多功能厅B", "报告厅", "一号会议厅", "二号会议厅", "三号会议厅", "四号会议厅"]
    day2_halls = ["多功能厅A", "多功能厅B", "报告厅", "一号会议厅", "二号会议厅", "三号会议厅"]
    def speakers_for(number: int):
        def pick(n: int):
            if number == 8:  # foreign guests: English matters
                return [factory.international(i) for i in range(4)] + chinese(n - 4)
            if number == 12:  # guests from Taiwan, Hong Kong and Macao, names in Traditional
                return [factory.cross_strait(i) for i in range(5)] + chinese(n - 5)
            return chinese(n - 1) + chinese(1, public=False)  # one without a public page

        return pick

    for index, theme in enumerate(SUB_FORUMS):
        number = index + 1
        people_for = speakers_for(number)
        day, hall, start = (DAY_1, day1_halls[index], (14, 0)) if number <= 6 else (DAY_2, day2_halls[index - 6], (9, 0))
        _sub_forum(edition, halls[hall], number, theme, day, start, people_for)

    gala = _session(
        edition, halls["大剧场"], "gala", ("「朝着光的方向·网络文明之夜」主题晚会", "“Towards the Light” Online Civilization Gala"),
        DAY_1, (19, 30), (21, 30), 1400,
    )
    _item(gala, "ceremony", ("主持", "Hosts"), (19, 30), (21, 30), chinese(2), role="host")
    networking = _session(
        edition, halls["宴会厅"], "side_event", ("互联网企业联谊活动", "Internet Enterprise Networking Event"),
        DAY_2, (14, 30), (17, 0), 400,
    )
    _item(networking, "speech", ("致辞", "Welcome"), (14, 30), (14, 45), chinese(1))
    moderator, *panelists = chinese(4)
    _dialogue(networking, (15, 0), (16, 0), moderator, panelists)
    sessions = db.session.execute(select(func.count(Session.id)).where(Session.edition_id == edition.id)).scalar_one()
    return [f"Programme of 2023: {sessions} sessions, {factory.count} fictional speakers."]
