"""Redirect targets that stay on this site."""

from urllib.parse import urlsplit

from werkzeug.routing import IntegerConverter


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


def init_app(app) -> None:
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
