"""The one xlsx writer of every report: styles, widths, print setup, safety.

Builders (``reports/builders/``) describe columns and yield rows; this module
renders them with XlsxWriter in ``constant_memory`` mode (public API only:
formats, ``merge_range``, ``repeat_rows``, ``fit_to_pages``), so a report of
any length is streamed to disk one row at a time, in flat memory. Everything a ministry spreadsheet needs is
decided here once: the title block naming the order, the report date and the
moment the data are "as of"; frozen, repeated header rows; column widths
wide enough for the longest word of each header and of the data, so no word
breaks; dd.mm.yyyy dates; conditional fills for status words; Calibri
throughout (LibreOffice on Linux renders it with the metric-compatible
Carlito); the signature block under the table (руководитель, исполнитель,
телефон, дата); a page header and "Страница N из M" in the footer; A4
landscape fitted to the page width.

Safety: a text cell whose first character is ``=``, ``+``, ``-``, ``@``, a tab,
CR or NUL is stored as a string with Excel's quote prefix, never as a
formula; characters XML cannot carry are dropped, and CR ends a line as LF. Text from users (event
titles, comments, organisation names) therefore never runs in Excel.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from functools import lru_cache
from typing import IO, Any
from zoneinfo import ZoneInfo

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

MOSCOW = ZoneInfo("Europe/Moscow")

# Excel starts a formula (or a DDE payload) with these when text is typed or
# pasted; tab and CR are used to smuggle them past naive checks.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\x00")
# Characters that XML 1.0 cannot carry (they are dropped, never escaped).
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# What a text cell must be cleaned of: those, and CR (a line ends with LF in a
# cell; XlsxWriter would store a lone CR as the escape "_x000D_").
_TO_CLEAN = re.compile(r"[\x00-\x08\x0b-\x1f]")

DATE_FORMAT = "dd.mm.yyyy"
DATETIME_FORMAT = "dd.mm.yyyy hh:mm"
INT_FORMAT = "#,##0"
NUMBER_FORMAT = "#,##0.##"
PERCENT_FORMAT = "0.0%"

FONT_NAME = "Calibri"
# Column widths are in Excel's units (the width of "0" in Calibri 11). A
# Cyrillic letter, bold in headers, is wider than a digit: a word of n
# letters needs about n * WORD_FACTOR + CELL_PADDING units to stay whole.
WORD_FACTOR = 1.2
CELL_PADDING = 2.0
# Data words widen a column up to this (a longer word may break; headers
# are always fitted). Widths are measured on the first MEASURE_ROWS rows;
# the rest are streamed as they come.
DATA_WIDTH_CAP = 30.0
MEASURE_ROWS = 2000
# A rotated header: points per letter along the row height (bold Calibri 11,
# Cyrillic, with a margin) and the units of width one line of it takes.
ROTATED_LETTER_PT = 6.5
ROTATED_LINE_WIDTH = 2.9
# Words as a line breaks them: at spaces, and after a hyphen or a slash.
_WORD = re.compile(r"[^\s\-/]*[\-/]?")
# A range of numbers ("6–11") must not break after its dash: a word joiner
# (U+2060, invisible) follows the dash in headers.
_RANGE = re.compile(r"(?<=\d)([–-])(?=\d)")
WORD_JOINER = "\u2060"


def keep_ranges(text: str) -> str:
    return _RANGE.sub(lambda m: m.group(1) + WORD_JOINER, text)


# Format properties (XlsxWriter's names) shared by the cells of the tables.
BORDER: dict[str, Any] = {"border": 1, "border_color": "#808080"}
HEADER_FILL: dict[str, Any] = {"pattern": 1, "bg_color": "#D9E1F2"}
SECTION_FILL: dict[str, Any] = {"pattern": 1, "bg_color": "#EDEDED"}
PAPER_A4 = 9
# XlsxWriter's column width arithmetic: a digit of Calibri 11 is 7 pixels.
DIGIT_PIXELS = 7

# Status words → fill colour; used for the conditional formats of status
# columns so a cell keeps its colour when someone edits it in Excel.
STATUS_COLOURS: dict[str, str] = {
    "выполнено": "C6EFCE",
    "достигнуто": "C6EFCE",
    "в срок": "C6EFCE",
    "да": "C6EFCE",
    "по плану": "DDEBF7",
    "в работе": "DDEBF7",
    "ожидается": "DDEBF7",
    "отстаёт": "FFEB9C",
    "с опозданием": "FFEB9C",
    "под угрозой": "FFC7CE",
    "не выполнено": "FFC7CE",
    "не представлен": "FFC7CE",
    "нарушено": "FFC7CE",
    "нет данных": "EDEDED",
    "отменено": "EDEDED",
}


class ColumnType(StrEnum):
    TEXT = "text"
    CODE = "code"  # short text, centred (№, codes)
    INT = "int"
    NUMBER = "number"
    PERCENT = "percent"  # a fraction: 0.5 is shown as 50,0%
    DATE = "date"
    DATETIME = "datetime"  # aware datetimes are shown in Moscow time
    STATUS = "status"  # text with conditional fills


@dataclass(frozen=True)
class Column:
    header: str
    width: float
    type: ColumnType = ColumnType.TEXT
    # A narrow column of figures under a long header: the header is printed
    # bottom to top (as the ministry's forms do) and the column stays narrow.
    rotate: bool = False


class RowKind(StrEnum):
    DATA = "data"
    SECTION = "section"  # one text merged across the whole table
    TOTAL = "total"
    NOTE = "note"  # one plain text merged across the whole table (a line of a closing section)


@dataclass(frozen=True, slots=True)
class Row:
    values: Sequence[Any]
    kind: RowKind = RowKind.DATA
    indent: int = 0  # indent of the second column (sub-rows of indicators)


@dataclass(frozen=True)
class Signature:
    """Who signs a report: printed under the table; an empty field leaves a line to fill by hand."""

    head: str = ""
    head_position: str = ""
    executor: str = ""
    phone: str = ""

    def lines(self, day: dt.date) -> list[str]:
        blank = "_" * 24
        position = f"{self.head_position} " if self.head_position else ""
        return [
            f"Руководитель: {position}{blank} {self.head or blank}",
            f"Исполнитель: {self.executor or blank}",
            f"Телефон: {self.phone or blank}",
            f"Дата: {day:%d.%m.%Y}",
        ]


def font(*, size: float = 11, bold: bool = False, italic: bool = False) -> dict[str, Any]:
    """Format properties of a font of the reports (always named, so every viewer uses the same metrics)."""
    props: dict[str, Any] = {"font_name": FONT_NAME, "font_size": size}
    if bold:
        props["bold"] = True
    if italic:
        props["italic"] = True
    return props


DEFAULT_FONT = font()


def word_width(text: str, *, factor: float = WORD_FACTOR) -> float:
    """The column width the longest word of ``text`` needs to stay on one line."""
    longest = max((len(w) for w in _WORD.findall(text or "")), default=0)
    return round(longest * factor + CELL_PADDING, 1) if longest else 0.0


def _value_width(value: Any, ctype: ColumnType) -> float:
    """The width a data value needs: its longest word, or a number as shown."""
    if value is None or value == "":
        return 0.0
    if isinstance(value, str):
        return word_width(value)
    if isinstance(value, dt.datetime) or ctype is ColumnType.DATETIME:
        return 16 + CELL_PADDING
    if isinstance(value, dt.date):
        return 10 + CELL_PADDING
    if isinstance(value, bool):
        return 3 + CELL_PADDING
    if isinstance(value, int | float | Decimal):
        if ctype is ColumnType.PERCENT:
            text = f"{float(value) * 100:.1f}%"
        elif isinstance(value, int) or (isinstance(value, Decimal) and value == value.to_integral_value()):
            text = f"{int(value):,}"
        else:
            text = f"{float(value):,.2f}"
        return len(text) + CELL_PADDING
    return word_width(str(value))


@dataclass
class ReportLayout:
    """What a builder tells the writer about its table."""

    sheet_title: str
    title: str
    columns: list[Column]
    # Optional top header row of groups: (text, number of columns). A group of
    # one column is merged down over the column header row.
    header_groups: list[tuple[str, int]] | None = None
    order_line: str = ""
    generated_at: dt.datetime | None = None
    as_of: dt.date | None = None
    notes: list[str] = field(default_factory=list)
    freeze_columns: int = 2
    signature: Signature | None = None
    # False: no signature block (a list exported from a page is not a signed report).
    signed: bool = True


_TOP = {"valign": "top"}
_WRAP_TOP = {"text_wrap": True, "valign": "top"}
_CENTRED = {"align": "center", "valign": "top", "text_wrap": True}
_RIGHT = {"align": "right", "valign": "top"}
# Per column type: alignment and number format of its data cells.
_BASE: dict[ColumnType, tuple[dict[str, Any], str]] = {
    ColumnType.TEXT: (_WRAP_TOP, "General"),
    ColumnType.CODE: (_CENTRED, "General"),
    ColumnType.INT: (_RIGHT, INT_FORMAT),
    ColumnType.NUMBER: (_RIGHT, NUMBER_FORMAT),
    ColumnType.PERCENT: (_RIGHT, PERCENT_FORMAT),
    ColumnType.DATE: (_CENTRED, DATE_FORMAT),
    ColumnType.DATETIME: (_CENTRED, DATETIME_FORMAT),
    ColumnType.STATUS: (_CENTRED, "General"),
}


def cell_properties(ctype: ColumnType, kind: RowKind = RowKind.DATA, indent: int = 0) -> dict[str, Any]:
    """The format properties of a table cell of a column type in a row of ``kind``."""
    alignment, number_format = _BASE[ctype]
    props: dict[str, Any] = {**font(), **alignment, **BORDER, "num_format": number_format}
    if indent:
        props["indent"] = indent
    if kind is RowKind.SECTION:
        props.update(font(bold=True), **SECTION_FILL)
        props.update(text_wrap=True, valign="vcenter", align="left")
        props.pop("indent", None)
    elif kind is RowKind.NOTE:
        props.update(text_wrap=True, valign="top", align="left", border=0)
        props.pop("border_color")
        props.pop("indent", None)
    elif kind is RowKind.TOTAL:
        props.update(font(bold=True))
    return props


class _Formats:
    """The workbook's formats, made once per distinct set of properties.

    XlsxWriter keeps each Format object as given; the writer makes every
    format it needs before the first row, so a data cell only picks one from
    a list (no dictionaries, no new objects per cell).
    """

    def __init__(self, wb: xlsxwriter.Workbook) -> None:
        self.wb = wb
        self._made: dict[tuple[tuple[str, Any], ...], Format] = {}

    def get(self, props: dict[str, Any], *, quoted: bool = False) -> Format:
        if quoted:
            props = {**props, "quote_prefix": True}
        key = tuple(sorted(props.items()))
        fmt = self._made.get(key)
        if fmt is None:
            fmt = self._made[key] = self.wb.add_format(props)
        return fmt


def safe_text(value: str) -> tuple[str, bool]:
    """Text fit for a cell, and whether it must be marked as text.

    Characters XML cannot carry are removed; text that Excel would take for a
    formula is flagged so the writer stores it as a string with a quote prefix.
    """
    dangerous = value.startswith(FORMULA_TRIGGERS)
    if _TO_CLEAN.search(value):
        value = _ILLEGAL_XML.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))
    return value, dangerous


def _cell_value(value: Any, ctype: ColumnType) -> Any:
    if value is None:
        return None
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(MOSCOW).replace(tzinfo=None)
        return value.date() if ctype is ColumnType.DATE else value
    if isinstance(value, int | float | dt.date | str):
        return value
    return str(value)


def _wrapped_lines(text: str, per_line: int) -> int:
    """Lines a paragraph takes when wrapped at word boundaries, ``per_line`` characters a line."""
    per_line = max(1, per_line)
    if len(text) <= per_line:
        return 1
    lines, used = 1, 0
    for n in map(len, text.split()):
        if used and used + 1 + n > per_line:
            lines += 1
            used = 0
        if n > per_line:  # a word longer than the line breaks inside
            lines += (n - 1) // per_line
            n = (n - 1) % per_line + 1
        used = used + 1 + n if used else n
    return lines


def width_pixels(width: float) -> int:
    """Pixels of a column ``width`` units wide, rounded up: XlsxWriter stores
    ``pixels / 7`` (to 1/256), so the file keeps the width asked for, or a
    fraction of a pixel more, never less."""
    return math.ceil(round(width * DIGIT_PIXELS, 6))


# Excel's day 0 in the 1900 date system as a proleptic ordinal; serials from
# 1 March 1900 on count days since then (Excel's phantom 29.02.1900 included).
_EXCEL_EPOCH = dt.date(1899, 12, 30).toordinal()
_FIRST_SERIAL_DAY = dt.date(1900, 3, 1).toordinal()


def excel_serial(value: dt.date) -> float | None:
    """A naive datetime or a date as Excel's serial number (what XlsxWriter's
    ``write_datetime`` stores, to the last bit), or None before March 1900."""
    days = value.toordinal()
    if days < _FIRST_SERIAL_DAY:
        return None
    if type(value) is dt.date:
        return days - _EXCEL_EPOCH
    seconds = value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6  # type: ignore[attr-defined]
    return days - _EXCEL_EPOCH + seconds / 86400


@lru_cache(maxsize=4096)
def _moscow_serial(value: dt.datetime) -> float | None:
    """An aware moment as the serial of its Moscow wall time (bounded cache:
    deadlines repeat across the events of a day)."""
    return excel_serial(value.astimezone(MOSCOW).replace(tzinfo=None))


@lru_cache(maxsize=4096)
def _lines_of(text: str, per_line: int) -> int:
    """Lines ``text`` takes when wrapped (bounded cache: names repeat from row to row)."""
    return sum(_wrapped_lines(part, per_line) for part in text.split("\n"))


class XlsxWriter:
    """Renders one report layout and its rows into an xlsx file.

    Rows go to XlsxWriter's ``constant_memory`` worksheet, which keeps only the
    current row and writes each finished row to a temporary file: nothing of
    the table is held in memory but the merged ranges and the heights of
    tall rows.
    """

    PROGRESS_EVERY = 500

    def __init__(self, layout: ReportLayout) -> None:
        self.layout = layout
        self.ncols = len(layout.columns)
        self.row_idx = 0  # rows written so far (1-based number of the last)
        self.header_first = 0
        self.header_last = 0
        self.rows_written = 0
        self.rotated_height = self._rotated_height()
        self.widths = self.header_widths()
        self.table_width = sum(self.widths)
        self.text_columns = [
            i for i, c in enumerate(layout.columns) if c.type in (ColumnType.TEXT, ColumnType.STATUS, ColumnType.CODE)
        ]
        # Opened by write(): one workbook and sheet per call.
        self.wb: xlsxwriter.Workbook
        self.ws: Worksheet

    # -- widths -------------------------------------------------------------
    def _rotated_height(self) -> float:
        """The header row height (points) that holds the longest word of every rotated header."""
        rotated = [c.header for c in self.layout.columns if c.rotate]
        # Room for the longest word, and for each header in at most two lines.
        letters = max((max(word_width(h, factor=1) - CELL_PADDING, len(h) / 2) for h in rotated), default=0)
        return round(letters * ROTATED_LETTER_PT + 10, 1) if letters > 0 else 0.0

    def _header_width(self, column: Column) -> float:
        if not column.rotate:
            return word_width(column.header, factor=WORD_FACTOR + 0.1)
        per_line = int((self.rotated_height - 10) / ROTATED_LETTER_PT)
        lines = sum(_wrapped_lines(part, per_line) for part in column.header.split("\n"))
        return lines * ROTATED_LINE_WIDTH + 1.5

    def header_widths(self) -> list[float]:
        """Each column's width: the builder's, widened so that no word of its
        header breaks (a header is bold: a little wider; a rotated one needs a
        width per line of it), and a group header over several columns fits
        its longest word over their sum."""
        columns = self.layout.columns
        widths = [max(c.width, self._header_width(c)) for c in columns]
        first = 0
        for text, span in self.layout.header_groups or []:
            if span > 1:
                need = word_width(text, factor=WORD_FACTOR + 0.1)
                have = sum(widths[first : first + span])
                if need > have:
                    widths[first : first + span] = [w * need / have for w in widths[first : first + span]]
            first += span
        return [round(w, 1) for w in widths]

    def measure(self, rows: list[Row]) -> None:
        """Widen columns for the longest word (or number) of their data, up to
        ``DATA_WIDTH_CAP``. Section and note rows span the table and do not count."""
        columns = self.layout.columns
        widths = self.widths
        for row in rows:
            if row.kind in (RowKind.SECTION, RowKind.NOTE):
                continue
            for i, value in enumerate(row.values[: self.ncols]):
                if value is None:
                    continue
                need = min(DATA_WIDTH_CAP, _value_width(value, columns[i].type) + (row.indent if i == 1 else 0))
                if need > widths[i]:
                    widths[i] = need
        self.table_width = sum(widths)

    # -- layout -------------------------------------------------------------
    def _open(self, out: str | IO[bytes]) -> None:
        self.wb = xlsxwriter.Workbook(
            out,
            {
                "constant_memory": True,
                # Text is text: never a formula, a link or a number.
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
            },
        )
        self.ws = self.wb.add_worksheet(self.layout.sheet_title[:31])
        self.formats = _Formats(self.wb)

    def _setup_sheet(self) -> None:
        ws = self.ws
        for i, width in enumerate(self.widths):
            ws.set_column_pixels(i, i, width_pixels(width))
        ws.set_landscape()
        ws.set_paper(PAPER_A4)
        ws.fit_to_pages(1, 0)  # one page wide, as many pages tall as it takes
        ws.center_horizontally()
        ws.set_margins(left=0.4, right=0.4, top=0.75, bottom=0.75)
        # Page header: the report on the left, the moment of its data on the
        # right; footer: page N of M. The header and footer stand 0.3" from the
        # edge, inside the page margins (Excel prints them at the header/footer
        # margin, LibreOffice inside the page margin).
        small = f'&"{FONT_NAME}"&8 '

        def literal(text: str) -> str:
            return text.replace("&", "&&")

        ws.set_header(
            f"&L{small}{literal(self.layout.sheet_title)}&R{small}{literal(self._as_of_text())}", {"margin": 0.3}
        )
        ws.set_footer(f"&C{small}Страница &P из &N", {"margin": 0.3})

    def _generated(self) -> dt.datetime:
        return (self.layout.generated_at or dt.datetime.now(tz=MOSCOW)).astimezone(MOSCOW)

    def _as_of_text(self) -> str:
        if self.layout.as_of:
            return f"Данные на {self.layout.as_of:%d.%m.%Y}"
        return f"Данные на {self._generated():%d.%m.%Y %H:%M}"

    def _next_row(self, height: float | None = None) -> int:
        """The zero-based index of a new row (its height set before its cells)."""
        r = self.row_idx
        self.row_idx = r + 1
        if height is not None:
            self.ws.set_row(r, height)
        return r

    def _height(self, texts: Iterable[tuple[str, float]], *, size: float = 11) -> float | None:
        """Row height fitting wrapped texts: (text, column width) pairs.

        Excel and LibreOffice do not grow rows of a generated file by
        themselves, so a wrapped cell would be cut to one line.
        """
        lines = 1
        scale = 11 / size
        for text, width in texts:
            if not text:
                continue
            per_line = max(1.0, (width - 1) * scale)
            if len(text) <= per_line and "\n" not in text:
                continue
            lines = max(lines, _lines_of(text, int(per_line)))
        if lines == 1:
            return None
        return min(409.0, lines * size * 1.32 + 2)

    def _text(self, r: int, c: int, value: str | None, props: dict[str, Any]) -> None:
        """One text cell: formula-like text gets the quote prefix; None is a formatted blank."""
        if value is None:
            self.ws.write_blank(r, c, None, self.formats.get(props))
            return
        text, dangerous = safe_text(value)
        self.ws.write_string(r, c, text, self.formats.get(props, quoted=dangerous))

    def _line(self, value: Any, props: dict[str, Any], *, size: float = 11) -> int:
        """A row of one text merged across the table; returns its index."""
        text, dangerous = safe_text("" if value is None else str(value))
        r = self._next_row(self._height([(text, self.table_width)], size=size))
        fmt = self.formats.get(props, quoted=dangerous)
        if self.ncols > 1:
            self.ws.merge_range(r, 0, r, self.ncols - 1, text, fmt)
        else:
            self.ws.write_string(r, 0, text, fmt)
        return r

    def _title_block(self) -> None:
        layout = self.layout
        left = {"text_wrap": True, "valign": "top", "align": "left"}
        if layout.order_line:
            self._line(layout.order_line, {**font(italic=True, size=9), **left}, size=9)
        self._line(layout.title, {**font(bold=True, size=13), "align": "center", "text_wrap": True}, size=13)
        generated = self._generated()
        parts = [f"Дата формирования: {generated:%d.%m.%Y %H:%M}"]
        if layout.as_of:
            parts.append(f"Данные по состоянию на: {layout.as_of:%d.%m.%Y} (конец дня)")
        else:
            parts.append(f"Данные по состоянию на: {generated:%d.%m.%Y %H:%M}")
        self._line("; ".join(parts), {**font(size=9), **left}, size=9)
        for note in layout.notes:
            self._line(note, {**font(size=9, italic=True), **left}, size=9)
        self._next_row()  # an empty row before the table

    def _header(self) -> None:
        layout = self.layout
        ws = self.ws
        centred = {"align": "center", "valign": "vcenter", "text_wrap": True}
        plain = {**font(bold=True), **centred, **HEADER_FILL, **BORDER}
        rotated = {**plain, "rotation": 90}

        def props_of(column: Column | None) -> dict[str, Any]:
            return rotated if column is not None and column.rotate else plain

        def header_text(text: str | None) -> str | None:
            return keep_ranges(text) if text else None

        def column_height() -> float | None:
            texts = [(c.header, w) for c, w in zip(layout.columns, self.widths, strict=True) if not c.rotate]
            height = self._height(texts, size=12.5)
            if self.rotated_height:
                return max(height or 0, self.rotated_height)
            return height

        self.header_first = self.row_idx + 1
        if layout.header_groups:
            spans: list[tuple[int, int]] = []
            col = 0
            for _text, span in layout.header_groups:
                spans.append((col, span))
                col += span
            group_row = self._next_row(
                self._height(
                    [
                        (t, self.widths[f] * s)
                        for (t, s), (f, _) in zip(layout.header_groups, spans, strict=True)
                        if s > 1
                    ]
                )
            )
            # A one-column group is merged down over the column header row and
            # carries the column's own header. The merge is registered first
            # with no data and no format (so nothing of the next row is
            # written yet: the rows stream in order), then the cell is written.
            for (first, span), (text, _) in zip(spans, layout.header_groups, strict=True):
                if span == 1:
                    ws.merge_range(group_row, first, group_row + 1, first, "", None)
                    self._text(group_row, first, header_text(layout.columns[first].header or text), plain)
                else:
                    fmt = self.formats.get(plain)
                    value, dangerous = safe_text(header_text(text) or "")
                    ws.merge_range(
                        group_row,
                        first,
                        group_row,
                        first + span - 1,
                        value,
                        self.formats.get(plain, quoted=dangerous) if dangerous else fmt,
                    )
            column_row = self._next_row(column_height())
            for first, span in spans:
                for offset in range(span):
                    column = layout.columns[first + offset]
                    self._text(
                        column_row, first + offset, None if span == 1 else header_text(column.header), props_of(column)
                    )
        else:
            r = self._next_row(column_height())
            for i, column in enumerate(layout.columns):
                self._text(r, i, header_text(column.header) or None, props_of(column))
        # Column numbers under the header, as the order's tables print them.
        r = self._next_row()
        numbers = self.formats.get({**font(size=8, italic=True), **centred, **BORDER})
        for i in range(self.ncols):
            ws.write_number(r, i, i + 1, numbers)
        self.header_last = r + 1

    def _freeze(self) -> None:
        """Freeze below the header and right of the first ``freeze_columns`` columns."""
        layout = self.layout
        title_rows = (1 if layout.order_line else 0) + 2 + len(layout.notes) + 1
        header_rows = (2 if layout.header_groups else 1) + 1
        self.ws.freeze_panes(title_rows + header_rows, layout.freeze_columns)

    def _finish_sheet(self) -> None:
        ws = self.ws
        ws.repeat_rows(self.header_first - 1, self.header_last - 1)
        first, last = self.header_last, max(self.row_idx, self.header_last + 1) - 1  # zero-based
        fills = {
            colour: self.wb.add_format({"bg_color": f"#{colour}", "pattern": 1})
            for colour in set(STATUS_COLOURS.values())
        }
        for i, column in enumerate(self.layout.columns):
            if column.type is not ColumnType.STATUS:
                continue
            for word, colour in STATUS_COLOURS.items():
                ws.conditional_format(
                    first,
                    i,
                    last,
                    i,
                    {"type": "cell", "criteria": "equal to", "value": f'"{word}"', "format": fills[colour]},
                )

    def _signature(self) -> None:
        """The signature block under the table: head, executor, phone, date."""
        signature = self.layout.signature or Signature()
        props = {**font(), "text_wrap": True, "valign": "bottom", "align": "left"}
        self._next_row()
        for line in signature.lines(self._generated().date()):
            self._line(line, props)

    # -- rows ---------------------------------------------------------------
    def _row_formats(self, kind: RowKind, indent: int) -> tuple[list[Format], list[Format]]:
        """Formats of the cells of a row, and the same with the quote prefix."""
        key = (kind, indent)
        got = self._row_format_cache.get(key)
        if got is None:
            props = [cell_properties(c.type, kind, indent if i == 1 else 0) for i, c in enumerate(self.layout.columns)]
            got = self._row_format_cache[key] = (
                [self.formats.get(p) for p in props],
                [self.formats.get(p, quoted=True) for p in props],
            )
        return got

    def _body(self, rows: Iterable[Row], on_progress: Callable[[int], None] | None) -> None:
        """The table body: the hot loop of a report of any length.

        Every format is made before the first cell; a cell costs one type
        test and one XlsxWriter call. Every str is written with
        ``write_string`` (so no text can ever become a formula), and
        formula-like text also gets the quote prefix, so Excel keeps it as
        text when the cell is edited.
        """
        ws = self.ws
        write_string, write_number, write_blank = ws.write_string, ws.write_number, ws.write_blank
        set_row = ws.set_row
        ncols = self.ncols
        columns = range(ncols)
        data_formats = self._row_formats(RowKind.DATA, 0)
        section_props = {
            RowKind.SECTION: cell_properties(ColumnType.TEXT, RowKind.SECTION),
            RowKind.NOTE: cell_properties(ColumnType.TEXT, RowKind.NOTE),
        }
        # A text longer than this (or with a line break) may wrap: its row's height is computed.
        limits = [(i, max(1.0, self.widths[i] - 1)) for i in self.text_columns]
        illegal = _TO_CLEAN.search
        lines_of = _lines_of
        triggers = FORMULA_TRIGGERS
        every = self.PROGRESS_EVERY
        written = 0
        r = self.row_idx
        date_t, datetime_t = dt.date, dt.datetime
        serial_of, moscow_serial = excel_serial, _moscow_serial
        for row in rows:
            kind = row.kind
            values = row.values
            if kind is RowKind.SECTION or kind is RowKind.NOTE:
                self.row_idx = r
                self._line(values[0] if values else None, section_props[kind])
                r = self.row_idx
            else:
                indent = row.indent
                if kind is RowKind.DATA and not indent:
                    formats, quoted = data_formats
                else:
                    formats, quoted = self._row_formats(kind, indent)
                n = len(values)
                if n < ncols:
                    values = (*values, *(None,) * (ncols - n))
                # The row height, when a text may wrap (what _height() computes,
                # inlined: most rows have no text longer than its column).
                lines = 1
                for i, limit in limits:
                    v = values[i]
                    if type(v) is str:
                        if indent and i == 1:
                            limit = max(1.0, limit - indent)
                        if len(v) > limit or "\n" in v:
                            n_lines = lines_of(v, int(limit))
                            if n_lines > lines:
                                lines = n_lines
                tall = min(409.0, lines * 11 * 1.32 + 2) if lines > 1 else None
                if tall is not None:
                    set_row(r, tall)
                for c, v, fmt in zip(columns, values, formats, strict=False):  # extra values are dropped
                    t = type(v)
                    if t is str:
                        if v.startswith(triggers) or (not v.isprintable() and illegal(v)):
                            v, dangerous = safe_text(v)
                            write_string(r, c, v, quoted[c] if dangerous else fmt)
                        elif v:
                            write_string(r, c, v, fmt)
                        else:
                            write_blank(r, c, None, fmt)
                    elif t is int or t is float:
                        write_number(r, c, v, fmt)
                    elif v is None:
                        write_blank(r, c, None, fmt)
                    elif t is date_t or t is datetime_t:
                        # A date is a number with a date format: its serial is computed here.
                        serial = serial_of(v) if t is date_t or v.tzinfo is None else moscow_serial(v)
                        if serial is None:
                            self._other(r, c, v, fmt, quoted[c])
                        else:
                            write_number(r, c, serial, fmt)
                    else:
                        self._other(r, c, v, fmt, quoted[c])
                r += 1
            written += 1
            if on_progress is not None and written % every == 0:
                self.rows_written = written
                on_progress(written)
        self.row_idx = r
        self.rows_written = written

    def _other(self, r: int, c: int, value: Any, fmt: Format, quoted: Format) -> None:
        """A value of any other type: bool as да/нет, Decimal as a number, the rest as text."""
        value = _cell_value(value, ColumnType.TEXT)
        if isinstance(value, str):
            text, dangerous = safe_text(value)
            self.ws.write_string(r, c, text, quoted if dangerous else fmt)
        elif isinstance(value, dt.date):
            self.ws.write_datetime(r, c, value, fmt)
        elif isinstance(value, int | float):
            self.ws.write_number(r, c, value, fmt)
        else:
            self.ws.write_blank(r, c, None, fmt)

    def write(
        self,
        rows: Iterable[Row],
        out: str | IO[bytes],
        *,
        on_progress: Callable[[int], None] | None = None,
    ) -> int:
        """Write the title block, header, rows and signature; return the data rows written."""
        rows = iter(rows)
        head = list(itertools.islice(rows, MEASURE_ROWS))
        self.measure(head)
        rows = itertools.chain(head, rows)
        self._row_format_cache: dict[tuple[RowKind, int], tuple[list[Format], list[Format]]] = {}
        self._open(out)
        try:
            self._setup_sheet()
            self._freeze()
            self._title_block()
            self._header()
            self._body(rows, on_progress)
            if self.layout.signed:
                self._signature()
            self._finish_sheet()
        finally:
            self.wb.close()
        if on_progress is not None:
            on_progress(self.rows_written)
        return self.rows_written


# -- plain sheets (import templates) -------------------------------------------


@dataclass(frozen=True)
class DropDown:
    """A column whose cells offer a list kept on another sheet of the workbook.

    The list is referenced by range (``'Sheet'!$A$2:$A$40``): a list typed into
    the validation itself is limited to 255 characters, a range is not.
    """

    column: int
    sheet: str  # the sheet holding the list, under a header row
    list_column: int
    length: int  # how many values the list has (rows 2.. of its column)
    # True: nothing else may be typed; False: another value is kept after a warning.
    strict: bool = True
    error_title: str = ""
    error_message: str = ""


@dataclass(frozen=True)
class PlainSheet:
    """A sheet without the report's title block: a header row, then rows.

    The import templates a coordinator downloads to fill are such sheets; they
    are written by the same machinery and the same rules as the reports
    (text stays text, dates are dd.mm.yyyy, Calibri, XlsxWriter streaming).
    """

    title: str
    header: Sequence[str]
    rows: Iterable[Sequence[Any]] = ()
    # Width of each column (Excel units); None keeps Excel's default.
    widths: Sequence[float | None] = ()
    # A note on each header cell ("" for none), shown when the cell is pointed at.
    comments: Sequence[str] = ()
    comment_author: str = ""
    # A bold, filled header row, frozen at the top of the sheet.
    styled_header: bool = True
    # Drop-down lists on the rows under the header, down to row ``data_rows`` + 1.
    drop_downs: Sequence[DropDown] = ()
    data_rows: int = 0
    # Protect the sheet so that only the header row is locked: the columns'
    # cells below it stay editable (no password: it guards against slips, not people).
    lock_header: bool = False
    # A sheet of lists the others refer to: hidden and protected whole.
    hidden: bool = False


def write_plain(sheets: Sequence[PlainSheet], out: str | IO[bytes]) -> None:
    """Write plain sheets into one xlsx file (streamed, like the reports)."""
    wb = xlsxwriter.Workbook(
        out,
        {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False},
    )
    formats = _Formats(wb)
    plain = {**font(), "num_format": "General"}
    dated = {**font(), "num_format": DATE_FORMAT}
    moment = {**font(), "num_format": DATETIME_FORMAT}
    header = {**font(bold=True), **HEADER_FILL}
    try:
        for sheet in sheets:
            ws = wb.add_worksheet(sheet.title[:31])
            # Cells are locked unless their format says otherwise: on a sheet
            # whose header alone is locked, the data cells and the columns'
            # default format (for the cells not written yet) are unlocked.
            unlock = {"locked": False} if sheet.lock_header else {}
            columns = max(len(sheet.header), len(sheet.widths))
            for i in range(columns):
                width = sheet.widths[i] if i < len(sheet.widths) else None
                column_format = formats.get({**plain, **unlock}) if unlock else None
                if width is not None or column_format is not None:
                    ws.set_column_pixels(i, i, width_pixels(width) if width is not None else None, column_format)
            if sheet.styled_header:
                ws.freeze_panes(1, 0)
            head = header if sheet.styled_header else plain
            for c, text in enumerate(sheet.header):
                value, dangerous = safe_text(text)
                ws.write_string(0, c, value, formats.get(head, quoted=dangerous))
                note = sheet.comments[c] if c < len(sheet.comments) else ""
                if note:
                    ws.write_comment(0, c, safe_text(note)[0], {"author": sheet.comment_author})
            for r, values in enumerate(sheet.rows, start=1):
                for c, value in enumerate(values):
                    value = _cell_value(value, ColumnType.TEXT)
                    if value is None or value == "":
                        continue
                    if isinstance(value, str):
                        text, dangerous = safe_text(value)
                        ws.write_string(r, c, text, formats.get({**plain, **unlock}, quoted=dangerous))
                    elif isinstance(value, dt.datetime):
                        ws.write_datetime(r, c, value, formats.get({**moment, **unlock}))
                    elif isinstance(value, dt.date):
                        ws.write_datetime(r, c, value, formats.get({**dated, **unlock}))
                    else:
                        ws.write_number(r, c, value, formats.get({**plain, **unlock}))
            _drop_downs(ws, sheet)
            if sheet.lock_header or sheet.hidden:
                ws.protect("", PROTECTION_ALLOWS)
            if sheet.hidden:
                ws.hide()
    finally:
        wb.close()


# What a user may still do on a protected template sheet: everything but
# change the locked cells (the header) -- resize, insert and delete rows, sort, filter.
PROTECTION_ALLOWS = {
    "format_cells": True,
    "format_columns": True,
    "format_rows": True,
    "insert_rows": True,
    "delete_rows": True,
    "sort": True,
    "autofilter": True,
}


def _drop_downs(ws: Worksheet, sheet: PlainSheet) -> None:
    for drop in sheet.drop_downs:
        if drop.length <= 0:
            continue
        column = xl_col_to_name(drop.list_column, col_abs=True)
        quoted = drop.sheet.replace("'", "''")
        options: dict[str, Any] = {
            "validate": "list",
            "source": f"='{quoted}'!{column}$2:{column}${drop.length + 1}",
            "ignore_blank": True,
            "error_type": "stop" if drop.strict else "warning",
        }
        if drop.error_title:
            options["error_title"] = drop.error_title[:32]  # Excel's limits
        if drop.error_message:
            options["error_message"] = drop.error_message[:255]
        ws.data_validation(1, drop.column, max(sheet.data_rows, 1), drop.column, options)
