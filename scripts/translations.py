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
sys.path.insert(0, str(ROOT))
from conference.core.i18n import hant_corrected as correct  # noqa: E402  one table (HANT_CORRECTIONS), shared with the app

TRANSLATIONS = ROOT / "translations"
PYBABEL = str(Path(sys.executable).with_name("pybabel"))



def _catalog(locale: str):
    path = TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        return path, read_po(handle, locale=locale)


def _save(path: Path, catalog) -> None:
    with path.open("wb") as handle:
        write_po(handle, catalog, width=100, omit_header=False, sort_output=True, no_location=True)


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
