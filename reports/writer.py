"""The one xlsx writer of every report: styles, widths, print setup, safety.

Builders (``reports/builders/``) describe columns and yield rows; this module
renders them with openpyxl's write-only mode, so a report of any length is
streamed to disk in flat memory. Everything a ministry spreadsheet needs is
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
formula; characters XML cannot carry are dropped. Text from users (event
titles, comments, organisation names) therefore never runs in Excel.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Callable, Iterable, Sequence
from copy import copy
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import IO, Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

MOSCOW = ZoneInfo("Europe/Moscow")

# Excel starts a formula (or a DDE payload) with these when text is typed or
# pasted; tab and CR are used to smuggle them past naive checks.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\x00")
# Characters that XML 1.0 cannot carry (openpyxl refuses them).
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

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

THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", start_color="D9E1F2", end_color="D9E1F2")
SECTION_FILL = PatternFill("solid", start_color="EDEDED", end_color="EDEDED")

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


def font(**kwargs: Any) -> Font:
    """A font of the reports (always named, so every viewer uses the same metrics)."""
    kwargs.setdefault("size", 11)
    return Font(name=FONT_NAME, **kwargs)


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


class _Styles:
    """Template cells per column type; a data cell copies one style array.

    Copying the ready StyleArray is far cheaper than assigning font, border,
    alignment and number format to each of half a million cells.
    """

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        wrap_top = Alignment(wrap_text=True, vertical="top")
        centred = Alignment(horizontal="center", vertical="top", wrap_text=True)
        self.templates: dict[tuple[ColumnType, RowKind, int], Any] = {}
        self._base: dict[ColumnType, tuple[Alignment, str]] = {
            ColumnType.TEXT: (wrap_top, "General"),
            ColumnType.CODE: (centred, "General"),
            ColumnType.INT: (Alignment(horizontal="right", vertical="top"), INT_FORMAT),
            ColumnType.NUMBER: (Alignment(horizontal="right", vertical="top"), NUMBER_FORMAT),
            ColumnType.PERCENT: (Alignment(horizontal="right", vertical="top"), PERCENT_FORMAT),
            ColumnType.DATE: (centred, DATE_FORMAT),
            ColumnType.DATETIME: (centred, DATETIME_FORMAT),
            ColumnType.STATUS: (centred, "General"),
        }
        self._quoted: dict[Any, Any] = {}

    def template(self, ctype: ColumnType, kind: RowKind, indent: int) -> Any:
        key = (ctype, kind, indent)
        cell = self.templates.get(key)
        if cell is None:
            cell = WriteOnlyCell(self.ws)
            alignment, number_format = self._base[ctype]
            if indent:
                alignment = copy(alignment)
                alignment.indent = indent
            cell.alignment = alignment
            cell.number_format = number_format
            cell.border = BORDER
            cell.font = font()
            if kind is RowKind.SECTION:
                cell.font = font(bold=True)
                cell.fill = SECTION_FILL
                cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="left")
            elif kind is RowKind.NOTE:
                cell.border = Border()
                cell.alignment = Alignment(wrap_text=True, vertical="top", horizontal="left")
            elif kind is RowKind.TOTAL:
                cell.font = font(bold=True)
            self.templates[key] = cell
        return cell

    def quoted(self, style: Any) -> Any:
        """The same style with Excel's quote prefix (the cell is text)."""
        cell = self._quoted.get(style)
        if cell is None:
            cell = WriteOnlyCell(self.ws)
            cell._style = copy(style)
            cell.quotePrefix = True
            self._quoted[style] = cell
        return cell._style


def safe_text(value: str) -> tuple[str, bool]:
    """Text fit for a cell, and whether it must be marked as text.

    Characters XML cannot carry are removed; text that Excel would take for a
    formula is flagged so the writer stores it as a string with a quote prefix.
    """
    dangerous = value.startswith(FORMULA_TRIGGERS)
    if _ILLEGAL_XML.search(value):
        value = _ILLEGAL_XML.sub("", value)
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
    return value


def _wrapped_lines(text: str, per_line: int) -> int:
    """Lines a paragraph takes when wrapped at word boundaries, ``per_line`` characters a line."""
    per_line = max(1, per_line)
    if len(text) <= per_line:
        return 1
    lines, used = 1, 0
    for word in text.split():
        n = len(word)
        if used and used + 1 + n > per_line:
            lines += 1
            used = 0
        if n > per_line:  # a word longer than the line breaks inside
            lines += (n - 1) // per_line
            n = (n - 1) % per_line + 1
        used = used + 1 + n if used else n
    return lines


class _ReadyCell(Cell):
    """A cell whose style id is known in advance (looked up once per style)."""

    __slots__ = ("_style_id",)

    @property
    def style_id(self) -> int:
        return self._style_id


def _new_cell(ws: Any, value: Any, data_type: str, style: Any, style_id: int) -> Cell:
    cell = _ReadyCell.__new__(_ReadyCell)
    cell._style_id = style_id
    cell.parent = ws
    cell.row = None
    cell.column = None
    cell._value = value
    cell.data_type = data_type
    cell._style = style
    cell._hyperlink = None
    cell._comment = None
    return cell


class XlsxWriter:
    """Renders one report layout and its rows into an xlsx file."""

    PROGRESS_EVERY = 500

    def __init__(self, layout: ReportLayout) -> None:
        self.layout = layout
        self.wb = Workbook(write_only=True)
        self.ws = self.wb.create_sheet(title=layout.sheet_title[:31])
        self.styles = _Styles(self.ws)
        self.ncols = len(layout.columns)
        self.row_idx = 0
        self.header_first = 0
        self.header_last = 0
        self.rows_written = 0
        self._row_style_cache: dict[tuple[RowKind, int], list[Any]] = {}
        self._style_ids: dict[int, int] = {}  # id(StyleArray) -> workbook style id
        self.rotated_height = self._rotated_height()
        self.widths = self.header_widths()
        self.table_width = sum(self.widths)
        self.text_columns = [
            i for i, c in enumerate(layout.columns) if c.type in (ColumnType.TEXT, ColumnType.STATUS, ColumnType.CODE)
        ]

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
    def _setup_sheet(self) -> None:
        ws = self.ws
        for i, width in enumerate(self.widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = width
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        ws.print_options.horizontalCentered = True
        ws.page_margins.left = ws.page_margins.right = 0.4
        # Room for the page header and footer above and below the table
        # (Excel prints them at the header/footer margin, LibreOffice inside the page margin).
        ws.page_margins.top = ws.page_margins.bottom = 0.75
        ws.page_margins.header = ws.page_margins.footer = 0.3
        # Page header: the report on the left, the moment of its data on the
        # right; footer: page N of M.
        ws.oddHeader.left.text = self.layout.sheet_title
        ws.oddHeader.left.size = 8
        ws.oddHeader.left.font = FONT_NAME
        ws.oddHeader.right.text = self._as_of_text()
        ws.oddHeader.right.size = 8
        ws.oddHeader.right.font = FONT_NAME
        ws.oddFooter.center.text = "Страница &P из &N"
        ws.oddFooter.center.size = 8
        ws.oddFooter.center.font = FONT_NAME

    def _generated(self) -> dt.datetime:
        return (self.layout.generated_at or dt.datetime.now(tz=MOSCOW)).astimezone(MOSCOW)

    def _as_of_text(self) -> str:
        if self.layout.as_of:
            return f"Данные на {self.layout.as_of:%d.%m.%Y}"
        return f"Данные на {self._generated():%d.%m.%Y %H:%M}"

    def _merge(self, row: int, first_col: int, last_col: int, last_row: int | None = None) -> None:
        last_row = last_row or row
        if first_col == last_col and row == last_row:
            return
        self.ws.merged_cells.add(
            f"{get_column_letter(first_col)}{row}:{get_column_letter(last_col)}{last_row}"
        )

    def _install_row_stream(self) -> None:
        """Stream rows of ready cells straight to openpyxl's sheet writer.

        ``WriteOnlyWorksheet.append`` re-binds every value and, for a cell
        object, goes through a ValueError per cell; our cells are complete
        (row, column, type, style), so they are handed to the writer as they
        are. The sheet views and column widths are written first, hence this
        runs after the sheet setup and before the first row.
        """
        ws = self.ws
        ws._get_writer()

        def rows() -> Any:
            xf = ws._writer.xf.send(True)
            with xf.element("sheetData"):
                try:
                    while True:
                        idx, cells = yield
                        ws._writer.write_row(xf, cells, idx)
                except GeneratorExit:
                    pass
            ws._writer.xf.send(None)

        stream = rows()
        next(stream)
        ws._rows = stream

    def _append(self, cells: list[Any], height: float | None = None) -> int:
        idx = self.row_idx + 1
        dims = self.ws.row_dimensions
        if height is not None:
            dims[idx].height = height
        for column, cell in enumerate(cells, start=1):
            cell.row = idx
            cell.column = column
        self.ws._rows.send((idx, cells))
        if height is not None:
            # The row is already streamed out; keep memory flat.
            del dims[idx]
        self.row_idx = idx
        return idx

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
            n = sum(_wrapped_lines(part, int(per_line)) for part in text.split("\n"))
            lines = max(lines, n)
        if lines == 1:
            return None
        return min(409.0, lines * size * 1.32 + 2)

    def _text_cell(self, value: str, *, font: Font | None = None, alignment: Alignment | None = None) -> Any:
        text, dangerous = safe_text(value)
        cell = WriteOnlyCell(self.ws, value=None)
        cell.value = text
        if dangerous:
            cell.data_type = "s"
            cell.quotePrefix = True
        cell.font = font if font is not None else DEFAULT_FONT
        if alignment is not None:
            cell.alignment = alignment
        return cell

    def _title_block(self) -> None:
        layout = self.layout
        left = Alignment(wrap_text=True, vertical="top", horizontal="left")
        if layout.order_line:
            r = self._append(
                [self._text_cell(layout.order_line, font=font(italic=True, size=9), alignment=left)],
                self._height([(layout.order_line, self.table_width)], size=9),
            )
            self._merge(r, 1, self.ncols)
        r = self._append(
            [self._text_cell(layout.title, font=font(bold=True, size=13), alignment=Alignment(horizontal="center", wrap_text=True))],
            self._height([(layout.title, self.table_width)], size=13),
        )
        self._merge(r, 1, self.ncols)
        generated = self._generated()
        parts = [f"Дата формирования: {generated:%d.%m.%Y %H:%M}"]
        if layout.as_of:
            parts.append(f"Данные по состоянию на: {layout.as_of:%d.%m.%Y} (конец дня)")
        else:
            parts.append(f"Данные по состоянию на: {generated:%d.%m.%Y %H:%M}")
        r = self._append([self._text_cell("; ".join(parts), font=font(size=9), alignment=left)])
        self._merge(r, 1, self.ncols)
        for note in layout.notes:
            r = self._append(
                [self._text_cell(note, font=font(size=9, italic=True), alignment=left)],
                self._height([(note, self.table_width)], size=9),
            )
            self._merge(r, 1, self.ncols)
        self._append([])

    def _header(self) -> None:
        layout = self.layout
        bold = font(bold=True)
        centred = Alignment(horizontal="center", vertical="center", wrap_text=True)

        rotated = Alignment(horizontal="center", vertical="center", wrap_text=True, text_rotation=90)

        def header_cell(text: str | None, column: Column | None = None) -> Any:
            turn = column is not None and column.rotate
            cell = self._text_cell(keep_ranges(text or ""), font=bold, alignment=rotated if turn else centred)
            cell.fill = HEADER_FILL
            cell.border = BORDER
            return cell

        def column_height() -> float | None:
            texts = [(c.header, w) for c, w in zip(layout.columns, self.widths, strict=True) if not c.rotate]
            height = self._height(texts, size=12.5)
            if self.rotated_height:
                return max(height or 0, self.rotated_height)
            return height

        self.header_first = self.row_idx + 1
        if layout.header_groups:
            top: list[Any] = []
            spans: list[tuple[int, int]] = []
            col = 1
            for text, span in layout.header_groups:
                top.append(header_cell(text))
                top.extend(header_cell(None) for _ in range(span - 1))
                spans.append((col, span))
                col += span
            group_row = self._append(top, self._height([(t, self.widths[f - 1] * s) for (t, s), (f, _) in zip(layout.header_groups, spans, strict=True) if s > 1]))
            second = []
            for (first, span), _group in zip(spans, layout.header_groups, strict=True):
                for offset in range(span):
                    column = layout.columns[first - 1 + offset]
                    second.append(header_cell(None if span == 1 else column.header, column))
            # A one-column group carries the column's own header.
            for (first, span), (text, _) in zip(spans, layout.header_groups, strict=True):
                if span == 1:
                    top[first - 1].value = keep_ranges(layout.columns[first - 1].header or text)
            column_row = self._append(second, column_height())
            for first, span in spans:
                if span == 1:
                    self._merge(group_row, first, first, column_row)
                else:
                    self._merge(group_row, first, first + span - 1)
        else:
            self._append([header_cell(c.header, c) for c in layout.columns], column_height())
        # Column numbers under the header, as the order's tables print them.
        numbers = []
        for i in range(1, self.ncols + 1):
            cell = WriteOnlyCell(self.ws, value=i)
            cell.font = font(size=8, italic=True)
            cell.alignment = centred
            cell.border = BORDER
            numbers.append(cell)
        self.header_last = self._append(numbers)

    def _freeze(self) -> None:
        """Freeze below the header: sheet views are streamed first, so before any row."""
        layout = self.layout
        title_rows = (1 if layout.order_line else 0) + 2 + len(layout.notes) + 1
        header_rows = (2 if layout.header_groups else 1) + 1
        freeze_col = get_column_letter(layout.freeze_columns + 1)
        self.ws.freeze_panes = f"{freeze_col}{title_rows + header_rows + 1}"

    def _finish_sheet(self) -> None:
        ws = self.ws
        ws.print_title_rows = f"{self.header_first}:{self.header_last}"
        last = max(self.row_idx, self.header_last + 1)
        for i, column in enumerate(self.layout.columns, start=1):
            if column.type is not ColumnType.STATUS:
                continue
            letter = get_column_letter(i)
            ref = f"{letter}{self.header_last + 1}:{letter}{last}"
            for word, colour in STATUS_COLOURS.items():
                fill = PatternFill("solid", start_color=colour, end_color=colour)
                ws.conditional_formatting.add(
                    ref, CellIsRule(operator="equal", formula=[f'"{word}"'], fill=fill)
                )

    def _signature(self) -> None:
        """The signature block under the table: head, executor, phone, date."""
        signature = self.layout.signature or Signature()
        left = Alignment(wrap_text=True, vertical="bottom", horizontal="left")
        self._append([])
        for line in signature.lines(self._generated().date()):
            r = self._append([self._text_cell(line, alignment=left)], self._height([(line, self.table_width)]))
            self._merge(r, 1, self.ncols)

    # -- rows ---------------------------------------------------------------
    def _row_styles(self, kind: RowKind, indent: int) -> list[Any]:
        key = (kind, indent)
        styles = self._row_style_cache.get(key)
        if styles is None:
            styles = [
                self.styles.template(c.type, kind, indent if i == 1 else 0)._style
                for i, c in enumerate(self.layout.columns)
            ]
            self._row_style_cache[key] = styles
        return styles

    def _data_row(self, row: Row) -> list[Any]:
        """Cells of one row, made directly (no per-cell type guessing or style copies).

        Styles are shared, never-mutated StyleArrays of the column's template;
        every str is stored as an inline string (data type "s"), so no text
        can ever become a formula, and formula-like text also gets the quote
        prefix so Excel keeps it as text when the cell is edited.
        """
        styles = self._row_styles(row.kind, row.indent)
        ws = self.ws
        ids = self._style_ids
        cell_styles = self.wb._cell_styles
        cells = []
        values = row.values
        n = len(values)
        for i in range(self.ncols):
            value = values[i] if i < n else None
            style = styles[i]
            t = type(value)
            if t is str:
                if value.startswith(FORMULA_TRIGGERS) or _ILLEGAL_XML.search(value):
                    value, dangerous = safe_text(value)
                    if dangerous:
                        style = self.styles.quoted(style)
                data_type = "s"
            elif value is None or t is int or t is float:
                data_type = "n"
            elif t is dt.datetime:
                if value.tzinfo is not None:
                    value = value.astimezone(MOSCOW).replace(tzinfo=None)
                data_type = "d"
            elif t is dt.date:
                data_type = "d"
            else:
                value = _cell_value(value, ColumnType.TEXT)
                data_type = "s" if isinstance(value, str) else "n"
                if isinstance(value, str):
                    value, _ = safe_text(value)
            style_id = ids.get(id(style))
            if style_id is None:
                style_id = ids[id(style)] = cell_styles.add(style)
            cell = _new_cell(ws, value, data_type, style, style_id)
            cells.append(cell)
        return cells

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
        self._setup_sheet()
        self._freeze()
        self._install_row_stream()
        self._title_block()
        self._header()
        every = self.PROGRESS_EVERY
        for row in rows:
            if row.kind in (RowKind.SECTION, RowKind.NOTE):
                cells = self._data_row(Row([row.values[0]], kind=row.kind))
                r = self._append(cells, self._height([(str(row.values[0]), self.table_width)]))
                self._merge(r, 1, self.ncols)
            else:
                values = row.values
                widths = self.widths
                texts = [
                    (values[i], widths[i] - row.indent * (i == 1))
                    for i in self.text_columns
                    if i < len(values) and isinstance(values[i], str)
                ]
                self._append(self._data_row(row), self._height(texts) if texts else None)
            self.rows_written += 1
            if on_progress is not None and self.rows_written % every == 0:
                on_progress(self.rows_written)
        self._signature()
        self._finish_sheet()
        self.wb.save(out)
        if on_progress is not None:
            on_progress(self.rows_written)
        return self.rows_written
