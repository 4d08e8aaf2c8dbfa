"""What a request's address and fields may hold: redirect targets that stay on this site, the
converters of the routes' arguments, and query and form fields as text."""

from collections.abc import Mapping
from urllib.parse import urlsplit

from flask import Request
from werkzeug.datastructures import ImmutableMultiDict, MultiDict
from werkzeug.routing import IntegerConverter, UnicodeConverter

from conference.core.text import CONTROL, clean


def safe_next(target: str | None, default: str) -> str:
    """Only a path on this site: no scheme, no host, no protocol-relative //host."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    if "\\" in target or any(ord(ch) < 32 for ch in target):
        return default
    return target


class YearConverter(IntegerConverter):
    """`<year:year>`: four digits, so /editions/99999999999999999999 is a 404, not a database
    error on PostgreSQL's int4."""

    regex = r"\d{4}"


class RowIdConverter(IntegerConverter):
    """`<id:...>`: a positive id that fits the database's integer column."""

    def __init__(self, url_map):
        super().__init__(url_map, min=1, max=2**31 - 1)


class TextConverter(UnicodeConverter):
    """`<code>`, `<token>`: a string argument without control characters, which no code, token or
    kind holds (and which PostgreSQL refuses in a query: a 404, not a database error)."""

    def __init__(self, url_map, *args, **kwargs):
        super().__init__(url_map, *args, **kwargs)
        self.regex = self.regex.replace("[^/]", f"[^/{CONTROL}]", 1)  # keeping its length


class Fields(ImmutableMultiDict):
    """Query and form fields with control characters taken out of their names and values, as
    text.clean takes them out of what people type: no view can pass one on to the database.
    Uploaded files are left as they are."""

    def __init__(self, mapping=None):
        if mapping is None:
            super().__init__()
            return
        pairs = MultiDict(mapping).items(multi=True) if isinstance(mapping, Mapping) else mapping
        super().__init__([(clean(name), clean(value)) for name, value in pairs])


class ConferenceRequest(Request):
    parameter_storage_class = Fields


def init_app(app) -> None:
    app.request_class = ConferenceRequest
    app.url_map.converters["default"] = app.url_map.converters["string"] = TextConverter
    app.url_map.converters["year"] = YearConverter
    app.url_map.converters["id"] = RowIdConverter


MAX_ROW_ID = 2**31 - 1


def row_id(value) -> int:
    """A row id from a form or query: a positive integer that fits the database's column.
    Anything else raises ValueError, which a form shows as an invalid choice."""
    number = int(str(value).strip())
    if not 1 <= number <= MAX_ROW_ID:
        raise ValueError("not a row id")
    return number


def optional_row_id(value) -> int | None:
    return None if value in (None, "", "None") else row_id(value)


def form_row_id(source, name: str) -> int | None:
    """request.form / request.args value as a row id, or None when missing or impossible."""
    try:
        return optional_row_id(source.get(name))
    except ValueError:
        return None
