"""The frab schedule XML against the rules of the schedule schema pretalx validates with
(tests/programme/frab_schema.py), as Giggity and ConfClerk read it."""

import re
from datetime import timedelta
from xml.etree import ElementTree as ET

import pytest
from sqlalchemy import select

from conference.editions.models import Edition
from conference.extensions import db
from conference.programme.exports import title_slug
from conference.programme.models import Session
from tests.programme.frab_schema import problems

URL = "/api/v1/editions/2023/schedule.xml"


@pytest.mark.parametrize("lang", ["zh_Hans", "zh_Hant", "en"])
def test_the_frab_xml_keeps_every_rule_of_the_schedule_schema(client, demo, lang):
    xml = client.get(f"{URL}?lang={lang}").data
    assert problems(xml) == []
    root = ET.fromstring(xml)
    assert len(root.findall("day")) == 2
    assert len(root.findall("day/room/event")) == 16
    for event in root.iter("event"):
        assert re.fullmatch(rf"cicc2023-{event.get('id')}-[a-z0-9]+(-[a-z0-9]+)*", event.findtext("slug"))
    assert {t.get("slug") for t in root.findall("conference/track")} == {
        "main-forum", "summit-forum", "sub-forum", "gala", "side-event"}


def test_slugs_come_from_the_english_title_or_the_pinyin_and_never_change_with_the_language(app, client, demo):
    with app.app_context():
        main = db.session.execute(select(Session).where(Session.kind == "main_forum")).scalar_one()
        forum = db.session.execute(select(Session).where(Session.number == 1)).scalar_one()
        forum.title_zh, forum.title_en = "分论坛一：网络生态建设 2023", ""
        db.session.commit()
        main_id, forum_id = main.id, forum.id

    def slugs(lang):
        root = ET.fromstring(client.get(f"{URL}?lang={lang}").data)
        return {int(e.get("id")): e.findtext("slug") for e in root.iter("event")}

    assert slugs("en") == slugs("zh_Hans") == slugs("zh_Hant")
    assert slugs("en")[main_id] == f"cicc2023-{main_id}-opening-ceremony-and-main-forum"
    assert slugs("en")[forum_id] == f"cicc2023-{forum_id}-fen-lun-tan-yi-wang-luo-sheng-tai-jian-she-2023"


def test_a_day_without_sessions_still_has_its_start_and_end(app, client, demo):
    with app.app_context():
        edition = db.session.execute(select(Edition).where(Edition.year == 2023)).scalar_one()
        edition.ends_on += timedelta(days=1)
        db.session.commit()
    xml = client.get(URL).data
    assert problems(xml) == []
    empty = ET.fromstring(xml).findall("day")[-1]
    assert empty.attrib == {"index": "3", "date": "2023-07-20", "start": "2023-07-20T00:00:00+08:00",
                            "end": "2023-07-21T00:00:00+08:00"}
    assert empty.find("room") is None


def test_the_rules_catch_what_the_schema_refuses(client, demo):
    """The checker is no rubber stamp: each of these departures from the schema is named."""
    xml = client.get(URL).data
    assert problems(xml) == []

    def broken(change) -> list[str]:
        root = ET.fromstring(xml)
        change(root)
        return problems(ET.tostring(root))

    def first_event(root):
        return root.find("day/room/event")

    def reorder(root):
        version = root.find("version")
        root.remove(version)
        root.append(version)

    assert broken(lambda r: first_event(r).find("persons/person").set("role", "主持人")) == [
        "schedule/day/room/event/persons/person: attribute role='主持人' is not allowed"]
    assert broken(lambda r: setattr(first_event(r).find("slug"), "text", "cicc2023-12")) == [
        "schedule/day/room/event/slug: 'cicc2023-12' is not a event_slug"]
    assert broken(lambda r: setattr(first_event(r).find("duration"), "text", "180")) == [
        "schedule/day/room/event/duration: '180' is not a duration"]
    assert broken(lambda r: setattr(first_event(r).find("date"), "text", "2023-07-18T09:00:00")) == [
        "schedule/day/room/event/date: '2023-07-18T09:00:00' is not a datetime_tz"]
    assert broken(lambda r: first_event(r).set("guid", "s-1")) == [
        "schedule/day/room/event: attribute guid='s-1' is not a uuid"]
    assert broken(lambda r: r.find("day").attrib.pop("start")) == ["schedule/day: attribute start is missing"]
    assert broken(lambda r: first_event(r).remove(first_event(r).find("abstract"))) == [
        "schedule/day/room/event: <abstract> appears 0 times"]
    assert broken(lambda r: ET.SubElement(first_event(r), "speaker")) == [
        "schedule/day/room/event: <speaker> is not allowed here"]
    assert "children out of order" in broken(reorder)[0]
    assert broken(lambda r: setattr(r.findall("day/room/event")[1].find("slug"), "text",
                                    first_event(r).findtext("slug")))[0].startswith("event slug not unique")


def test_title_slugs_when_the_english_title_is_missing_long_or_not_latin():
    def slug(title_zh, title_en="", kind="sub_forum"):
        return title_slug(Session(title_zh=title_zh, title_en=title_en, kind=kind))

    assert slug("分论坛", "Forum on Ethics · Lü & Müller") == "forum-on-ethics-lu-muller"
    assert slug("网络文明论坛", "网络文明论坛") == "wang-luo-wen-ming-lun-tan"  # no Latin letters: pinyin
    assert slug("𠮷祥论坛") == "xiang-lun-tan"  # 𠮷 has no reading: left out
    assert slug("——", "——") == "sub-forum"
    long = slug("论坛", "Dialogue on the Governance of Algorithms and the Responsibility of Platforms")
    assert long == "dialogue-on-the-governance-of-algorithms-and-the"
    assert len(long) <= 60
