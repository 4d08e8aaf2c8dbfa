"""The catalogues are complete, and the Traditional one is real Traditional Chinese."""

from pathlib import Path

import opencc
import pytest
from babel.messages.pofile import read_po

pytestmark = pytest.mark.database_free

TRANSLATIONS = Path(__file__).resolve().parents[2] / "translations"


def catalogue(locale: str):
    with (TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return {m.id: m.string for m in read_po(handle, locale=locale) if m.id}


def template_ids():
    with (TRANSLATIONS / "messages.pot").open("rb") as handle:
        return {m.id for m in read_po(handle) if m.id}


@pytest.mark.parametrize("locale", ["zh_Hans_CN", "zh_Hant_TW"])
def test_every_string_is_translated(locale):
    strings = catalogue(locale)
    assert template_ids() <= set(strings)
    assert [msgid for msgid, text in strings.items() if not text] == []


def test_traditional_catalogue_holds_no_simplified_characters():
    """A character is Simplified-only when both converters change it on its own: 这 -> 這.
    (Whole phrases would mislead: s2tw reads 报名表 as 報名錶; s2t alone turns 峰 into 峯.)"""
    s2t, s2tw = opencc.OpenCC("s2t"), opencc.OpenCC("s2tw")
    strings = catalogue("zh_Hant_TW")
    simplified_left = {
        (text, ch) for text in strings.values() for ch in text
        if s2t.convert(ch) != ch and s2tw.convert(ch) != ch
    }
    assert simplified_left == set()


def test_traditional_catalogue_is_not_a_copy_of_the_simplified_one():
    hans, hant = catalogue("zh_Hans_CN"), catalogue("zh_Hant_TW")
    differing = [msgid for msgid in hans if hans[msgid] != hant.get(msgid)]
    assert len(differing) > len(hans) * 0.6
    assert hant["Sign out"] == "登出"  # Taiwan wording, not a character-by-character copy


def test_placeholders_survive_translation():
    import re

    pattern = re.compile(r"%\(\w+\)[sd]")
    for locale in ("zh_Hans_CN", "zh_Hant_TW"):
        for msgid, text in catalogue(locale).items():
            assert sorted(pattern.findall(msgid)) == sorted(pattern.findall(text)), (locale, msgid)


def test_the_source_strings_match_the_template(tmp_path):
    """Fails when someone adds a string and forgets `make catalogue`."""
    import subprocess
    import sys

    pybabel = str(Path(sys.executable).with_name("pybabel"))
    fresh = tmp_path / "fresh.pot"
    subprocess.run(
        [
            pybabel,
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "--no-location",
            "-o",
            str(fresh),
            ".",
        ],
        cwd=TRANSLATIONS.parent,
        capture_output=True,
        check=True,
    )
    with fresh.open("rb") as handle:
        extracted = {m.id for m in read_po(handle) if m.id}
    assert extracted == template_ids()
