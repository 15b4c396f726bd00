"""Reading an uploaded xlsx file that nobody has vouched for.

Everything that can be checked without parsing is checked first: the size of
the upload, that it is a zip archive, the number of entries, their total
uncompressed size and compression ratio (zip bombs). Then the few parts we
need (workbook, its relationships, styles, shared strings, the first sheet)
are parsed by our own streaming expat handlers, never built into a tree:

* a DTD or an entity declaration anywhere in a part refuses the file (billion
  laughs, external entities), wherever it appears, not only in the first bytes;
* every limit is enforced while the XML streams in, not after: rows, columns
  (from each cell's own reference, never the sheet's declared dimension),
  filled cells, the length of every text and the count and total length of the
  shared strings. A hostile file is refused as soon as it crosses a limit, so
  the time and memory spent on it are bounded by the limits, not by the file.

Cells are returned raw with their Excel type (the codes openpyxl uses: n, s,
b, d, f, e), so the caller can tell a formula, a number stored as text or a
date typed as text from real values. Number formats of the styles decide which
numbers are dates, as in Excel and openpyxl.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NoReturn
from xml.parsers import expat

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel, from_ISO8601


def limit(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_ZIP_ENTRIES = 300
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_COMPRESSION_RATIO = 150
MAX_ROWS = 50_000
MAX_COLUMNS = 60
# Filled cells of the sheet: 33,000 rows of actual values, 20,000 rows of events.
# Reading this many takes about 1 s of CPU: refusing any file stays within 2 s.
MAX_CELLS = 200_000
# Cell elements of any kind, filled or only formatted: bounds the parsing time.
MAX_CELL_ELEMENTS = 600_000
# Rows without a value (formatting only) are skipped, up to this many.
MAX_SCANNED_ROWS = 200_000
# Excel's own limit of one cell's text.
MAX_TEXT_LENGTH = 32_767
# Shared strings: how many, and their total length in characters.
MAX_SHARED_STRINGS = 200_000
MAX_TEXT_TOTAL = 10_000_000
MAX_STYLES = 65_000
MAX_MERGED_REPORTED = 100
# expat holds a whole start tag or comment in memory before it reports it: a
# 199 MB attribute or comment would cost 199 MB. No honest token is this long.
MAX_TOKEN_BYTES = 1024 * 1024

_DTD = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_CHUNK = 64 * 1024
_EXCEL_COLUMNS = 16_384
_EXCEL_ROWS = 1_048_576


class StopReading(Exception):
    """Raised by a header check to stop reading; the caller has recorded why."""


class FileRefused(Exception):
    """The file as a whole cannot be read; ``message`` says why, in Russian."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class RawCell:
    value: Any
    data_type: str  # openpyxl: n, s, b, d, f, e
    is_date: bool


EMPTY = RawCell(None, "n", False)


@dataclass
class Sheet:
    header: list[Any]
    header_row: int
    rows: list[tuple[int, list[RawCell]]] = field(default_factory=list)
    merged: list[str] = field(default_factory=list)


def human_size(size: int) -> str:
    """A size as people read it: "512 байт", "4,9 КБ", "50,0 МБ"."""
    if size < 1024:
        return ngettext("%(n)s byte", "%(n)s bytes", size) % {"n": size}
    if size < 1024 * 1024:
        return (_("%(n).1f KB") % {"n": size / 1024}).replace(".", ",")
    return (_("%(n).1f MB") % {"n": size / 1048576}).replace(".", ",")


def too_big_message(size: int) -> str:
    max_bytes = limit("REPORTS_IMPORT_MAX_BYTES", MAX_UPLOAD_BYTES)
    return _("The file is too large: %(size)s; at most %(limit)s is allowed.") % {
        "size": human_size(size),
        "limit": human_size(max_bytes).replace(",0 ", " "),
    }


def dtd_message(part: str) -> str:
    return _(
        "File rejected: part “%(part)s” contains a DTD or XML entity declaration. DTDs are not allowed in uploaded "
        "files: save the spreadsheet again in Excel or LibreOffice."
    ) % {"part": part}


def _check_zip(data: bytes) -> zipfile.ZipFile:
    max_bytes = limit("REPORTS_IMPORT_MAX_BYTES", MAX_UPLOAD_BYTES)
    if len(data) > max_bytes:
        raise FileRefused(too_big_message(len(data)))
    if not data:
        raise FileRefused(_("The file is empty."))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise FileRefused(
            _("This is not an Excel file (.xlsx): the file is not a zip archive. Save the spreadsheet in .xlsx format.")
        ) from None
    entries = archive.infolist()
    if len(entries) > limit("REPORTS_IMPORT_MAX_ZIP_ENTRIES", MAX_ZIP_ENTRIES):
        raise FileRefused(_("File rejected: the xlsx archive has too many parts (%(n)s).") % {"n": len(entries)})
    total = sum(e.file_size for e in entries)
    if total > limit("REPORTS_IMPORT_MAX_UNCOMPRESSED", MAX_UNCOMPRESSED_BYTES):
        raise FileRefused(
            _("File rejected: unpacked, it takes %(size)s, which is more than allowed.") % {"size": human_size(total)}
        )
    max_ratio = limit("REPORTS_IMPORT_MAX_RATIO", MAX_COMPRESSION_RATIO)
    for entry in entries:
        # Small parts compress well legitimately; the ratio matters for big ones.
        if entry.file_size > 1024 * 1024 and entry.file_size > max_ratio * max(entry.compress_size, 1):
            raise FileRefused(
                _("File rejected: part “%(part)s” is compressed %(ratio)s times (looks like a zip bomb).")
                % {"part": entry.filename, "ratio": entry.file_size // max(entry.compress_size, 1)}
            )
    names = {e.filename for e in entries}
    if "xl/workbook.xml" not in names:
        raise FileRefused(_("This is not an Excel file (.xlsx): the archive has no workbook xl/workbook.xml."))
    for entry in entries:
        # A quick look at every part's start; the parts we read are checked
        # in full by the parser (a DTD may follow a long comment).
        if entry.filename.endswith((".xml", ".rels")):
            try:
                with archive.open(entry) as fh:
                    head = fh.read(4096)
            except (zipfile.BadZipFile, zlib.error, OSError, EOFError):
                raise FileRefused(
                    _("The Excel file is damaged: part “%(part)s” cannot be unpacked.") % {"part": entry.filename}
                ) from None
            if _DTD.search(head):
                raise FileRefused(dtd_message(entry.filename))
    return archive


# --- streaming XML -------------------------------------------------------------------


class _Dtd(Exception):
    pass


def _refuse_dtd(*args: Any) -> NoReturn:
    raise _Dtd


def _ignore(data: str) -> None:
    pass


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1]


def _stream(
    archive: zipfile.ZipFile,
    part: str,
    start: Callable[[str, dict[str, str]], None],
    end: Callable[[str], None] | None = None,
    text: Callable[[str], None] | None = None,
) -> None:
    """Feed one part of the archive to expat in chunks; no tree is ever built.

    Names arrive as "namespace}local" so prefixes do not matter. A document
    type or entity declaration raises at once, wherever it is in the part.
    """
    parser = expat.ParserCreate(namespace_separator="}")
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd
    parser.UnparsedEntityDeclHandler = _refuse_dtd
    parser.ExternalEntityRefHandler = _refuse_dtd
    parser.buffer_text = True
    parser.StartElementHandler = start
    if end is not None:
        parser.EndElementHandler = end
    # Text is reported at least every buffer_size characters, so the parser's
    # position only lags behind what was fed while it buffers one long token.
    parser.CharacterDataHandler = text if text is not None else _ignore
    max_token = limit("REPORTS_IMPORT_MAX_TOKEN_BYTES", MAX_TOKEN_BYTES)
    fed = 0
    try:
        with archive.open(part) as fh:
            while chunk := fh.read(_CHUNK):
                parser.Parse(chunk, False)
                fed += len(chunk)
                if fed - max(parser.CurrentByteIndex, 0) > max_token:
                    raise FileRefused(
                        _(
                            "File rejected: part “%(part)s” has an XML item that is too long (an attribute, "
                            "comment or name longer than %(limit)s)."
                        )
                        % {"part": part, "limit": human_size(max_token).replace(",0 ", " ")}
                    )
            parser.Parse(b"", True)
    except _Dtd:
        raise FileRefused(dtd_message(part)) from None
    except expat.ExpatError as exc:
        raise FileRefused(
            _("The Excel file is damaged: part “%(part)s” is not well-formed XML (%(error)s).")
            % {"part": part, "error": expat.ErrorString(exc.code)}
        ) from None


@dataclass
class _Parts:
    sheet: str
    shared_strings: str | None
    styles: str | None
    date1904: bool


def _workbook_parts(archive: zipfile.ZipFile) -> _Parts:
    names = set(archive.namelist())
    sheets: list[str] = []
    date1904 = [False]

    def on_workbook(name: str, attrs: dict[str, str]) -> None:
        local = _local(name)
        if local == "sheet" and len(sheets) < 1:
            rid = next((v for k, v in attrs.items() if _local(k) == "id"), "")
            sheets.append(rid)
        elif local == "workbookPr":
            date1904[0] = attrs.get("date1904", "").lower() in ("1", "true")

    _stream(archive, "xl/workbook.xml", on_workbook)
    if not sheets:
        raise FileRefused(_("The workbook has no sheets."))
    targets: dict[str, str] = {}
    by_type: dict[str, str] = {}
    rels = "xl/_rels/workbook.xml.rels"
    if rels in names:

        def on_rel(name: str, attrs: dict[str, str]) -> None:
            if _local(name) != "Relationship" or len(targets) > 1000:
                return
            target = attrs.get("Target", "")
            target = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
            targets[attrs.get("Id", "")] = target
            by_type.setdefault(attrs.get("Type", "").rsplit("/", 1)[-1], target)

        _stream(archive, rels, on_rel)
    sheet = targets.get(sheets[0]) or "xl/worksheets/sheet1.xml"
    if sheet not in names:
        raise FileRefused(_("The Excel file is damaged: there is no sheet “%(part)s”.") % {"part": sheet})
    strings = by_type.get("sharedStrings") or "xl/sharedStrings.xml"
    styles = by_type.get("styles") or "xl/styles.xml"
    return _Parts(
        sheet=sheet,
        shared_strings=strings if strings in names else None,
        styles=styles if styles in names else None,
        date1904=date1904[0],
    )


def _date_styles(archive: zipfile.ZipFile, part: str | None) -> tuple[set[int], set[int]]:
    """Indexes of the cell styles whose number format shows a date (or a duration)."""
    if part is None:
        return set(), set()
    custom: dict[int, str] = {}
    xf_formats: list[int] = []
    in_cell_xfs = [False]
    max_styles = limit("REPORTS_IMPORT_MAX_STYLES", MAX_STYLES)

    def start(name: str, attrs: dict[str, str]) -> None:
        local = _local(name)
        if local == "numFmt":
            if len(custom) >= max_styles:
                raise FileRefused(_("File rejected: too many number formats."))
            try:
                custom[int(attrs.get("numFmtId", ""))] = attrs.get("formatCode", "")[:255]
            except ValueError:
                pass
        elif local == "cellXfs":
            in_cell_xfs[0] = True
        elif local == "xf" and in_cell_xfs[0]:
            if len(xf_formats) >= max_styles:
                raise FileRefused(_("File rejected: too many cell styles."))
            try:
                xf_formats.append(int(attrs.get("numFmtId", "0")))
            except ValueError:
                xf_formats.append(0)

    def end(name: str) -> None:
        if _local(name) == "cellXfs":
            in_cell_xfs[0] = False

    _stream(archive, part, start, end)
    dates, durations = set(), set()
    for index, fmt_id in enumerate(xf_formats):
        fmt = custom.get(fmt_id) or BUILTIN_FORMATS.get(fmt_id) or ""
        if is_date_format(fmt):
            dates.add(index)
        if is_timedelta_format(fmt):
            durations.add(index)
    return dates, durations


def _text_too_long(where: str, max_length: int) -> FileRefused:
    return FileRefused(
        _("File rejected: %(where)s has text longer than %(limit)s characters (the Excel limit for one cell).")
        % {"where": where, "limit": max_length}
    )


def _shared_strings(archive: zipfile.ZipFile, part: str | None) -> list[str]:
    """The shared strings, refused as soon as one is too long or there are too many."""
    if part is None:
        return []
    max_length = limit("REPORTS_IMPORT_MAX_TEXT_LENGTH", MAX_TEXT_LENGTH)
    max_count = limit("REPORTS_IMPORT_MAX_SHARED_STRINGS", MAX_SHARED_STRINGS)
    max_total = limit("REPORTS_IMPORT_MAX_TEXT_TOTAL", MAX_TEXT_TOTAL)
    strings: list[str] = []
    parts: list[str] = []
    state = {"si": False, "t": False, "rph": 0, "length": 0, "total": 0}
    names = _Names()

    def start(name: str, attrs: dict[str, str]) -> None:
        local = names[name]
        if local == "si":
            if len(strings) >= max_count:
                raise FileRefused(
                    _("File rejected: it has more than %(limit)s distinct text values.") % {"limit": max_count}
                )
            state["si"], state["length"] = True, 0
            parts.clear()
        elif local == "rPh":  # phonetic hints are not part of the text
            state["rph"] += 1
        elif local == "t" and state["si"] and not state["rph"]:
            state["t"] = True

    def end(name: str) -> None:
        local = names[name]
        if local == "t":
            state["t"] = False
        elif local == "rPh":
            state["rph"] -= 1
        elif local == "si":
            strings.append("".join(parts))
            parts.clear()
            state["si"] = False

    def text(data: str) -> None:
        if not state["t"]:
            return
        state["length"] += len(data)
        state["total"] += len(data)
        if state["length"] > max_length:
            raise _text_too_long(_("text value no. %(n)s") % {"n": len(strings) + 1}, max_length)
        if state["total"] > max_total:
            raise FileRefused(
                _("File rejected: it has more than %(limit)s characters of text; split it into parts.")
                % {"limit": max_total}
            )
        parts.append(data)

    _stream(archive, part, start, end, text)
    return strings


def _cast_number(text: str) -> int | float:
    if "." in text or "E" in text or "e" in text:
        return float(text)
    return int(text)


class _Names(dict[str, str]):
    """Local names of "namespace}local" element names, computed once per name."""

    def __missing__(self, name: str) -> str:
        local = self[name] = name.rsplit("}", 1)[-1]
        return local


class _SheetReader:
    """expat handlers for one worksheet; rows are handed on as they end.

    The handlers run once per element of a sheet that may hold millions of
    them, so the common case (a cell without a value) does as little as
    possible: its reference is parsed only if the cell has a value.
    """

    def __init__(
        self,
        strings: list[str],
        dates: set[int],
        durations: set[int],
        date1904: bool,
        on_header: Callable[[list[Any], int], None] | None = None,
    ) -> None:
        self.on_header = on_header
        self.strings = strings
        self.dates = dates
        self.durations = durations
        self.epoch = CALENDAR_MAC_1904 if date1904 else CALENDAR_WINDOWS_1900
        self.max_rows = limit("REPORTS_IMPORT_MAX_ROWS", MAX_ROWS)
        self.max_columns = limit("REPORTS_IMPORT_MAX_COLUMNS", MAX_COLUMNS)
        self.max_cells = limit("REPORTS_IMPORT_MAX_CELLS", MAX_CELLS)
        self.max_elements = limit("REPORTS_IMPORT_MAX_CELL_ELEMENTS", MAX_CELL_ELEMENTS)
        self.max_length = limit("REPORTS_IMPORT_MAX_TEXT_LENGTH", MAX_TEXT_LENGTH)
        self.max_total = limit("REPORTS_IMPORT_MAX_TEXT_TOTAL", MAX_TEXT_TOTAL)
        # Empty and formatted-only rows are skipped, but not without end.
        self.max_scanned = max(MAX_SCANNED_ROWS, 2 * self.max_rows)
        self.names = _Names()
        self.columns: dict[str, int] = {}  # column letters -> number, for the columns seen
        self.sheet = Sheet(header=[], header_row=0)
        self.header: list[Any] | None = None
        self.data_rows = 0
        self.scanned = 0
        self.elements = 0
        self.filled = 0
        self.inline_total = 0
        self.in_data = False
        self.row_number = 0
        self.cells: dict[int, RawCell] = {}
        # The cell being read: its reference (parsed lazily), column (0: not known yet), type, style.
        self.ref: str | None = None
        self.column = 0
        self.type: str | None = None
        self.style: str | None = None
        self.value: str | None = None
        self.formula: str | None = None
        self.inline: str | None = None
        self.collect: str | None = None  # "v", "f", "is" while inside one
        self.parts: list[str] = []
        self.length = 0
        self.rph = 0

    def too_many_rows(self) -> FileRefused:
        return FileRefused(
            _("The file has more than %(limit)s data rows; split it into parts.") % {"limit": self.max_rows}
        )

    def current_column(self) -> int:
        """The 1-based column of the cell being read (its reference is parsed here, once)."""
        if self.column == 0 and self.ref is not None:
            letters = self.ref.rstrip("0123456789")
            column = self.columns.get(letters)
            if column is None:
                column = 0
                if 0 < len(letters) <= 3 and letters.isascii() and letters.isupper():
                    for ch in letters:
                        column = column * 26 + ord(ch) - 64
                if not 0 < column <= _EXCEL_COLUMNS or not self.ref[len(letters) :].isdigit():
                    raise FileRefused(
                        _("The Excel file is damaged: invalid cell reference “%(ref)s”.") % {"ref": self.ref[:20]}
                    )
                if len(self.columns) < 1000:
                    self.columns[letters] = column
            elif not self.ref[len(letters) :].isdigit():
                raise FileRefused(
                    _("The Excel file is damaged: invalid cell reference “%(ref)s”.") % {"ref": self.ref[:20]}
                )
            self.column = column
        return self.column

    def where(self) -> str:
        return self.ref or f"{get_column_letter(min(max(self.current_column(), 1), _EXCEL_COLUMNS))}{self.row_number}"

    def start(self, name: str, attrs: dict[str, str]) -> None:
        local = self.names[name]
        if local == "c":
            if not self.in_data:
                return
            self.elements += 1
            if self.elements > self.max_elements:
                raise FileRefused(
                    _("File rejected: the sheet has more than %(limit)s cells (counting empty but formatted ones).")
                    % {"limit": self.max_elements}
                )
            ref = attrs.get("r")
            if ref is None:
                self.column = self.current_column() + 1
            else:
                self.column = 0
            self.ref = ref
            self.type = attrs.get("t")
            self.style = attrs.get("s")
            self.value = self.formula = self.inline = None
        elif local == "v" or local == "f" or local == "is":
            self.collect = local
            self.parts = []
            self.length = 0
        elif local == "rPh":
            self.rph += 1
        elif local == "row":
            if not self.in_data:
                return
            self.scanned += 1
            if self.scanned > self.max_scanned:
                raise FileRefused(
                    _("File rejected: the sheet has more than %(limit)s rows (counting empty but formatted ones).")
                    % {"limit": self.max_scanned}
                )
            number = attrs.get("r")
            if number is not None:
                if not number.isdigit() or not 0 < int(number) <= _EXCEL_ROWS:
                    raise FileRefused(_("The Excel file is damaged: invalid row number “%(n)s”.") % {"n": number[:20]})
                self.row_number = int(number)
            else:
                self.row_number += 1
            self.cells = {}
            self.ref = None
            self.column = 0
        elif local == "sheetData":
            self.in_data = True
        elif local == "mergeCell":
            if len(self.sheet.merged) < MAX_MERGED_REPORTED:
                self.sheet.merged.append(attrs.get("ref", "")[:30])

    def text(self, data: str) -> None:
        if self.collect is None or self.rph:
            return
        self.length += len(data)
        if self.length > self.max_length:
            raise _text_too_long(_("cell %(ref)s") % {"ref": self.where()}, self.max_length)
        if self.collect == "is":
            self.inline_total += len(data)
            if self.inline_total > self.max_total:
                raise FileRefused(
                    _("File rejected: it has more than %(limit)s characters of text; split it into parts.")
                    % {"limit": self.max_total}
                )
        self.parts.append(data)

    def end(self, name: str) -> None:
        local = self.names[name]
        if local == "c":
            if self.in_data and (self.value or self.formula is not None or self.inline is not None):
                self.end_cell()
        elif local == "v":
            self.value = "".join(self.parts)
            self.collect = None
        elif local == "f":
            self.formula = "".join(self.parts)
            self.collect = None
        elif local == "is":
            self.inline = "".join(self.parts)
            self.collect = None
        elif local == "rPh":
            self.rph -= 1
        elif local == "row":
            if self.in_data and self.cells:
                self.end_row()
        elif local == "sheetData":
            self.in_data = False

    def end_cell(self) -> None:
        column = self.current_column()
        if column > self.max_columns:
            raise FileRefused(
                _(
                    "File rejected: row %(row)s has a value in column %(column)s, but at most %(limit)s columns "
                    "are allowed. Delete the extra columns."
                )
                % {"row": self.row_number, "column": get_column_letter(column), "limit": self.max_columns}
            )
        self.filled += 1
        if self.filled > self.max_cells:
            raise FileRefused(
                _("File rejected: it has more than %(limit)s filled cells; split it into parts.")
                % {"limit": self.max_cells}
            )
        self.cells[column - 1] = self.cell()

    def cell(self) -> RawCell:
        """The cell just read, typed as openpyxl does in read-only mode (formulas as text)."""
        if self.formula is not None:
            return RawCell("=" + self.formula, "f", False)
        kind = self.type or "n"
        if kind == "inlineStr":
            return RawCell(self.inline or "", "s", False)
        text = (self.value or "").strip()
        try:
            if kind == "n":
                if not text:
                    return EMPTY
                number = _cast_number(text)
                style = int(self.style) if self.style and self.style.isdigit() else 0
                if style in self.dates:
                    try:
                        moment = from_excel(number, self.epoch, timedelta=style in self.durations)
                    except (OverflowError, ValueError):
                        return RawCell("#VALUE!", "e", False)
                    return RawCell(moment, "d", True)
                return RawCell(number, "n", False)
            if kind == "s":
                return RawCell(self.strings[int(text)], "s", False)
            if kind == "b":
                return RawCell(bool(int(text)), "b", False)
            if kind == "str":
                return RawCell(self.value, "s", False)
            if kind == "d":
                return RawCell(from_ISO8601(text), "d", True)
            if kind == "e":
                return RawCell(text, "e", False)
        except (ValueError, IndexError, OverflowError):
            pass
        raise FileRefused(_("The Excel file is damaged: invalid value in cell %(ref)s.") % {"ref": self.where()})

    def end_row(self) -> None:
        cells = self.cells
        values = [EMPTY] * (max(cells) + 1)
        for index, cell in cells.items():
            values[index] = cell
        self.cells = {}
        if all(c.value is None or (isinstance(c.value, str) and not c.value.strip()) for c in values):
            return
        if self.header is None:
            self.header = [c.value for c in values]
            self.sheet.header_row = self.row_number
            if self.on_header is not None:
                # Wrong columns refuse the file now, not after reading every row.
                self.on_header(self.header, self.row_number)
            return
        self.data_rows += 1
        if self.data_rows > self.max_rows:
            raise self.too_many_rows()
        self.sheet.rows.append((self.row_number, values))


def read_sheet(data: bytes, *, on_header: Callable[[list[Any], int], None] | None = None) -> Sheet:
    """The first sheet's header and non-empty rows, or FileRefused.

    ``on_header(header, row_number)`` is called as soon as the header row is
    read; it may raise FileRefused or StopReading to stop there.
    """
    archive = _check_zip(data)
    try:
        parts = _workbook_parts(archive)
        dates, durations = _date_styles(archive, parts.styles)
        strings = _shared_strings(archive, parts.shared_strings)
        reader = _SheetReader(strings, dates, durations, parts.date1904, on_header)
        _stream(archive, parts.sheet, reader.start, reader.end, reader.text)
    except (FileRefused, StopReading):
        raise
    except (KeyError, zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, RuntimeError) as exc:
        # A damaged archive member (bad CRC, truncated stream) or a missing part.
        raise FileRefused(
            _("The Excel file is damaged or has an unknown format (%(error)s).") % {"error": exc.__class__.__name__}
        ) from None
    if reader.header is None:
        raise FileRefused(_("The sheet is empty: there is no header row."))
    sheet = reader.sheet
    sheet.header = reader.header
    return sheet


def column_letter(index: int) -> str:
    return get_column_letter(index + 1)
