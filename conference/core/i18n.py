"""Languages: which locale a request gets, and names written the way each language writes them."""

import re
import unicodedata
from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel.dates import format_skeleton
from flask import g, has_request_context, request
from flask_babel import get_locale
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

# locale code -> (<html lang>, label in its own language)
LOCALES: dict[str, tuple[str, str]] = {
    "zh_Hans_CN": ("zh-Hans", "简体中文"),
    "zh_Hant_TW": ("zh-Hant", "繁體中文"),
    "en": ("en", "English"),
}
DEFAULT_LOCALE = "zh_Hans_CN"
LANG_COOKIE = "lang"

# Short names people type in ?lang= or keep in a cookie.
_ALIASES = {
    "zh_hans": "zh_Hans_CN",
    "zh_hans_cn": "zh_Hans_CN",
    "zh-hans": "zh_Hans_CN",
    "zh_hant": "zh_Hant_TW",
    "zh_hant_tw": "zh_Hant_TW",
    "zh-hant": "zh_Hant_TW",
    "en": "en",
}

_TRADITIONAL_REGIONS = {"tw", "hk", "mo", "hant"}


def normalise_locale(value: str | None) -> str | None:
    if not value:
        return None
    return _ALIASES.get(value.strip().lower())


def locale_for_language_tag(tag: str) -> str | None:
    """Map one Accept-Language tag ourselves: werkzeug's best_match sends zh-CN to English
    and zh-HK to Simplified."""
    parts = tag.strip().lower().replace("_", "-").split("-")
    if parts[0] == "zh":
        return "zh_Hant_TW" if _TRADITIONAL_REGIONS & set(parts[1:]) else "zh_Hans_CN"
    if parts[0] == "en":
        return "en"
    return None


def locale_from_accept_language(header_values) -> str | None:
    """`header_values`: (tag, quality) pairs, best first, as werkzeug parses them. A reader who
    asks only for languages we do not have (fr-FR, de) gets English, the conference's
    international language; no preference at all leaves the default."""
    foreign = False
    for tag, quality in header_values:
        if quality <= 0 or tag.strip() in ("", "*"):
            continue
        locale = locale_for_language_tag(tag)
        if locale:
            return locale
        foreign = True
    return "en" if foreign else None


@lru_cache(maxsize=512)
def _locale_for_header(header: str) -> str | None:
    """Browsers send a handful of Accept-Language headers, over and over: parse each once."""
    return locale_from_accept_language(parse_accept_header(header, LanguageAccept))


def select_locale() -> str:
    """?lang= on this request, then the switcher's cookie, then Accept-Language."""
    if not has_request_context():
        return DEFAULT_LOCALE
    if "locale" in g:
        return g.locale
    environ = request.environ  # a scanner's request has no query and no cookie: parse neither
    chosen = (
        (environ.get("QUERY_STRING") and normalise_locale(request.args.get("lang")))
        or (environ.get("HTTP_COOKIE") and normalise_locale(request.cookies.get(LANG_COOKIE)))
        or _locale_for_header(environ.get("HTTP_ACCEPT_LANGUAGE", ""))
        or DEFAULT_LOCALE
    )
    g.locale = chosen
    return chosen


def current_locale() -> str:
    return str(get_locale() or DEFAULT_LOCALE)


def day_label(value: date | datetime, zone: str | None = None, skeleton: str = "MMMEd") -> str:
    """A short date as CLDR writes it in the reader's language ("7月18日周二", "Tue, Jul 18"):
    Babel's skeletons go through format_skeleton, never as a pattern. A datetime is read on
    the host city's clock when `zone` is given, else on its own."""
    if isinstance(value, datetime) and zone:
        value = value.astimezone(ZoneInfo(zone))
    tzinfo = value.tzinfo if isinstance(value, datetime) else None
    return format_skeleton(skeleton, value, tzinfo=tzinfo, locale=current_locale())


def time_label(value: datetime, zone: str | None = None) -> str:
    """14:00 on the host city's clock when `zone` is given, else on the value's own."""
    return (value.astimezone(ZoneInfo(zone)) if zone else value).strftime("%H:%M")


def html_lang() -> str:
    return LOCALES.get(current_locale(), LOCALES[DEFAULT_LOCALE])[0]


# CJK ideographs, including the extension planes where rare name characters (𠮷, 䶮) live.
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")


def has_han(text: str | None) -> bool:
    return bool(text and _HAN.search(text))


def full_name(family_name: str | None, given_name: str | None) -> str:
    """张伟 for Chinese names (family first, no space); Latin names given name first."""
    family = (family_name or "").strip()
    given = (given_name or "").strip()
    if has_han(family) or has_han(given):
        return family + given
    return " ".join(part for part in (given, family) if part)


@lru_cache(maxsize=2)
def _converter(config: str):
    import opencc

    return opencc.OpenCC(config)


def to_traditional(text: str | None) -> str | None:
    """Characters only, in Taiwan's standard forms (OpenCC s2tw): official names keep their
    words (算法治理 stays 算法治理, not 演算法治理), and 峰, 為, 裡 come out as a Taiwanese
    reader writes them (plain s2t gives 峯, 爲, 裏)."""
    if not text:
        return text
    return _converter("s2tw").convert(text)


# Where s2twp's Taiwan phrasing is wrong for a conference: the one table, used by
# scripts/translations.py for the catalogues and by to_traditional_phrases for texts.
HANT_CORRECTIONS = {
    "電子郵箱": "電子郵件",
    "郵箱": "電子郵件",
    "網路文明": "網絡文明",  # the conference's own name keeps its words: 中國網絡文明大會
    "賬號": "帳號",
    "退出登入": "登出",
    "只讀": "唯讀",
    "主導航": "主要導覽",
    "無權訪問": "無權存取",
    "新建": "新增",
    "釋出": "發布",  # 发布 is the conference's word for a release on stage
    "型別": "類型",
    "專案": "項目",
    "加入日曆": "加入行事曆",
    "稽核": "審核",  # s2twp reads 审核 as an audit
    "程式碼": "代碼",  # a region code, not program code
    "天后": "天後",
    "繫結": "配對",  # pairing a scanner phone: 配對 in Taiwan, 繫結 is a programmer's binding
    "攝像頭": "相機鏡頭",
    "令牌": "權杖",
    "掃碼槍": "條碼掃描器",
    "最近線上": "最近連線",
    "聯網": "連網",
    "丟失": "遺失",
    "“": "「",
    "”": "」",
}


def to_traditional_phrases(text: str | None, names: list[str] | tuple[str, ...] = ()) -> str | None:
    """Running text (a privacy notice) in Taiwan's words (OpenCC s2twp with HANT_CORRECTIONS:
    个人信息 -> 個人資訊, 电子邮箱 -> 電子郵件, 存储 -> 儲存). The `names` in it (hosts,
    organizers) keep their words: they are converted with characters only, as to_traditional."""
    if not text:
        return text
    pattern = "|".join(re.escape(name) for name in sorted({n for n in names if n}, key=len, reverse=True))
    pieces = re.split(f"({pattern})", text) if pattern else [text]
    converted = []
    for index, piece in enumerate(pieces):
        if index % 2:
            converted.append(to_traditional(piece))
        else:
            converted.append(hant_corrected(_converter("s2twp").convert(piece)))
    return "".join(converted)


def hant_corrected(text: str) -> str:
    """s2twp's output with HANT_CORRECTIONS applied."""
    for wrong, right in HANT_CORRECTIONS.items():
        text = text.replace(wrong, right)
    return text


def localized(zh: str | None, en: str | None, zh_hant: str | None = None) -> str:
    """The text of a content field in the reader's language, falling back sensibly."""
    locale = current_locale()
    if locale == "en":
        return en or zh or ""
    if locale == "zh_Hant_TW":
        return zh_hant or to_traditional(zh) or en or ""
    return zh or en or ""


# pypinyin reads these characters with their common reading; as family names they are read so.
SURNAME_PINYIN = {
    "单": "Shan",
    "曾": "Zeng",
    "解": "Xie",
    "仇": "Qiu",
    "区": "Ou",
    "朴": "Piao",
    "查": "Zha",
    "盖": "Ge",
    "乐": "Yue",
    "尉迟": "Yuchi",
    "万俟": "Moqi",
    "长孙": "Zhangsun",
    "覃": "Qin",
    "缪": "Miao",
    "召": "Shao",
    "句": "Gou",
    "阚": "Kan",
    "员": "Yun",
    "秘": "Bi",
    "重": "Chong",
    "种": "Chong",
    "翟": "Zhai",
    "蕃": "Pi",
    "宓": "Fu",
    "隗": "Wei",
    "沈": "Shen",
    "薄": "Bo",
    "繁": "Po",
    "黑": "He",
    "都": "Du",
    "藏": "Zang",
    "折": "She",
    "能": "Nai",
    "汤": "Tang",
    "华": "Hua",
    "任": "Ren",
    "纪": "Ji",
    "燕": "Yan",
    "尉": "Wei",
    "过": "Guo",
    "那": "Na",
}


def _without_marks(text: str) -> str:
    """Fernández -> Fernandez: what a search box typed on any keyboard can match."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _readings(text: str, *, u_umlaut: bool) -> list[str]:
    """Pinyin syllables of the Han characters in `text`, other text kept as written. A rare
    character pypinyin cannot read (𠮷) is left out rather than copied into a Latin line."""
    from pypinyin import lazy_pinyin

    def unknown(chars: str) -> str:
        return "" if has_han(chars) else chars

    return [s for s in lazy_pinyin(text, v_to_u=u_umlaut, errors=unknown) if s.strip()]


@lru_cache(maxsize=8192)  # a badge's holder is named at every door: read each name once
def pinyin_name(family_name: str, given_name: str) -> str:
    """张伟 -> Zhang Wei, 吕晨静 -> Lü Chenjing, with family names read as family names
    (单 Shan, not Dan)."""
    family = (family_name or "").strip()
    given = (given_name or "").strip()
    family_latin = SURNAME_PINYIN.get(family) or "".join(_readings(family, u_umlaut=True)).capitalize()
    given_latin = "".join(_readings(given, u_umlaut=True)).capitalize()
    return " ".join(part for part in (family_latin, given_latin) if part)


def sort_key(text: str) -> str:
    """Where `text` goes in a list a reader scans: Chinese by pinyin (阿尔巴尼亚 before 中国),
    Latin letters without their marks (Åland with the A's)."""
    return " ".join(_readings(text, u_umlaut=False)).casefold() if has_han(text) else _without_marks(text).casefold()


def search_key(text: str) -> str:
    """What a typed query and a stored name are compared as: lower case, no spaces, no
    diacritics, and v read as u, since pinyin keyboards write ü as v and no pinyin syllable
    has a v of its own (lü, lv and Lü all find 吕; muller finds Müller; ivan still finds Ivan)."""
    return _without_marks("".join((text or "").lower().split())).replace("v", "u")


def name_search_keys(family_name: str, given_name: str) -> tuple[str, str]:
    """("zhangwei", "zw") for 张伟, ("smithanna", "sa") for Anna Smith, ("fernandezlucia", "fl")
    for Lucía Fernández: what the search box and the pinyin sort compare against."""

    def syllables(text: str, surname: bool) -> list[str]:
        text = (text or "").strip()
        if not text:
            return []
        if surname and text in SURNAME_PINYIN:
            return [SURNAME_PINYIN[text].lower()]
        if has_han(text):
            return [search_key(s) for s in _readings(text, u_umlaut=False)]
        return [search_key(part) for part in re.split(r"[\s\-·.]+", text) if part]

    parts = [part for part in syllables(family_name, True) + syllables(given_name, False) if part]
    return "".join(parts), "".join(part[0] for part in parts)
