"""A small edition for the handbook: two venues' worth of halls, three published sessions and a
draft one, speakers with and without the public-profile consent (one with a name character
only BabelStone Han draws), a hotel with its shuttles, a working group's desk, and texts."""

import io
from datetime import datetime, time
from zoneinfo import ZoneInfo

from PIL import Image

from conference.editions import services as editions
from conference.editions.demo import EDITION_2023
from conference.extensions import db
from conference.handbook import services
from conference.hotels.models import Hotel, ShuttleRun
from conference.people import services as people
from conference.programme.models import AgendaItem, AgendaSpeaker, Session
from conference.venues.models import Hall, Venue
from conference.volunteers.models import WorkingGroup

ZONE = ZoneInfo("Asia/Shanghai")
RARE = "𪚥"  # U+2A6A5, beyond Noto Sans CJK


def picture(fmt="JPEG", size=(90, 60), colour=(200, 120, 40), **save) -> bytes:
    """An image file of one colour, as an organizer's upload."""
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, fmt, **save)
    return buffer.getvalue()


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2023, 7, day, hour, minute, tzinfo=ZONE)


def small_edition() -> dict:
    """In an app context: the edition, committed. Returns what the tests look for."""
    edition = editions.create_edition(EDITION_2023)
    centre = Venue(edition_id=edition.id, name_zh="厦门国际会议中心", name_en="Xiamen International Conference Center",
                   address_zh="厦门市思明区会展路198号", address_en="198 Huizhan Road, Siming, Xiamen")
    theatre = Venue(edition_id=edition.id, name_zh="厦门海峡大剧院", name_en="Xiamen Strait Grand Theatre", position=1)
    db.session.add_all([centre, theatre])
    db.session.flush()
    grand = Hall(venue_id=theatre.id, name_zh="大剧场", name_en="Grand Hall", capacity=1500, floor="1")
    hall_a = Hall(venue_id=centre.id, name_zh="多功能厅A", name_en="Multi-function Hall A", capacity=400, floor="2",
                  step_free=False)
    db.session.add_all([grand, hall_a])
    db.session.flush()

    def person(family, given, public, organisation="", title="", bio=""):
        found = people.add_person(edition, family, given, "guest", organisation=organisation, title=title)
        found.public_profile, found.bio_zh, found.bio_en = public, bio, bio
        return found

    zhang = person("张", "伟", True, "网络文明研究院", "院长", "长期从事网络文明研究，著有多部专著。")
    li = person("李", "芳", False, "隐秘研究所", "首席秘书", "这段简介不应出现。")
    smith = person("Smith", "Anna", True, "Digital Civility Institute", "Director", "Researcher of online speech.")
    rare = person(RARE, "明", True, "生僻字研究会", "会长")
    hidden = person("王", "秘密", True, "草稿机构", "草稿头衔")

    def session(kind, title, theme, hall, start, end, status="published", number=None, speakers=()):
        found = Session(edition_id=edition.id, kind=kind, title_zh=title, title_en=f"EN {title}", theme_zh=theme,
                        theme_en=f"EN {theme}", hall_id=hall.id, starts_at=start, ends_at=end, status=status,
                        number=number, host_organisation_zh="中国网络社会组织联合会")
        db.session.add(found)
        db.session.flush()
        for position, (kind_, item_title, release, who) in enumerate(speakers):
            item = AgendaItem(session_id=found.id, kind=kind_, title_zh=item_title, title_en=f"EN {item_title}",
                              release_zh=release, release_en=f"EN {release}" if release else "", position=position,
                              starts_at=start, ends_at=end)
            db.session.add(item)
            db.session.flush()
            db.session.add_all([AgendaSpeaker(item_id=item.id, person_id=p.id, position=i) for i, p in enumerate(who)])
        return found

    opening = session("opening", "开幕式及主论坛", "网聚文明力量 奋进伟大征程", grand, at(18, 9), at(18, 11, 30), speakers=[
        ("speech", "致辞", "", [zhang]),
        ("release", "发布报告", "《中国网络文明发展报告2023》", [li]),
    ])
    algorithms = session("sub_forum", "分论坛五：算法治理", "算法向善 治理为民", hall_a, at(18, 14), at(18, 17),
                         number=5, speakers=[("dialogue", "圆桌对话", "", [smith, rare, zhang])])
    rumours = session("sub_forum", "分论坛七：网络辟谣", "清朗网络空间", hall_a, at(19, 9), at(19, 12), number=7,
                      speakers=[("speech", "主旨演讲", "", [zhang])])
    draft = session("sub_forum", "草稿论坛不应出现", "草稿主题", hall_a, at(19, 14), at(19, 16), status="draft",
                    speakers=[("speech", "草稿演讲", "", [hidden])])

    hotel = Hotel(edition_id=edition.id, code="H1", name_zh="鹭岛海景酒店", name_en="Egret Island Seaview Hotel",
                  address_zh="厦门市思明区环岛路1号", address_en="1 Huandao Road, Xiamen", phone="0592-1234567",
                  stars=5, check_in_time=time(14), check_out_time=time(12))
    db.session.add(hotel)
    db.session.flush()
    db.session.add_all([
        ShuttleRun(edition_id=edition.id, leg="to_venue", hotel_id=hotel.id, venue_id=theatre.id,
                   departs_at=at(18, 8), arrives_at=at(18, 8, 30)),
        ShuttleRun(edition_id=edition.id, leg="to_hotel", hotel_id=hotel.id, venue_id=centre.id,
                   departs_at=at(18, 17, 30), arrives_at=at(18, 18)),
    ])
    db.session.add(WorkingGroup(edition_id=edition.id, code="MEDICAL", name_zh="医疗保障组", name_en="Medical group",
                                desk_phone="0592-7654321"))
    services.save_text(edition, "welcome", "zh_Hans", "欢迎来到**厦门**。\n\n<script>alert('welcome')</script>\n\n- 请随身携带本手册")
    services.save_text(edition, "welcome", "en", "Welcome to **Xiamen**.")
    services.save_text(edition, "notes", "zh_Hans", "## 医疗\n\n急救请拨 120。网络信息请咨询服务台。")
    services.save_text(edition, "notes", "en", "## Medical\n\nFor an ambulance call 120.")
    db.session.commit()
    return {
        "published": [opening.title_zh, algorithms.title_zh, rumours.title_zh],
        "draft": draft.title_zh,
        "speakers": {"zhang": zhang.name, "li": li.name, "smith": smith.name, "rare": rare.name, "hidden": hidden.name},
    }
