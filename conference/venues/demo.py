"""The 2023 venues: the grand theatre for the opening and the gala, the conference centre for
the summit and the twelve sub-forums. Capacities are illustrative."""

import io
from itertools import groupby

from PIL import Image, ImageDraw, ImageFont
from sqlalchemy import func, select

from conference.editions.services import get_edition
from conference.extensions import db
from conference.venues import services
from conference.venues.models import Hall, Venue
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

# Halls with a plan of their own besides their venue's (the others are found on the venue's).
HALL_PLANS = ("大剧场", "多功能厅A", "报告厅", "新闻中心")
CJK_FONT = ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2)  # fonts-noto-cjk, the SC face

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
        _draw_plans(venue)
    db.session.flush()
    for area, zh, en in CHECKLIST:
        services.add_template_item(edition, area, NameFields(zh, en))
    return [f"Venues of 2023: {len(VENUES)} venues, {halls} halls, {len(CHECKLIST)} checklist items."]


# Floor plans drawn for the demo, so that the pages and the handbook have real images to show ----


def _font(size: int):
    """Noto Sans CJK when the machine has it; else Pillow's own font, which has no Chinese."""
    try:
        return ImageFont.truetype(CJK_FONT[0], size, index=CJK_FONT[1]), True
    except OSError:
        return ImageFont.load_default(size), False


def _label(zh: str, en: str, cjk: bool) -> str:
    return f"{zh}\n{en}" if cjk else en


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def venue_plan(venue: Venue) -> bytes:
    """The building seen from above, a band per floor with its halls as rooms and an entrance."""
    font, cjk = _font(22)
    title, _cjk = _font(30)
    floors = [(floor, list(halls)) for floor, halls in groupby(sorted(venue.halls, key=lambda h: h.floor), key=lambda h: h.floor)]
    width, band = 1400, 190
    image = Image.new("RGB", (width, 110 + band * len(floors) + 60), "white")
    draw = ImageDraw.Draw(image)
    draw.text((40, 30), _label(venue.name_zh, venue.name_en, cjk).replace("\n", "  "), font=title, fill="#1d2330")
    for row, (floor, halls) in enumerate(floors):
        top = 100 + row * band
        draw.rectangle((40, top, width - 40, top + band - 20), outline="#1d2330", width=4)
        draw.text((56, top + 12), floor, font=title, fill="#b3261e")
        room = (width - 200) // max(len(halls), 1)
        for index, hall in enumerate(halls):
            left = 140 + index * room
            draw.rectangle((left, top + 20, left + room - 16, top + band - 40), fill="#eef3fb", outline="#3b5b92", width=3)
            draw.multiline_text((left + 12, top + 40), _label(hall.name_zh, hall.name_en, cjk), font=font,
                                fill="#1d2330", spacing=6)
    bottom = 100 + band * len(floors)
    draw.polygon(((width // 2 - 30, bottom + 40), (width // 2 + 30, bottom + 40), (width // 2, bottom + 5)), fill="#2e7d32")
    draw.text((width // 2 + 45, bottom + 10), "入口 Entrance" if cjk else "Entrance", font=font, fill="#2e7d32")
    return _png(image)


def hall_plan(hall: Hall) -> bytes:
    """A hall from above: the stage, the seating in rows, the doors at the back."""
    font, cjk = _font(26)
    width, height = 1000, 700
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 40, width - 40, height - 40), outline="#1d2330", width=5)
    draw.rectangle((250, 60, width - 250, 150), fill="#f4e3e1", outline="#b3261e", width=3)
    draw.text((width // 2, 105), "主席台 Stage" if cjk else "Stage", font=font, fill="#b3261e", anchor="mm")
    for row in range(8):
        for seat in range(16):
            x, y = 150 + seat * 44 + (40 if seat >= 8 else 0), 200 + row * 46
            draw.rectangle((x, y, x + 30, y + 28), fill="#eef3fb", outline="#3b5b92")
    for door in (140, width - 220):
        draw.rectangle((door, height - 46, door + 80, height - 34), fill="#2e7d32")
    draw.multiline_text((60, height - 140), _label(hall.name_zh, hall.name_en, cjk) + f"  {hall.floor}", font=font,
                        fill="#1d2330", spacing=6)
    return _png(image)


def _draw_plans(venue: Venue) -> None:
    services.set_plan(venue, services.check_plan(venue_plan(venue)))
    for hall in venue.halls:
        if hall.name_zh in HALL_PLANS:
            services.set_plan(hall, services.check_plan(hall_plan(hall)))
