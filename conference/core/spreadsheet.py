"""Excel files the organizers open. Every text is written as a text cell, so a value that
starts with = is never run as a formula and a phone number (+86 138…) stays readable as it is;
times are cells in the edition's local time, their column naming the zone."""

import io
from datetime import datetime
from zoneinfo import ZoneInfo

from openpyxl import Workbook

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TIME_FORMAT = "yyyy-mm-dd hh:mm:ss"


def local_time(moment: datetime | None, zone: str) -> datetime | None:
    """A stored (UTC) time as the wall-clock time of `zone`, the way a spreadsheet holds it."""
    if moment is None:
        return None
    return moment.astimezone(ZoneInfo(zone)).replace(tzinfo=None, microsecond=0)


def time_header(label, zone: str) -> str:
    """"Registered at (Asia/Shanghai)": the column says on which clock its times are."""
    return f"{label} ({zone})"


def _write_safely(cell) -> None:
    """A text cell stays text: openpyxl would make '=…' a formula. A text that a spreadsheet
    would read as a formula if someone edited the cell also gets Excel's quote prefix, which
    is a cell property and not a character of the value."""
    if isinstance(cell.value, str):
        cell.data_type = "s"
        if cell.value.startswith(FORMULA_STARTS):
            cell.quotePrefix = True
    elif isinstance(cell.value, datetime):
        cell.number_format = TIME_FORMAT


def workbook(title: str, headers: list[str], rows, widths: list[int]) -> bytes:
    """One sheet: a frozen header row, then the rows, every cell made safe. Times are given
    as naive local times (local_time()); their headers name the zone (time_header())."""
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append([str(header) for header in headers])
    for row in rows:
        sheet.append(list(row))
        for cell in sheet[sheet.max_row]:
            _write_safely(cell)
    for index, width in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
