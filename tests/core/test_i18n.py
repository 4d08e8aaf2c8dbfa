import pytest

from conference.core.i18n import (
    full_name,
    locale_from_accept_language,
    name_search_keys,
    pinyin_name,
    search_key,
)


@pytest.mark.parametrize(
    ("header", "locale"),
    [
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh_Hans_CN"),
        ("zh-TW,zh;q=0.9", "zh_Hant_TW"),
        ("zh-HK", "zh_Hant_TW"),
        ("zh-MO", "zh_Hant_TW"),
        ("zh-Hant-HK", "zh_Hant_TW"),
        ("zh-SG", "zh_Hans_CN"),
        ("zh-Hans", "zh_Hans_CN"),
        ("zh", "zh_Hans_CN"),
        ("en-GB,en;q=0.9", "en"),
        ("fr-FR,fr;q=0.9,zh-TW;q=0.5", "zh_Hant_TW"),
        ("fr-FR", "en"),  # a visitor who reads neither Chinese reads English sooner
        ("fr-FR,fr;q=0.9,de;q=0.5", "en"),
        ("de-DE", "en"),
        ("*", None),
        ("", None),
    ],
)
def test_accept_language_is_mapped_by_hand(header, locale):
    from werkzeug.datastructures import LanguageAccept
    from werkzeug.http import parse_accept_header

    assert locale_from_accept_language(parse_accept_header(header, LanguageAccept)) == locale


@pytest.mark.parametrize(
    ("family", "given", "shown"),
    [
        ("张", "伟", "张伟"),
        ("欧阳", "娜娜", "欧阳娜娜"),
        ("吉", "𠮷祥", "吉𠮷祥"),
        ("Smith", "John", "John Smith"),
        ("Chan", "Tai Man", "Tai Man Chan"),
        ("", "Madonna", "Madonna"),
    ],
)
def test_names_follow_their_language_order(family, given, shown):
    assert full_name(family, given) == shown


def test_every_page_names_its_language(client, edition_2023):
    for header, tag in [("zh-CN", "zh-Hans"), ("zh-TW", "zh-Hant"), ("en-US", "en")]:
        html = client.get("/", headers={"Accept-Language": header}).get_data(as_text=True)
        assert f'<html lang="{tag}">' in html


def test_the_cookie_beats_accept_language_and_lang_parameter_beats_both(client, edition_2023):
    response = client.get("/lang/en?next=/")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    html = client.get("/", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert '<html lang="en">' in html and "China Internet Civilization Conference" in html
    html = client.get("/?lang=zh_Hant", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "2023年中國網絡文明大會" in html


def test_the_switcher_only_returns_to_this_site(client):
    assert client.get("/lang/en?next=https://evil.example/").headers["Location"] == "/"
    assert client.get("/lang/en?next=//evil.example/").headers["Location"] == "/"
    assert client.get("/lang/klingon").status_code == 404


def test_traditional_content_is_converted_by_characters_only(client, edition_2023):
    html = client.get("/", headers={"Accept-Language": "zh-TW"}).get_data(as_text=True)
    assert "網聚文明力量 奮進偉大征程" in html  # the 2023 theme, s2t
    assert "中央網信辦" in html and "廈門" in html


@pytest.mark.parametrize(
    ("family", "given", "latin"),
    [
        ("吕", "晨静", "Lü Chenjing"),  # ü, never the keyboard's v
        ("吉", "𠮷祥", "Ji Xiang"),  # a character without a reading is left out, not copied
        ("单", "雄信", "Shan Xiongxin"),
        ("张", "伟", "Zhang Wei"),
    ],
)
def test_romanised_names(family, given, latin):
    assert pinyin_name(family, given) == latin


@pytest.mark.parametrize(
    ("family", "given", "typed"),
    [
        ("吕", "晨静", "lü"),
        ("吕", "晨静", "lv"),
        ("吕", "晨静", "Lü Chenjing"),
        ("Fernández", "Lucía", "fernandez"),
        ("Fernández", "Lucía", "Fernández"),
        ("Müller", "Jürgen", "muller"),
    ],
)
def test_a_typed_name_finds_its_keys(family, given, typed):
    pinyin, _initials = name_search_keys(family, given)
    assert pinyin.startswith(search_key(typed))
