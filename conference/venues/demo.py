"""The 2023 venues: the grand theatre for the opening and the gala, the conference centre for
the summit and the twelve sub-forums. Capacities are illustrative."""

from sqlalchemy import func, select

from conference.editions.services import get_edition
from conference.extensions import db
from conference.venues import services
from conference.venues.models import Venue
from conference.venues.services import HallFields, NameFields

VENUES = [
    {
        "name": NameFields("厦门海峡大剧院", "Xiamen Strait Grand Theatre"),
        "address": ("厦门市集美区", "Jimei District, Xiamen"),
        "halls": [
            ("大剧场", "Grand Auditorium", 1500, "1F", "theatre", True),
            ("音乐厅", "Concert Hall", 700, "2F", "theatre", False),
        ],
        "checkpoints": [
            ("北广场主入口", "North Plaza main entrance", None, "GT-MAIN"),
            ("贵宾通道", "VIP entrance", None, "GT-VIP"),
            ("大剧场观众入口", "Grand Auditorium audience door", "大剧场", "GT-AUD"),
            ("后台通道", "Backstage door", "大剧场", "GT-BACK"),
        ],
    },
    {
        "name": NameFields("厦门国际会议中心", "Xiamen International Conference Center"),
        "address": ("厦门市思明区", "Siming District, Xiamen"),
        "halls": [
            ("多功能厅A", "Multi-function Hall A", 800, "1F", "theatre", True),
            ("多功能厅B", "Multi-function Hall B", 500, "1F", "theatre", True),
            ("报告厅", "Lecture Hall", 400, "2F", "theatre", True),
            ("一号会议厅", "Meeting Hall 1", 300, "2F", "classroom", True),
            ("二号会议厅", "Meeting Hall 2", 300, "2F", "classroom", True),
            ("三号会议厅", "Meeting Hall 3", 250, "3F", "classroom", False),
            ("四号会议厅", "Meeting Hall 4", 250, "3F", "classroom", False),
            ("五号会议厅", "Meeting Hall 5", 200, "3F", "u_shape", False),
            ("宴会厅", "Banquet Hall", 600, "1F", "banquet", False),
            ("新闻中心", "News Centre", 200, "1F", "classroom", False),
            ("志愿者培训区", "Volunteer training area", 40, "B1", "standing", False),
        ],
        "checkpoints": [
            ("一号门", "Gate 1", None, "CC-G1"),
            ("二号门", "Gate 2", None, "CC-G2"),
            ("新闻中心入口", "News Centre entrance", "新闻中心", "CC-PRESS"),
            ("多功能厅A入口", "Multi-function Hall A door", "多功能厅A", "CC-HALLA"),
            # A rehearsal desk where volunteers train and newcomers try the scanner.
            ("志愿者培训签到台", "Volunteer training desk", "志愿者培训区", "DEMO-DESK"),
        ],
    },
]

# The standard configuration of every hall (拎包开会): a guest arrives with only a bag.
CHECKLIST = [
    ("inside", "主背景板", "Stage backdrop"),
    ("inside", "主席台桌签", "Name cards on the podium"),
    ("inside", "有线及无线话筒", "Wired and wireless microphones"),
    ("inside", "同声传译设备", "Simultaneous interpretation equipment"),
    ("inside", "投影仪与屏幕", "Projector and screen"),
    ("inside", "座位席卡", "Seat name cards"),
    ("inside", "饮用水", "Drinking water"),
    ("inside", "无线网络", "Wi-Fi"),
    ("inside", "电源插座", "Power sockets"),
    ("inside", "演讲计时提示器", "Speaker timer"),
    ("outside", "场外指引标识", "Signage outside the hall"),
    ("outside", "签到台", "Sign-in desk"),
    ("outside", "安检通道", "Security lane"),
    ("outside", "茶歇区", "Refreshment area"),
]


def load_venues() -> list[str]:
    edition = get_edition(2023)
    if edition is None:
        return []
    existing = db.session.execute(select(func.count(Venue.id)).where(Venue.edition_id == edition.id)).scalar_one()
    if existing:
        return ["Venues of 2023 already there."]
    halls = 0
    for position, spec in enumerate(VENUES, start=1):
        venue = services.save_venue(edition, spec["name"], *spec["address"], position=position)
        by_name = {}
        for hall_position, (zh, en, seats, floor, layout, booth) in enumerate(spec["halls"], start=1):
            by_name[zh] = services.save_hall(
                venue,
                HallFields(NameFields(zh, en), seats, floor, layout, booth, step_free=True, position=hall_position),
            )
            halls += 1
        for cp_position, (zh, en, hall_name, code) in enumerate(spec["checkpoints"], start=1):
            services.save_checkpoint(venue, NameFields(zh, en), code, hall=by_name.get(hall_name), position=cp_position)
    db.session.flush()
    for area, zh, en in CHECKLIST:
        services.add_template_item(edition, area, NameFields(zh, en))
    return [f"Venues of 2023: {len(VENUES)} venues, {halls} halls, {len(CHECKLIST)} checklist items."]
