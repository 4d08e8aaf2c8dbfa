"""Catalogue upkeep: `python scripts/translations.py update` re-extracts the strings and merges
them into the three catalogues, then fills the Traditional catalogue from the Simplified one.

Traditional entries are made with OpenCC's s2twp (Taiwan phrasing: 登录 -> 登入) and then read by
a person; an entry someone has corrected is never overwritten, only empty or fuzzy ones are filled.
"""

import subprocess
import sys
from pathlib import Path

import opencc
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "translations"
PYBABEL = str(Path(sys.executable).with_name("pybabel"))

# Where s2twp's Taiwan phrasing is wrong for a conference interface.
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


def _catalog(locale: str):
    path = TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        return path, read_po(handle, locale=locale)


def _save(path: Path, catalog) -> None:
    with path.open("wb") as handle:
        write_po(handle, catalog, width=100, omit_header=False, sort_output=True, no_location=True)


def correct(text: str) -> str:
    for wrong, right in HANT_CORRECTIONS.items():
        text = text.replace(wrong, right)
    return text


def fill_traditional() -> int:
    converter = opencc.OpenCC("s2twp")
    _, hans = _catalog("zh_Hans_CN")
    hant_path, hant = _catalog("zh_Hant_TW")
    filled = 0
    for message in hant:
        if not message.id:
            continue
        source = hans.get(message.id)
        if source is None or not source.string:
            continue
        if message.string and not message.fuzzy:
            continue
        message.string = correct(converter.convert(source.string))
        message.flags.discard("fuzzy")
        filled += 1
    _save(hant_path, hant)
    return filled


def update() -> None:
    pot = TRANSLATIONS / "messages.pot"
    subprocess.run(
        [
            PYBABEL,
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "--no-location",
            "--sort-output",
            "-o",
            str(pot),
            ".",
        ],
        cwd=ROOT,
        check=True,
    )
    subprocess.run(
        [
            PYBABEL,
            "update",
            "-i",
            str(pot),
            "-d",
            str(TRANSLATIONS),
            "--no-fuzzy-matching",
            "--ignore-obsolete",
        ],
        cwd=ROOT,
        check=True,
    )
    print(f"Traditional entries filled from Simplified: {fill_traditional()}")


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "update"
    if command == "update":
        update()
    elif command == "hant":
        print(f"Traditional entries filled from Simplified: {fill_traditional()}")
    else:
        sys.exit("usage: translations.py [update|hant]")
