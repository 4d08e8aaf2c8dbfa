"""The demo edition's handbook texts (the Traditional ones are left to be converted)."""

from conference.editions.services import get_edition
from conference.handbook import services

TEXTS = {
    ("welcome", "zh_Hans"): "欢迎各位嘉宾来到厦门，出席2023年中国网络文明大会。\n\n"
                            "本手册收录大会议程、嘉宾名录、场馆与酒店信息，请随身携带。",
    ("welcome", "en"): "Welcome to Xiamen and to the 2023 China Internet Civilization Conference.\n\n"
                       "This handbook holds the programme, the speakers, the venues and the hotels: keep it with you.",
    ("contacts", "zh_Hans"): "大会总服务台设在厦门国际会议中心一层大厅。",
    ("contacts", "en"): "The conference's main information desk is in the ground-floor lobby of the "
                        "Xiamen International Conference Center.",
    ("notes", "zh_Hans"): "## 医疗\n\n各会场设医疗点，急救请拨 **120**。\n\n## 无线网络\n\n"
                          "网络名称 `CICC2023`，无需密码。\n\n## 用餐\n\n- 午餐：会议中心二层自助餐厅\n"
                          "- 晚餐：各住宿酒店\n\n## 新闻中心\n\n设在会议中心一层，7月17日起开放。",
    ("notes", "en"): "## Medical\n\nEvery venue has a first-aid point; for an ambulance call **120**.\n\n"
                     "## Wi-Fi\n\nNetwork `CICC2023`, no password.\n\n## Meals\n\n"
                     "- Lunch: the buffet on the conference centre's first floor\n- Dinner: at your hotel\n\n"
                     "## Press centre\n\nOn the conference centre's ground floor, open from 17 July.",
}


def load_handbook() -> list[str]:
    edition = get_edition(2023)
    if edition is None:
        return []
    for (key, language), body in TEXTS.items():
        services.save_text(edition, key, language, body)
    return ["Handbook: the welcome, the desks' note and the practical notes in Simplified Chinese and English."]
