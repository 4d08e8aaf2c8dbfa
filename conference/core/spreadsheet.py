"""Excel files the organizers open: every text is written as a text cell, so a value that
starts with = is never run as a formula and a phone number (+86 138…) stays readable as it is;
times are cells in the edition's local time, their column naming the zone.
Excel files they upload: bounded before openpyxl opens them, and a broken one is a refusal."""

import io
import zipfile
import zlib
from datetime import datetime
from xml.etree.ElementTree import ParseError
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from conference.core.errors import Refusal

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
MAX_UNPACKED = 50 * 1024 * 1024
MAX_COLUMNS = 100
# What openpyxl raises, while opening or while reading rows, for a file that is not a whole workbook.
UNREADABLE = (InvalidFileException, zipfile.BadZipFile, zlib.error, ParseError, EOFError, KeyError, ValueError, OSError)


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
    return workbook_of([(title, headers, rows, widths)])


def workbook_of(sheets: list[tuple[str, list[str], object, list[int]]]) -> bytes:
    """Several sheets, each (title, headers, rows, widths) written as workbook() writes one."""
    book = Workbook()
    book.remove(book.active)
    for title, headers, rows, widths in sheets:
        sheet = book.create_sheet(title[:31])
        sheet.append([str(header) for header in headers])
        for row in rows:
            sheet.append(list(row))
            for cell in sheet[sheet.max_row]:
                _write_safely(cell)
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def read_rows(data: bytes, max_rows: int, field: str = "file") -> list[tuple]:
    """The values of the first sheet of an .xlsx, its first row and at most `max_rows` more, each
    at most MAX_COLUMNS wide. The zip's directory is read first: a workbook that unpacks to more
    than MAX_UNPACKED is refused before it is opened (zipfile never unpacks an entry beyond the
    size the directory gives). Every refusal names `field`."""
    unreadable = Refusal(_l("This is not an Excel .xlsx file we can read."), field)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(entry.file_size for entry in archive.infolist())
    except (zipfile.BadZipFile, EOFError, ValueError) as error:
        raise unreadable from error
    if unpacked > MAX_UNPACKED:
        raise Refusal(_l("The workbook unpacks to more than %(n)d MB; split it into smaller files.", n=MAX_UNPACKED // 2**20), field)
    rows: list[tuple] = []
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheet = book.worksheets[0]
            sheet.reset_dimensions()  # a forged <dimension> would pad every row and fill every gap
            for row in sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True):
                if len(rows) > max_rows:
                    raise Refusal(_l("At most %(n)d rows at a time.", n=max_rows), field)
                rows.append(row)
        finally:
            book.close()
    except Refusal:
        raise
    except UNREADABLE as error:
        raise unreadable from error
    return rows
