"""Every page of the demo, as an administrator (a volunteer for their own pages) and as a visitor,
each page in one of the three languages in turn: the page names that language, no two elements share an id (a label, an error
message or a script would find the wrong one), every control a person fills in has a label,
and every image says what it shows."""

from collections import Counter
from html.parser import HTMLParser

import pytest

from tests.conftest import login
from tests.routes import address, asker, demo_accounts

LANGUAGES = {"zh_Hans_CN": "zh-Hans", "zh_Hant_TW": "zh-Hant", "en": "en"}
UNLABELLED = ("hidden", "submit", "button", "image", "reset")
BOOK_LANGUAGE = {"handbook.preview"}  # a chapter of the handbook in the book's language, whoever reads it


class Markup(HTMLParser):
    def __init__(self, html: str):
        super().__init__()
        self.language, self.ids, self.labelled, self.controls, self.images = None, Counter(), set(), [], []
        self.in_label = 0
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.language = attrs.get("lang")
        if attrs.get("id"):
            self.ids[attrs["id"]] += 1
        if tag == "label":
            self.in_label += 1
            if attrs.get("for"):
                self.labelled.add(attrs["for"])
        if tag in ("input", "select", "textarea") and attrs.get("type", "text") not in UNLABELLED:
            named = self.in_label or attrs.get("aria-label") or attrs.get("aria-labelledby") or attrs.get("title")
            self.controls.append((attrs.get("name"), attrs.get("id"), bool(named)))
        if tag == "img" and "alt" not in attrs:
            self.images.append(attrs.get("src"))

    def handle_endtag(self, tag):
        if tag == "label":
            self.in_label -= 1

    def problems(self) -> dict:
        found = {
            "ids used twice": sorted(name for name, count in self.ids.items() if count > 1),
            "controls without a label": [name for name, id_, named in self.controls if not named and id_ not in self.labelled],
            "images without alt": self.images,
        }
        return {kind: items for kind, items in found.items() if items}


@pytest.mark.long
@pytest.mark.database_free  # the pages' markup is the same on either database
def test_every_page_is_well_formed_for_its_readers(app, demo_clock):
    accounts = demo_accounts(app, "admin@markup.example")
    askers = {who: app.test_client() for who in accounts}
    for who, client in askers.items():
        login(client, *accounts[who])
    visitor = app.test_client()
    wrong, pages = [], 0
    rules = [rule for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule)
             if "GET" in rule.methods and rule.endpoint != "static"]
    for index, rule in enumerate(rules):
        locale = list(LANGUAGES)[index % len(LANGUAGES)]
        headers = {"Accept-Language": locale.replace("_", "-")}
        with app.app_context():
            url = address(rule)
        for client in (askers[asker(rule)], visitor):
            response = client.get(url, headers=headers)
            if response.status_code != 200 or response.mimetype != "text/html":
                continue
            pages += 1
            page = Markup(response.get_data(as_text=True))
            problems = page.problems()
            if page.language != LANGUAGES[locale] and rule.endpoint not in BOOK_LANGUAGE:
                problems["language"] = page.language
            if problems:
                wrong.append((url, problems))
    assert pages > 120
    assert wrong == []
