"""The public programme and its exports, as an attendee's phone or calendar reads them."""

from datetime import datetime
from xml.etree import ElementTree as ET
from zoneinfo import ZoneInfo

from icalendar import Calendar
from sqlalchemy import select

from conference.extensions import db
from conference.programme.demo import SUB_FORUMS
from conference.programme.models import Session

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_the_demo_programme_follows_the_seeds(app, client, demo):
    data = client.get("/api/v1/editions/2023/programme?lang=zh_Hans").get_json()
    titles = [s["title"] for s in data["sessions"]]
    assert titles[0] == "开幕式及主论坛"
    assert "网络诚信建设高峰论坛" in titles
    assert any("朝着光的方向·网络文明之夜" in t for t in titles)
    assert "互联网企业联谊活动" in titles
    themes = [s["theme"] for s in data["sessions"] if s["kind"] == "sub_forum"]
    assert sorted(themes) == sorted(zh for zh, _ in SUB_FORUMS)
    releases = {i["release"] for s in data["sessions"] for i in s["items"] if i["kind"] == "release"}
    assert {"《中国网络文明发展报告2023》", "青少年网络文明公约", "2022年中国网络诚信十件大事",
            "《中国网络诚信发展报告2023》", "《互联网平台企业履行社会责任评估报告2023》"} <= releases
    speakers = {sp["name_original"] for s in data["sessions"] for i in s["items"] for sp in i["speakers"]}
    assert 100 <= len(speakers) <= 140
    main = data["sessions"][0]
    assert main["venue"] == "厦门海峡大剧院" and main["starts_at"] == "2023-07-18T09:00:00+08:00"


def test_the_programme_page_in_three_languages(client, demo):
    hans = client.get("/programme/2023/", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    hant = client.get("/programme/2023/", headers={"Accept-Language": "zh-TW"}).get_data(as_text=True)
    english = client.get("/programme/2023/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "网络诚信建设高峰论坛" in hans and "厦门海峡大剧院" in hans
    assert "網絡誠信建設高峰論壇" in hant and "廈門海峽大劇院" in hant
    assert "算法治理" in hant and "演算法治理" not in hant  # characters converted, words kept
    assert "Internet Integrity Summit Forum" in english and "Xiamen Strait Grand Theatre" in english


def test_an_organizers_own_traditional_text_wins(app, client, demo):
    with app.app_context():
        session = db.session.execute(select(Session).where(Session.number == 12)).scalar_one()
        session.title_zh_hant = "分論壇十二：海峽兩岸青少年網路素養建設"
        db.session.commit()
        session_id = session.id
    html = client.get(f"/programme/2023/forums/{session_id}", headers={"Accept-Language": "zh-TW"})
    assert "海峽兩岸青少年網路素養建設" in html.get_data(as_text=True)


def test_drafts_never_appear_publicly(app, client, demo):
    with app.app_context():
        draft = db.session.execute(select(Session).where(Session.number == 5)).scalar_one()
        draft.status = "draft"
        db.session.commit()
        draft_id, uid = draft.id, draft.uid
    for path in ["/programme/2023/", "/api/v1/editions/2023/programme", "/api/v1/editions/2023/programme.ics",
                 "/api/v1/editions/2023/schedule.xml"]:
        body = client.get(path + "?lang=zh_Hans").get_data(as_text=True)
        assert "算法治理" not in body, path
        assert uid not in body, path
    assert client.get(f"/programme/2023/forums/{draft_id}").status_code == 404
    assert client.get(f"/api/v1/editions/2023/sessions/{draft_id}.ics").status_code == 404


def test_a_title_with_markup_is_shown_as_text(app, client, demo):
    with app.app_context():
        session = db.session.execute(select(Session).where(Session.number == 1)).scalar_one()
        session.title_zh = "<script>alert('x')</script>分论坛"
        db.session.commit()
        session_id = session.id
    for path in ["/programme/2023/", f"/programme/2023/forums/{session_id}"]:
        html = client.get(path, headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
        assert "<script>alert" not in html
        assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;分论坛" in html
    ics = Calendar.from_ical(client.get("/api/v1/editions/2023/programme.ics?lang=zh_Hans").data)
    assert "<script>alert('x')</script>分论坛" in [str(e["summary"]) for e in ics.walk("VEVENT")]


def test_the_ical_export_parses_back_with_the_right_times(client, demo):
    response = client.get("/api/v1/editions/2023/programme.ics?lang=zh_Hans")
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"  # the charset once
    calendar = Calendar.from_ical(response.data)
    events = {str(e["summary"]): e for e in calendar.walk("VEVENT")}
    assert len(events) == 16
    main = events["开幕式及主论坛"]
    start = main["dtstart"].dt
    assert start == datetime(2023, 7, 18, 9, 0, tzinfo=SHANGHAI)
    assert start.utcoffset().total_seconds() == 8 * 3600
    assert main["dtstart"].params["TZID"] == "Asia/Shanghai"
    assert main["dtend"].dt == datetime(2023, 7, 18, 12, 0, tzinfo=SHANGHAI)
    assert "厦门海峡大剧院" in str(main["location"])
    assert [tz["tzid"] for tz in calendar.walk("VTIMEZONE")] == ["Asia/Shanghai"]


def test_ical_uids_are_stable_across_requests_and_languages(client, demo):
    def uids(lang):
        calendar = Calendar.from_ical(client.get(f"/api/v1/editions/2023/programme.ics?lang={lang}").data)
        return sorted(str(e["uid"]) for e in calendar.walk("VEVENT"))

    assert uids("zh_Hans") == uids("en") == uids("zh_Hans")
    assert len(set(uids("en"))) == 16


def test_one_forum_and_one_session_as_ical(app, client, demo):
    subs = Calendar.from_ical(client.get("/api/v1/editions/2023/programme.ics?kind=sub_forum").data)
    assert len(list(subs.walk("VEVENT"))) == 12
    with app.app_context():
        summit_id = db.session.execute(select(Session.id).where(Session.kind == "summit_forum")).scalar_one()
    one = Calendar.from_ical(client.get(f"/api/v1/editions/2023/sessions/{summit_id}.ics?lang=en").data)
    assert [str(e["summary"]) for e in one.walk("VEVENT")] == ["Internet Integrity Summit Forum"]


def test_the_frab_xml_has_days_rooms_and_events(client, demo):
    response = client.get("/api/v1/editions/2023/schedule.xml?lang=en")
    root = ET.fromstring(response.data)
    assert root.tag == "schedule"
    assert root.findtext("conference/time_zone_name") == "Asia/Shanghai"
    days = root.findall("day")
    assert [d.get("date") for d in days] == ["2023-07-18", "2023-07-19"]
    events = root.findall("day/room/event")
    assert len(events) == 16
    main = next(e for e in events if e.findtext("title") == "Opening Ceremony and Main Forum")
    assert main.findtext("start") == "09:00" and main.findtext("duration") == "03:00"
    assert main.findtext("date") == "2023-07-18T09:00:00+08:00"
    assert len(main.findall("persons/person")) > 10


def test_the_api_is_cached_with_an_etag(app, client, demo):
    first = client.get("/api/v1/editions/2023/programme?lang=en")
    etag = first.headers["ETag"]
    assert "public" in first.headers["Cache-Control"]
    again = client.get("/api/v1/editions/2023/programme?lang=en", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    other_language = client.get("/api/v1/editions/2023/programme?lang=zh_Hant", headers={"If-None-Match": etag})
    assert other_language.status_code == 200
    with app.app_context():
        session = db.session.execute(select(Session).where(Session.number == 3)).scalar_one()
        session.theme_en = "A new theme"
        db.session.commit()
    changed = client.get("/api/v1/editions/2023/programme?lang=en", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and "A new theme" in changed.get_data(as_text=True)


def test_a_wrong_language_or_kind_is_a_clear_4xx_naming_it(client, demo):
    response = client.get("/api/v1/editions/2023/programme?lang=klingon")
    assert response.status_code == 422 and "lang" in response.get_json()["errors"]
    response = client.get("/api/v1/editions/2023/programme?kind=party")
    assert response.status_code == 422 and "kind" in response.get_json()["errors"]
    assert client.get("/api/v1/editions/1999/programme").status_code == 404


def test_the_openapi_document_lists_the_programme_endpoints(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    assert {"/api/v1/editions/{year}/programme", "/api/v1/editions/{year}/programme.ics",
            "/api/v1/editions/{year}/schedule.xml", "/api/v1/editions/{year}/sessions/{session_id}.ics"} <= set(spec["paths"])
    params = spec["paths"]["/api/v1/editions/{year}/programme"]["get"]["parameters"]
    assert {"lang", "kind"} <= {p["name"] for p in params}


def test_speaker_pages_only_for_speakers_who_agreed(app, client, demo):
    from conference.people.models import Person
    from conference.programme.models import AgendaSpeaker

    with app.app_context():
        on_stage = select(AgendaSpeaker.person_id)
        agreed = db.session.execute(select(Person.id).where(Person.public_profile.is_(True), Person.id.in_(on_stage))).scalars().first()
        refused = db.session.execute(select(Person).where(Person.public_profile.is_(False), Person.id.in_(on_stage))).scalars().first()
        refused_id, refused_org = refused.id, refused.organisation
    assert client.get(f"/programme/2023/speakers/{agreed}").status_code == 200
    assert client.get(f"/programme/2023/speakers/{refused_id}").status_code == 404
    speakers = client.get("/programme/2023/speakers/").get_data(as_text=True)
    assert f"/speakers/{refused_id}\"" not in speakers
    data = client.get("/api/v1/editions/2023/programme").get_json()
    shown = [sp for s in data["sessions"] for i in s["items"] for sp in i["speakers"] if sp["id"] is None]
    assert shown and all(sp["organisation"] == "" for sp in shown)
    assert refused_org not in {sp["organisation"] for sp in shown}


def test_english_readers_see_pinyin_names(client, demo):
    data = client.get("/api/v1/editions/2023/programme?lang=en").get_json()
    speaker = data["sessions"][0]["items"][0]["speakers"][0]
    assert speaker["name"].isascii() and speaker["name"] != speaker["name_original"]


def test_the_calendar_links_on_the_pages_work_in_every_language(client, demo):
    import re

    for header in ["zh-CN", "zh-TW", "en"]:
        html = client.get("/programme/2023/", headers={"Accept-Language": header}).get_data(as_text=True)
        for link in re.findall(r'href="(/api/v1/[^"]+)"', html):
            response = client.get(link.replace("&amp;", "&"))
            assert response.status_code == 200, (header, link)
