"""The registration list searches names the way every list does (people's services)."""

from conference.editions.services import get_edition
from conference.registration import services as registration
from tests.registration.test_register import register


def test_the_registration_list_searches_the_same_way(app, reg):
    register(app, family_name="吕", given_name="晨静")
    with app.app_context():
        edition = get_edition(2023)
        for typed in ("lü", "lv", "吕晨", "lcj"):
            rows, total = registration.search_registrations(edition, registration.RegistrationFilters(query=typed))
            assert total == 1 and rows[0].person.family_name == "吕", typed


def test_the_chinese_nationality_list_is_in_pinyin_order_with_taiwan_as_a_region_of_china(app):
    from conference.registration.forms import nationality_choices

    for lang, taiwan, macao, hong_kong in [("zh_Hans", "中国台湾", "中国澳门特别行政区", "中国香港特别行政区"),
                                          ("zh_Hant", "中國台灣", "中國澳門特別行政區", "中國香港特別行政區")]:
        with app.test_request_context(f"/?lang={lang}"):
            labels = [str(choice.label) for choice in nationality_choices()][1:]
        assert labels.index(macao) + 1 == labels.index(taiwan) == labels.index(hong_kong) - 1
        assert labels[0].startswith("阿") and labels[-1].startswith(("佐", "祖", "中", "智", "乍"))  # a … zh
        assert "台湾" not in labels and "台灣" not in labels
    with app.test_request_context("/?lang=en"):
        labels = [str(choice.label) for choice in nationality_choices()][1:]
    assert labels[:2] == ["Afghanistan", "Åland Islands"] and "Taiwan, China" in labels
