"""The 2023 edition as the State Council Information Office announced it (seeds/002)."""

from datetime import date

from conference.editions import services
from conference.editions.services import EditionFields, OrganisationName

HOSTS_2023 = [
    OrganisationName("中央网信办", "Office of the Central Cyberspace Affairs Commission"),
    OrganisationName(
        "中央文明办", "Office of the Central Commission for Guiding Cultural and Ethical Progress"
    ),
    OrganisationName("中共福建省委", "CPC Fujian Provincial Committee"),
    OrganisationName("福建省人民政府", "Fujian Provincial People's Government"),
]
ORGANIZERS_2023 = [
    OrganisationName("中国网络社会组织联合会", "China Federation of Internet Societies"),
    OrganisationName(
        "福建省委网信办", "Cyberspace Affairs Office of the CPC Fujian Provincial Committee"
    ),
    OrganisationName(
        "福建省委文明办", "Civilization Office of the CPC Fujian Provincial Committee"
    ),
    OrganisationName("中共厦门市委", "CPC Xiamen Municipal Committee"),
    OrganisationName("厦门市人民政府", "Xiamen Municipal People's Government"),
]

EDITION_2023 = EditionFields(
    year=2023,
    city_zh="厦门",
    city_en="Xiamen",
    theme_zh="网聚文明力量 奋进伟大征程",
    theme_en="Pooling the Strength of Civilization Online for the Great Journey Ahead",
    starts_on=date(2023, 7, 18),
    ends_on=date(2023, 7, 19),
    hosts=HOSTS_2023,
    organizers=ORGANIZERS_2023,
)


def load_edition() -> list[str]:
    if services.get_edition(EDITION_2023.year) is not None:
        return ["Edition 2023 (厦门) already there."]
    services.create_edition(EDITION_2023)
    return ["Edition 2023 (厦门, 2023-07-18 – 07-19) created."]
