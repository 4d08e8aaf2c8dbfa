"""The one clock every rule reads: registration windows, code expiry, waiting lists, check-in
opening hours, pairing expiry, badge and batch times.

`now()` is the real UTC time unless the clock has been set. Development and testing may set it
with CONFERENCE_NOW (ISO 8601 with an offset, e.g. 2023-07-11T10:00:00+08:00): the clock then
starts at that moment and runs on from it, so the demo can be served "a week before the
conference". Tests may also freeze it with `freeze()`. Production refuses to start with
CONFERENCE_NOW set (config.ProductionConfig.check), so it always reads the real time.

Reading the clock is one function call and one comparison: the check-in scan reads it on its
hot path.
"""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

_offset: timedelta | None = None  # running clock: real time plus this
_frozen: datetime | None = None  # stopped clock: always this


def now() -> datetime:
    """The present moment as an aware UTC datetime."""
    if _frozen is not None:
        return _frozen
    if _offset is not None:
        return datetime.now(UTC) + _offset
    return datetime.now(UTC)


def today(zone: str = "Asia/Shanghai") -> date:
    """Today's date where `zone` is (an edition's time zone)."""
    return now().astimezone(ZoneInfo(zone)).date()


def parse(text: str) -> datetime:
    """An ISO 8601 moment with its offset, as UTC; a moment without an offset is refused."""
    moment = datetime.fromisoformat(text.strip())
    if moment.tzinfo is None:
        raise ValueError(f"CONFERENCE_NOW needs an offset (e.g. +08:00): {text!r}")
    return moment.astimezone(UTC)


def start_at(moment: datetime | None) -> None:
    """Run the clock from `moment` onwards (None: the real time)."""
    global _offset, _frozen
    _frozen = None
    _offset = None if moment is None else moment.astimezone(UTC) - datetime.now(UTC)


def freeze(moment: datetime | None) -> None:
    """Stop the clock at `moment` (None: the real time again). For tests."""
    global _offset, _frozen
    _offset = None
    _frozen = None if moment is None else moment.astimezone(UTC)


def init_app(app) -> None:
    """Set the clock from CONFERENCE_NOW (development and testing only)."""
    value = app.config.get("CONFERENCE_NOW")
    if value and not app.config.get("CLOCK_SETTABLE"):
        raise RuntimeError("CONFERENCE_NOW is for development and testing only; unset it in production")
    start_at(parse(value) if value else None)
