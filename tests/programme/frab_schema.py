"""The rules of the frab schedule schema that pretalx validates its export against
(src/tests/fixtures/schedule.xsd in pretalx's repository), written down here from reading it:
which element may hold which, in what order and how often, which attributes each may carry,
and the formats of their text. `problems(xml)` lists every rule a document breaks.
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from xml.etree import ElementTree as ET

UNBOUNDED = None


def _pattern(regex: str):
    compiled = re.compile(regex)
    return lambda text: compiled.fullmatch(text) is not None


def _date(text: str) -> bool:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _datetime_with_zone(text: str) -> bool:
    """xs:dateTime with the offset the schema's pattern demands (Z, +hh:mm or -hh:mm)."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{1,2}:\d{2})", text):
        return False
    try:
        datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


FORMATS = {
    "string": lambda text: True,
    "integer": _pattern(r"[+-]?\d+"),
    "positive_integer": lambda text: re.fullmatch(r"\+?\d+", text) is not None and int(text) > 0,
    "boolean": _pattern(r"true|false|1|0"),
    "date": _date,
    "datetime_tz": _datetime_with_zone,
    "date_or_datetime_tz": lambda text: _date(text) or _datetime_with_zone(text),
    "duration": _pattern(r"[0-9]{1,2}:[0-9]{2}(:[0-9]{1,2})?"),
    "start": _pattern(r"[0-2][0-9]:[0-5][0-9](:[0-5][0-9])?"),
    "uuid": _pattern(r"[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}"),
    "acronym": _pattern(r"[a-z0-9_-]{4,}"),
    "event_slug": _pattern(r"[a-z0-9_]{4,}-[a-z0-9\-_]{4,}"),
    "track_slug": _pattern(r"[a-z0-9-]{2,}"),
    "http_uri": _pattern(r"https?://\S*"),
    "empty_or_uri": _pattern(r"https?://\S*|\s*"),
    "hex_colour": _pattern(r"#[0-9a-fA-F]{6}"),
}


@dataclass
class Kind:
    """An element's type: its attributes (name -> (format, required)) and either text in a
    format or children. `content` is "text", "sequence" (children in the listed order),
    "all" (any order) or "choice" (any order, repeated as the counts allow)."""

    content: str = "text"
    text: str = "string"
    attributes: dict[str, tuple[str, bool]] = field(default_factory=dict)
    # (name, kind, fewest, most) in the schema's order
    children: list[tuple[str, "Kind", int, int | None]] = field(default_factory=list)


def text(fmt: str = "string") -> Kind:
    return Kind(text=fmt)


def _href_list(child: str) -> Kind:
    return Kind("sequence", children=[(child, Kind(attributes={"href": ("string", False)}), 0, UNBOUNDED)])


PERSON = Kind(attributes={"id": ("integer", False), "guid": ("uuid", False)})
RECORDING = Kind("all", children=[
    ("license", text(), 1, 1), ("optout", text("boolean"), 1, 1),
    ("url", text("http_uri"), 0, 1), ("link", text("http_uri"), 0, 1),
])
EVENT = Kind(
    "all",
    attributes={"id": ("positive_integer", True), "guid": ("uuid", True)},
    children=[
        ("room", text(), 1, 1), ("title", text(), 1, 1), ("subtitle", text(), 1, 1),
        ("type", text(), 1, 1), ("date", text("datetime_tz"), 1, 1), ("start", text("start"), 1, 1),
        ("duration", text("duration"), 1, 1), ("abstract", text(), 1, 1),
        ("slug", text("event_slug"), 1, 1), ("track", text(), 1, 1),
        ("logo", text("empty_or_uri"), 0, 1),
        ("persons", Kind("sequence", children=[("person", PERSON, 0, UNBOUNDED)]), 0, 1),
        ("language", text(), 0, 1), ("description", text(), 0, 1),
        ("recording", RECORDING, 0, 1), ("links", _href_list("link"), 0, 1),
        ("attachments", _href_list("attachment"), 0, 1),
        ("video_download_url", text("http_uri"), 0, 1), ("url", text("http_uri"), 0, 1),
        ("feedback_url", text("http_uri"), 0, 1), ("origin_url", text("http_uri"), 0, 1),
    ],
)
ROOM = Kind(
    "sequence",
    attributes={"name": ("string", True), "guid": ("uuid", False)},
    children=[("event", EVENT, 0, UNBOUNDED)],
)
DAY = Kind(
    "sequence",
    attributes={"date": ("date", False), "start": ("datetime_tz", True), "end": ("datetime_tz", True),
                "index": ("positive_integer", True)},
    children=[("room", ROOM, 0, UNBOUNDED)],
)
TRACK = Kind(attributes={"name": ("string", True), "color": ("hex_colour", False),
                         "slug": ("track_slug", False)})
COLOUR = Kind(attributes={"primary": ("hex_colour", True), "background": ("hex_colour", False)})
CONFERENCE = Kind("choice", children=[
    ("title", text(), 0, 1), ("acronym", text("acronym"), 0, 1),
    ("start", text("date_or_datetime_tz"), 0, 1), ("end", text("date_or_datetime_tz"), 0, 1),
    ("days", text("integer"), 0, 1), ("timeslot_duration", text("duration"), 0, 1),
    ("base_url", text("http_uri"), 0, 1), ("logo", text("http_uri"), 0, 1),
    ("url", text("http_uri"), 0, 1), ("time_zone_name", text(), 0, 1),
    ("color", COLOUR, 0, UNBOUNDED), ("track", TRACK, 0, UNBOUNDED),
])
SCHEDULE = Kind("sequence", children=[
    ("generator", Kind("sequence", attributes={"name": ("string", False), "version": ("string", False)}), 0, 1),
    ("url", text("http_uri"), 0, 1),
    ("version", text(), 1, 1),
    ("conference", CONFERENCE, 1, 1),
    ("day", DAY, 1, UNBOUNDED),
])


def _check_children(element: ET.Element, kind: Kind, where: str, found: list[str]) -> None:
    names = [child.tag for child in element]
    allowed = {name: (child_kind, fewest, most) for name, child_kind, fewest, most in kind.children}
    for name in names:
        if name not in allowed:
            found.append(f"{where}: <{name}> is not allowed here")
    for name, (_, fewest, most) in allowed.items():
        count = names.count(name)
        if count < fewest or (most is not UNBOUNDED and count > most):
            found.append(f"{where}: <{name}> appears {count} times")
    if kind.content == "sequence":
        order = [name for name, *_ in kind.children]
        positions = [order.index(name) for name in names if name in allowed]
        if positions != sorted(positions):
            found.append(f"{where}: children out of order {names}, the schema's order is {order}")
    for child in element:
        if child.tag in allowed:
            _check(child, allowed[child.tag][0], f"{where}/{child.tag}", found)


def _check(element: ET.Element, kind: Kind, where: str, found: list[str]) -> None:
    for name, value in element.attrib.items():
        if name not in kind.attributes:
            found.append(f"{where}: attribute {name}={value!r} is not allowed")
        elif not FORMATS[kind.attributes[name][0]](value):
            found.append(f"{where}: attribute {name}={value!r} is not a {kind.attributes[name][0]}")
    for name, (_, required) in kind.attributes.items():
        if required and name not in element.attrib:
            found.append(f"{where}: attribute {name} is missing")
    if kind.content == "text":
        if len(element):
            found.append(f"{where}: holds elements where only text is allowed")
        elif not FORMATS[kind.text](element.text or ""):
            found.append(f"{where}: {element.text!r} is not a {kind.text}")
    else:
        _check_children(element, kind, where, found)


def _unique(root: ET.Element, found: list[str]) -> None:
    events = root.findall("day/room/event")
    for label, values in (
        ("event guid", [e.get("guid") for e in events]),
        ("event id", [e.get("id") for e in events]),
        ("event slug", [e.findtext("slug") for e in events]),
        ("day index", [d.get("index") for d in root.findall("day")]),
    ):
        repeated = sorted({v for v in values if values.count(v) > 1})
        if repeated:
            found.append(f"{label} not unique: {repeated}")


def problems(xml: bytes) -> list[str]:
    """Every way the document departs from the frab schedule schema; empty when it is valid."""
    root = ET.fromstring(xml)
    if root.tag != "schedule":
        return [f"the root is <{root.tag}>, not <schedule>"]
    found: list[str] = []
    _check(root, SCHEDULE, "schedule", found)
    _unique(root, found)
    return found
