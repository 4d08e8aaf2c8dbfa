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
