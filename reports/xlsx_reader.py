"""Reading an uploaded xlsx file that nobody has vouched for.

Everything that can be checked without parsing is checked first: the size of
the upload, that it is a zip archive, the number of entries, their total
uncompressed size and compression ratio (zip bombs), and that no XML part
declares a DTD or entities (billion laughs, external entities). Only then is
the first sheet parsed by openpyxl in read-only mode, whose XML parser is
defusedxml. The sheet's declared dimension is ignored (a file may claim a
million rows), rows are counted as they are read and reading stops at the
limit. Cells are returned raw with their Excel type, so the caller can tell a
formula, a number stored as text or a date typed as text from real values.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any

from defusedxml import DefusedXmlException
from django.conf import settings
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException


def limit(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_ZIP_ENTRIES = 300
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_COMPRESSION_RATIO = 150
MAX_ROWS = 50_000
MAX_COLUMNS = 60

_DTD = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_MERGE = re.compile(rb"<(?:\w+:)?mergeCell\s[^>]*ref=\"([A-Z]+[0-9]+(?::[A-Z]+[0-9]+)?)\"")


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


@dataclass
class Sheet:
    header: list[Any]
    header_row: int
    rows: list[tuple[int, list[RawCell]]] = field(default_factory=list)
    merged: list[str] = field(default_factory=list)


def _check_zip(data: bytes) -> zipfile.ZipFile:
    max_bytes = limit("REPORTS_IMPORT_MAX_BYTES", MAX_UPLOAD_BYTES)
    if len(data) > max_bytes:
        raise FileRefused(
            f"Файл слишком большой: {len(data) / 1048576:.1f} МБ, допускается не более {max_bytes / 1048576:.0f} МБ."
        )
    if not data:
        raise FileRefused("Файл пустой.")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise FileRefused("Это не файл Excel (.xlsx): файл не является zip-архивом. Сохраните таблицу в формате .xlsx.") from None
    entries = archive.infolist()
    if len(entries) > limit("REPORTS_IMPORT_MAX_ZIP_ENTRIES", MAX_ZIP_ENTRIES):
        raise FileRefused(f"Файл отклонён: в архиве xlsx слишком много частей ({len(entries)}).")
    total = sum(e.file_size for e in entries)
    if total > limit("REPORTS_IMPORT_MAX_UNCOMPRESSED", MAX_UNCOMPRESSED_BYTES):
        raise FileRefused(
            f"Файл отклонён: после распаковки он занимает {total / 1048576:.0f} МБ — это больше допустимого."
        )
    max_ratio = limit("REPORTS_IMPORT_MAX_RATIO", MAX_COMPRESSION_RATIO)
    for entry in entries:
        # Small parts compress well legitimately; the ratio matters for big ones.
        if entry.file_size > 1024 * 1024 and entry.file_size > max_ratio * max(entry.compress_size, 1):
            raise FileRefused(
                f"Файл отклонён: часть «{entry.filename}» сжата в {entry.file_size // max(entry.compress_size, 1)} раз "
                "(похоже на zip-бомбу)."
            )
    names = {e.filename for e in entries}
    if "xl/workbook.xml" not in names:
        raise FileRefused("Это не файл Excel (.xlsx): в архиве нет книги xl/workbook.xml.")
    for entry in entries:
        if entry.filename.endswith((".xml", ".rels")):
            with archive.open(entry) as fh:
                head = fh.read(4096)
            if _DTD.search(head):
                raise FileRefused(
                    f"Файл отклонён: часть «{entry.filename}» содержит объявление DTD или сущностей XML."
                )
    return archive


def _merged_ranges(archive: zipfile.ZipFile, path: str) -> list[str]:
    with archive.open(path) as fh:
        data = fh.read()  # bounded: the uncompressed size was checked
    return [m.decode() for m in _MERGE.findall(data)]


def read_sheet(data: bytes) -> Sheet:
    """The first sheet's header and non-empty rows, or FileRefused."""
    archive = _check_zip(data)
    max_rows = limit("REPORTS_IMPORT_MAX_ROWS", MAX_ROWS)
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except DefusedXmlException:
        raise FileRefused("Файл отклонён: XML содержит запрещённые конструкции (DTD, сущности).") from None
    except (InvalidFileException, KeyError, ValueError, zipfile.BadZipFile, OSError) as exc:
        raise FileRefused(f"Файл Excel повреждён или имеет неизвестный формат ({exc.__class__.__name__}).") from None
    try:
        if not wb.worksheets:
            raise FileRefused("В книге нет ни одного листа.")
        ws = wb.worksheets[0]
        merged = _merged_ranges(archive, ws._worksheet_path.lstrip("/"))
        # A file may declare "A1:Z1048576"; read only the rows that exist.
        ws.reset_dimensions()
        header: list[Any] | None = None
        header_row = 0
        sheet = Sheet(header=[], header_row=0, merged=merged)
        count = 0
        max_scanned = max(200_000, 4 * max_rows)
        for row_number, row in enumerate(ws.iter_rows(), start=1):
            if row_number > max_scanned:
                raise FileRefused(f"В файле больше {max_rows} строк данных; разделите его на части.")
            cells = [
                RawCell(getattr(c, "value", None), getattr(c, "data_type", "n"), bool(getattr(c, "is_date", False)))
                for c in row[: limit("REPORTS_IMPORT_MAX_COLUMNS", MAX_COLUMNS) + 1]
            ]
            if all(c.value is None or (isinstance(c.value, str) and not c.value.strip()) for c in cells):
                continue
            if header is None:
                header = [c.value for c in cells]
                header_row = row_number
                continue
            count += 1
            if count > max_rows:
                raise FileRefused(f"В файле больше {max_rows} строк данных; разделите его на части.")
            sheet.rows.append((row_number, cells))
        if header is None:
            raise FileRefused("Лист пустой: нет строки заголовков.")
        sheet.header = header
        sheet.header_row = header_row
        return sheet
    except DefusedXmlException:
        raise FileRefused("Файл отклонён: XML содержит запрещённые конструкции (DTD, сущности).") from None
    except FileRefused:
        raise
    except Exception as exc:  # noqa: BLE001 - any parser failure of a hostile file is a refusal
        raise FileRefused(f"Файл Excel повреждён и не может быть прочитан ({exc.__class__.__name__}).") from None
    finally:
        wb.close()


def column_letter(index: int) -> str:
    return get_column_letter(index + 1)
