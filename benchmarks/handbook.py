"""The conference handbook in seconds: the demo's, a large generated edition's, and the same large
book as one naive WeasyPrint call.

    .venv/bin/python benchmarks/handbook.py

Loads the demo edition and generates a larger one (2024: 40 sessions over two days in 14 halls,
300 speakers with bios, 11 hotels with their shuttles, 10 working groups' desks), then, each in a
fresh process (starting the workers and loading the fonts count):
- the project's build of each edition's Simplified A5 handbook (services.build: gathering, the
  parts laid out in parallel, the numbers laid over, the joining), its wall clock, and the peak of
  the resident sets of the build's processes added together (the app's and its workers'), sampled
  from /proc;
- the same request again with nothing changed, through the API (the published handbook): found by
  the hash of its inputs, served without laying anything out;
- naive: the same chapters as one WeasyPrint document, its contents and index numbered by
  `target-counter` and its page numbers and running headers by margin boxes, laid out in one call
  in a process of its own (its memory apart).
A table, then the last line: JSON with handbook_pages, handbook_s, naive_s, cached_ms, peak_mb.
Goals: handbook_pages >= 150, handbook_s <= 8, naive_s >= 1.6 x handbook_s, cached_ms <= 100,
peak_mb < 800.
"""

import itertools
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.badges import PeakMemory  # noqa: E402

LARGE = 2024
ZONE = ZoneInfo("Asia/Shanghai")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华玉兰萍鹏辉建国晓东海燕红梅林波宁峰亮成志文彬斌云浩凯"
ORGANISATIONS = ["中国网络社会组织联合会", "清华大学新闻与传播学院", "北京大学法学院", "中国社会科学院", "厦门大学",
                 "中国信息通信研究院", "中国互联网络信息中心", "国家互联网应急中心", "复旦大学", "浙江大学"]
TITLES = ["院长", "教授", "研究员", "主任", "副秘书长", "首席执行官", "总编辑", "理事长", "副院长", "所长"]
THEMES = ["互联网与文明创建", "网络内容建设", "网络生态建设", "网络文明社会共建", "算法治理", "网络法治建设",
          "网络辟谣", "网络文明国际交流互鉴", "数字公益慈善发展", "数字文旅发展", "数据安全和个人信息保护",
          "海峡两岸青少年网络素养建设"]


class TreeMemory(PeakMemory):
    """The peak of this process's and its descendants' resident sets added together."""

    def run(self) -> None:
        while not self.stopped.wait(0.05):
            pids = [os.getpid(), *self.descendants(os.getpid())]
            self.peak_kb = max(self.peak_kb, sum(self.rss_kb(pid) for pid in pids))


def _app(folder: str):
    from conference import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.db", "INSTANCE_DIR": folder,
                       "RATELIMIT_ENABLED": False, "TESTING": False, "HUEY_IMMEDIATE": True})


def generate(year: int) -> None:
    """In an app context: the large edition, its programme published, its handbook published."""
    from conference.editions import services as editions
    from conference.editions.demo import EDITION_2023
    from conference.extensions import db
    from conference.handbook import services as handbook
    from conference.handbook.demo import TEXTS
    from conference.hotels.models import Hotel, ShuttleRun
    from conference.people.models import Person
    from conference.programme.models import AgendaItem, AgendaSpeaker, Session
    from conference.venues.models import Hall, Venue
    from conference.volunteers.models import WorkingGroup

    shuffle = random.Random(year)
    edition = editions.create_edition(replace(EDITION_2023, year=year, starts_on=date(year, 7, 18),
                                              ends_on=date(year, 7, 19)))
    venues = [Venue(edition_id=edition.id, name_zh=name, name_en=english, position=index,
                    address_zh=f"厦门市思明区会展路{198 + index}号")
              for index, (name, english) in enumerate([("厦门国际会议中心", "Xiamen International Conference Center"),
                                                       ("厦门海峡大剧院", "Xiamen Strait Grand Theatre")])]
    db.session.add_all(venues)
    db.session.flush()
    halls = [Hall(venue_id=venues[0].id, name_zh=f"{index + 1}号会议厅", name_en=f"Hall {index + 1}", capacity=300,
                  floor=str(1 + index % 3), position=index, step_free=index % 5 != 4) for index in range(13)]
    halls.append(Hall(venue_id=venues[1].id, name_zh="大剧场", name_en="Grand Hall", capacity=1500, floor="1"))
    db.session.add_all(halls)
    db.session.flush()

    people = []
    for index in range(300):
        family, given = SURNAMES[index % len(SURNAMES)], "".join(shuffle.sample(GIVEN, 2))
        organisation, title = shuffle.choice(ORGANISATIONS), shuffle.choice(TITLES)
        bio = (f"{organisation}{title}，长期从事{shuffle.choice(THEMES)}与{shuffle.choice(THEMES)}研究，"
               f"主持多项国家级课题，发表学术论文{20 + index % 60}篇，著有专著{1 + index % 5}部，"
               f"多次参与网络文明建设相关政策研究与标准制定工作，"
               f"现兼任{shuffle.choice(ORGANISATIONS)}特聘专家、{shuffle.choice(THEMES)}专题工作组成员。")
        people.append(Person(edition_id=edition.id, family_name=family, given_name=given, category="guest",
                             organisation=organisation, title=title, bio_zh=bio, bio_en=bio,
                             public_profile=index % 7 != 0, name_pinyin=f"p{index}"))
    db.session.add_all(people)
    db.session.flush()

    speakers = itertools.cycle(people)
    for number in range(40):
        day, slot = number // 20, number % 20 // 14
        start = datetime(year, 7, 18 + day, 9 + 5 * slot, 0, tzinfo=ZONE)
        theme = THEMES[number % len(THEMES)]
        session = Session(edition_id=edition.id, kind="sub_forum", number=number + 1,
                          title_zh=f"分论坛{number + 1}：{theme}", title_en=f"Sub-forum {number + 1}", theme_zh=theme,
                          hall_id=halls[number % 14].id, starts_at=start, ends_at=start + timedelta(hours=3, minutes=30),
                          status="published", host_organisation_zh=ORGANISATIONS[number % len(ORGANISATIONS)])
        db.session.add(session)
        db.session.flush()
        for position in range(15):
            kind = "release" if position == 13 else "dialogue" if position == 14 else "speech"
            item = AgendaItem(session_id=session.id, kind=kind, position=position,
                              title_zh=f"{theme}的实践与思考（{position + 1}）", release_zh="《年度发展报告》" if kind == "release" else "",
                              starts_at=start + timedelta(minutes=12 * position),
                              ends_at=start + timedelta(minutes=12 * position + 12))
            db.session.add(item)
            db.session.flush()
            for order in range(3 if kind == "dialogue" else 1):
                db.session.add(AgendaSpeaker(item_id=item.id, person_id=next(speakers).id, position=order))
    for index in range(11):
        hotel = Hotel(edition_id=edition.id, code=f"H{index + 1}", name_zh=f"鹭岛{index + 1}号酒店",
                      name_en=f"Egret Hotel {index + 1}", address_zh=f"厦门市思明区环岛路{index + 1}号",
                      phone=f"0592-55{index:05d}", stars=4 + index % 2, kind="guest" if index < 5 else "audience",
                      position=index)
        db.session.add(hotel)
        db.session.flush()
        for day in (18, 19):
            for trip in range(6):
                departs = datetime(year, 7, day, 7 + trip // 3, 20 * (trip % 3), tzinfo=ZONE)
                db.session.add(ShuttleRun(edition_id=edition.id, leg="to_venue", hotel_id=hotel.id,
                                          venue_id=venues[trip % 2].id, departs_at=departs,
                                          arrives_at=departs + timedelta(minutes=25)))
                back = departs + timedelta(hours=10)
                db.session.add(ShuttleRun(edition_id=edition.id, leg="to_hotel", hotel_id=hotel.id,
                                          venue_id=venues[trip % 2].id, departs_at=back,
                                          arrives_at=back + timedelta(minutes=25)))
    for index, name in enumerate(["综合", "接待", "会务", "企业对接", "安全保卫", "协调保障", "医疗保障", "宣传及舆情", "配套活动", "志愿服务"]):
        db.session.add(WorkingGroup(edition_id=edition.id, code=f"G{index}", name_zh=f"{name}组",
                                    desk_phone=f"0592-66{index:05d}", position=index))
    for (key, language), body in TEXTS.items():
        handbook.save_text(edition, key, language, body)
    handbook.set_published(edition, True)
    db.session.commit()


def build(folder: str, year: int) -> None:
    """In a fresh process: the project's build, cold, then the same request again."""
    from conference.editions.services import get_edition
    from conference.extensions import db
    from conference.handbook import services

    app = _app(folder)
    with app.app_context():
        edition = get_edition(year)
        sampler = TreeMemory()
        sampler.start()
        started = time.perf_counter()
        made = services.build(edition, services.check_options("zh_Hans"))
        db.session.commit()
        seconds = time.perf_counter() - started
        sampler.stopped.set()
        sampler.join()
        pages = made.pages
    client = app.test_client()
    started = time.perf_counter()
    answer = client.get(f"/api/v1/editions/{year}/handbook.pdf?lang=zh_Hans")
    answer.get_data()
    cached_ms = (time.perf_counter() - started) * 1000
    assert answer.status_code == 200 and answer.mimetype == "application/pdf", answer.status_code
    print(json.dumps({"seconds": seconds, "pages": pages, "peak_mb": sampler.peak_kb / 1024, "cached_ms": cached_ms}))


NAIVE_CSS = """
@page :right { @top-right { content: string(chapter); font-size: 0.8em; color: #9b1c20 }
               @bottom-right { content: counter(page) } }
@page :left { @top-left { content: string(chapter); font-size: 0.8em; color: #9b1c20 }
              @bottom-left { content: counter(page) } }
@page :first { @top-right { content: none } @bottom-right { content: none } }
.chapter { string-set: chapter content() }
.opens { break-before: right }
.slot[data-ref]::after { content: target-counter(attr(data-ref url), page) }
"""


def naive(folder: str, year: int) -> None:
    """In a process of its own: the same chapters as one document, laid out in one call."""
    import resource

    from flask_babel import force_locale
    from weasyprint import HTML

    from conference.editions.services import get_edition
    from conference.handbook import book as content
    from conference.handbook import printing

    app = _app(folder)
    with app.test_request_context(), force_locale("zh_Hans_CN"):
        started = time.perf_counter()
        edition = get_edition(year)
        book = content.gather(edition, None, content.Options())
        parts, _ = printing.parts_of(book)  # the same chapters, written by the same templates
        style = re.search(r"<style>(.*?)</style>", parts[0].html, re.S).group(1)
        bodies = []
        for piece in (piece for part in parts for piece in part.pieces if not piece.chapter.startswith("spare-")):
            body = piece.body
            if piece.chapter == "speakers":
                for speaker in book.speakers:
                    refs = ", ".join(f'<span class="slot" data-ref="#at-{session.id}-{speaker.person.id}"></span>'
                                     for session in speaker.sessions)
                    body = re.sub(rf'<span class="slot" id="pages-{speaker.person.id}"[^>]*></span>', refs, body)
            opening = f'<div id="chapter-{piece.chapter}" class="opens">' if piece.opens else "<div>"
            bodies.append(f"{opening}{body}</div>")
        html = (f'<!doctype html><html lang="zh-Hans"><head><meta charset="utf-8"><title>{book.title}</title>'
                f"<style>{style}{NAIVE_CSS}</style></head><body>{''.join(bodies)}</body></html>")
        document = HTML(string=html, base_url=str(ROOT / "static")).render()
        document.write_pdf(Path(folder) / "naive.pdf")
        seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "pages": len(document.pages),
                      "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def _run(*args: str) -> dict:
    answer = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True)
    if answer.returncode:
        raise SystemExit(answer.stderr[-3000:])
    return json.loads(answer.stdout.strip().splitlines()[-1])


def main() -> None:
    folder = tempfile.mkdtemp(prefix="bench-handbook-")
    os.environ["INSTANCE_PATH"] = folder

    import flask_migrate

    from conference.core.demo import load_demo
    from conference.editions.services import get_edition
    from conference.extensions import db
    from conference.handbook import services

    app = _app(folder)
    with app.app_context():
        flask_migrate.upgrade()
        load_demo()
        services.set_published(get_edition(2023), True)
        db.session.commit()
        generate(LARGE)
    demo = _run("build", folder, "2023")
    large = _run("build", folder, str(LARGE))
    plain = _run("naive", folder, str(LARGE))

    figures = {
        "handbook_pages": large["pages"],
        "handbook_s": round(large["seconds"], 2),
        "naive_s": round(plain["seconds"], 2),
        "cached_ms": round(large["cached_ms"], 1),
        "peak_mb": round(large["peak_mb"], 1),
    }
    rows = [
        ("demo edition (2023), zh_Hans A5", f"{demo['pages']} pages", f"{demo['seconds']:.2f} s",
         f"{demo['peak_mb']:.0f} MB"),
        (f"large edition ({LARGE}), parallel", f"{large['pages']} pages", f"{large['seconds']:.2f} s",
         f"{large['peak_mb']:.0f} MB"),
        (f"large edition ({LARGE}), naive", f"{plain['pages']} pages", f"{plain['seconds']:.2f} s",
         f"{plain['peak_mb']:.0f} MB"),
        ("the same request again (API)", "", f"{large['cached_ms']:.1f} ms", ""),
        ("naive / parallel", "", f"{plain['seconds'] / large['seconds']:.2f} x", ""),
    ]
    for row in rows:
        print(f"{row[0]:<38}{row[1]:>12}{row[2]:>12}{row[3]:>10}")
    print(json.dumps(figures))


if __name__ == "__main__":
    if sys.argv[1:2] == ["build"]:
        build(sys.argv[2], int(sys.argv[3]))
    elif sys.argv[1:2] == ["naive"]:
        naive(sys.argv[2], int(sys.argv[3]))
    else:
        main()
