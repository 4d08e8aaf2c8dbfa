"""Every route of every domain, asked by an administrator with odd values in its address, its
query, its form and its JSON body: an answer (a page, a message, a redirect, a 4xx), never a
500. The world is the whole demo edition (tests/routes.py)."""

import io
import random
import re
import struct
import zipfile
import zlib

import pytest
from werkzeug.routing import PathConverter, UnicodeConverter

from tests.conftest import CSRF_INPUT, login
from tests.routes import asker, demo_accounts, values

ODD = ["", "0", "-1", "99999999999999999999", "abc", "𠮷", "<script>", "\x00x", "2023-02-30", "25:99",
       "a" * 3000, "1e9", "None", " ", "２０２３", "1;DROP TABLE users", "../../etc/passwd", "%", "[]", "true"]
# What the views read from the query (request.args) and the filters their lists take.
QUERY = ["page", "lang", "day", "q", "night", "category", "next", "kind", "sent", "select", "result", "part",
         "conflicts", "status", "hall", "session", "group", "hotel", "checkpoint", "device", "since", "until", "date",
         "sort", "format", "year"]
# Fields forms send that a page may not show (hidden, added by script, or for another step).
FORM = ["action", "back", "confirm", "decision", "email", "expected", "ids", "kind", "night", "publish", "published",
        "scope", "status", "upload", "session_id", "item_id", "person_id", "badge_id", "checkpoint_id", "hotel_id",
        "shift_id", "post_id", "group_id", "opens_at", "categories", "day", "starts_at", "ends_at", "count", "code"]
JSON = [None, [], {}, "x", 0, {"a": "\x00"}, [{"client_scan_id": "x"}], {"payload": "𠮷" * 500},
        {"category": "guest", "family_name": "\x00", "email": 5, "consents": "all"}, {"code": ["x"]},
        {"scans": [None, 1, "x", {"scanned_at": "9999-99-99"}]}, {"family_name": "\ud800", "count": 10**400},
        {"email": "a@b.c" * 5000, "phone": ["1"], "id_number": {"x": 1}, "sessions": [10**20, -1, "x"]}]
# Bodies no JSON library writes, as a client might still send them.
RAW = [b"\xff\x00{", b"[" * 100_000 + b"]" * 100_000, b'{"a": NaN, "b": Infinity}', b'{"a": 1e999999}', b'"\\ud800"',
       b'{"a": 1, "a": 2}', b'{"k": 0, }']
# Files a form may be sent: nothing, no image, a cut one, a zip that is cut (and, in _files, one
# of 40,000 × 40,000 pixels and a zip that is no workbook).
FILES = [b"", b"not an image", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, b"PK\x03\x04" + b"\x00" * 100]


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _files() -> list[tuple[bytes, str]]:
    # A PNG that says it is 40,000 × 40,000 pixels: a decompression bomb, as its header shows.
    huge = b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">IIBBBBB", 40_000, 40_000, 8, 2, 0, 0, 0)) + \
        _chunk(b"IDAT", zlib.compress(b"\x00" * 1000)) + _chunk(b"IEND", b"")
    workbook = io.BytesIO()
    with zipfile.ZipFile(workbook, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return [(data, name) for data in [*FILES, huge, workbook.getvalue()] for name in ("a.jpg", "b.xlsx")]


# Each string a route takes in its address (a token, a code, a kind) also gets these.
ODD_PATH = ["𠮷", "a" * 300, "..", "%00", "\x00", "None", "-1"]
# Routes whose POST changes what later routes look at: asked last.
LAST = re.compile(r"delete|remove|withdraw|cancel|purge|revoke|retire|unpair|reject|logout")

def _odd_addresses(rule, given: dict) -> list[str]:
    """The route with each of its string arguments odd in turn."""
    strings = [name for name, converter in rule._converters.items() if isinstance(converter, (UnicodeConverter, PathConverter))]
    return [rule.build({**given, name: odd}, append_unknown=False)[1] for name in strings for odd in ODD_PATH]


def _fields(html: str) -> set[str]:
    return set(re.findall(r'name="([^"]+)"', html)) - {"csrf_token", "viewport", "description", "theme-color"}


def _download(response) -> bool:
    return response.status_code == 200 and response.mimetype not in ("text/html", "application/json")


def _file_fields(html: str) -> set[str]:
    return set(re.findall(r'<input[^>]*type="file"[^>]*name="([^"]+)"', html)) | \
        set(re.findall(r'<input[^>]*name="([^"]+)"[^>]*type="file"', html))


PARTS = 4


def _blueprints(app, part: int) -> set[str]:
    """This part's share of the blueprints: the parts run in parallel, each in a world of its own."""
    return set(sorted({rule.endpoint.split(".")[0] for rule in app.url_map.iter_rules()} - {"static"})[part::PARTS])


@pytest.mark.long
@pytest.mark.parametrize("part", range(PARTS))
def test_no_route_fails_on_odd_values(app, demo_clock, part):
    mine = _blueprints(app, part)
    accounts = demo_accounts(app, "admin@hostile.example")
    clients, tokens = {}, {}

    def sign_in(who: str) -> None:
        clients[who] = clients.get(who) or app.test_client()
        login(clients[who], *accounts[who])
        tokens[who] = CSRF_INPUT.search(clients[who].get("/account").get_data(as_text=True)).group(1)

    for who in accounts:
        sign_in(who)
    rng = random.Random(2023 + part)
    failed, fields, uploads, files = [], {}, {}, _files()

    def check(method: str, url: str, response, sent=None) -> None:
        if response.status_code >= 500:
            failed.append((method, url, response.status_code, repr(sent)[:200]))

    rules = sorted((rule for rule in app.url_map.iter_rules() if rule.endpoint.split(".")[0] in mine), key=lambda rule: rule.rule)
    with app.app_context():
        addresses = {rule.rule: values(rule) for rule in rules}
    for rule in rules:
        if "GET" not in rule.methods:
            continue
        client = clients[asker(rule)]
        url = rule.build(addresses[rule.rule], append_unknown=False)[1]
        for address in [url, *_odd_addresses(rule, addresses[rule.rule])]:
            check("GET", address, client.get(address))
        for _ in range(2):
            query = {name: rng.choice(ODD) for name in QUERY if rng.random() < 0.5}
            response = client.get(url, query_string=query)
            check("GET", url, response, query)
            if _download(response):  # a whole export each time: once is enough
                break
            if response.status_code == 200 and response.mimetype == "text/html":
                fields[rule.rule] = _fields(response.get_data(as_text=True))
                uploads[rule.rule] = _file_fields(response.get_data(as_text=True))
    for rule in sorted((rule for rule in rules if "POST" in rule.methods), key=lambda rule: bool(LAST.search(rule.rule))):
        who = asker(rule)
        client, token = clients[who], tokens[who]
        url = rule.build(addresses[rule.rule], append_unknown=False)[1]
        for _ in range(3):
            data = {name: rng.choice(ODD) for name in fields.get(rule.rule, set()) | set(FORM) if rng.random() < 0.7}
            response = client.post(url, data={**data, "csrf_token": token})
            check("POST", url, response, data)
            if _download(response):
                break
        for name in uploads.get(rule.rule, ()):
            for data, filename in files:
                sent = {**{field: "x" for field in fields.get(rule.rule, ())}, name: (io.BytesIO(data), filename),
                        "csrf_token": token}
                check("POST file", url, client.post(url, data=sent, content_type="multipart/form-data"), (name, data[:20]))
        for body in JSON:
            check("POST json", url, client.post(url, json=body, headers={"Authorization": "Bearer x"}), body)
        for raw in RAW:
            check("POST raw", url, client.post(url, data=raw, content_type="application/json"), raw[:40])
        if client.get("/account").status_code != 200:  # the route signed its user out: in again
            sign_in(who)
    assert failed == [], "\n".join(map(repr, failed))
    assert app.extensions["server_errors"] == []
